"""Therapy triage: every modality assessed for the disease gene, plus options on alternative targets.

Rules are generic (mechanism, vector capacity, tissue, antibodies, conditioning, editability) and the
facts they use come from curated, sourced tables. Approved products for the exact indication, for
which the patient is eligible, rank first. Verdicts: recommended > possible > not_suitable > contraindicated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rarepath import DISCLAIMER, __version__
from rarepath.interpret.mechanism import NULL_KINDS, DiseaseContext, infer_mechanism, resolve_disease
from rarepath.knowledge.context import KnowledgeContext, default_context, split_multi
from rarepath.model import (
    Assessment,
    Case,
    Evidence,
    Mechanism,
    MechanismCall,
    Modality,
    Option,
    Variant,
    VariantKind,
    Verdict,
    Zygosity,
)
from rarepath.triage.delivery import plan_delivery, preferred_serotype
from rarepath.triage.products import ProductMatch, match_products
from rarepath.triage.safety import QUESTIONS, safety_and_follow_up

RULES = "rarepath triage rules"
CAPACITY_SOURCE = "Wu, Yang & Colosi, Mol Ther 18:80 (2010); Grieger & Samulski, J Virol 2005"
#: promoter + polyA + ITRs that a transgene cassette adds to the coding sequence (therapy-knowledge notes 1.1)
CASSETTE_OVERHEAD_BP = 1000
#: packaged AAV genomes never exceeded 5.2 kb whatever the plasmid size (Wu, Yang & Colosi 2010)
AAV_HARD_CEILING_BP = 5200
#: investigational liver/CNS AAV trials commonly exclude NAb titres >= 1:5-1:10 (Dhungel et al. 2024)
DEFAULT_MAX_TITRE = 5

#: tissues oligonucleotides reach today (GalNAc/LNP liver, intrathecal CNS, intravitreal retina, IV muscle, kidney)
OLIGO_TISSUES = ("liver", "cns", "retina", "muscle", "kidney", "heart")

EDITING_TISSUES = ("liver", "hsc", "retina", "t_cells")
PRIME_EDITABLE = {VariantKind.MISSENSE, VariantKind.NONSENSE, VariantKind.FRAMESHIFT, VariantKind.INFRAME_INDEL,
                  VariantKind.SPLICE, VariantKind.SYNONYMOUS, VariantKind.START_LOSS, VariantKind.STOP_LOSS}

SCORE = {Verdict.RECOMMENDED: 0.85, Verdict.POSSIBLE: 0.55, Verdict.NOT_SUITABLE: 0.2, Verdict.CONTRAINDICATED: 0.0}


@dataclass
class TriageContext:
    case: Case
    disease: DiseaseContext
    mechanism: MechanismCall
    kc: KnowledgeContext
    products: list[ProductMatch] = field(default_factory=list)
    frame: object | None = None  # FrameAnalysis for exon deletions/duplications, when computable

    @property
    def gene(self) -> str:
        return self.disease.gene

    @property
    def mech(self) -> Mechanism:
        return self.mechanism.call

    @property
    def tissue(self) -> str | None:
        return self.disease.tissue

    @property
    def kinds(self) -> set[VariantKind]:
        return {v.kind for v in self.case.variants}

    @property
    def biallelic_null(self) -> bool:
        return self.case.zygosity.biallelic and bool(self.kinds) and self.kinds <= NULL_KINDS


def target_key(value: str | None) -> str:
    """One spelling for a (possibly multi-gene) target: 'HBG1;HBG2' -> 'HBG1/HBG2'."""
    return "/".join(x.upper() for x in split_multi(value))


def _ev(rule: str, detail: str, source: str = RULES) -> Evidence:
    return Evidence(rule, source, detail)


def _option(modality: Modality, target: str, verdict: Verdict, reasons: list[Evidence], bonus: float = 0.0) -> Option:
    score = max(0.0, min(1.0, SCORE[verdict] + bonus))
    return Option(modality=modality, target=target, verdict=verdict, score=score, reasons=reasons)


# ---------------------------------------------------------------------------------------------------
# capacity and antibodies


def capacity_check(t: TriageContext) -> tuple[bool | None, list[Evidence]]:
    """Does the coding sequence (or a curated shortened transgene) fit an AAV? Returns (fits, reasons)."""
    kc = t.kc
    cds, src = kc.cds_length(t.gene)
    ss = _capacity(kc, "ssAAV", 4700)
    sc = _capacity(kc, "scAAV", 2400)
    if cds is None:
        return None, [_ev("transgene_size_unknown", f"coding length of {t.gene} unknown: AAV fit not checked")]
    cassette = cds + CASSETTE_OVERHEAD_BP
    if cassette <= sc:
        return True, [_ev("fits_scAAV", f"{t.gene} CDS {cds} bp + ~{CASSETTE_OVERHEAD_BP} bp regulatory = "
                          f"{cassette} bp fits self-complementary AAV (<= {sc} bp)", f"{src}; {CAPACITY_SOURCE}")]
    if cassette <= ss:
        return True, [_ev("fits_ssAAV", f"{t.gene} CDS {cds} bp + ~{CASSETTE_OVERHEAD_BP} bp = {cassette} bp fits "
                          f"single-stranded AAV (<= {ss} bp)", f"{src}; {CAPACITY_SOURCE}")]
    row = t.disease.curated or {}
    transgene = row.get("transgene")
    tbp = int(row["transgene_bp"]) if (row.get("transgene_bp") or "").isdigit() else None
    if transgene and tbp and tbp <= ss:
        return True, [_ev("shortened_transgene_fits",
                          f"full-length {t.gene} CDS ({cds} bp) exceeds AAV capacity ({ss} bp), but {transgene} "
                          f"({tbp} bp cassette) fits", row.get("source", src))]
    if transgene and tbp and tbp <= AAV_HARD_CEILING_BP:
        return True, [_ev("shortened_transgene_at_limit",
                          f"full-length {t.gene} CDS ({cds} bp) exceeds AAV capacity, but {transgene} ({tbp} bp "
                          f"cassette) packages as an oversized genome at the {AAV_HARD_CEILING_BP} bp ceiling "
                          "(heterogeneous genomes; lower potency)", f"{row.get('source', src)}; {CAPACITY_SOURCE}")]
    return False, [_ev("exceeds_aav_capacity",
                       f"{t.gene} CDS {cds} bp + ~{CASSETTE_OVERHEAD_BP} bp = {cassette} bp exceeds AAV capacity "
                       f"({ss} bp) and no validated shortened transgene is curated; dual/split AAV remains "
                       "research-stage", f"{src}; {CAPACITY_SOURCE}")]


def _capacity(kc: KnowledgeContext, vector: str, default: int) -> int:
    row = kc.vectors.get(vector, {})
    try:
        return int(float(row.get("capacity_bp", default)))
    except ValueError:
        return default


def antibody_block(t: TriageContext, serotype: str | None, limit: int | None = None) -> Evidence | None:
    """Pre-existing antibodies against the serotype that would be used: above threshold blocks the option."""
    if not serotype:
        return None
    p = t.case.patient
    limit = limit if limit is not None else DEFAULT_MAX_TITRE
    for k, v in p.aav_titres.items():
        if k.upper() == serotype.upper() and v > limit:
            return _ev("pre_existing_aav_antibodies",
                       f"anti-{serotype} titre 1:{v} exceeds the threshold 1:{limit}: vector would be neutralised",
                       "product labels (Zolgensma <= 1:50; Elevidys < 1:400; Roctavian none); Dhungel et al. 2024")
    for k, v in p.aav_antibodies.items():
        if k.upper() == serotype.upper() and v:
            return _ev("pre_existing_aav_antibodies",
                       f"anti-{serotype} antibodies detected: {serotype} vectors are excluded",
                       "Roctavian label (no detectable anti-AAV5); Scallan et al., Blood 2006")
    return None


# ---------------------------------------------------------------------------------------------------
# modality rules aimed at the disease gene


def rule_gene_replacement(t: TriageContext) -> Option:
    m = Modality.GENE_REPLACEMENT
    r: list[Evidence] = []
    if t.mech in (Mechanism.GAIN_OF_FUNCTION, Mechanism.DOMINANT_NEGATIVE):
        r.append(_ev("replacement_wrong_mechanism",
                     f"{t.mech.value.replace('_', ' ')}: adding a normal copy does not remove the toxic or "
                     "interfering product (only with allele silencing)"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if t.mech == Mechanism.UNKNOWN:
        r.append(_ev("mechanism_unknown", "mechanism unknown: replacement helps only loss of function; "
                     "establish the mechanism first"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r, bonus=0.05)
    fits, cap = capacity_check(t)
    r += cap
    if fits is False:
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    tissue = t.tissue
    if tissue in ("hsc", "t_cells", "immune"):
        r.append(_ev("tissue_needs_ex_vivo", f"target cells ({tissue}) divide: episomal AAV is lost; "
                     "see gene addition (ex vivo integrating vector)"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    sero = preferred_serotype(t.kc, tissue)
    block = antibody_block(t, sero)
    if block:
        r.append(block)
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if tissue:
        r.append(_ev("tissue_vector", f"target tissue {tissue}: {sero or 'tissue-appropriate'} AAV"))
    dosage = _dosage_sensitivity(t)
    if dosage is not None:
        r.append(dosage)
        return _option(m, t.gene, Verdict.POSSIBLE, r, bonus=-0.15)
    r.append(_ev("loss_of_function_replacement", f"{t.mech.value.replace('_', ' ')}: restoring the gene product "
                 "addresses the mechanism"))
    return _option(m, t.gene, Verdict.POSSIBLE if fits else Verdict.NOT_SUITABLE, r)


def _dosage_sensitivity(t: TriageContext) -> Evidence | None:
    """Genes where too much product also causes disease (MECP2, PMP22): replacement needs dosage control."""
    row = t.disease.curated or {}
    if row.get("dosage_sensitive") == "yes":
        return _ev("dosage_sensitive_gene", f"{t.gene} is dosage-sensitive (extra copies also cause disease): "
                   "replacement must control expression level; flagged, not recommended without it",
                   row.get("source", RULES))
    if t.kc.kb.available:
        dos = t.kc.kb.dosage(t.gene)
        if dos is not None and dos.ts_score == 3:
            return _ev("dosage_sensitive_gene", f"ClinGen triplosensitivity score 3 for {t.gene}: over-expression "
                       "is pathogenic; replacement must control expression level", dos.source)
    return None


def rule_gene_addition(t: TriageContext) -> Option:
    m = Modality.GENE_ADDITION
    r: list[Evidence] = []
    row = t.disease.curated or {}
    cells = row.get("ex_vivo_cells") or ("hsc" if t.tissue == "hsc" else "none")
    if t.mech in (Mechanism.GAIN_OF_FUNCTION, Mechanism.DOMINANT_NEGATIVE) and not (cells == "hsc"):
        r.append(_ev("addition_wrong_mechanism", "an added copy does not remove a toxic or dominant-negative product"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if cells in ("hsc", "t_cells"):
        c = t.case.patient.conditioning_tolerated
        r.append(_ev("ex_vivo_cells", f"{t.gene} disease is corrected in {cells}: ex vivo lentiviral transduction of "
                     "autologous cells", "Cavazzana et al., Nat Rev Drug Discov 2019"))
        if c is False:
            r.append(_ev("conditioning_not_tolerated", "ex vivo HSC gene addition needs myeloablative conditioning, "
                         "which the patient cannot tolerate"))
            return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
        if t.mech == Mechanism.UNKNOWN:
            r.append(_ev("mechanism_unknown", "mechanism unknown: gene addition only helps if a missing product is "
                         "the problem"))
            return _option(m, t.gene, Verdict.NOT_SUITABLE, r, bonus=0.05)
        if c is None:
            r.append(_ev("conditioning_unknown", "tolerance of myeloablative conditioning not assessed"))
        return _option(m, t.gene, Verdict.POSSIBLE, r, bonus=0.05 if c else 0.0)
    if t.tissue == "skin" and t.mech.is_loss:
        r.append(_ev("topical_vector", "skin is reachable topically (HSV-1 vector) or by ex vivo gene-corrected "
                     "keratinocyte grafts", "beremagene geperpavec and prademagene zamikeracel labels"))
        return _option(m, t.gene, Verdict.POSSIBLE, r)
    if t.mech == Mechanism.UNKNOWN:
        r.append(_ev("mechanism_unknown", "mechanism unknown: gene addition not assessed further"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    r.append(_ev("no_addition_route", f"no established integrating or ex vivo route for {t.tissue or 'this tissue'}; "
                 "in vivo replacement is assessed under gene_replacement"))
    return _option(m, t.gene, Verdict.NOT_SUITABLE, r)


def loss_causes_disease(t: TriageContext) -> Evidence | None:
    """Does complete loss of the gene cause a disease of its own (curated)? Then a knockout is not acceptable and
    knock-down must stay partial: knocking out F8 to treat F8 thrombophilia would cause haemophilia A."""
    current = {d.upper() for d in t.disease.disease_ids}
    for row in t.kc.mechanisms_by_gene.get(t.gene, []):
        ids = {d.upper() for d in split_multi(row.get("disease_ids"))}
        if row.get("mechanism") in ("loss_of_function", "haploinsufficiency") and not ids & current:
            return Evidence("gene_loss_causes_disease", row["source"],
                            f"loss of {t.gene} itself causes {row.get('disease')}: it is not dispensable")
    return None


def rule_gene_silencing(t: TriageContext) -> Option:
    m = Modality.GENE_SILENCING
    r: list[Evidence] = []
    if t.mech.is_loss:
        r.append(_ev("silencing_loss_of_function", f"{t.mech.value.replace('_', ' ')}: silencing {t.gene} would "
                     "remove what little product remains and worsen the disease",
                     "rarepath triage rules (brief: silencing is only for gain of function / toxic mechanisms)"))
        return _option(m, t.gene, Verdict.CONTRAINDICATED, r)
    if t.mech == Mechanism.UNKNOWN:
        r.append(_ev("mechanism_unknown", "mechanism unknown: silencing could be harmful if the disease is loss of "
                     "function"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if t.tissue not in OLIGO_TISSUES:
        r.append(_ev("silencing_delivery", f"oligonucleotide delivery to {t.tissue or 'the target tissue'} is not "
                     "established (reachable: liver, CNS, retina, muscle, kidney)",
                     "Crooke et al., Nat Rev Drug Discov 20:427 (2021)"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    route = {"liver": "GalNAc-siRNA or ASO (subcutaneous)", "cns": "intrathecal ASO"}.get(t.tissue or "", "ASO/siRNA")
    biallelic = t.case.zygosity in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS, Zygosity.HEMIZYGOUS)
    if t.mech == Mechanism.GAIN_OF_FUNCTION:
        r.append(_ev("silencing_gain_of_function", f"gain of function: reducing {t.gene} removes the toxic or "
                     f"overactive product; delivery by {route}"))
        needed = loss_causes_disease(t)
        if biallelic:
            r.append(_ev("no_normal_allele", f"every copy of {t.gene} carries the variant: silencing removes all "
                         "of its product, acceptable only if the gene is dispensable in that tissue"))
            if needed is not None:
                r.append(needed)
                return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
            return _option(m, t.gene, Verdict.POSSIBLE, r, bonus=-0.15)
        if needed is not None:
            r.append(needed)
            r.append(_ev("partial_knockdown_only", "knock-down must stay partial or allele-selective, with "
                         "monitoring for loss-of-function effects"))
            return _option(m, t.gene, Verdict.POSSIBLE, r, bonus=-0.1)
        return _option(m, t.gene, Verdict.POSSIBLE, r)
    r.append(_ev("allele_selective_silencing", "dominant negative: allele-selective silencing of the mutant "
                 "allele (targeting the variant or a linked heterozygous SNP) keeps the normal copy"))
    if biallelic:
        r.append(_ev("no_normal_allele", "no normal allele to keep: allele-selective silencing does not apply"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    return _option(m, t.gene, Verdict.POSSIBLE, r)


def _editors(v: Variant) -> list[tuple[str, bool, str]]:
    try:
        from rarepath.design.crispr.editability import editors_for_change
    except ImportError:
        return []
    if v.ref and v.alt:
        ref, alt = v.ref, v.alt
    elif v.hgvs_c and ">" in v.hgvs_c:
        core = v.hgvs_c.split(">")
        ref, alt = core[0][-1], core[1][:1]
    else:
        return []
    try:
        return [(c.editor, c.feasible, c.reason) for c in editors_for_change(ref, alt, "correct")]
    except Exception:
        return []


def rule_genome_editing(t: TriageContext) -> Option:
    m = Modality.GENOME_EDITING
    r: list[Evidence] = []
    tissue = t.tissue
    deliverable = tissue in EDITING_TISSUES
    if tissue in ("hsc", "t_cells") and t.case.patient.conditioning_tolerated is False:
        r.append(_ev("conditioning_not_tolerated", "editing of HSCs is ex vivo and needs myeloablative "
                     "conditioning, which the patient cannot tolerate"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if t.mech == Mechanism.UNKNOWN:
        r.append(_ev("mechanism_unknown", "mechanism unknown: neither correction nor knockout can be judged"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if t.mech == Mechanism.GAIN_OF_FUNCTION and tissue == "liver":
        needed = loss_causes_disease(t)
        if needed is not None:
            r.append(needed)
            r.append(_ev("knockout_not_acceptable", f"a knockout of {t.gene} would trade this disease for another"))
        else:
            r.append(_ev("knockout_toxic_gene", f"gain of function in a liver-made protein: in vivo knockout of "
                         f"{t.gene} (LNP-delivered nuclease) reduces the toxic product",
                         "Gillmore et al., NEJM 385:493 (2021)"))
            return _option(m, t.gene, Verdict.POSSIBLE, r)
    # correction of the patient's variant
    editable = False
    for v in t.case.variants:
        if v.kind == VariantKind.DEEP_INTRONIC:
            r.append(_ev("pseudoexon_excision", f"{v.description}: a deep-intronic variant can be removed by "
                         "paired-nuclease excision of the pseudo-exon region", "Maeder et al., Nat Med 25:229 (2019)"))
            editable = True
            continue
        ok = [c for c in _editors(v) if c[1]]
        if ok:
            editable = True
            r.append(_ev("variant_editable", f"{v.description}: " + "; ".join(f"{e}: {why}" for e, _, why in ok),
                         "rarepath.design.crispr editability (Komor 2016; Gaudelli 2017; Anzalone 2019)"))
        elif v.kind in PRIME_EDITABLE:
            editable = True
            r.append(_ev("variant_editable", f"{v.description}: a small variant is within prime-editing scope "
                         "(any substitution or small indel)", "Anzalone et al., Nature 576:149 (2019)"))
        else:
            r.append(_ev("variant_not_editable", f"{v.description}: {v.kind.value.replace('_', ' ')} is not a "
                         "single-site correction"))
    if not editable:
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if not deliverable:
        r.append(_ev("editing_delivery", f"editor delivery to {tissue or 'the target tissue'} is not established; "
                     "correction remains available for the patient's cell models (isogenic control)"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r, bonus=0.05)
    r.append(_ev("editing_delivery", f"editor delivery to {tissue} is established in trials "
                 f"({'ex vivo' if tissue in ('hsc', 't_cells') else 'in vivo'})"))
    return _option(m, t.gene, Verdict.POSSIBLE, r)


def rule_splice_modulation(t: TriageContext) -> Option:
    m = Modality.SPLICE_MODULATION
    r: list[Evidence] = []
    kinds = t.kinds
    frame = t.frame
    if frame is not None:
        r.append(_ev("reading_frame", f"deletion is {frame.frame.replace('_', ' ')}; frame-restoring single skips: "
                     f"{', '.join(map(str, frame.single_skips)) or 'none'}; double skips: "
                     f"{', '.join('+'.join(map(str, d)) for d in frame.double_skips[:4]) or 'none'}",
                     "exon lengths of the coding transcript; Aartsma-Rus et al., Hum Mutat 30:293 (2009)"))
        if frame.frame == "out_of_frame" and (frame.single_skips or frame.double_skips):
            return _option(m, t.gene, Verdict.POSSIBLE, r, bonus=0.05)
        if frame.frame == "in_frame":
            r.append(_ev("already_in_frame", "the deletion keeps the reading frame (Becker-like): no skip needed"))
            return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if kinds & {VariantKind.DEEP_INTRONIC} or any("splic" in v.description.lower() for v in t.case.variants):
        r.append(_ev("cryptic_splice_blocking", "variant creates a cryptic splice site or pseudo-exon: a "
                     "splice-switching ASO can block it (n-of-1 path)", "Kim et al., Nature 619:828 (2023)"))
        return _option(m, t.gene, Verdict.POSSIBLE, r)
    try:
        from rarepath.design.aso.amenability import assess_amenability

        calls = [c for v in t.case.variants for c in assess_amenability(t.gene, v, t.mech, t.case.zygosity)]
    except Exception:
        calls = []
    best = None
    for c in calls:
        if c.strategy == "upregulation" and t.gene not in c.extra.get("target_genes", [t.gene]):
            continue  # acts on another gene (SMN2 for SMN1): assessed as an alternative-target option
        if c.strategy in ("splice_correction", "exon_skipping", "upregulation"):
            r.extend(c.reasons[:2])
            if c.level in ("eligible", "likely_eligible") and best is None:
                best = c
    if best is not None:
        return _option(m, t.gene, Verdict.POSSIBLE, r)
    if t.mech == Mechanism.HAPLOINSUFFICIENCY:
        r.append(_ev("upregulation_target_unknown", "haploinsufficiency: an ASO could raise output of the normal "
                     f"allele, but no poison-exon or antisense-transcript target is curated for {t.gene}; "
                     "finding one is research (e.g. TANGO screening)", "Lim et al., Sci Transl Med 12:eaaz6100 (2020)"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r, bonus=0.05)
    r.append(_ev("no_splice_target", "no splice-altering variant, skippable exon or upregulation target identified"))
    return _option(m, t.gene, Verdict.NOT_SUITABLE, r)


def rule_drug(t: TriageContext) -> Option:
    m = Modality.DRUG
    r: list[Evidence] = []
    kb = t.kc.kb
    if kb.available and t.mech == Mechanism.GAIN_OF_FUNCTION:
        inhibitors = [d for d in kb.drug_targets(t.gene)
                      if d.moa and any(k in (d.action_type or "").lower() for k in ("inhibitor", "blocker", "antagonist"))]
        if inhibitors:
            names = sorted({d.drug for d in inhibitors})[:6]
            r.append(_ev("repurposing_inhibitor", f"approved drugs that inhibit {t.gene}: {', '.join(names)} "
                         "(repurposing hypothesis for a gain-of-function disease; test on the patient's cells)",
                         inhibitors[0].source))
            return _option(m, t.gene, Verdict.POSSIBLE, r, bonus=-0.1)
    r.append(_ev("no_drug_found", f"no approved or repurposable drug for this {t.gene} disease in the knowledge base"
                 + ("" if kb.available else " (DrugCentral not imported)")))
    return _option(m, t.gene, Verdict.NOT_SUITABLE, r)


MODALITY_RULES = {
    Modality.GENE_REPLACEMENT: rule_gene_replacement,
    Modality.GENE_ADDITION: rule_gene_addition,
    Modality.GENE_SILENCING: rule_gene_silencing,
    Modality.GENOME_EDITING: rule_genome_editing,
    Modality.SPLICE_MODULATION: rule_splice_modulation,
    Modality.DRUG: rule_drug,
}


# ---------------------------------------------------------------------------------------------------
# alternative targets and products


def alternative_options(t: TriageContext) -> list[Option]:
    out = []
    for row in t.kc.alternatives_by_gene.get(t.gene, []):
        need = row.get("requires_mechanism", "any") or "any"
        mod = Modality(row["modality"])
        target = target_key(row["target"])
        ok = need == "any" or need == t.mech.value or (t.mech.is_loss and need in ("loss_of_function",
                                                                                    "haploinsufficiency"))
        ids = {d.upper() for d in split_multi(row.get("disease_ids"))}
        case_ids = {d.upper() for d in t.disease.disease_ids}
        if ids and case_ids and not ids & case_ids and not t.disease.inferred:
            ok = False
            why = f"alternative target {target} is curated for {', '.join(sorted(ids))}, not this diagnosis"
        elif not ok:
            why = f"alternative target {target} requires {need.replace('_', ' ')}; this case is {t.mech.value}"
        else:
            why = (f"{row.get('relationship', 'alternative target').replace('_', ' ')}: acting on {target} "
                   f"treats {t.gene} disease")
        verdict = Verdict.POSSIBLE if ok else Verdict.NOT_SUITABLE
        opt = _option(mod, target, verdict, [Evidence("alternative_target", row["source"], why)])
        opt.extra["alternative_target_of"] = t.gene
        opt.extra["_products"] = set(split_multi(row.get("products")))
        if not ok:
            opt.extra["_blocked"] = True
        out.append(opt)
    return out


def attach_products(options: list[Option], t: TriageContext) -> None:
    """Attach each product to the option of its modality and target, creating that option if needed."""
    by_key = {(o.modality, o.target): o for o in options}
    for pm in t.products:
        for modality_name in [pm.row.get("modality", ""), *split_multi(pm.row.get("also_modality"))]:
            _attach_one(options, by_key, pm, modality_name, t)


def _attach_one(options: list[Option], by_key: dict, pm: ProductMatch, modality_name: str,
                t: TriageContext) -> None:
    """Attach one product to one (modality, target) option; risdiplam counts as splice modulation and drug."""
    row = pm.row
    try:
        mod = Modality(modality_name)
    except ValueError:
        return
    targets = [x.upper() for x in split_multi(row.get("target"))]
    # a product acting on the disease gene (or on no single gene) belongs to the disease gene's option
    target = t.gene if (not targets or t.gene in targets) else target_key(row.get("target"))
    key = (mod, target)
    opt = by_key.get(key)
    if opt is None and target == t.gene:
        return
    if opt is None:
        if pm.match == "different":
            return
        opt = _option(mod, target, Verdict.POSSIBLE, [Evidence(
            "product_on_other_target", row.get("source", ""), f"{row['name']} acts on {target} to treat "
            f"{t.gene} disease")])
        opt.extra["alternative_target_of"] = t.gene
        options.append(opt)
        by_key[key] = opt
    opt.reasons.extend(pm.reasons)
    if row.get("status") == "withdrawn":
        opt.extra.setdefault("excluded_products", []).append(
            {"name": row["name"], "indication": row.get("disease", ""),
             "reason": f"withdrawn from the market ({row.get('notes') or row.get('source', '')})"})
        return
    if pm.match == "different":
        opt.extra.setdefault("excluded_products", []).append(
            {"name": row["name"], "indication": row.get("disease", ""), "reason": pm.reasons[0].detail})
        return
    opt.products.append(pm.product())
    opt.extra.setdefault("_matches", []).append(pm)


def finalise_verdict(opt: Option, t: TriageContext) -> None:
    """Upgrade or cap an option from its products; approved + exact indication + eligible ranks first."""
    matches: list[ProductMatch] = opt.extra.pop("_matches", [])
    opt.extra.pop("_products", None)
    blocked = opt.extra.pop("_blocked", False)
    usable = [pm for pm in matches if pm.usable]
    approved_exact = [pm for pm in usable if pm.approved and pm.match in ("exact", "gene_level")]
    if opt.verdict == Verdict.CONTRAINDICATED:
        if usable:
            opt.reasons.append(_ev("product_conflicts_with_mechanism", "a product exists for this modality but the "
                                   "mechanism call contraindicates it: review the mechanism evidence"))
        return
    if blocked and not approved_exact:
        return
    if approved_exact:
        pending = [k for pm in approved_exact for k in pm.pending_kinds]
        clean = [pm for pm in approved_exact if not pm.pending_kinds]
        if clean:
            opt.verdict = Verdict.RECOMMENDED
            opt.score = 0.95 if any(pm.match == "exact" and pm.eligibility == "eligible" for pm in clean) else 0.9
            opt.reasons.insert(0, _ev("approved_for_indication",
                                      f"approved product for this indication: {', '.join(pm.name for pm in clean)}"))
        else:
            opt.verdict = Verdict.POSSIBLE
            opt.score = max(opt.score, 0.7)
            opt.reasons.insert(0, _ev("approved_pending_eligibility",
                                      f"approved product(s) {', '.join(pm.name for pm in approved_exact)} once "
                                      f"these are confirmed: {', '.join(sorted(set(pending))).replace('_', ' ')}"))
        return
    if usable:
        best = max(usable, key=lambda pm: (pm.approved, pm.row.get("status", "")))
        status = best.row.get("status", "")
        if opt.verdict.rank < Verdict.POSSIBLE.rank and status not in ("withdrawn",):
            # a clinical-stage or related-indication product exists although the generic rule found a problem:
            # keep the rule's verdict but say so (generic rules are conservative on purpose)
            opt.reasons.append(_ev("product_despite_rule", f"{best.name} ({status}) exists for a related setting; "
                                   "the generic rule above still applies to this patient"))
            return
        if opt.verdict == Verdict.POSSIBLE:
            opt.score = max(opt.score, 0.65 if best.approved else 0.6)
            opt.reasons.insert(0, _ev("product_available", f"{best.name} ({status}, {best.match} indication match)"))
        return
    ineligible = [pm for pm in matches if pm.eligibility == "ineligible" and pm.match != "different"]
    if ineligible and opt.verdict.rank >= Verdict.POSSIBLE.rank:
        names = ", ".join(pm.name for pm in ineligible)
        if opt.target != t.gene or _only_route_is_product(ineligible):
            opt.verdict = Verdict.NOT_SUITABLE
            opt.score = SCORE[Verdict.NOT_SUITABLE]
            opt.reasons.insert(0, _ev("patient_not_eligible", f"the patient is not eligible for {names} (see the label "
                                      "requirements below)"))


def _only_route_is_product(ineligible: list[ProductMatch]) -> bool:
    """An approved product the patient is excluded from, for the same vector: the generic route is blocked too."""
    return any(pm.row.get("serotype") or pm.row.get("delivery") == "ex_vivo" for pm in ineligible)


def apply_modality_evidence(opt: Option, t: TriageContext) -> None:
    for row in t.kc.table("modality_evidence"):
        if row.get("gene", "").upper() != t.gene or opt.target != t.gene or row.get("modality") != opt.modality.value:
            continue
        ids = {d.upper() for d in split_multi(row.get("disease_ids"))}
        if ids and t.disease.disease_ids and not ids & {d.upper() for d in t.disease.disease_ids}:
            continue
        cap = Verdict(row["verdict_cap"])
        opt.reasons.append(Evidence("published_modality_evidence", row["source"], row["reason"]))
        if opt.verdict.rank > cap.rank:
            opt.verdict = cap
            opt.score = min(opt.score, SCORE[cap] + 0.05)


# ---------------------------------------------------------------------------------------------------


def _frame_analysis(case: Case) -> object | None:
    """Reading-frame analysis of a whole-exon deletion/duplication when the gene's exon structure ships."""
    if not case.genes:
        return None
    for v in case.variants:
        if v.kind in (VariantKind.EXON_DELETION, VariantKind.EXON_DUPLICATION) and v.exons:
            try:
                from rarepath.design.aso.frame import exon_skip_analysis, shipped_exon_lengths

                lengths = shipped_exon_lengths(case.genes[0])
                if not lengths:
                    return None
                kind = "deletion" if v.kind == VariantKind.EXON_DELETION else "duplication"
                return exon_skip_analysis(case.genes[0], lengths, v.exons[0], v.exons[1], kind=kind)
            except ImportError:
                return None
    return None


