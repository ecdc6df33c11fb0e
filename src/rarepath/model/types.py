"""Plain typed data for a case and its assessment (the JSON contract of `rarepath assess`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Mechanism(StrEnum):
    """Disease mechanism vocabulary (shared/cases/README.md)."""

    LOSS_OF_FUNCTION = "loss_of_function"
    HAPLOINSUFFICIENCY = "haploinsufficiency"
    DOMINANT_NEGATIVE = "dominant_negative"
    GAIN_OF_FUNCTION = "gain_of_function"
    UNKNOWN = "unknown"

    @property
    def is_loss(self) -> bool:
        """Haploinsufficiency is a kind of loss of function."""
        return self in (Mechanism.LOSS_OF_FUNCTION, Mechanism.HAPLOINSUFFICIENCY)


#: the `target` of an option whose products act on no single gene (cannabidiol in TSC): not a gene symbol
NO_SINGLE_GENE = "(no single gene)"


class Modality(StrEnum):
    """The six modalities of the assessment contract, plus `standard_care`, a documented extension.

    Every assessment lists the six contract modalities for the disease gene. `standard_care` (allogeneic
    HSCT, organ transplant, hormone or cofactor replacement, diet) appears only where an established
    non-genetic treatment is curated for the disease; tools that know only the six may ignore it.
    """

    GENE_REPLACEMENT = "gene_replacement"
    GENE_ADDITION = "gene_addition"
    GENE_SILENCING = "gene_silencing"
    GENOME_EDITING = "genome_editing"
    SPLICE_MODULATION = "splice_modulation"
    DRUG = "drug"
    STANDARD_CARE = "standard_care"

    @classmethod
    def contract(cls) -> tuple[Modality, ...]:
        """The six modalities every assessment must list for the disease gene."""
        return tuple(m for m in cls if m is not cls.STANDARD_CARE)


class Verdict(StrEnum):
    """Best to worst; `rank` orders them (higher is better)."""

    RECOMMENDED = "recommended"
    POSSIBLE = "possible"
    NOT_SUITABLE = "not_suitable"
    CONTRAINDICATED = "contraindicated"

    @property
    def rank(self) -> int:
        return {"recommended": 3, "possible": 2, "not_suitable": 1, "contraindicated": 0}[self.value]


class Zygosity(StrEnum):
    HOMOZYGOUS = "homozygous"
    HETEROZYGOUS = "heterozygous"
    COMPOUND_HETEROZYGOUS = "compound_heterozygous"
    HEMIZYGOUS = "hemizygous"
    MOSAIC = "mosaic"
    UNKNOWN = "unknown"

    @property
    def biallelic(self) -> bool:
        return self in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS, Zygosity.HEMIZYGOUS)


class VariantKind(StrEnum):
    """Coarse variant consequence used by the mechanism rules."""

    MISSENSE = "missense"
    NONSENSE = "nonsense"
    FRAMESHIFT = "frameshift"
    SPLICE = "splice"
    DEEP_INTRONIC = "deep_intronic"
    INFRAME_INDEL = "inframe_indel"
    SYNONYMOUS = "synonymous"
    EXON_DELETION = "exon_deletion"
    EXON_DUPLICATION = "exon_duplication"
    GENE_DELETION = "gene_deletion"
    GENE_DUPLICATION = "gene_duplication"
    REPEAT_EXPANSION = "repeat_expansion"
    INVERSION = "inversion"
    INSERTION = "insertion"
    START_LOSS = "start_loss"
    STOP_LOSS = "stop_loss"
    TRUNCATING = "truncating"
    LOSS_OF_FUNCTION = "loss_of_function"
    STRUCTURAL = "structural"
    UNKNOWN = "unknown"

    @property
    def is_null(self) -> bool:
        """A null allele: the consequence is expected to abolish the gene product (nonsense, frameshift,
        canonical splice, exon or whole-gene deletion, start loss, a described loss of function, an inversion
        or deep-intronic variant that disrupts the gene). The one definition used by mechanism and triage."""
        return self in _NULL_KINDS


_NULL_KINDS = frozenset({
    VariantKind.NONSENSE,
    VariantKind.FRAMESHIFT,
    VariantKind.SPLICE,
    VariantKind.EXON_DELETION,
    VariantKind.GENE_DELETION,
    VariantKind.START_LOSS,
    VariantKind.TRUNCATING,
    VariantKind.LOSS_OF_FUNCTION,
    VariantKind.INVERSION,
    VariantKind.DEEP_INTRONIC,
})


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: the rule that fired, the source it rests on, what it saw."""

    rule: str
    source: str
    detail: str
    #: what the rule does to the option it is attached to: supports | against | blocks | info | superseded
    #: ("" for evidence outside options, e.g. mechanism evidence); see triage/catalogue.py
    effect: str = ""

    def to_dict(self) -> dict[str, str]:
        d = {"rule": self.rule, "source": self.source, "detail": self.detail}
        if self.effect:
            d["effect"] = self.effect
        return d


