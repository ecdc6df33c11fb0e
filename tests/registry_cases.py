"""A phenopacket written for the registry tests (fictional patient, with identifiers to be removed on export)."""

from __future__ import annotations

import json

from rarepath.registry.access import Actor
from rarepath.registry.models import Role

PATIENT_ID = "JANE-DOE-1987"
#: The command line's actor in tests: an administrator.
ADMIN = Actor("test-admin", Role.ADMIN)


def phenopacket(gene: str = "SMN1", label: str = "deletion of exons 7-8") -> bytes:
    """A Phenopacket v2 of a fictional infant; `gene` may be made unknown to test rejection."""
    doc = {
        "id": f"family-doe-{gene.lower()}",
        "subject": {"id": PATIENT_ID, "dateOfBirth": "2025-06-01T00:00:00Z", "sex": "FEMALE",
                    "timeAtLastEncounter": {"age": {"iso8601duration": "P5M"}}},
        "phenotypicFeatures": [{"type": {"id": "HP:0001252", "label": "Hypotonia"}},
                               {"type": {"id": "HP:0001284", "label": "Areflexia"}}],
        "interpretations": [{
            "id": "interp-1", "progressStatus": "SOLVED",
            "diagnosis": {"genomicInterpretations": [{
                "subjectOrBiosampleId": PATIENT_ID, "interpretationStatus": "CAUSATIVE",
                "variantInterpretation": {"variationDescriptor": {
                    "id": "var-1", "label": label, "geneContext": {"valueId": "HGNC:0", "symbol": gene},
                    "allelicState": {"id": "GENO:0000136", "label": "homozygous"}}}}]}}],
        "metaData": {"created": "2025-11-01T00:00:00Z", "createdBy": "rarepath tests",
                     "phenopacketSchemaVersion": "2.0",
                     "resources": [{"id": "hp", "name": "human phenotype ontology", "namespacePrefix": "HP",
                                    "url": "http://purl.obolibrary.org/obo/hp.owl", "version": "2025-01-16",
                                    "iriPrefix": "http://purl.obolibrary.org/obo/HP_"}]},
    }
    return json.dumps(doc, indent=1).encode()
