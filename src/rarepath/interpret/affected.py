"""Is this person affected at all? Zygosity, sex and the disease's inheritance decide before any therapy.

A heterozygous variant in a recessive disease makes a carrier; a heterozygous woman with an X-linked
recessive variant is a possible carrier, affected only when her phenotype says so. A carrier is told so
plainly and offered nothing: the triage engine caps every option at `not_suitable`. Where a fact is
missing (no genotype, unknown zygosity, unknown inheritance) the status is weaker, never stronger:
options can be at most `possible` and no product is recommended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rarepath.knowledge.rules import reason
from rarepath.model import Case, Evidence, Verdict, Zygosity

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

RECESSIVE = {"autosomal_recessive"}
DOMINANT = {"autosomal_dominant", "x_linked_dominant", "semidominant", "mitochondrial"}
X_RECESSIVE = {"x_linked_recessive", "x_linked"}

#: Gene2Phenotype allelic requirement -> inheritance mode (used when HPO annotations give none)
G2P_ALLELIC = {
    "biallelic_autosomal": "autosomal_recessive",
    "monoallelic_autosomal": "autosomal_dominant",
    "monoallelic_x_hem": "x_linked_recessive",
    "monoallelic_x_het": "x_linked_dominant",
    "biallelic_par": "autosomal_recessive",
    "monoallelic_par": "autosomal_dominant",
}

#: minimum phenotype fit (nats, HpoIndex.phenotype_fit) for a heterozygous woman's phenotype to "say so"
MANIFESTING_FIT = 2.0


class AffectedStatus(StrEnum):
    AFFECTED = "affected"
    CARRIER = "carrier"
    POSSIBLE_CARRIER = "possible_carrier"
    SECOND_VARIANT_MISSING = "second_variant_missing"
    NO_GENOTYPE = "no_genotype"
    UNDETERMINED = "undetermined"

    @property
    def ceiling(self) -> Verdict:
        """The best verdict any option may have for a person with this status."""
        if self in (AffectedStatus.CARRIER, AffectedStatus.POSSIBLE_CARRIER):
            return Verdict.NOT_SUITABLE
        if self == AffectedStatus.AFFECTED:
            return Verdict.RECOMMENDED
        return Verdict.POSSIBLE


@dataclass(frozen=True)
class AffectedStatusCall:
    status: AffectedStatus
    evidence: tuple[Evidence, ...]
    inheritance: tuple[str, ...] = ()
    counselling: tuple[str, ...] = ()  # what a carrier is told
    would_change: tuple[str, ...] = ()  # what would change the conclusion
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ceiling(self) -> Verdict:
        return self.status.ceiling

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "best_verdict_allowed": self.ceiling.value,
            "inheritance": list(self.inheritance),
            "counselling": list(self.counselling),
            "would_change_conclusion": list(self.would_change),
            "evidence": [e.to_dict() for e in self.evidence],
        }


def _inheritance(disease: DiseaseContext, kc: KnowledgeContext) -> tuple[set[str], str]:
    """Modes of inheritance of the resolved disease (curated row and HPO), else Gene2Phenotype's allelic
    requirement; returns the modes and where they came from."""
    modes = set(disease.inheritance)
    if modes:
        from rarepath.knowledge.curated import table_version

        return modes, (f"HPO/OMIM/Orphanet inheritance annotations ({kc.hpo.version}); rarepath gene_mechanisms "
                       f"table v{table_version('gene_mechanisms')}")
    if kc.kb.available:
        for rec in kc.kb.g2p(disease.gene):
            req = (rec.allelic_requirement or "").lower().replace(" ", "_")
            for key, mode in G2P_ALLELIC.items():
                if key in req:
                    modes.add(mode)
        if modes:
            return modes, "Gene2Phenotype allelic requirement (imported knowledge base)"
    return modes, ""


def _phenotype_says_affected(case: Case, disease: DiseaseContext, kc: KnowledgeContext) -> tuple[bool, str]:
    """Does the observed phenotype match one of the gene's X-linked diseases?"""
    if not case.phenotypes:
        return False, "no phenotype recorded"
    ids = list(disease.disease_ids) or [d.id for d in kc.hpo.diseases_for_gene(disease.gene)]
    best, best_id = kc.hpo.best_fit(case.phenotypes, ids)
    if best >= MANIFESTING_FIT:
        return True, f"observed phenotype fits {best_id} (similarity {best:.1f} >= {MANIFESTING_FIT})"
    return False, f"observed phenotype does not fit the disease (best similarity {best:.1f} < {MANIFESTING_FIT})"


