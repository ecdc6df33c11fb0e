"""Scores from evidence levels: options separate by how strong their evidence is, so ties are rare and explained.

Within a verdict band, the score rises with the evidence level (approved for this genotype > approved for
the disease or guideline standard of care > late-stage trial > early trial or n-of-1 > mechanism only),
then with fewer label items left to confirm, acting on the disease gene itself, and years of post-approval
experience. Every option carries `evidence_level` and a `rank_basis` text naming these.
"""

from __future__ import annotations

from enum import StrEnum

from rarepath.model import Verdict


class EvidenceLevel(StrEnum):
    APPROVED_FOR_GENOTYPE = "approved_for_genotype"
    APPROVED_FOR_DISEASE = "approved_for_disease"
    LATE_STAGE_TRIAL = "late_stage_trial"
    EARLY_OR_PRECLINICAL = "early_or_preclinical"
    MECHANISM_ONLY = "mechanism_only"

    @property
    def rank(self) -> int:
        return {"approved_for_genotype": 4, "approved_for_disease": 3, "late_stage_trial": 2,
                "early_or_preclinical": 1, "mechanism_only": 0}[self.value]

    @property
    def words(self) -> str:
        return {"approved_for_genotype": "approved for this genotype",
                "approved_for_disease": "approved for the disease or guideline standard of care",
                "late_stage_trial": "late-stage (phase 3) trial", "early_or_preclinical": "early trial or n-of-1",
                "mechanism_only": "mechanism only"}[self.value]


#: score band per verdict (low, high)
BANDS = {Verdict.RECOMMENDED: (0.80, 1.00), Verdict.POSSIBLE: (0.45, 0.75),
         Verdict.NOT_SUITABLE: (0.10, 0.30), Verdict.CONTRAINDICATED: (0.0, 0.0)}

GENOTYPE_TOKENS = ("variant", "variant_any", "variant_homozygous", "variant_type", "skip_exon")


def product_level(row: dict[str, str], genotype_confirmed: bool) -> EvidenceLevel:
    """Evidence level of a product for this patient: its status, and whether its label names a genotype the
    patient was confirmed to carry."""
    status = row.get("status", "")
    if status in ("approved", "conditional_approval"):
        return EvidenceLevel.APPROVED_FOR_GENOTYPE if genotype_confirmed else EvidenceLevel.APPROVED_FOR_DISEASE
    if status == "clinical_phase3":
        return EvidenceLevel.LATE_STAGE_TRIAL
    if status in ("clinical_phase1", "clinical_phase2", "n_of_1"):
        return EvidenceLevel.EARLY_OR_PRECLINICAL
    return EvidenceLevel.MECHANISM_ONLY


def score(verdict: Verdict, level: EvidenceLevel, open_items: int = 0, on_disease_gene: bool = True,
          years_approved: int = 0, adjust: float = 0.0) -> float:
    """A score inside the verdict's band: 70% evidence level, 30% tie-breakers; `adjust` is a rule's nudge
    (bounded to stay inside the band)."""
    lo, hi = BANDS[verdict]
    if hi == lo:
        return lo
    level_part = level.rank / 4
    ties = (1 / (1 + open_items)) * 0.5 + (0.3 if on_disease_gene else 0.0) + min(years_approved, 20) / 20 * 0.2
    raw = lo + (hi - lo) * (0.7 * level_part + 0.3 * ties) + adjust
    return round(max(lo, min(hi, raw)), 4)


def rank_basis(level: EvidenceLevel, open_items: int, on_disease_gene: bool, years_approved: int) -> str:
    parts = [f"evidence: {level.words}"]
    parts.append(f"{open_items} label item(s) to confirm" if open_items else "nothing left to confirm")
    parts.append("acts on the disease gene" if on_disease_gene else "acts on another gene")
    if years_approved:
        parts.append(f"{years_approved} year(s) since first approval")
    return "; ".join(parts)


__all__ = ["EvidenceLevel", "BANDS", "product_level", "score", "rank_basis", "GENOTYPE_TOKENS"]
