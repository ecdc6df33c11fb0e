"""Domain types shared by every stage: plain, typed, immutable where possible."""

from rarepath.model.types import (
    NO_SINGLE_GENE,
    Assessment,
    Case,
    Delivery,
    Evidence,
    Mechanism,
    MechanismCall,
    Modality,
    Option,
    PatientFactors,
    Product,
    Variant,
    VariantKind,
    Verdict,
    Zygosity,
)

__all__ = [
    "NO_SINGLE_GENE",
    "Assessment",
    "Case",
    "Delivery",
    "Evidence",
    "Mechanism",
    "MechanismCall",
    "Modality",
    "Option",
    "PatientFactors",
    "Product",
    "Variant",
    "VariantKind",
    "Verdict",
    "Zygosity",
]