def assess_affected_status(case: Case, disease: DiseaseContext, kc: KnowledgeContext) -> AffectedStatusCall:
    """Affected, carrier, possible carrier, or a weaker 'cannot tell' status, with the evidence."""
    gene = disease.gene
    variants = [v for v in case.variants if v.gene.upper() == gene.upper()] or list(case.variants)
    modes, mode_source = _inheritance(disease, kc)
    inh = tuple(sorted(modes))
    label = ", ".join(disease.disease_labels) or f"{gene}-related disease"
    if not variants:
        return AffectedStatusCall(
            AffectedStatus.NO_GENOTYPE,
            (reason("affected_status_no_genotype", f"no {gene} variant given: without a genotype there is no "
                    "indication for a gene-specific product; options are shown as possibilities only"),),
            inh, would_change=("the patient's variant(s) in " + gene + " with their zygosity",))
    zyg = Case(case.id, case.genes, tuple(variants)).zygosity
    sex = (case.patient.sex or "unknown").lower()
    src = mode_source or "no inheritance annotation found"
    dominant = bool(modes & DOMINANT)
    recessive_only = bool(modes & RECESSIVE) and not dominant and not modes & X_RECESSIVE
    x_recessive = bool(modes & X_RECESSIVE) and not dominant
    het = zyg in (Zygosity.HETEROZYGOUS, Zygosity.MOSAIC)
    resolved = disease.curated is not None or bool(case.diseases)
    if het and dominant and modes & (RECESSIVE | X_RECESSIVE) and not resolved:
        # the gene causes recessive and dominant diseases and none is diagnosed: one copy is affected only when
        # the phenotype points to a dominant one; otherwise a (possible) carrier of the recessive one
        dom_ids = [d.id for d in kc.hpo.diseases_for_gene(gene) if set(d.inheritance) & DOMINANT]
        fit = kc.hpo.best_fit(case.phenotypes, dom_ids)
        if fit[0] < MANIFESTING_FIT:
            return AffectedStatusCall(AffectedStatus.POSSIBLE_CARRIER, (reason(
                "affected_status_possible_carrier", f"heterozygous {gene} variant; {gene} causes recessive and "
                f"dominant diseases and neither a diagnosis nor a phenotype of a dominant one is recorded "
                f"(best phenotype fit {fit[0]:.1f}): most likely a carrier of the recessive disease", src),), inh,
                (f"One {gene} variant is usually harmless for its carrier when the disease is recessive; some "
                 f"{gene} variants cause a dominant disease instead.",
                 "Genetic counselling is recommended, with the variant's class reviewed by a clinical geneticist."),
                ("a diagnosis of the dominant disease", "a phenotype matching the dominant disease",
                 "a second variant on the other copy (recessive disease)"))
    if zyg.biallelic and not (zyg == Zygosity.HEMIZYGOUS and sex == "female" and not x_recessive):
        return AffectedStatusCall(AffectedStatus.AFFECTED, (reason(
            "affected_status_affected", f"{zyg.value.replace('_', ' ')} {gene} variant(s); {label} is "
            f"{', '.join(inh) or 'of unannotated inheritance'}: affected", f"{src}"),), inh)
    if het and dominant:
        what = "mosaic" if zyg == Zygosity.MOSAIC else "heterozygous"
        extra = "; mosaic: expression may be milder or patchy" if zyg == Zygosity.MOSAIC else ""
        return AffectedStatusCall(AffectedStatus.AFFECTED, (reason(
            "affected_status_affected", f"{what} {gene} variant in a disease with "
            f"{', '.join(sorted(modes & DOMINANT))} inheritance: one altered copy is enough{extra}", src),), inh)
    counsel = (f"One {gene} variant alone is not expected to cause {label}, which needs a change in both copies "
               "of the gene (recessive inheritance).",
               "Genetic counselling is recommended: the variant can be passed on; a partner's carrier testing "
               "tells the chance of an affected child.")
    if het and recessive_only:
        if case.diseases and case.phenotypes:
            return AffectedStatusCall(AffectedStatus.SECOND_VARIANT_MISSING, (reason(
                "affected_status_second_variant_missing",
                f"one heterozygous {gene} variant in a recessive disease, but a clinical diagnosis "
                f"({', '.join(case.diseases)}) and phenotype are recorded: the second variant has to be found "
                "(deletion/duplication analysis, deep-intronic sequencing) before any product can be "
                "recommended", src),), inh,
                would_change=("a second pathogenic variant in trans (biallelic genotype)",))
        return AffectedStatusCall(AffectedStatus.CARRIER, (reason(
            "affected_status_carrier", f"heterozygous {gene} variant; {label} is autosomal recessive: a carrier, "
            "no disease expected from this variant alone; no treatment is indicated", src),), inh, counsel,
            ("a second pathogenic variant in " + gene + " on the other copy (compound heterozygous)",
             "a phenotype matching the disease together with a second variant"))
    if x_recessive and (het or (zyg == Zygosity.HEMIZYGOUS and sex == "female")):
        if sex == "male":
            return AffectedStatusCall(AffectedStatus.AFFECTED, (reason(
                "affected_status_affected", f"{gene} is on the X chromosome: a male with one variant copy is "
                "hemizygous, hence affected", src),), inh)
        says, why = _phenotype_says_affected(case, disease, kc)
        if says and sex != "female":
            return AffectedStatusCall(AffectedStatus.UNDETERMINED, (reason(
                "affected_status_undetermined", f"heterozygous X-linked {gene} variant, sex not recorded, and a "
                f"matching phenotype ({why}): affected either as a male (hemizygous) or as a manifesting "
                "heterozygous female; record the sex", src),), inh,
                would_change=("the patient's sex (a male with this variant is affected)",))
        if sex == "female" and says:
            return AffectedStatusCall(AffectedStatus.AFFECTED, (reason(
                "affected_status_affected", f"heterozygous female with an X-linked {gene} variant and a matching "
                f"phenotype ({why}): a manifesting heterozygote (skewed X inactivation)", src),), inh,
                would_change=("X-inactivation studies and factor/enzyme levels confirm how affected she is",))
        who = "heterozygous female" if sex == "female" else "heterozygous person of unrecorded sex"
        return AffectedStatusCall(AffectedStatus.POSSIBLE_CARRIER, (reason(
            "affected_status_possible_carrier", f"{who} with an X-linked recessive {gene} variant and no matching "
            f"phenotype ({why}): a possible carrier; no treatment is indicated on the genotype alone", src),), inh,
            (f"Women with one {gene} variant are usually carriers; some show signs because of skewed "
             "X inactivation.", "Genetic counselling is recommended (sons have a 1 in 2 chance of being affected)."),
            ("a phenotype matching the disease (then she may be a manifesting carrier)",
             "a measured functional level (factor, enzyme or protein) in the affected range",
             "recording the patient's sex, if it is male"))
    if zyg == Zygosity.UNKNOWN:
        return AffectedStatusCall(AffectedStatus.UNDETERMINED, (reason(
            "affected_status_undetermined", f"zygosity of the {gene} variant(s) not given and the disease is "
            f"{', '.join(inh) or 'of unannotated inheritance'}: affected status not confirmed", src),), inh,
            would_change=("the zygosity of each variant (and phase for two variants)",))
    return AffectedStatusCall(AffectedStatus.UNDETERMINED, (reason(
        "affected_status_undetermined", f"{zyg.value.replace('_', ' ')} {gene} variant(s) and inheritance "
        f"{', '.join(inh) or 'not annotated'}: affected status cannot be confirmed from the genotype",
        src or "HPO annotations (none for this gene)"),), inh,
        would_change=("the disease's mode of inheritance", "a clinical diagnosis"))


__all__ = ["AffectedStatus", "AffectedStatusCall", "assess_affected_status"]
