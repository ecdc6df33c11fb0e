"""Curated gene+disease mechanisms and disease-defining variants shipped with rarepath (the strongest lines)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rarepath.interpret.evidence.base import Vote, note
from rarepath.model import Case, Evidence, Mechanism

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

#: A curated gene+disease fact is close to decisive; a mechanism shared by every fitting disease a little less.
W_CURATED = 0.9
W_SHARED = 0.72


def curated_mechanism(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    """The curated gene_mechanisms row of the resolved disease (or the mechanism all candidate diseases share)."""
    row = disease.curated
    if row and row.get("mechanism") and row["mechanism"] != "unknown":
        mech = Mechanism(row["mechanism"])
        return [Vote(mech, W_CURATED, Evidence("curated_gene_mechanism", row["source"],
                                               f"{gene} in {row.get('disease')}: {mech.value}"))]
    if row:
        return [note("curated_gene_mechanism", row["source"],
                     f"{gene} in {row.get('disease')}: mechanism curated as unknown")]
    if disease.ambiguous:
        mechs = {r.get("mechanism", "unknown") for r in disease.candidates}
        if len(mechs) == 1 and "unknown" not in mechs:
            mech = Mechanism(mechs.pop())
            return [Vote(mech, W_SHARED, Evidence(
                "curated_mechanism_shared", disease.candidates[0]["source"],
                f"every {gene} disease the variants fit is curated as {mech.value}"))]
    return []


def hallmark_variant(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    """A curated disease-defining variant with a known mechanism (SCN2A p.Arg1882Gln: gain of function)."""
    hm = disease.hallmark
    if not hm or not hm.get("mechanism"):
        return []
    return [Vote(Mechanism(hm["mechanism"]), W_CURATED, Evidence(
        "hallmark_variant_mechanism", hm["source"],
        f"{hm.get('hgvs_p') or hm.get('hgvs_c')} is a known {hm['mechanism'].replace('_', ' ')} variant "
        f"({hm.get('disease')})"))]
