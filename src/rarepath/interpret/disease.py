"""The disease a case is about, as resolved from intake and knowledge: plain data shared by disease resolution,
the affected-status gate and every line of mechanism evidence (kept apart so that none of them imports another)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rarepath.model import Evidence


@dataclass
class DiseaseContext:
    """The disease the case is about, as resolved from intake and knowledge (ids, labels, curated row)."""

    gene: str
    disease_ids: list[str] = field(default_factory=list)
    disease_labels: list[str] = field(default_factory=list)
    inheritance: list[str] = field(default_factory=list)
    curated: dict[str, str] | None = None
    candidates: list[dict[str, str]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    inferred: bool = False
    hallmark: dict[str, str] | None = None
    ambiguous: bool = False  # several curated diseases fit and none was given

    @property
    def tissue(self) -> str | None:
        return (self.curated or {}).get("tissue") or None

    def to_dict(self) -> dict:
        return {
            "gene": self.gene,
            "ids": self.disease_ids,
            "labels": self.disease_labels,
            "inheritance": self.inheritance,
            "tissue": self.tissue,
            "inferred_from_gene": self.inferred,
            "ambiguous": self.ambiguous,
            "candidates": [r.get("disease", "") for r in self.candidates] if self.ambiguous else [],
            "evidence": [e.to_dict() for e in self.evidence],
        }
