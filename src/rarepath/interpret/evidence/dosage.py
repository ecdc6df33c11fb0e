"""ClinGen dosage sensitivity: haploinsufficiency (one copy too few) and triplosensitivity (one copy too many).

A heterozygous null allele in a gene with sufficient evidence of haploinsufficiency is a loss of one copy; a
whole-gene duplication of a triplosensitive gene (PLP1, LMNB1) is a dosage gain, i.e. gain of function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rarepath.interpret.evidence.base import Vote, all_missense, all_null, gene_variants, monoallelic, note
from rarepath.model import Case, Evidence, Mechanism, VariantKind

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

#: ClinGen score -> weight: 3 sufficient, 2 emerging evidence. 30 = autosomal recessive, 40 = unlikely.
W_HI = {3: 0.5, 2: 0.3}
W_TS = {3: 0.75, 2: 0.45}
#: A monoallelic missense variant in an established haploinsufficient gene (tuning half of the Gene2Phenotype genes:
#: 22 of 22 such genes without a ClinVar pattern are loss of function); not enough alone.
W_HI_MISSENSE = 0.4


def clingen_dosage(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    kb = kc.kb
    if not kb.available:
        return []
    dos = kb.dosage(gene)
    if dos is None:
        return []
    votes: list[Vote] = []
    duplication = any(v.kind == VariantKind.GENE_DUPLICATION for v in gene_variants(case, gene))
    if duplication:
        w = W_TS.get(dos.ts_score or -1, 0.0)
        if w:
            votes.append(Vote(Mechanism.GAIN_OF_FUNCTION, w, Evidence(
                "clingen_triplosensitivity", dos.source,
                f"ClinGen triplosensitivity score {dos.ts_score} and a whole-gene duplication: dosage gain "
                "(gain of function)")))
        else:
            votes.append(note("clingen_not_triplosensitive", dos.source,
                              f"whole-gene duplication, but ClinGen triplosensitivity score is "
                              f"{dos.ts_score if dos.ts_score is not None else 'not evaluated'}"))
    if monoallelic(case) and all_null(case, gene):
        w = W_HI.get(dos.hi_score or -1, 0.0)
        if w:
            votes.append(Vote(Mechanism.HAPLOINSUFFICIENCY, w, Evidence(
                "clingen_haploinsufficiency", dos.source,
                f"ClinGen haploinsufficiency score {dos.hi_score} and a heterozygous null allele")))
        elif dos.hi_score in (30, 40):
            what = "autosomal recessive phenotype" if dos.hi_score == 30 else "dosage sensitivity unlikely"
            votes.append(note("clingen_not_haploinsufficient", dos.source,
                              f"ClinGen haploinsufficiency score {dos.hi_score} ({what}): one null copy is not "
                              "expected to cause disease"))
    elif monoallelic(case) and all_missense(case, gene) and dos.hi_score == 3:
        votes.append(Vote(Mechanism.HAPLOINSUFFICIENCY, W_HI_MISSENSE, Evidence(
            "clingen_haploinsufficiency_missense", dos.source,
            "ClinGen haploinsufficiency score 3: losing one copy causes the disease, so a pathogenic missense "
            "variant most likely inactivates its copy")))
    return votes