@dataclass(frozen=True)
class Variant:
    """A patient variant as given (HGVS or a documented plain description) and what was parsed from it."""

    description: str
    gene: str
    kind: VariantKind = VariantKind.UNKNOWN
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    hgvs_g: str | None = None
    exons: tuple[int, int] | None = None
    repeat_unit: str | None = None
    repeat_count: int | None = None
    chrom: str | None = None
    pos: int | None = None
    ref: str | None = None
    alt: str | None = None
    assembly: str | None = None
    zygosity: Zygosity = Zygosity.UNKNOWN
    flags: tuple[str, ...] = ()  # e.g. loss_of_function, splice_altering, unspecified_allele
    notes: tuple[str, ...] = ()  # free-text clauses kept from the description

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if v is not None}
        d["kind"] = self.kind.value
        d["zygosity"] = self.zygosity.value
        d["flags"] = list(self.flags)
        d["notes"] = list(self.notes)
        if self.exons is not None:
            d["exons"] = list(self.exons)
        return d


@dataclass(frozen=True)
class PatientFactors:
    """Patient factors that change which options are safe or feasible."""

    age_years: float | None = None
    sex: str | None = None  # "male" | "female" | "unknown"
    aav_titres: dict[str, int] = field(default_factory=dict)  # serotype -> reciprocal titre (1:N -> N)
    aav_antibodies: dict[str, bool] = field(default_factory=dict)  # serotype -> detected
    conditioning_tolerated: bool | None = None
    prior_treatments: tuple[str, ...] = ()
    flags: dict[str, bool] = field(default_factory=dict)  # ambulatory, presymptomatic, transfusion_dependent...

    def to_dict(self) -> dict[str, Any]:
        return {
            "age_years": self.age_years,
            "sex": self.sex,
            "aav_titres": {k: f"1:{v}" for k, v in self.aav_titres.items()},
            "aav_antibodies": {k: ("positive" if v else "negative") for k, v in self.aav_antibodies.items()},
            "conditioning_tolerated": self.conditioning_tolerated,
            "prior_treatments": list(self.prior_treatments),
            **self.flags,
        }