_MODALITY_ORDER = {m: i for i, m in enumerate(Modality)}


def rank_options(options: list[Option], disease_gene: str) -> None:
    """Best verdict first, then score; ties put options on the disease gene itself first, then modality order."""
    options.sort(key=lambda o: (-o.verdict.rank, -round(o.score, 6), o.target != disease_gene,
                                _MODALITY_ORDER[o.modality], o.target))


def assess_case(case: Case, kc: KnowledgeContext | None = None) -> Assessment:
    """The main job: mechanism, every modality with verdict and reasons, delivery, safety and follow-up."""
    kc = kc or default_context()
    if not case.genes:
        return _geneless_assessment(case, kc)
    frame = _frame_analysis(case)
    disease = resolve_disease(case, kc, frame.frame if frame is not None else None)
    mechanism = infer_mechanism(case, kc, disease)
    t = TriageContext(case, disease, mechanism, kc)
    t.frame = frame
    frame_skips = list(t.frame.single_skips) if t.frame is not None else None
    options = [rule(t) for rule in MODALITY_RULES.values()]
    alts = alternative_options(t)
    options.extend(alts)
    extra_names = set().union(*(o.extra.get("_products", set()) for o in alts)) if alts else set()
    t.products = match_products(case, disease, mechanism.call, kc, frame_skips, extra_names)
    attach_products(options, t)
    for opt in options:
        finalise_verdict(opt, t)
        apply_modality_evidence(opt, t)
    if t.frame is not None:
        for opt in options:
            if opt.modality == Modality.SPLICE_MODULATION and opt.target == t.gene:
                opt.extra["exon_skipping"] = t.frame.to_dict()
    for opt in options:
        product_row = next((pm.row for pm in t.products if pm.usable and pm.name in {p.name for p in opt.products}),
                           None)
        cells = (disease.curated or {}).get("ex_vivo_cells")
        opt.delivery = plan_delivery(opt.modality, case, disease.tissue, kc, product_row, cells)
        category = (product_row or {}).get("follow_up_category") or None
        safety_and_follow_up(opt, case, kc, t.biallelic_null, category)
    rank_options(options, t.gene)
    return Assessment(
        case=case, mechanism=mechanism, options=options, disclaimer=DISCLAIMER, version=__version__,
        diseases=[disease.to_dict()], questions=list(QUESTIONS), knowledge=kc.versions())


def _geneless_assessment(case: Case, kc: KnowledgeContext) -> Assessment:
    """A case without a single disease gene (e.g. a contiguous-gene deletion): every modality is assessed and
    found not applicable, with the reason, rather than failing or guessing a gene."""
    label = ", ".join(case.disease_labels) or "the reported structural variant"
    why = Evidence("no_single_disease_gene", RULES,
                   f"{label}: no single disease gene is named, so gene-directed therapies cannot be assessed; "
                   "review the genes in the deleted or duplicated region with the care team")
    mech = MechanismCall("", Mechanism.UNKNOWN, 0.0, (why,))
    options = [Option(modality=m, target="", verdict=Verdict.NOT_SUITABLE, score=SCORE[Verdict.NOT_SUITABLE],
                      reasons=[why]) for m in Modality]
    return Assessment(case=case, mechanism=mech, options=options, disclaimer=DISCLAIMER, version=__version__,
                      diseases=[{"gene": None, "ids": list(case.diseases), "labels": list(case.disease_labels)}],
                      questions=list(QUESTIONS), knowledge=kc.versions())


__all__ = ["assess_case", "rank_options", "TriageContext", "MODALITY_RULES"]
