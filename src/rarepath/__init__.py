"""rarepath: decision support for treatment paths in rare genetic disease.

Data flows one way: intake -> interpret -> triage -> design -> screens -> report.
Every verdict carries its evidence; every report says it is decision support,
not medical advice.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "rarepath is decision support for qualified clinicians and researchers, not medical advice. "
    "Every option below must be reviewed by the patient's care team against current labels, "
    "guidelines and the full clinical picture before any decision is made."
)