@dataclass(frozen=True)
class Case:
    """Everything known about one patient at intake."""

    id: str
    genes: tuple[str, ...]
    variants: tuple[Variant, ...] = ()
    phenotypes: tuple[str, ...] = ()  # HPO ids observed
    excluded_phenotypes: tuple[str, ...] = ()
    diseases: tuple[str, ...] = ()  # OMIM:/ORPHA:/MONDO: ids given at intake (the diagnosis)
    disease_labels: tuple[str, ...] = ()
    patient: PatientFactors = field(default_factory=PatientFactors)
    source: str | None = None
    mechanism_override: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def zygosity(self) -> Zygosity:
        zs = {v.zygosity for v in self.variants} - {Zygosity.UNKNOWN}
        if len(self.variants) >= 2 and zs <= {Zygosity.HETEROZYGOUS} and zs:
            return Zygosity.COMPOUND_HETEROZYGOUS
        if len(zs) == 1:
            return zs.pop()
        for z in (Zygosity.HOMOZYGOUS, Zygosity.HEMIZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS):
            if z in zs:
                return z
        return Zygosity.UNKNOWN

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "genes": list(self.genes),
            "variants": [v.to_dict() for v in self.variants],
            "phenotypes": list(self.phenotypes),
            "excluded_phenotypes": list(self.excluded_phenotypes),
            "diseases": [
                {"id": d, "label": lab} for d, lab in zip(self.diseases, self.disease_labels, strict=False)
            ],
            "patient": self.patient.to_dict(),
            "source": self.source,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class MechanismCall:
    gene: str
    call: Mechanism
    confidence: float
    evidence: tuple[Evidence, ...]
    overridden: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "gene": self.gene,
            "call": self.call.value,
            "confidence": round(self.confidence, 3),
            "overridden": self.overridden,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Product:
    """A named product as offered in an option; its target, route and delivery are the product's own."""

    name: str
    status: str
    modality: str = ""
    target: str = ""
    indication: str = ""
    route: str = ""
    delivery: str = ""  # in_vivo | ex_vivo
    vector_or_chemistry: str = ""
    approvals: str = ""  # AGENCY:YEAR;... from the label table
    evidence_level: str = ""  # see triage.scoring.EvidenceLevel
    source: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(frozen=True)
class Delivery:
    mode: str  # in_vivo | ex_vivo
    route: str
    vector: str | None = None
    steps: tuple[Evidence, ...] = ()  # the 5 steps of the in vivo / ex vivo decision

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"mode": self.mode, "route": self.route}
        if self.vector:
            d["vector"] = self.vector
        if self.steps:
            d["steps"] = [s.to_dict() for s in self.steps]
        return d


@dataclass
class Option:
    """One therapy option: a modality aimed at a target gene, with verdict, score and reasons."""

    modality: Modality
    target: str
    verdict: Verdict
    score: float
    reasons: list[Evidence] = field(default_factory=list)
    evidence_level: str = "mechanism_only"  # see triage.scoring.EvidenceLevel
    products: list[Product] = field(default_factory=list)
    delivery: Delivery | None = None
    safety: dict[str, Any] = field(default_factory=dict)
    follow_up: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "modality": self.modality.value,
            "target": self.target,
            "verdict": self.verdict.value,
            "score": round(self.score, 3),
            "evidence_level": self.evidence_level,
            "delivery": self.delivery.to_dict() if self.delivery else None,
            "products": [p.to_dict() for p in self.products],
            "reasons": [r.to_dict() for r in self.reasons],
            "safety": self.safety,
            "follow_up": self.follow_up,
        }
        d.update(self.extra)
        return d


@dataclass
class Assessment:
    case: Case
    mechanism: MechanismCall
    options: list[Option]
    disclaimer: str
    version: str
    diseases: list[dict[str, Any]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    knowledge: dict[str, Any] = field(default_factory=dict)
    designs: list[dict[str, Any]] = field(default_factory=list)  # reagent designs attached to the case
    screens: list[dict[str, Any]] = field(default_factory=list)  # patient-model screen rankings attached
    affected_status: dict[str, Any] = field(default_factory=dict)  # interpret.affected.AffectedStatusCall
    trials: dict[str, Any] = field(default_factory=dict)  # trial pre-screening (rarepath.trials.match.report_section)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rarepath_version": self.version,
            "case": self.case.to_dict(),
            "affected_status": self.affected_status,
            "diseases": self.diseases,
            "mechanism": self.mechanism.to_dict(),
            "options": [o.to_dict() for o in self.options],
            "questions_for_care_team": self.questions,
            "knowledge": self.knowledge,
            "designs": self.designs,
            "screens": self.screens,
            **({"trials": self.trials} if self.trials else {}),
            "disclaimer": self.disclaimer,
        }
