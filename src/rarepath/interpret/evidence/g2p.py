"""Gene2Phenotype mutation consequence of the gene (imported knowledge base): the curated literature consensus.

A gene's own G2P rows can be withheld (`infer_mechanism(..., withhold={"g2p"})`) so that the other lines of
evidence can be evaluated against them (benchmarks/validity.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rarepath.interpret.evidence.base import Vote, all_null, monoallelic, note
from rarepath.model import Case, Evidence, Mechanism

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

W_G2P = 0.7

#: G2P mutation-consequence wording -> mechanism (first matching phrase wins).
G2P_CONSEQUENCE = {
    "absent gene product": Mechanism.LOSS_OF_FUNCTION,
    "loss of function": Mechanism.LOSS_OF_FUNCTION,
    "decreased gene product level": Mechanism.LOSS_OF_FUNCTION,
    "dominant negative": Mechanism.DOMINANT_NEGATIVE,
    "activating": Mechanism.GAIN_OF_FUNCTION,
    "gain of function": Mechanism.GAIN_OF_FUNCTION,
    "increased gene dosage": Mechanism.GAIN_OF_FUNCTION,
}


def consequence_class(text: str | None) -> Mechanism | None:
    """The mechanism a G2P mutation consequence names, or None (`all missense/in frame`, `uncertain`)."""
    conseq = (text or "").lower()
    return next((m for k, m in G2P_CONSEQUENCE.items() if k in conseq), None)


def g2p_consequence(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    kb = kc.kb
    if not kb.available:
        return []
    records = kb.g2p(gene)
    ids = {d.upper().replace("OMIM:", "") for d in disease.disease_ids}
    matched = [g for g in records if g.disease_mim and str(g.disease_mim) in ids] or records
    votes: list[Vote] = []
    for rec in matched[:3]:
        mech = consequence_class(rec.mutation_consequence)
        if mech is None:
            continue
        conseq = (rec.mutation_consequence or "").lower()
        if mech == Mechanism.LOSS_OF_FUNCTION and "monoallelic" in (rec.allelic_requirement or "") \
                and monoallelic(case):
            mech = Mechanism.HAPLOINSUFFICIENCY
        if mech in (Mechanism.GAIN_OF_FUNCTION, Mechanism.DOMINANT_NEGATIVE) and all_null(case, gene):
            votes.append(note("g2p_consequence_inconsistent", rec.source,
                              f"G2P says {conseq} but the variants are null alleles: not counted"))
            continue
        votes.append(Vote(mech, W_G2P, Evidence("g2p_mutation_consequence", rec.source,
                                                f"{rec.disease}: {rec.allelic_requirement}; {conseq}")))
    return votes
