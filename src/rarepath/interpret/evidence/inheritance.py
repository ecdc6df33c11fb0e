"""Variant consequence x mode of inheritance x zygosity (HPO annotations of the disease, in DiseaseContext).

Biallelic variants in a recessive disease, or a hemizygous variant in an X-linked recessive one, mean the
disease comes from too little gene product; a heterozygous null allele in a dominant disease means one copy is
not enough (haploinsufficiency).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rarepath.interpret.evidence.base import Vote, all_null, gene_variants
from rarepath.model import Case, Evidence, Mechanism, VariantKind, Zygosity

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

W_INHERITANCE = 0.6
#: A dominant disease with a heterozygous null allele: haploinsufficiency unless something else says otherwise.
W_DOMINANT_NULL = 0.48
#: Biallelic variants in a gene without any dominant disease annotated: a recessive disease, which is loss of
#: function far more often than anything else (in the Gene2Phenotype panels, 1,281 of 1,286 biallelic pairs with a
#: named consequence).
W_BIALLELIC_UNANNOTATED = 0.55
#: A hemizygous variant where no X-linked dominant disease is annotated (tuning half: 40 of 40 hemizygous
#: Gene2Phenotype genes are loss of function).
W_HEMIZYGOUS_UNANNOTATED = 0.55
#: Variants whose effect is not read from the genotype: extra copies and repeat expansions.
DOSAGE_OR_REPEAT = frozenset({VariantKind.GENE_DUPLICATION, VariantKind.REPEAT_EXPANSION})
SOURCE = "HPO inheritance annotation"


def inheritance_consequence(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    inh = set(disease.inheritance)
    zyg = case.zygosity
    null = all_null(case, gene)
    votes: list[Vote] = []
    if any(v.kind in DOSAGE_OR_REPEAT for v in gene_variants(case, gene)):
        return votes  # extra copies and repeat expansions: dosage and repeat biology decide, not the genotype
    if "autosomal_recessive" in inh and zyg in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS):
        votes.append(Vote(Mechanism.LOSS_OF_FUNCTION, W_INHERITANCE, Evidence(
            "recessive_biallelic", SOURCE,
            f"autosomal recessive disease with {zyg.value} variants: biallelic loss of function")))
    if not inh & {"autosomal_recessive", "autosomal_dominant", "x_linked_dominant"} and zyg in (
            Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS):
        votes.append(Vote(Mechanism.LOSS_OF_FUNCTION, W_BIALLELIC_UNANNOTATED, Evidence(
            "biallelic_without_dominant_disease", SOURCE,
            f"{zyg.value} variants and no dominant disease annotated for {gene}: recessive loss of function")))
    if inh & {"x_linked_recessive", "x_linked"} and zyg == Zygosity.HEMIZYGOUS and (
            null or "x_linked_recessive" in inh):
        votes.append(Vote(Mechanism.LOSS_OF_FUNCTION, W_INHERITANCE, Evidence(
            "x_linked_hemizygous", SOURCE, "X-linked recessive disease in a hemizygous patient: loss of function")))
    elif zyg == Zygosity.HEMIZYGOUS and "x_linked_dominant" not in inh and not inh & {
            "autosomal_dominant", "autosomal_recessive"}:
        votes.append(Vote(Mechanism.LOSS_OF_FUNCTION, W_HEMIZYGOUS_UNANNOTATED, Evidence(
            "hemizygous_without_dominant_disease", SOURCE,
            f"hemizygous variant and no X-linked dominant disease annotated for {gene}: loss of function")))
    if "autosomal_dominant" in inh and zyg == Zygosity.HETEROZYGOUS and null:
        votes.append(Vote(Mechanism.HAPLOINSUFFICIENCY, W_DOMINANT_NULL, Evidence(
            "dominant_null_allele", SOURCE, "dominant disease caused by a heterozygous null allele: haploinsufficiency")))
    return votes
