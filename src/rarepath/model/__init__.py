"""Domain types shared by every stage: plain, typed, immutable where possible."""

from rarepath.model.types import (
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
