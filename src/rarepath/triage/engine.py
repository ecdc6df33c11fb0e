"""Therapy triage: every modality assessed for the disease gene, plus options on alternative targets.

Rules are generic (mechanism, vector capacity, tissue, antibodies, conditioning, editability) and the
facts they use come from curated, sourced tables. Approved products for the exact indication, for
which the patient is eligible, rank first. Verdicts: recommended > possible > not_suitable > contraindicated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rarepath import DISCLAIMER, __version__
from rarepath.interpret.affected import AffectedStatus, AffectedStatusCall, assess_affected_status
from rarepath.interpret.amenability import assess_amenability, frame_analysis
from rarepath.interpret.disease import DiseaseContext
from rarepath.interpret.editability import editors_for_change
from rarepath.interpret.frame import FrameAnalysis
from rarepath.interpret.mechanism import NULL_KINDS, infer_mechanism, resolve_disease
from rarepath.knowledge.context import KnowledgeContext, default_context, split_multi
from rarepath.knowledge.curated import table_version
from rarepath.knowledge.exons import shipped_exon_lengths
from rarepath.knowledge.rules import Effect, agrees, effect_of, reason, rule_source
from rarepath.model import (
    NO_SINGLE_GENE,
    Assessment,
    Case,
    Evidence,
    Mechanism,
    MechanismCall,
    Modality,
    Option,
    Product,
    Variant,
    VariantKind,
    Verdict,
    Zygosity,
)
from rarepath.triage.delivery import editing_reach, plan_delivery, preferred_serotype
from rarepath.triage.immunity import INVESTIGATIONAL_MAX_TITRE, INVESTIGATIONAL_SOURCE, Fit, titre_check
from rarepath.triage.label import antibody_limit, check_label, prior_serotypes
from rarepath.triage.products import ProductMatch, label_reasons, match_products
from rarepath.triage.safety import QUESTIONS, safety_and_follow_up
from rarepath.triage.scoring import GENOTYPE_TOKENS, EvidenceLevel, product_level, rank_basis, score

#: promoter + polyA + ITRs that a transgene cassette adds to the coding sequence (therapy-knowledge notes 1.1)
CASSETTE_OVERHEAD_BP = 1000
#: packaged AAV genomes never exceeded 5.2 kb whatever the plasmid size (Wu, Yang & Colosi 2010)
AAV_HARD_CEILING_BP = 5200

PRIME_EDITABLE = {VariantKind.MISSENSE, VariantKind.NONSENSE, VariantKind.FRAMESHIFT, VariantKind.INFRAME_INDEL,
                  VariantKind.SPLICE, VariantKind.SYNONYMOUS, VariantKind.START_LOSS, VariantKind.STOP_LOSS}

#: blocking reasons about this patient that no product label can supersede (the others are gaps in generic
#: knowledge, e.g. "no established route", that an approved product for the exact indication disproves)
PATIENT_SPECIFIC_BLOCKS = frozenset({
    "pre_existing_aav_antibodies", "aav_redosing", "conditioning_not_tolerated", "replacement_wrong_mechanism",
    "addition_wrong_mechanism", "silencing_loss_of_function", "knockout_not_acceptable", "already_in_frame",
    "published_modality_evidence", "patient_not_eligible", "no_frame_restoring_skip",
})

#: default nudge per verdict when a rule returns (kept inside the verdict's score band)
SCORE = {Verdict.RECOMMENDED: 0.85, Verdict.POSSIBLE: 0.55, Verdict.NOT_SUITABLE: 0.2, Verdict.CONTRAINDICATED: 0.0}


@dataclass
class TriageContext:
    case: Case
    disease: DiseaseContext
    mechanism: MechanismCall
    kc: KnowledgeContext
    status: AffectedStatusCall | None = None
    products: list[ProductMatch] = field(default_factory=list)
    frame: FrameAnalysis | None = None  # reading frame of a whole-exon deletion/duplication, when computable

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


_ev = reason  # every reason names a catalogued rule (knowledge/data/triage_rules.tsv)


def _option(modality: Modality, target: str, verdict: Verdict, reasons: list[Evidence], bonus: float = 0.0) -> Option:
    """A rule's outcome; `bonus` nudges the score inside the verdict's band (final scores: triage.scoring)."""
    opt = Option(modality=modality, target=target, verdict=verdict, score=SCORE[verdict], reasons=reasons)
    opt.extra["_nudge"] = bonus
    return opt


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
                          f"{cassette} bp fits self-complementary AAV (<= {sc} bp)", f"{src}; {rule_source('fits_scAAV')}")]
    if cassette <= ss:
        return True, [_ev("fits_ssAAV", f"{t.gene} CDS {cds} bp + ~{CASSETTE_OVERHEAD_BP} bp = {cassette} bp fits "
                          f"single-stranded AAV (<= {ss} bp)", f"{src}; {rule_source('fits_ssAAV')}")]
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
                          "(heterogeneous genomes; lower potency)", f"{row.get('source', src)}; {rule_source('fits_ssAAV')}")]
    return False, [_ev("exceeds_aav_capacity",
                       f"{t.gene} CDS {cds} bp + ~{CASSETTE_OVERHEAD_BP} bp = {cassette} bp exceeds AAV capacity "
                       f"({ss} bp) and no validated shortened transgene is curated; dual/split AAV remains "
                       "research-stage", f"{src}; {rule_source('exceeds_aav_capacity')}")]


def _capacity(kc: KnowledgeContext, vector: str, default: int) -> int:
    row = kc.vectors.get(vector, {})
    try:
        return int(float(row.get("capacity_bp", default)))
    except ValueError:
        return default


def planned_threshold(t: TriageContext, serotype: str) -> tuple[int | None, str, bool]:
    """The antibody threshold that applies to a serotype for this gene: the label of the product that would be
    used (max titre, or None for 'none detectable'), else the investigational default. Returns
    (max titre, whose threshold, from a label)."""
    for row in t.kc.therapies_by_gene.get(t.gene, []):
        if (row.get("serotype") or "").upper() != serotype.upper() or row.get("status") == "withdrawn":
            continue
        found, limit = antibody_limit(row, serotype)
        if found:
            return limit, f"the {row['name']} label", True
    return INVESTIGATIONAL_MAX_TITRE, "the investigational default of AAV trials", False


def antibody_reason(t: TriageContext, serotype: str | None) -> Evidence | None:
    """Pre-existing immunity to the serotype that would be used, judged against the planned product's label."""
    if not serotype:
        return None
    given = prior_serotypes(t.case, t.kc).get(serotype.upper())
    if given:
        return _ev("aav_redosing", f"{given} ({serotype}) was already given systemically: antibodies after dosing "
                   f"make a second {serotype} dose contraindicated")
    limit, who, from_label = planned_threshold(t, serotype)
    check = titre_check(t.case.patient, serotype, limit, who)
    src = None if from_label else INVESTIGATIONAL_SOURCE
    if check.fit == Fit.FAILED:
        return _ev("pre_existing_aav_antibodies", check.detail + ": the vector would be neutralised", src)
    if check.fit == Fit.UNKNOWN:
        return _ev("aav_antibodies_unknown", check.detail, src)
    return _ev("aav_antibodies_acceptable", check.detail, src)


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
    immunity = antibody_reason(t, sero)
    if immunity is not None:
        r.append(immunity)
        if effect_of(immunity) == Effect.BLOCKS:
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
                   row.get("source") or None)
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
                     ))
        return _option(m, t.gene, Verdict.CONTRAINDICATED, r)
    if t.mech == Mechanism.UNKNOWN:
        r.append(_ev("mechanism_unknown", "mechanism unknown: silencing could be harmful if the disease is loss of "
                     "function"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    reach = t.kc.oligo_reach(t.tissue)
    if reach is None:
        r.append(_ev("silencing_delivery", f"oligonucleotide delivery to {t.tissue or 'the target tissue'} is not "
                     "established (tissues table)"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    route = f"{reach[1]} ({reach[0]})"
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
    """Editors able to correct a single-nucleotide change (none for other variants)."""
    if v.ref and v.alt:
        ref, alt = v.ref, v.alt
    elif v.hgvs_c and ">" in v.hgvs_c:
        core = v.hgvs_c.split(">")
        ref, alt = core[0][-1], core[1][:1]
    else:
        return []
    if len(ref) != 1 or len(alt) != 1 or ref.upper() not in "ACGT" or alt.upper() not in "ACGT":
        return []
    return [(c.editor, c.feasible, c.reason) for c in editors_for_change(ref.upper(), alt.upper(), "correct")]


def rule_genome_editing(t: TriageContext) -> Option:
    m = Modality.GENOME_EDITING
    r: list[Evidence] = []
    tissue = t.tissue
    reach = editing_reach(t.kc, tissue)
    deliverable = reach is not None
    if reach is not None and reach[0] == "ex_vivo" and t.case.patient.conditioning_tolerated is False:
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
            r.append(_ev("knockout_not_acceptable", f"a knockout of {t.gene} would trade this disease for another: "
                         "only correction of the variant itself is considered", effect=Effect.AGAINST))
        else:
            r.append(_ev("knockout_toxic_gene", f"gain of function in a liver-made protein: in vivo knockout of "
                         f"{t.gene} (LNP-delivered nuclease) reduces the toxic product",
                         "Gillmore et al., NEJM 385:493 (2021)"))
            return _option(m, t.gene, Verdict.POSSIBLE, r)
    # correction of the patient's variant
    if not t.case.variants:
        r.append(_ev("variant_not_editable", "no variant given: there is nothing to correct"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
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
                         "rarepath.interpret.editability (Komor 2016; Gaudelli 2017; Anzalone 2019)"))
        elif v.kind in PRIME_EDITABLE:
            editable = True
            r.append(_ev("variant_editable", f"{v.description}: a small variant is within prime-editing scope "
                         "(any substitution or small indel)", "Anzalone et al., Nature 576:149 (2019)"))
        else:
            r.append(_ev("variant_not_editable", f"{v.description}: {v.kind.value.replace('_', ' ')} is not a "
                         "single-site correction"))
    if not editable:
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    # another allele can be corrected: the ones that cannot are context, not a block (one corrected allele
    # suffices in a recessive disease; in a dominant one the variant allele is the editable one)
    r = [Evidence(e.rule, e.source, e.detail + " (another variant is editable)", Effect.INFO.value)
         if e.rule == "variant_not_editable" else e for e in r]
    if not deliverable:
        r.append(_ev("editing_delivery_not_established", f"editor delivery to {tissue or 'the target tissue'} is "
                     "not established; correction remains available for the patient's cell models (isogenic "
                     "control)"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r, bonus=0.05)
    r.append(_ev("editing_delivery", f"editor delivery to {tissue} is established in trials "
                 f"({reach[0].replace('_', ' ')}: {reach[2]})"))
    return _option(m, t.gene, Verdict.POSSIBLE, r)


def _splice_altering(v: Variant) -> bool:
    """A variant that changes splicing, from its parsed kind and flags (never from words in its description)."""
    return v.kind in (VariantKind.SPLICE, VariantKind.DEEP_INTRONIC) or "splice_altering" in v.flags


def rule_splice_modulation(t: TriageContext) -> Option:
    """Exon skipping (reading frame), cryptic-splice blocking, splice correction or upregulation ASOs.

    Verdicts: possible (a frame-restoring skip, a splice-altering variant, an amenability call) or
    not_suitable (in-frame deletion, no restoring skip, no target)."""
    m = Modality.SPLICE_MODULATION
    r: list[Evidence] = []
    frame = t.frame
    if frame is not None:
        what = "duplication" if frame.kind == "duplication" else "deletion"
        r.append(_ev("reading_frame", f"{what} of exon(s) {frame.first}-{frame.last} is "
                     f"{frame.frame.replace('_', ' ')}; frame-restoring single skips: "
                     f"{', '.join(map(str, frame.single_skips)) or 'none'}; double skips: "
                     f"{', '.join('+'.join(map(str, d)) for d in frame.double_skips[:4]) or 'none'}"))
        if frame.frame == "out_of_frame" and (frame.single_skips or frame.double_skips):
            if frame.kind == "duplication" and frame.first == frame.last and frame.first in frame.single_skips:
                r.append(_ev("duplication_skip", f"skipping one copy of the duplicated exon {frame.first} restores "
                             "the normal transcript"))
            else:
                r.append(_ev("skip_restores_frame", "an exon-skipping ASO can restore the reading frame "
                             "(internally shortened, partly functional protein)"))
            return _option(m, t.gene, Verdict.POSSIBLE, r, bonus=0.05)
        if frame.frame == "in_frame":
            r.append(_ev("already_in_frame", f"the {what} keeps the reading frame (Becker-like): no skip needed"))
            return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
        r.append(_ev("no_frame_restoring_skip", "no single or double exon skip restores the reading frame"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r)
    if any(_splice_altering(v) for v in t.case.variants):
        r.append(_ev("cryptic_splice_blocking", "variant alters splicing (splice site, cryptic site or pseudo-exon): "
                     "a splice-switching ASO can block or redirect it (n-of-1 path)"))
        return _option(m, t.gene, Verdict.POSSIBLE, r)
    calls = [c for v in t.case.variants for c in assess_amenability(t.gene, v, t.mech, t.case.zygosity, t.kc, tissue=t.tissue)]
    best = None
    for c in calls:
        if c.strategy == "upregulation" and t.gene not in c.extra.get("target_genes", [t.gene]):
            continue  # acts on another gene (SMN2 for SMN1): assessed as an alternative-target option
        if c.strategy in ("splice_correction", "exon_skipping", "upregulation"):
            usable = c.level in ("eligible", "likely_eligible")
            for ev in c.reasons[:2]:
                r.append(_ev("splice_amenability", ev.detail, ev.source,
                             effect=Effect.SUPPORTS if usable else Effect.INFO))
            if usable and best is None:
                best = c
    if best is not None:
        return _option(m, t.gene, Verdict.POSSIBLE, r)
    if t.mech == Mechanism.HAPLOINSUFFICIENCY:
        r.append(_ev("upregulation_target_unknown", "haploinsufficiency: an ASO could raise output of the normal "
                     f"allele, but no poison-exon or antisense-transcript target is curated for {t.gene}; "
                     "finding one is research (e.g. TANGO screening)"))
        return _option(m, t.gene, Verdict.NOT_SUITABLE, r, bonus=0.05)
    r.append(_ev("no_splice_target", "no splice-altering variant, skippable exon or upregulation target identified"))
    return _option(m, t.gene, Verdict.NOT_SUITABLE, r)


def _drug_products(t: TriageContext, on_gene: bool = True) -> list[ProductMatch]:
    """Usable drug products acting on the disease gene itself (or, with on_gene False, on anything else)."""
    out = []
    for pm in t.products:
        mods = {pm.row.get("modality", ""), *split_multi(pm.row.get("also_modality"))}
        targets = {x.upper() for x in split_multi(pm.row.get("target"))}
        if "drug" in mods and pm.usable and (t.gene in targets) == on_gene:
            out.append(pm)
    return out


def rule_drug(t: TriageContext) -> Option:
    """Approved or repurposable drugs for the disease gene. Verdicts: possible (a product or an inhibitor of a
    gain-of-function product), not_suitable (nothing found; products found later upgrade it)."""
    m = Modality.DRUG
    r: list[Evidence] = []
    kb = t.kc.kb
    on_gene = _drug_products(t)
    if on_gene:
        names = ", ".join(sorted({pm.name for pm in on_gene}))
        r.append(_ev("product_available", f"drug(s) acting on {t.gene} for this disease: {names} (indication and "
                     "label checked below)"))
        return _option(m, t.gene, Verdict.POSSIBLE, r)
    if kb.available and t.mech == Mechanism.GAIN_OF_FUNCTION:
        inhibitors = [d for d in kb.drug_targets(t.gene)
                      if d.moa and any(k in (d.action_type or "").lower() for k in ("inhibitor", "blocker", "antagonist"))]
        if inhibitors:
            names = sorted({d.drug for d in inhibitors})[:6]
            r.append(_ev("repurposing_inhibitor", f"approved drugs that inhibit {t.gene}: {', '.join(names)} "
                         "(repurposing hypothesis for a gain-of-function disease; test on the patient's cells)",
                         inhibitors[0].source))
            return _option(m, t.gene, Verdict.POSSIBLE, r, bonus=-0.1)
    searched = "the curated therapies table" + (" and the imported DrugCentral targets" if kb.available else "")
    elsewhere = sorted({pm.name for pm in _drug_products(t, on_gene=False)})
    if elsewhere:
        r.append(_ev("no_drug_found", f"no drug acts on {t.gene} itself in {searched}; drugs acting on other "
                     f"targets for this disease are listed as their own options: {', '.join(elsewhere)}"))
    else:
        r.append(_ev("no_drug_found", f"no approved or repurposable drug for this {t.gene} disease in {searched}"))
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
    """Options on another gene that treats this disease (SMN2 for SMN1, ALAS1 for HMBS), from the curated table."""
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
        rule = "alternative_target" if ok else "alternative_target_not_applicable"
        opt = _option(mod, target, Verdict.POSSIBLE if ok else Verdict.NOT_SUITABLE, [_ev(rule, why, row["source"])])
        opt.extra["alternative_target_of"] = t.gene
        opt.extra["_products"] = set(split_multi(row.get("products")))
        out.append(opt)
    return out


def attach_products(options: list[Option], t: TriageContext) -> None:
    """Attach each product to the option of its modality and target, creating that option if needed."""
    by_key = {(o.modality, o.target): o for o in options}
    for pm in t.products:
        for modality_name in [pm.row.get("modality", ""), *split_multi(pm.row.get("also_modality"))]:
            _attach_one(options, by_key, pm, Modality(modality_name), t)


def _attach_one(options: list[Option], by_key: dict, pm: ProductMatch, mod: Modality, t: TriageContext) -> None:
    """Attach one product to the option of its own target: the disease gene, another gene (nusinersen on SMN2),
    or no single gene (cannabidiol), so that an option's target is what its products act on."""
    row = pm.row
    targets = [x.upper() for x in split_multi(row.get("target"))]
    target = t.gene if t.gene in targets else target_key(row.get("target")) if targets else NO_SINGLE_GENE
    key = (mod, target)
    opt = by_key.get(key)
    if opt is None:
        if pm.match == "different" or row.get("status") == "withdrawn":
            return
        rule = "product_on_other_target"
        what = f"{row['name']} acts on {target} to treat {t.gene} disease" if targets else (
            f"{row['name']} acts on no single gene: it treats the disease, not the {t.gene} defect")
        opt = _option(mod, target, Verdict.POSSIBLE, [_ev(rule, what, row.get("source") or None)])
        opt.extra["alternative_target_of"] = t.gene
        options.append(opt)
        by_key[key] = opt
    indication = row.get("disease", "")
    if row.get("status") == "withdrawn":
        _exclude(opt, row["name"], indication,
                 f"withdrawn from the market ({row.get('notes') or row.get('source', '')})")
        return
    if pm.match == "different":
        _exclude(opt, row["name"], indication, pm.reasons[0].detail)
        return
    if any(tok == "not_already_given" for tok, c in pm.label.checks if c.fit == Fit.FAILED):
        _exclude(opt, row["name"], indication, "already given to this patient")
        opt.reasons.append(_ev("product_already_given", f"{row['name']} was already given: not offered again",
                               row.get("source") or None))
        return
    if pm.eligibility == "ineligible":
        # outside this product's label: named as not offered, its failed items as context; the option's verdict
        # is decided by the other products and the rule (finalise_verdict sees it through _matches)
        _exclude(opt, row["name"], indication, "outside its label: " + "; ".join(c.detail for c in pm.label.failed))
        opt.reasons.extend(Evidence(r.rule, r.source, r.detail, Effect.INFO.value) for r in pm.reasons
                           if effect_of(r) != Effect.SUPPORTS)
        opt.extra.setdefault("_matches", []).append(pm)
        return
    opt.reasons.extend(pm.reasons)
    opt.products.append(pm.product(_product_level(pm).value))
    opt.extra.setdefault("_matches", []).append(pm)


def _exclude(opt: Option, name: str, indication: str, reason: str) -> None:
    """Name a product as not offered in this option, with why (reports list them under the option)."""
    opt.extra.setdefault("excluded_products", []).append({"name": name, "indication": indication, "reason": reason})


def _patient_blocked(opt: Option) -> bool:
    """A blocking reason about this patient (PATIENT_SPECIFIC_BLOCKS) that no product label can supersede."""
    return any(effect_of(r) == Effect.BLOCKS and r.rule in PATIENT_SPECIFIC_BLOCKS for r in opt.reasons)


def _product_level(pm: ProductMatch) -> EvidenceLevel:
    """Evidence level of a product for this patient; only an exact indication match counts as approved."""
    genotype = any(tok.split(":")[0] in GENOTYPE_TOKENS and c.fit == Fit.MET for tok, c in pm.label.checks)
    level = product_level(pm.row, genotype)
    if pm.match != "exact" and level.rank > EvidenceLevel.LATE_STAGE_TRIAL.rank:
        return EvidenceLevel.LATE_STAGE_TRIAL  # approved for a related or unconfirmed indication
    return level


def _supersede(opt: Option, by: str) -> None:
    """Mark the generic weaknesses of an option as resolved by a confirmed label fit, saying so."""
    out = []
    for r in opt.reasons:
        e = effect_of(r)
        if e in (Effect.AGAINST, Effect.BLOCKS) and r.rule not in PATIENT_SPECIFIC_BLOCKS \
                and not r.rule.startswith("label_requirement") and not r.rule.startswith("affected_status"):
            r = Evidence(r.rule, r.source, f"{r.detail} (superseded: {by})", Effect.SUPERSEDED.value)
        out.append(r)
    opt.reasons = out


def _demote_other_products(opt: Option, others: list[ProductMatch], recommended: str) -> None:
    """Open label items of the other products in a recommended option concern those products only."""
    names = tuple(f"{pm.name}:" for pm in others)
    opt.reasons = [Evidence(r.rule, r.source, f"{r.detail} (concerns this product, not {recommended})",
                            Effect.INFO.value)
                   if effect_of(r) == Effect.AGAINST and r.detail.startswith(names) else r for r in opt.reasons]


def finalise_verdict(opt: Option, t: TriageContext) -> None:
    """Verdict from the rule and the products: recommended needs an approved product for the exact indication
    whose label population the patient is confirmed to fit; an unknown label item keeps it possible, naming it."""
    matches: list[ProductMatch] = opt.extra.pop("_matches", [])
    opt.extra.pop("_products", None)
    usable = [pm for pm in matches if pm.usable]
    levels = [_product_level(pm) for pm in usable] or [EvidenceLevel.MECHANISM_ONLY]
    opt.evidence_level = max(levels, key=lambda lv: lv.rank).value
    if opt.verdict == Verdict.CONTRAINDICATED:
        if usable:
            opt.reasons.append(_ev("product_conflicts_with_mechanism", "a product exists for this modality but the "
                                   "mechanism call contraindicates it: review the mechanism evidence"))
        return
    approved_exact = [pm for pm in usable if pm.approved and pm.match == "exact"]
    if approved_exact and not _patient_blocked(opt):
        clean = [pm for pm in approved_exact if pm.eligibility == "eligible"]
        if clean:
            names = ", ".join(pm.name for pm in clean)
            opt.verdict = Verdict.RECOMMENDED
            _demote_other_products(opt, [pm for pm in usable if pm not in clean], names)
            _supersede(opt, f"{names} is approved for this indication and the patient fits its label")
            opt.reasons.insert(0, _ev("approved_for_indication", f"approved for this indication, label population "
                                      f"confirmed: {names}"))
            return
        items = sorted({i for pm in approved_exact for i in pm.pending_kinds})
        opt.verdict = Verdict.POSSIBLE
        _supersede(opt, "an approved product exists for this indication")
        opt.reasons.insert(0, _ev("approved_pending_eligibility", f"approved product(s) "
                                  f"{', '.join(pm.name for pm in approved_exact)} once these are confirmed: "
                                  f"{', '.join(items) or 'label items'}"))
        return
    if usable:
        best = max(usable, key=lambda pm: (_product_level(pm).rank, pm.approved))
        status = best.row.get("status", "")
        if opt.verdict.rank < Verdict.POSSIBLE.rank:
            opt.reasons.append(_ev("product_despite_rule", f"{best.name} ({status}) exists for a related setting; "
                                   "the rule above still applies to this patient"))
            return
        opt.reasons.insert(0, _ev("product_available", f"{best.name} ({status.replace('_', ' ')}, "
                                  f"{best.match.replace('_', ' ')} indication match)"))
        return
    ineligible = [pm for pm in matches if pm.eligibility == "ineligible" and pm.match != "different"]
    if ineligible and opt.verdict.rank >= Verdict.POSSIBLE.rank:
        names = ", ".join(pm.name for pm in ineligible)
        if opt.target != t.gene or _only_route_is_product(ineligible):
            opt.verdict = Verdict.NOT_SUITABLE
            opt.reasons.insert(0, _ev("patient_not_eligible", f"the patient is outside the label population of "
                                      f"{names} (see the label items below)"))


def _only_route_is_product(ineligible: list[ProductMatch]) -> bool:
    """An approved product the patient is excluded from, for the same vector: the generic route is blocked too."""
    return any(pm.row.get("serotype") or pm.row.get("delivery") == "ex_vivo" for pm in ineligible)


def apply_modality_evidence(opt: Option, t: TriageContext) -> None:
    """Published clinical outcomes cap a modality for a disease (AAV5-PBGD gave no benefit in AIP)."""
    for row in t.kc.table("modality_evidence"):
        if row.get("gene", "").upper() != t.gene or opt.target != t.gene or row.get("modality") != opt.modality.value:
            continue
        ids = {d.upper() for d in split_multi(row.get("disease_ids"))}
        if ids and t.disease.disease_ids and not ids & {d.upper() for d in t.disease.disease_ids}:
            continue
        cap = Verdict(row["verdict_cap"])
        effect = Effect.BLOCKS if cap.rank <= Verdict.NOT_SUITABLE.rank else Effect.AGAINST
        opt.reasons.append(_ev("published_modality_evidence", row["reason"], row["source"], effect=effect))
        if opt.verdict.rank > cap.rank:
            opt.verdict = cap


def apply_affected_ceiling(opt: Option, t: TriageContext) -> None:
    """No option may be better than the person's affected status allows (a carrier gets none)."""
    status = t.status
    if status is None or opt.verdict.rank <= status.ceiling.rank:
        return
    opt.verdict = status.ceiling
    opt.reasons.insert(0, status.evidence[0])


# ---------------------------------------------------------------------------------------------------
# approved indications from the indication sources (drugs beyond the curated products)

#: indication drug class -> the modality it is assessed under (everything else is a drug)
CLASS_MODALITY = {"sirna": Modality.GENE_SILENCING, "antisense_oligonucleotide": Modality.GENE_SILENCING,
                  "gene_therapy": Modality.GENE_REPLACEMENT}


def indication_options(options: list[Option], t: TriageContext) -> None:
    """Approved drugs for the diagnosed disease that the curated label table does not cover: each becomes a
    `possible` option on the gene it acts on (DrugCentral targets when imported, else no single gene), its
    population left to check. Unverified, single-source reports are listed for context and change nothing."""
    ids = list(t.disease.disease_ids)
    if not ids:
        return
    curated = t.kc.therapy_names
    by_key = {(o.modality, o.target): o for o in options}
    unverified = []
    for ind in t.kc.indications_for(ids):
        parts = {ind.drug.lower(), *(x.strip().lower() for x in ind.drug.split("/"))}
        if parts & curated:
            continue  # the curated row, with its label requirements, already decides
        if not ind.recommendable:
            unverified.append({"name": ind.drug, "status": ind.status.value, "scope": ind.scope,
                               "source": ind.source})
            continue
        mod = CLASS_MODALITY.get(ind.drug_class or "", Modality.DRUG)
        targets = [g.upper() for g in ind.targets]
        target = t.gene if t.gene in targets else target_key(";".join(targets)) if targets else NO_SINGLE_GENE
        opt = by_key.get((mod, target))
        if opt is None:
            opt = _option(mod, target, Verdict.POSSIBLE, [])
            opt.extra["alternative_target_of"] = t.gene
            options.append(opt)
            by_key[(mod, target)] = opt
        if opt.verdict.rank < Verdict.POSSIBLE.rank and not _patient_blocked(opt):
            _supersede(opt, f"{ind.drug} is approved for this disease")
            opt.verdict = Verdict.POSSIBLE
        if opt.verdict.rank < Verdict.POSSIBLE.rank:
            continue
        opt.reasons.append(_ev("approved_indication", ind.reason, ind.source))
        recommended = opt.verdict == Verdict.RECOMMENDED  # by another product: this open item is this drug's only
        opt.reasons.append(_ev("indication_population_unchecked", f"{ind.drug}: the label's population (age, "
                               "genotype, severity) is not curated: check the label before use"
                               + (" (concerns this product, not the recommended one)" if recommended else ""),
                               effect=Effect.INFO if recommended else None))
        level = EvidenceLevel.APPROVED_FOR_DISEASE
        if level.rank > EvidenceLevel(opt.evidence_level).rank:
            opt.evidence_level = level.value
        years = f"FDA:{ind.year}" if ind.year else ""
        opt.products.append(Product(name=ind.drug, status="approved (population to check)", modality=mod.value,
                                    target=";".join(ind.targets), indication=ind.disease_label,
                                    approvals=years, evidence_level=level.value, source=ind.source))
    if unverified:
        drug_opt = by_key.get((Modality.DRUG, t.gene))
        if drug_opt is not None:
            drug_opt.extra["reported_unverified_indications"] = unverified[:20]


def remove_contraindicated(options: list[Option], t: TriageContext) -> None:
    """A product whose label contraindicates it in this disease is taken out of its option, with the reason."""
    ids = list(t.disease.disease_ids)
    if not ids or not t.kc.kb.available:
        return
    exact = {pm.name for pm in t.products if pm.match == "exact"}
    for opt in options:
        keep = []
        for p in opt.products:
            hits = [c for c in t.kc.contraindications_for(p.name, ids) if getattr(c, "confirmed", False)]
            if not hits:
                keep.append(p)
                continue
            if p.name in exact:
                # indicated for this very disease by its curated label: a contraindication text naming the disease
                # is conditional (tolvaptan: "ADPKD outside of the REMS"); say so, do not drop the product
                keep.append(p)
                opt.reasons.append(_ev("label_contraindication", f"{p.name}: a label's contraindications also name "
                                       f"this disease; read the condition ({hits[0].excerpt})", hits[0].source))
                continue
            _exclude(opt, p.name, p.indication, f"label contraindication: {hits[0].excerpt}")
            opt.reasons.append(_ev("label_contraindication", f"{p.name}: contraindicated by its label in this "
                                   f"disease ({hits[0].excerpt})", hits[0].source))
        opt.products = keep


# ---------------------------------------------------------------------------------------------------
# standard care (an extension of the modality vocabulary)


def standard_care_options(t: TriageContext) -> list[Option]:
    """Established non-genetic treatments curated for the disease, each checked like a label."""
    case_ids = {d.upper() for d in t.disease.disease_ids}
    out = []
    for row in t.kc.table("standard_care"):
        genes = {g.upper() for g in split_multi(row.get("gene"))}
        ids = {d.upper() for d in split_multi(row.get("disease_ids"))}
        if t.gene not in genes or not ids & case_ids:
            continue
        fit = check_label(row, t.case, t.kc)
        pm = ProductMatch(row=row, match="exact", label=fit)
        reasons = [_ev("standard_care", f"{row['name']}: established treatment of {row['disease']} "
                       f"({row.get('evidence', 'guideline')}); {row.get('notes', '')}".rstrip("; "), row["source"])]
        reasons += label_reasons(pm)
        if fit.fit == Fit.FAILED:
            verdict = Verdict.NOT_SUITABLE
            reasons.insert(0, _ev("standard_care_not_applicable", f"{row['name']}: the patient is outside its "
                                  "population (see below)", row["source"]))
        else:
            verdict = Verdict.RECOMMENDED if fit.fit == Fit.MET else Verdict.POSSIBLE
        opt = _option(Modality.STANDARD_CARE, t.gene, verdict, reasons)
        opt.evidence_level = EvidenceLevel.APPROVED_FOR_DISEASE.value
        opt.extra["treatment"] = row["name"]
        opt.extra["category"] = row.get("category", "")
        opt.extra["_row"] = row
        if fit.fit == Fit.UNKNOWN:
            opt.reasons.insert(0, _ev("approved_pending_eligibility", f"{row['name']} once these are confirmed: "
                                      f"{', '.join(fit.open_items)}", row["source"]))
        out.append(opt)
    return out


# ---------------------------------------------------------------------------------------------------


def _frame_analysis(case: Case, kc: KnowledgeContext) -> FrameAnalysis | None:
    """Reading-frame analysis of a whole-exon deletion/duplication when the gene's exon structure ships."""
    if not case.genes:
        return None
    lengths = shipped_exon_lengths(case.genes[0])
    if not lengths:
        return None
    for v in case.variants:
        if v.kind in (VariantKind.EXON_DELETION, VariantKind.EXON_DUPLICATION) and v.exons:
            a, b = v.exons
            if not (1 <= a <= b <= len(lengths)):
                return None  # exon numbering of another transcript: no frame claim
            kind = "deletion" if v.kind == VariantKind.EXON_DELETION else "duplication"
            return frame_analysis(case.genes[0], lengths, a, b, kind, kc)
    return None


_MODALITY_ORDER = {m: i for i, m in enumerate(Modality)}
#: "years since approval" counts to the release year of the label table, so results do not drift with the clock
_TABLE_YEAR = int(table_version("therapies")[:4])


def _years_approved(opt: Option) -> int:
    years = []
    for p in opt.products:
        for part in split_multi(p.approvals):
            _, _, y = part.partition(":")
            if y.strip().isdigit():
                years.append(int(y))
    return max(0, _TABLE_YEAR - min(years)) if years else 0


def score_option(opt: Option, t: TriageContext | None) -> None:
    """Final score inside the verdict band from the evidence level and named tie-breakers (triage.scoring)."""
    level = EvidenceLevel(opt.evidence_level)
    open_items = sum(1 for r in opt.reasons if r.rule.startswith("label_requirement_unknown"))
    on_gene = t is None or opt.target == t.gene
    years = _years_approved(opt)
    opt.score = score(opt.verdict, level, open_items, on_gene, years, opt.extra.pop("_nudge", 0.0) * 0.5)
    opt.extra["rank_basis"] = rank_basis(level, open_items, on_gene, years)


def rank_options(options: list[Option], disease_gene: str) -> None:
    """Best verdict first, then score; ties put options on the disease gene itself first, then modality order."""
    options.sort(key=lambda o: (-o.verdict.rank, -round(o.score, 6), o.target != disease_gene,
                                _MODALITY_ORDER[o.modality], o.target))


def _status_only_options(t: TriageContext) -> list[Option]:
    """A carrier or possible carrier: the six modalities, each not suitable for that one reason; products named
    as not offered."""
    why = t.status.evidence[0]
    options = []
    for m in Modality.contract():
        opt = Option(modality=m, target=t.gene, verdict=Verdict.NOT_SUITABLE, score=0.0, reasons=[why])
        options.append(opt)
    excluded = sorted({pm.name for pm in t.products if pm.match != "different"})
    if excluded:
        options[0].extra["excluded_products"] = [
            {"name": n, "indication": "", "reason": f"not offered: {t.status.status.value.replace('_', ' ')}"}
            for n in excluded]
    return options


def assess_case(case: Case, kc: KnowledgeContext | None = None) -> Assessment:
    """The main job: affected status first, then mechanism, every modality with verdict and reasons, products
    checked against their labels, standard care, delivery, safety and follow-up."""
    kc = kc or default_context()
    if not case.genes:
        return _geneless_assessment(case, kc)
    frame = _frame_analysis(case, kc)
    disease = resolve_disease(case, kc, frame.frame if frame is not None else None)
    mechanism = infer_mechanism(case, kc, disease)
    status = assess_affected_status(case, disease, kc)
    t = TriageContext(case, disease, mechanism, kc, status=status, frame=frame)
    alts = alternative_options(t)
    extra_names = set().union(*(o.extra.get("_products", set()) for o in alts)) if alts else set()
    frame_skips = list(frame.single_skips) if frame is not None else None
    t.products = match_products(case, disease, mechanism.call, kc, frame_skips, extra_names)
    if status.status in (AffectedStatus.CARRIER, AffectedStatus.POSSIBLE_CARRIER):
        options = _status_only_options(t)
    else:
        options = [rule(t) for rule in MODALITY_RULES.values()] + alts
        attach_products(options, t)
        options.extend(standard_care_options(t))
        for opt in options:
            finalise_verdict(opt, t)
        indication_options(options, t)
        remove_contraindicated(options, t)
        for opt in options:
            apply_modality_evidence(opt, t)
            apply_affected_ceiling(opt, t)
    if frame is not None:
        for opt in options:
            if opt.modality == Modality.SPLICE_MODULATION and opt.target == t.gene:
                opt.extra["exon_skipping"] = frame.to_dict()
    usable = {pm.name: pm for pm in t.products if pm.usable}
    cells = (disease.curated or {}).get("ex_vivo_cells")
    for opt in options:
        row = opt.extra.pop("_row", None)
        ranked = sorted((usable[p.name] for p in opt.products if p.name in usable),
                        key=lambda pm: (-_product_level(pm).rank, pm.eligibility != "eligible"))
        product_row = row or (ranked[0].row if ranked else None)
        opt.delivery = plan_delivery(opt.modality, case, disease.tissue, kc, product_row, cells)
        category = (product_row or {}).get("follow_up_category") or None
        if opt.modality == Modality.STANDARD_CARE:
            category = "allogeneic_hsct" if (row or {}).get("category") == "hsct" else "standard_care"
        safety_and_follow_up(opt, case, kc, t.biallelic_null, category)
        score_option(opt, t)
    rank_options(options, t.gene)
    return Assessment(
        case=case, mechanism=mechanism, options=options, disclaimer=DISCLAIMER, version=__version__,
        diseases=[disease.to_dict()], questions=list(QUESTIONS), knowledge=kc.versions(),
        affected_status=status.to_dict())


def _geneless_assessment(case: Case, kc: KnowledgeContext) -> Assessment:
    """A case without a single disease gene (e.g. a contiguous-gene deletion): every modality is assessed and
    found not applicable, with the reason, rather than failing or guessing a gene."""
    label = ", ".join(case.disease_labels) or "the reported structural variant"
    why = _ev("no_single_disease_gene", f"{label}: no single disease gene is named, so gene-directed therapies "
              "cannot be assessed; review the genes in the deleted or duplicated region with the care team")
    mech = MechanismCall("", Mechanism.UNKNOWN, 0.0, (why,))
    options = [Option(modality=m, target="", verdict=Verdict.NOT_SUITABLE, score=0.1, reasons=[why])
               for m in Modality.contract()]
    return Assessment(case=case, mechanism=mech, options=options, disclaimer=DISCLAIMER, version=__version__,
                      diseases=[{"gene": None, "ids": list(case.diseases), "labels": list(case.disease_labels)}],
                      questions=list(QUESTIONS), knowledge=kc.versions(),
                      affected_status={"status": "undetermined", "best_verdict_allowed": "not_suitable",
                                       "evidence": [why.to_dict()]})


def check_reasons_agree(assessment: Assessment) -> list[str]:
    """Every option whose reasons disagree with its verdict (empty when all agree)."""
    out = []
    for o in assessment.options:
        problem = agrees(o.verdict, o.reasons)
        if problem:
            out.append(f"{o.modality.value} on {o.target or 'no gene'}: {problem}")
    return out


__all__ = ["assess_case", "rank_options", "TriageContext", "MODALITY_RULES", "check_reasons_agree"]
