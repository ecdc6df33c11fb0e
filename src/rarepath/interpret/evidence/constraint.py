"""gnomAD constraint: how many loss-of-function (LOEUF) and missense (missense Z) variants healthy people carry.

A heterozygous null allele in a gene depleted of loss-of-function variants (LOEUF < 0.35) points to
haploinsufficiency. A heterozygous missense variant in a gene that tolerates loss of function but not missense
change (high missense Z, high LOEUF) points away from loss: altered function, without saying which kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rarepath.interpret.evidence.base import Vote, all_missense, all_null, monoallelic, note
from rarepath.model import Case, Evidence, Mechanism

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

#: LOEUF below which a gene is intolerant of heterozygous loss (gnomAD v2.1 recommendation, Karczewski 2020).
LOEUF_INTOLERANT = 0.35
#: LOEUF above which heterozygous loss is clearly tolerated.
LOEUF_TOLERANT = 0.6
#: Missense Z above which missense variation is depleted (Samocha et al. 2014: Z >= 3.09).
MIS_Z_CONSTRAINED = 3.09
W_LOF_INTOLERANT = 0.35
W_ALTERED_FUNCTION = 0.25
#: A monoallelic missense variant in a LoF-intolerant gene: loss is likely, not enough alone (tuning half: 59 of 70
#: such Gene2Phenotype genes without a ClinVar pattern are loss of function).
W_MISSENSE_IN_INTOLERANT = 0.3


def gnomad_constraint(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    kb = kc.kb
    if not kb.available:
        return []
    con = kb.constraint(gene)
    if con is None or not monoallelic(case):
        return []
    votes: list[Vote] = []
    if all_null(case, gene) and con.loeuf is not None:
        pli = f" (pLI {con.pli:.2f})" if con.pli is not None else ""
        if con.loeuf < LOEUF_INTOLERANT:
            votes.append(Vote(Mechanism.HAPLOINSUFFICIENCY, W_LOF_INTOLERANT, Evidence(
                "lof_intolerant", con.source, f"LOEUF {con.loeuf:.2f}{pli}: gene intolerant of heterozygous loss")))
        else:
            votes.append(note("lof_tolerant", con.source,
                              f"LOEUF {con.loeuf:.2f}{pli}: heterozygous loss not depleted in gnomAD"))
    elif all_missense(case, gene) and con.mis_z is not None and con.loeuf is not None:
        if con.loeuf < LOEUF_INTOLERANT:
            votes.append(Vote(Mechanism.HAPLOINSUFFICIENCY, W_MISSENSE_IN_INTOLERANT, Evidence(
                "missense_in_lof_intolerant_gene", con.source,
                f"LOEUF {con.loeuf:.2f}: one lost copy is not tolerated, so a pathogenic missense variant may act "
                "by inactivating its copy")))
        elif con.mis_z >= MIS_Z_CONSTRAINED and con.loeuf >= LOEUF_TOLERANT:
            detail = (f"missense Z {con.mis_z:.2f} with LOEUF {con.loeuf:.2f}: missense change is depleted while "
                      "loss of one copy is tolerated, so a pathogenic missense variant alters function")
            for mech in (Mechanism.DOMINANT_NEGATIVE, Mechanism.GAIN_OF_FUNCTION):
                votes.append(Vote(mech, W_ALTERED_FUNCTION, Evidence("missense_constrained_lof_tolerant",
                                                                     con.source, detail)))
    return votes
