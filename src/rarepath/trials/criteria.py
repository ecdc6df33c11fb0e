"""Eligibility text -> inclusion/exclusion items, and the common gene-therapy criteria settled where the patient
factors allow.

Parsing is done once per trial and does not look at any patient: each item becomes a `Criterion` holding the
`Requirement`s recognised in it (each one a statement about the patient: "anti-AAV9 titre > 1:50", "has
received gene therapy", "is ambulatory"). Evaluation asks each statement of one patient (`PatientView`):
true, false, or unknown. An inclusion item fails when a statement in it is false; an exclusion item fails when
a statement in it is true; anything the patient factors cannot settle stays "to check" with the sentence
quoted. The recognisers and their meanings are listed in `RULES` (rule id -> meaning).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rarepath.model.types import Case

__all__ = [
    "Answer", "Criterion", "CriterionResult", "Outcome", "PatientView", "RULES", "Requirement", "Section",
    "evaluate", "parse_criteria", "split_items", "trial_serotypes",
]

#: Source cited for every verdict this module gives: the rule reads the trial's own text.
SOURCE = "ClinicalTrials.gov eligibility criteria of the record; rarepath criteria rules"


class Section(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


class Outcome(StrEnum):
    MET = "met"  # the patient satisfies the item (inclusion) or is not caught by it (exclusion)
    FAILS = "fails"  # the item rules the patient out
    OPEN = "open"  # the patient factors cannot settle it: to check


#: Rule catalogue: every requirement names one of these ids, and reasons quote the meaning.
RULES: dict[str, str] = {
    "age_in_text": "an age range or limit written in the criteria text",
    "sex_in_text": "a sex restriction written in the criteria text",
    "pregnancy": "pregnancy or breastfeeding (settled for male patients)",
    "aav_antibodies": "antibodies to an AAV serotype, with or without a titre threshold",
    "prior_gene_or_cell_therapy": "previous gene therapy, gene transfer or cell therapy",
    "prior_product": "previous treatment with a named product",
    "conditioning": "ability to receive (myeloablative) conditioning",
    "ambulation": "ambulatory status",
    "ventilation": "need for ventilatory support",
    "organ_function": "an organ-function or laboratory threshold (not part of the patient factors)",
    "exon_skip_amenable": "a deletion amenable to skipping a named exon (reading-frame analysis)",
    "exon_range": "a mutation inside a stated exon range",
    "named_variant": "a named variant on one or both alleles",
    "gene_mutation": "a pathogenic variant in a named gene",
}


@dataclass(frozen=True)
class Answer:
    """Whether a requirement's statement holds for the patient (None: cannot tell) and why."""

    value: bool | None
    reason: str


# --------------------------------------------------------------------------------------------------- patient


@dataclass(frozen=True)
class PatientView:
    """What the criteria can be checked against, gathered once per case."""

    age_years: float | None = None
    sex: str | None = None
    titres: dict[str, int] = field(default_factory=dict)
    antibodies: dict[str, bool] = field(default_factory=dict)
    conditioning_tolerated: bool | None = None
    prior_treatments: tuple[str, ...] = ()  # lower case; ("none",) = recorded as none (`prior_treatments=none`)
    flags: dict[str, bool] = field(default_factory=dict)
    genes: tuple[str, ...] = ()
    variant_texts: tuple[tuple[str, ...], ...] = ()  # per variant: normalised HGVS c./p. and description
    variant_alleles: tuple[int, ...] = ()  # per variant: alleles carrying it (2 when homozygous)
    exon_spans: tuple[tuple[int, int], ...] = ()  # whole-exon deletions/duplications (first, last)
    point_variants: bool = False  # a variant whose exon is not known
    skippable_exons: frozenset[int] | None = None  # single skips restoring the frame; None = not computed

    @classmethod
    def from_case(cls, case: Case) -> PatientView:
        """Patient factors and genotype of a case; the exon-skip analysis is run for whole-exon deletions."""
        from rarepath.model.types import VariantKind

        p = case.patient
        from rarepath.model.types import Zygosity

        texts: list[tuple[str, ...]] = []
        alleles: list[int] = []
        spans: list[tuple[int, int]] = []
        point = False
        skippable: set[int] | None = None
        for v in case.variants:
            texts.append(tuple(_norm_variant(t) for t in (v.hgvs_c, v.hgvs_p, v.description) if t))
            alleles.append(2 if v.zygosity == Zygosity.HOMOZYGOUS else 1)
            if v.exons and v.kind in (VariantKind.EXON_DELETION, VariantKind.EXON_DUPLICATION):
                spans.append(v.exons)
                skips = _single_skips(v.gene or (case.genes[0] if case.genes else ""), v.exons,
                                      "deletion" if v.kind == VariantKind.EXON_DELETION else "duplication")
                if skips is not None:
                    skippable = (skippable or set()) | skips
            else:
                point = True
        return cls(
            age_years=p.age_years, sex=p.sex, titres=dict(p.aav_titres), antibodies=dict(p.aav_antibodies),
            conditioning_tolerated=p.conditioning_tolerated,
            prior_treatments=tuple(t.strip().lower() for t in p.prior_treatments if t.strip()),
            flags=dict(p.flags), genes=tuple(g.upper() for g in case.genes), variant_texts=tuple(texts),
            variant_alleles=tuple(alleles), exon_spans=tuple(spans),
            point_variants=point, skippable_exons=frozenset(skippable) if skippable is not None else None,
        )


def _single_skips(gene: str, exons: tuple[int, int], kind: str) -> set[int] | None:
    """Exons whose single skip restores the reading frame (interpret.frame), None without a shipped structure."""
    from rarepath.errors import InputError
    from rarepath.interpret.amenability import frame_analysis
    from rarepath.knowledge.exons import shipped_exon_lengths

    lengths = shipped_exon_lengths(gene)
    if not lengths:
        return None
    try:
        return set(frame_analysis(gene, lengths, exons[0], exons[1], kind).single_skips)
    except InputError:
        return None


def _norm_variant(text: str) -> str:
    return re.sub(r"[\s()]", "", text).lower()


# --------------------------------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class KnownProduct:
    """A product of the curated therapies table, as prior-treatment criteria need it."""

    name: str
    modality: str
    delivery: str


@cache
def product_lexicon() -> dict[str, KnownProduct]:
    """Product names and brands (lower case) from the curated therapies table, with their modality."""
    from rarepath.knowledge.curated import load_table

    out: dict[str, KnownProduct] = {}
    for row in load_table("therapies"):
        prod = KnownProduct(row["name"], row.get("modality", ""), row.get("delivery", ""))
        for name in (row["name"], *(row.get("brand") or "").split(";")):
            name = name.strip().lower()
            if len(name) >= 4:
                out[name] = prod
    return out


GENE_MODALITIES = frozenset({"gene_replacement", "gene_addition", "genome_editing"})
_GENE_WORDS = re.compile(r"gene therap|gene transfer|gene replacement|gene editing|\baav|lentivir|crispr|"
                         r"gene-modified|genetically modified|base edit|prime edit", re.I)
_CELL_WORDS = re.compile(r"cell therap|stem cell|hsct|bone marrow transplant|car[- ]?t\b|autotemcel|"
                         r"transplant", re.I)


def _is_gene_therapy(treatment: str) -> bool:
    prod = product_lexicon().get(treatment)
    return (prod is not None and prod.modality in GENE_MODALITIES) or bool(_GENE_WORDS.search(treatment))


def _is_cell_therapy(treatment: str) -> bool:
    prod = product_lexicon().get(treatment)
    return (prod is not None and prod.delivery == "ex_vivo") or bool(_CELL_WORDS.search(treatment))


# --------------------------------------------------------------------------------------------------- requirements


@dataclass(frozen=True)
class Requirement:
    """One statement about the patient found in an item; `check` answers it for a patient."""

    rule: str
    statement: str
    check: Callable[[PatientView], Answer] = field(compare=False, repr=False)


_UNIT = r"(?P<{n}>years?|yrs?|months?|mos?|weeks?|wks?|days?)"
_UNIT_YEARS = {"y": 1.0, "m": 1 / 12, "w": 7 / 365.25, "d": 1 / 365.25}
_NUM = r"(?P<{n}>\d+(?:\.\d+)?)"
_AGE_RANGE = [
    re.compile(r"\b(?:aged?|ages|age of|age range)\s*(?:is\s*|of\s*|from\s*|between\s*)*" + _NUM.format(n="a")
               + r"\s*" + _UNIT.format(n="ua") + r"?\s*(?:-|–|to|and|through)\s*" + _NUM.format(n="b") + r"\s*"
               + _UNIT.format(n="ub"), re.I),
    re.compile(r"(?:between\s*)?" + _NUM.format(n="a") + r"\s*" + _UNIT.format(n="ua") + r"?\s*(?:-|–|to|and)\s*"
               + _NUM.format(n="b") + r"\s*" + _UNIT.format(n="ub") + r"\s*(?:of age|old|of-age)", re.I),
]
_CMP_WORDS = (r"≥|>=|=>|>|≤|<=|=<|<|at least|older than|younger than|less than|greater than|more than|"
              r"up to|under|over|below|above|no older than|no younger than")
_AGE_ONE = [
    re.compile(r"\b(?:aged?|age at [a-z ]{1,30}?|age)\s*(?:is\s*|of\s*|must be\s*)?(?P<op>" + _CMP_WORDS + r")\s*"
               + _NUM.format(n="n") + r"\s*" + _UNIT.format(n="u"), re.I),
    re.compile(r"(?P<op>" + _CMP_WORDS + r")\s*" + _NUM.format(n="n") + r"\s*" + _UNIT.format(n="u")
               + r"\s*(?:of age|old|of-age)", re.I),
    re.compile(_NUM.format(n="n") + r"\s*" + _UNIT.format(n="u") + r"\s*(?:of age\s*|old\s*)?"
               r"(?P<op>or older|and older|or above|and above|or over|or younger|and younger|or less|or under)",
               re.I),
]
_LOW_OPS = {"≥": ">=", ">=": ">=", "=>": ">=", ">": ">", "at least": ">=", "older than": ">", "greater than": ">",
            "more than": ">", "over": ">", "above": ">", "no younger than": ">=", "or older": ">=",
            "and older": ">=", "or above": ">=", "and above": ">=", "or over": ">="}
_HIGH_OPS = {"≤": "<=", "<=": "<=", "=<": "<=", "<": "<", "younger than": "<", "less than": "<", "up to": "<=",
             "under": "<", "below": "<", "no older than": "<=", "or younger": "<=", "and younger": "<=",
             "or less": "<=", "or under": "<="}


def _years(n: str, unit: str | None) -> float:
    return float(n) * _UNIT_YEARS[(unit or "y")[0].lower()]


def _compare(value: float, op: str, limit: float) -> bool:
    return {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit}[op]


def _age_requirement(low: tuple[str, float] | None, high: tuple[str, float] | None, shown: str) -> Requirement:
    def check(p: PatientView) -> Answer:
        if p.age_years is None:
            return Answer(None, f"age {shown} asked; the patient's age is not given")
        ok = (low is None or _compare(p.age_years, low[0], low[1])) and \
            (high is None or _compare(p.age_years, high[0], high[1]))
        return Answer(ok, f"patient age {p.age_years:g} years {'meets' if ok else 'does not meet'} 'age {shown}'")

    return Requirement("age_in_text", f"age {shown}", check)


#: "For children aged under 18 months: ..." states a condition, not a requirement on every participant.
_CONDITIONAL_BEFORE = re.compile(r"\b(?:for|if|in|when|among)\b(?:\s+[\w-]+){0,2}\s*$", re.I)
#: "an acute (less than 4 week old) injury": the age of something other than the patient.
_NOT_PERSON = re.compile(r"injur|lesion|wound|fractur|symptom|onset|diagnos|infection|exposure|history|"
                         r"treatment|therapy|transplant|surgery|procedure|scan|biopsy|sample|specimen|death|family|sibling|"
                         r"mother|father|parent", re.I)


def _about_patient(text: str, m: re.Match[str]) -> bool:
    before, after = text[max(0, m.start() - 30):m.start()], text[m.end():m.end() + 20]
    if _CONDITIONAL_BEFORE.search(before) or after.lstrip().startswith(":"):
        return False
    return not (_NOT_PERSON.search(after) or _NOT_PERSON.search(before))


def _parse_age(text: str) -> list[Requirement]:
    for rx in _AGE_RANGE:
        m = rx.search(text)
        if m and _about_patient(text, m):
            unit_b = m.group("ub")
            a, b = _years(m.group("a"), m.group("ua") or unit_b), _years(m.group("b"), unit_b)
            if a <= b:
                shown = f"{m.group('a')}{' ' + m.group('ua') if m.group('ua') else ''}-{m.group('b')} {unit_b}"
                return [_age_requirement((">=", a), ("<=", b), shown)]
    out: list[Requirement] = []
    for rx in _AGE_ONE:
        for m in rx.finditer(text):
            if not _about_patient(text, m):
                continue
            op = " ".join(m.group("op").lower().split())
            years = _years(m.group("n"), m.group("u"))
            shown = f"{op} {m.group('n')} {m.group('u')}"
            if op in _LOW_OPS:
                out.append(_age_requirement((_LOW_OPS[op], years), None, shown))
            elif op in _HIGH_OPS:
                out.append(_age_requirement(None, (_HIGH_OPS[op], years), shown))
        if out:
            break
    return out


# ---- AAV antibodies

_SEROTYPE = re.compile(r"(?<![a-z0-9])(?:sc|ss|r)?aav[\s-]?(rh[\s.-]?\d+|hu\d+|dj|anc\d+|\d+)(?![0-9])", re.I)
_AAV = re.compile(r"(?<![a-z0-9])(?:sc|ss|r)?aav|adeno-associated", re.I)
#: An antibody word this close (characters) to an AAV mention makes an anti-AAV criterion
#: ("seropositive for HIV" far from the AAV vector's name does not).
_NEAR = 60
_ANTIBODY_CUE = re.compile(r"antibod|titer|titre|\bnab|\btab\b|seropositiv|seronegativ|immunity|seroprevalen",
                           re.I)
_TITRE = re.compile(r"1\s*:\s*(\d[\d,]*)")
_TITRE_BEFORE = [  # order matters: negated and compound comparators first
    (re.compile(r"(?:less than or equal to|no (?:greater|more|higher) than|not (?:greater|more|higher) than|"
                r"not exceeding|not to exceed|at most|≤|<=|=<)\s*(?:a\s+)?(?:titer|titre)?\s*(?:of\s*)?$", re.I), "<="),
    (re.compile(r"(?:greater than or equal to|at least|≥|>=|=>)\s*(?:a\s+)?(?:titer|titre)?\s*(?:of\s*)?$", re.I),
     ">="),
    (re.compile(r"(?:greater than|more than|higher than|above|exceeding|in excess of|over|>)\s*(?:a\s+)?"
                r"(?:titer|titre)?\s*(?:of\s*)?$", re.I), ">"),
    (re.compile(r"(?:less than|lower than|below|under|<)\s*(?:a\s+)?(?:titer|titre)?\s*(?:of\s*)?$", re.I), "<"),
]
_TITRE_AFTER = [(re.compile(r"^\s*(?:or|and)\s+(?:higher|greater|above|more)", re.I), ">="),
                (re.compile(r"^\s*(?:or|and)\s+(?:lower|less|below|under)", re.I), "<=")]
_POSITIVE = re.compile(r"seropositiv|\bpositive\b|detectable|presence of|elevated|pre-?existing", re.I)
_NEGATIVE = re.compile(r"seronegativ|\bnegative\b|undetectable|not detect|absence of|\bno (?:detectable )?"
                       r"(?:anti|neutrali|antibod)", re.I)


def serotype_label(raw: str) -> str:
    """`9` -> `AAV9`, `rh74`/`rh.74` -> `AAVrh74`: the names `--patient anti_<SEROTYPE>_titre` uses."""
    rest = re.sub(r"[\s.-]", "", raw).lower()
    return "AAV" + (rest if not rest.isdigit() else rest.upper()).replace("dj", "DJ")


def trial_serotypes(texts: Iterable[str]) -> tuple[str, ...]:
    """AAV serotypes named in a trial's interventions and titles (the vector the antibody criteria refer to)."""
    found: list[str] = []
    for t in texts:
        for m in _SEROTYPE.finditer(t or ""):
            s = serotype_label(m.group(1))
            if s not in found:
                found.append(s)
    return tuple(found)


def _parse_antibodies(text: str, vector_serotypes: tuple[str, ...]) -> list[Requirement]:
    aav = [m.start() for m in _AAV.finditer(text)]
    if not aav or not any(abs(m.start() - a) <= _NEAR for m in _ANTIBODY_CUE.finditer(text) for a in aav):
        return []
    serotypes = trial_serotypes([text]) or vector_serotypes
    assay = ("neutralising" if re.search(r"neutrali[sz]|\bnab", text, re.I)
             else "total binding" if re.search(r"total binding|\btab\b|binding antibod|elisa", text, re.I) else "")
    op: str | None = None
    threshold: int | None = None
    m = _TITRE.search(text)
    if m:
        threshold = int(m.group(1).replace(",", ""))
        before, after = text[max(0, m.start() - 40):m.start()], text[m.end():m.end() + 25]
        op = next((o for rx, o in _TITRE_BEFORE if rx.search(before)), None) or \
            next((o for rx, o in _TITRE_AFTER if rx.search(after)), None)
        if op is None and _NEGATIVE.search(text):
            op = "<"  # "negative (titre 1:50)": below the stated titre
        elif op is None and _POSITIVE.search(text):
            op = ">="
    elif _NEGATIVE.search(text):
        op = "neg"
    elif _POSITIVE.search(text):
        op = "pos"
    sero_text = "/".join(serotypes) if serotypes else "AAV (serotype not stated)"
    if op in ("neg", "pos"):
        shown = "negative" if op == "neg" else "positive"
    elif op is None:
        shown = "(threshold not stated)" if threshold is None else f"titre 1:{threshold} (comparison not stated)"
    else:
        shown = f"titre {op} 1:{threshold}"
    statement = f"anti-{sero_text} antibodies {shown}" + (f" ({assay})" if assay else "")

    def check(p: PatientView) -> Answer:
        if not serotypes:
            return Answer(None, "anti-AAV antibody criterion without a named serotype")
        if op is None:
            return Answer(None, f"{statement}: the text gives no comparison the titre can be checked against")
        answers = [_check_serotype(p, s, op, threshold) for s in serotypes]
        known = [a for a in answers if a[0] is not None]
        values = [a[0] for a in answers]
        # "above" for any serotype is enough to make the statement true; "below" must hold for all of them
        decisive = op in (">", ">=", "pos")
        value = decisive if decisive in values else (None if None in values else not decisive)
        if value is None:
            missing = [s for s, a in zip(serotypes, answers, strict=True) if a[0] is None]
            return Answer(None, f"{statement}: no anti-{'/'.join(missing)} antibody result in the patient factors")
        note = f"; trial asks for a {assay} assay, confirm the patient's titre was measured the same way" \
            if assay else ""
        return Answer(value, f"{statement}: patient {'; '.join(a[1] for a in known)}{note}")

    return [Requirement("aav_antibodies", statement, check)]


def _check_serotype(p: PatientView, serotype: str, op: str, threshold: int | None) -> tuple[bool | None, str]:
    titre = p.titres.get(serotype)
    detected = p.antibodies.get(serotype)
    if titre is None and detected is None:
        return None, ""
    if titre is not None:
        shown = f"anti-{serotype} titre {'below detection' if titre == 0 else f'1:{titre}'}"
        if op == "pos":
            return titre > 0, shown
        if op == "neg":
            return titre == 0, shown
        return _compare(titre, op, float(threshold or 0)), shown
    shown = f"anti-{serotype} antibodies {'positive' if detected else 'negative'}"
    if op == "pos":
        return bool(detected), shown
    if op == "neg":
        return not detected, shown
    if not detected and op in ("<", "<="):
        return True, shown  # undetected antibodies are below any stated titre
    if not detected and op in (">", ">="):
        return False, shown
    return None, shown + " (no titre to compare)"


# ---- prior treatments

_PRIOR_CUE = re.compile(r"\bprior\b|previous|received|receipt|history of|treated with|treatment with|"
                        r"participat|administration of|exposure to|exposed to|\bnaive|naïve|\bever\b|dosed with|"
                        r"administered", re.I)
_NEGATION = re.compile(r"\b(?:no|not|never|without|naive|naïve|free of|none)\b", re.I)
_GENE_THERAPY_TEXT = re.compile(r"gene (?:therap|transfer|replacement|editing)|aav[- ]?(?:based|mediated|vector)|"
                                r"viral vector|gene-modified|genetically modified|genome editing", re.I)
_CELL_THERAPY_TEXT = re.compile(r"cell(?:-based)? therap|stem cell transplant|\bhsct\b|bone marrow transplant|"
                                r"\bcar[- ]?t\b", re.I)


def _negated(text: str, start: int) -> bool:
    """A negation word in the clause before position `start` ("have not previously received gene therapy")."""
    clause = re.split(r"[.;:]", text[:start])[-1]
    return bool(_NEGATION.search(clause))


def _near_prior_cue(text: str, rx: re.Pattern[str]) -> re.Match[str] | None:
    """A therapy mention with a prior-treatment cue just before it ("prior gene therapy", "have not previously
    participated in a gene therapy study"), not a test "before allo-HSCT" further on."""
    for m in rx.finditer(text):
        before = text[max(0, m.start() - 60):m.start()]
        if _PRIOR_CUE.search(before) and not re.search(r"\b(?:before|after|for)\s+\S*$", before, re.I):
            return m
    return None


def _parse_prior_therapy(text: str) -> list[Requirement]:
    if not _PRIOR_CUE.search(text) or _ALLERGY.search(text):
        return []
    gene = _near_prior_cue(text, _GENE_THERAPY_TEXT)
    cell = _near_prior_cue(text, _CELL_THERAPY_TEXT)
    if not gene and not cell:
        return []
    kinds = ("gene" if gene else "") + (" or cell" if gene and cell else "cell" if cell else "")
    negated = _negated(text, (gene or cell).start())  # type: ignore[union-attr]
    statement = f"{'has not' if negated else 'has'} received {kinds} therapy"

    def check(p: PatientView) -> Answer:
        if not p.prior_treatments:
            return Answer(None, f"{statement}? no prior treatments are recorded for the patient")
        hits = [t for t in p.prior_treatments if (gene and _is_gene_therapy(t)) or (cell and _is_cell_therapy(t))]
        received = bool(hits)
        why = f"prior treatments: {', '.join(hits)}" if hits else \
            f"none of the recorded prior treatments ({_listed(p)}) is a {kinds} therapy"
        return Answer(received != negated, f"{statement}: {why}")

    return [Requirement("prior_gene_or_cell_therapy", statement, check)]


_ALLERGY = re.compile(r"allerg|hypersensitiv|anaphyla|reaction to|intoleran", re.I)


def _listed(p: PatientView) -> str:
    return "recorded as none" if p.prior_treatments == ("none",) else ", ".join(p.prior_treatments)


def _parse_prior_product(text: str) -> list[Requirement]:
    if not _PRIOR_CUE.search(text) or _ALLERGY.search(text):
        return []
    low = text.lower()
    names = sorted({name for name in product_lexicon() if re.search(rf"\b{re.escape(name)}\b", low)})
    if not names:
        return []
    first = min(low.find(n) for n in names)
    negated = _negated(text, first)
    statement = f"{'has not' if negated else 'has'} received {' or '.join(names)}"
    same_product = {name: product_lexicon()[name].name for name in names}

    def check(p: PatientView) -> Answer:
        received = [t for t in p.prior_treatments
                    if t in same_product or product_lexicon().get(t, None) in
                    {product_lexicon()[n] for n in names}]
        if received:
            return Answer(not negated, f"{statement}: patient received {', '.join(received)}")
        if p.prior_treatments:
            return Answer(negated, f"{statement}: not among the recorded prior treatments "
                                   f"({_listed(p)})")
        return Answer(None, f"{statement}? no prior treatments are recorded for the patient")

    return [Requirement("prior_product", statement, check)]


# ---- conditioning, ambulation, ventilation, pregnancy, sex

_CONDITIONING = re.compile(r"conditioning|busulfan|myeloablat", re.I)
_ABILITY = re.compile(r"toleran|tolerate|withstand|eligible|candidate|\bable\b|\bfit\b|contraindicat|"
                      r"suitable|undergo|receive", re.I)
_PAST = re.compile(r"recipients? of|\bafter\b|received|undergone|\bprior\b|previous", re.I)
_CANNOT = re.compile(r"unable|inability|contraindicat|not (?:be )?(?:a )?(?:candidate|eligible|able|suitable)|"
                     r"cannot|intoleran|not tolerate|unfit|ineligible|compromise|would not tolerate|preclude", re.I)


def _parse_conditioning(text: str) -> list[Requirement]:
    """Only items about the patient's ability to receive conditioning (not about conditioning received before)."""
    if not _CONDITIONING.search(text) or not _ABILITY.search(text) or _PAST.search(text):
        return []
    able = not _CANNOT.search(text)
    statement = f"{'can' if able else 'cannot'} receive conditioning"

    def check(p: PatientView) -> Answer:
        if p.conditioning_tolerated is None:
            return Answer(None, f"{statement}? conditioning tolerance is not given")
        return Answer(p.conditioning_tolerated == able,
                      f"{statement}: patient {'tolerates' if p.conditioning_tolerated else 'cannot tolerate'} "
                      "conditioning")

    return [Requirement("conditioning", statement, check)]


_NON_AMBULATORY = re.compile(r"non-?\s?ambula|unable to walk|cannot walk|not able to walk|loss of ambulation|"
                             r"lost ambulation|wheelchair[- ]?(?:bound|dependent|user|use)|not ambulatory", re.I)
_AMBULATORY = re.compile(r"\bambulatory\b|\bambulant\b|able to walk|walk independently|independently ambulat|"
                         r"\bambulation\b", re.I)


def _flag_requirement(rule: str, flag: str, wanted: bool, statement: str, label: str) -> Requirement:
    def check(p: PatientView) -> Answer:
        have = p.flags.get(flag)
        if have is None:
            return Answer(None, f"{statement}? '{flag}' is not given in the patient factors")
        return Answer(have == wanted, f"{statement}: patient {'is' if have else 'is not'} {label}")

    return Requirement(rule, statement, check)


def _parse_ambulation(text: str) -> list[Requirement]:
    if _NON_AMBULATORY.search(text):
        return [_flag_requirement("ambulation", "ambulatory", False, "is not ambulatory", "ambulatory")]
    m = _AMBULATORY.search(text)
    if m:
        wanted = not _negated(text, m.start())
        return [_flag_requirement("ambulation", "ambulatory", wanted,
                                  "is ambulatory" if wanted else "is not ambulatory", "ambulatory")]
    return []


_VENTILATION = re.compile(r"ventilat|tracheostomy|bipap|respiratory support|breathing support", re.I)


def _parse_ventilation(text: str) -> list[Requirement]:
    m = _VENTILATION.search(text)
    if not m:
        return []
    needs = not _negated(text, m.start())
    return [_flag_requirement("ventilation", "ventilator_dependent", needs,
                              "needs ventilatory support" if needs else "does not need ventilatory support",
                              "ventilator dependent")]


_PREGNANCY = re.compile(r"pregnan|breast-?\s?feeding|lactating|nursing mother", re.I)
#: The participant herself pregnant or breastfeeding (not "perinatal exposure ... through breastfeeding").
_PREGNANT_PARTICIPANT = re.compile(
    r"^\W*(?:(?:being|currently|is|are)\s+)?(?:pregnan|breast-?\s?feeding|lactating|nursing)|"
    r"\b(?:is|are|be|being|who are|currently)\s+(?:pregnant|breast-?\s?feeding|lactating|nursing)|"
    r"pregnant\s+(?:or|and|,)\s+(?:breast|lactat|nursing)|pregnancy\s+or\s+(?:breast|lactat)", re.I)


def _parse_pregnancy(text: str, section: Section) -> list[Requirement]:
    """Exclusion: "is pregnant or breastfeeding"; inclusion: "not pregnant" (a negative test, contraception)."""
    if not _PREGNANCY.search(text):
        return []
    pregnant = section == Section.EXCLUSION
    if pregnant and not _PREGNANT_PARTICIPANT.search(text):
        return []
    if not pregnant and (not re.search(r"not pregnant|negative (?:\w+ )?pregnancy", text, re.I)
                         or re.search(r"contracep|father|\bmen\b|partner", text, re.I)):
        return []  # contraception and similar duties stay "to check"

    def check(p: PatientView) -> Answer:
        if p.sex == "male":
            return Answer(not pregnant, "pregnancy or breastfeeding: the patient is male")
        return Answer(None, "pregnancy or breastfeeding: to confirm for this patient")

    return [Requirement("pregnancy", "is pregnant or breastfeeding" if pregnant else "is not pregnant", check)]


_SEX_ONLY = {
    "male": re.compile(r"^\W*(?:males?|boys?)\b|\b(?:male|boys?)\s+(?:patients|participants|subjects|children)\b|"
                       r"\bmales? only\b", re.I),
    "female": re.compile(r"^\W*(?:females?|girls?|women)\b|\b(?:female|girls?)\s+(?:patients|participants|"
                         r"subjects|children)\b|\bfemales? only\b", re.I),
}


_BOTH_SEXES = re.compile(r"\b(?:males? (?:and|or) females?|females? (?:and|or) males?|men (?:and|or) women|"
                         r"women (?:and|or) men|boys (?:and|or) girls|girls (?:and|or) boys|both sexes)\b", re.I)
_REPRODUCTIVE = re.compile(r"childbearing|contracep|pregnan|potential|sterile|partner|fathering|lactat", re.I)


def _parse_sex(text: str, section: Section) -> list[Requirement]:
    if section != Section.INCLUSION or _REPRODUCTIVE.search(text) or _BOTH_SEXES.search(text):
        return []
    hits = [sex for sex, rx in _SEX_ONLY.items() if rx.search(text)]
    if len(hits) != 1:
        return []
    sex = hits[0]

    def check(p: PatientView) -> Answer:
        if p.sex not in ("male", "female"):
            return Answer(None, f"{sex} patients only; the patient's sex is not given")
        return Answer(p.sex == sex, f"{sex} patients only: the patient is {p.sex}")

    return [Requirement("sex_in_text", f"is {sex}", check)]


# ---- organ function

_ORGAN = re.compile(
    r"\b(?:ALT|AST|GGT|INR|eGFR|GFR|LVEF|FVC|alanine aminotransferase|aspartate aminotransferase|bilirubin|"
    r"creatinine|cystatin|platelet|ha?emoglobin|prothrombin|gamma-glutamyl|albumin|ejection fraction|"
    r"forced vital capacity|troponin|neutrophil|lipase|white blood cell)s?\b"
    r"|\b(?:hepatic|liver|renal|kidney|cardiac|heart)\s+(?:function|impairment|insufficiency|failure|dysfunction)",
    re.I)


def _parse_organ(text: str) -> list[Requirement]:
    m = _ORGAN.search(text)
    if not m:
        return []
    snippet = " ".join(text[m.start():m.end() + 40].split())
    snippet = re.split(r"[;,]", snippet)[0]

    def check(_p: PatientView) -> Answer:
        return Answer(None, f"organ function ({snippet}): laboratory values are not part of the patient factors")

    return [Requirement("organ_function", snippet, check)]


# ---- genotype

_EXON_SKIP = re.compile(r"exon[\s-]?(\d+)[\s-]+skip", re.I)
_EXON_RANGE = re.compile(r"(?:mutation|variant|deletion|duplication)s?\b[^.;]{0,40}?\b(?:in|within|between|"
                         r"involving|spanning|of)\s+exons?\s*(\d+)\s*(?:-|–|to|and|through)\s*(\d+)", re.I)
_VARIANT_TOKEN = re.compile(r"\bc\.[0-9_+*\-]+[A-Za-z>_0-9]*|\bp\.\(?[A-Z][a-z]{0,2}\d+[A-Za-z*]{1,3}\)?|"
                            r"(?-i:\b[A-Z]\d{2,4}[A-Z]\b)|\bF508del\b", re.I)
_BOTH_ALLELES = re.compile(r"homozygous|both alleles|two copies|biallelic|bi-allelic", re.I)
_GENE_CUE = re.compile(r"\b([A-Z][A-Z0-9]{1,9})\b(?=\s+(?:gene|mutation|variant|deletion|pathogenic))|"
                       r"(?:mutation|variant|deletion)s?\s+(?:in|of)\s+(?:the\s+)?\b([A-Z][A-Z0-9]{1,9})\b")
_NOT_GENES = frozenset({"DNA", "RNA", "HIV", "AAV", "SMA", "ULN", "CNS", "MRI", "FDA", "IND", "HBV", "HCV"})
_ONE_LETTER = {"ala": "a", "arg": "r", "asn": "n", "asp": "d", "cys": "c", "gln": "q", "glu": "e", "gly": "g",
               "his": "h", "ile": "i", "leu": "l", "lys": "k", "met": "m", "phe": "f", "pro": "p", "ser": "s",
               "thr": "t", "trp": "w", "tyr": "y", "val": "v", "ter": "*"}


_THREE = "|".join(_ONE_LETTER)
_LONG_AA = re.compile(rf"(?<=\d)(?:{_THREE})|(?:{_THREE})(?=\d)")


def _protein_forms(token: str) -> set[str]:
    """A variant in the forms it may be written in: `p.Gly551Asp` also as `g551d`, `F508del` as `f508del`."""
    t = _norm_variant(token)
    short = _LONG_AA.sub(lambda m: _ONE_LETTER[m.group(0)], t)
    return {t, t.removeprefix("p."), short, short.removeprefix("p.")}


def _parse_genotype(text: str) -> list[Requirement]:
    out: list[Requirement] = []
    m = _EXON_SKIP.search(text)
    if m:
        exon = int(m.group(1))
        statement = f"has a deletion amenable to exon {exon} skipping"

        def check_skip(p: PatientView, exon: int = exon, statement: str = statement) -> Answer:
            if p.skippable_exons is None:
                return Answer(None, f"{statement}? needs a whole-exon deletion or duplication in a gene with a "
                                    "shipped exon structure")
            ok = exon in p.skippable_exons
            shown = ", ".join(map(str, sorted(p.skippable_exons))) or "none"
            return Answer(ok, f"{statement}: reading-frame analysis of the patient's deletion gives single "
                              f"skips {shown}")

        out.append(Requirement("exon_skip_amenable", statement, check_skip))
    m = _EXON_RANGE.search(text)
    if m and not out:
        lo, hi = sorted((int(m.group(1)), int(m.group(2))))
        statement = f"has a mutation within exons {lo}-{hi}"

        def check_range(p: PatientView, lo: int = lo, hi: int = hi, statement: str = statement) -> Answer:
            if not p.exon_spans or p.point_variants:
                return Answer(None, f"{statement}? the exon of the patient's variant is not known")
            inside = all(lo <= a and b <= hi for a, b in p.exon_spans)
            spans = ", ".join(f"exons {a}-{b}" if a != b else f"exon {a}" for a, b in p.exon_spans)
            return Answer(inside, f"{statement}: patient variant spans {spans}")

        out.append(Requirement("exon_range", statement, check_range))
    tokens = [t for t in _VARIANT_TOKEN.findall(text) if not re.fullmatch(r"[A-Z]\d+[A-Z]", t) or
              re.search(r"mutation|variant|allele|homozyg|heterozyg", text, re.I)]
    if tokens:
        both = bool(_BOTH_ALLELES.search(text))
        forms = set().union(*(_protein_forms(t) for t in tokens))
        statement = f"carries {' or '.join(tokens)}{' on both alleles' if both else ''}"

        def check_named(p: PatientView, forms: set[str] = forms, both: bool = both,
                        statement: str = statement) -> Answer:
            if not p.variant_texts:
                return Answer(None, f"{statement}? the patient's variants are not given")
            alleles = sum(n for texts, n in zip(p.variant_texts, p.variant_alleles, strict=True)
                          if any(f in form for t in texts for form in _protein_forms(t) for f in forms))
            if not alleles:
                return Answer(False, f"{statement}: not among the patient's variants")
            if both and alleles < 2:
                return Answer(False, f"{statement}: the patient carries it on one allele")
            return Answer(True, f"{statement}: the patient carries it")

        out.append(Requirement("named_variant", statement, check_named))
    genes = {a or b for a, b in _GENE_CUE.findall(text)} - _NOT_GENES
    if genes and not out:
        statement = f"has a pathogenic variant in {' or '.join(sorted(genes))}"

        def check_gene(p: PatientView, genes: set[str] = genes, statement: str = statement) -> Answer:
            hit = sorted(genes & set(p.genes))
            if hit:
                return Answer(True, f"{statement}: the case's gene is {hit[0]}")
            return Answer(None, f"{statement}? the case names {', '.join(p.genes) or 'no gene'}")

        out.append(Requirement("gene_mutation", statement, check_gene))
    return out


# --------------------------------------------------------------------------------------------------- items


@dataclass(frozen=True)
class Criterion:
    """One eligibility item as written, with the requirements recognised in it."""

    section: Section
    text: str
    requirements: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    outcome: Outcome
    reasons: tuple[str, ...]
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"criterion": self.criterion.text, "section": self.criterion.section.value,
                "outcome": self.outcome.value, "reason": "; ".join(self.reasons), "rules": list(self.rules),
                "source": SOURCE}


_HEADING = re.compile(r"^\W*(?:key\s+|main\s+|general\s+)?(inclusion|exclusion)(?:\s+criteria)?\b[^a-z0-9]*"
                      r"(?:\(.*\))?\s*:?\s*$", re.I)
_HEADING_INLINE = re.compile(r"^\W*(?:key\s+)?(inclusion|exclusion)\s+criteria\s*:\s*(?P<rest>.+)$", re.I)
_HEADING_END = re.compile(r"^.{0,100}?\b(inclusion|exclusion)\s+criteria\s*:?\s*$", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·◦▪]|\d{1,2}[.)]|[a-z][.)]|\(\w{1,3}\))\s+")


def split_items(text: str) -> list[tuple[Section, str]]:
    """The items of an eligibility text, each with its section (text before any heading counts as inclusion).

    Items are bullets (`*`, `-`, `1.`, `a)`) or blank-line separated paragraphs; hard-wrapped continuation lines
    are joined; Markdown escapes of the API (`\\>`) are removed. A bullet indented under an item that ends
    with ':' carries that item's text in front of its own ("For participants under 2 years: anti-AAV9 ...").
    """
    text = re.sub(r"\\([\\\[\]<>*_~`#.()!-])", r"\1", text or "")
    section = Section.INCLUSION
    items: list[tuple[Section, str]] = []
    current: list[str] = []
    indent = 0  # indentation of the current bullet
    parents: list[tuple[int, str, int]] = []  # open "...:" items: (indent, text, position in items)

    def flush() -> None:
        joined = " ".join(" ".join(current).split())
        current.clear()
        if not joined or not re.search(r"[A-Za-z]", joined):
            return
        while parents and parents[-1][0] >= indent:
            parents.pop()
        if parents:
            joined = f"{parents[-1][1]} {joined}"
        items.append((section, joined))
        if joined.endswith(":"):
            parents.append((indent, joined, len(items) - 1))

    for line in text.splitlines():
        stripped = line.strip()
        head = _HEADING.match(stripped) or (_HEADING_END.match(stripped) if not _BULLET.match(line) else None)
        inline = _HEADING_INLINE.match(stripped) if not head else None
        if head or inline:
            flush()
            parents.clear()
            section = Section((head or inline).group(1).lower())  # type: ignore[union-attr]
            indent = 0
            if inline:
                current.append(inline.group("rest"))
                flush()
            continue
        if not stripped:
            flush()
            continue
        if _BULLET.match(line):
            flush()
            indent = len(line) - len(line.lstrip())
            current.append(_BULLET.sub("", line, count=1))
        else:
            current.append(stripped)
    flush()
    # a "...:" item whose sub-items carry its text is not an item of its own
    used = {pos for pos, (_, t) in enumerate(items) if t.endswith(":")
            and any(o.startswith(t + " ") for _, o in items[pos + 1:pos + 2])}
    return [item for pos, item in enumerate(items) if pos not in used]


#: "For participants under 2 years: ..." applies to a subgroup, and "one of the following: ..." is one of
#: several alternatives: such sub-items cannot be settled alone.
_CONDITIONAL_ITEM = re.compile(r"^(?:(?:for|if|in|when|among|only for)\b[^:]{0,150}|[^:]{0,150}\b(?:one|1|any|either)"
                               r" of (?:the )?following\b[^:]{0,40}|[^:]{0,150}\beither):\s", re.I)


_RECOGNISERS: tuple[Callable[[str, Section, tuple[str, ...]], list[Requirement]], ...] = (
    lambda t, s, v: _parse_age(t),
    lambda t, s, v: _parse_sex(t, s),
    lambda t, s, v: _parse_pregnancy(t, s),
    lambda t, s, v: _parse_antibodies(t, v),
    lambda t, s, v: _parse_prior_therapy(t),
    lambda t, s, v: _parse_prior_product(t),
    lambda t, s, v: _parse_conditioning(t),
    lambda t, s, v: _parse_ambulation(t),
    lambda t, s, v: _parse_ventilation(t),
    lambda t, s, v: _parse_organ(t),
    lambda t, s, v: _parse_genotype(t),
)


def parse_criteria(text: str, vector_serotypes: tuple[str, ...] = ()) -> tuple[Criterion, ...]:
    """Items of an eligibility text with their recognised requirements (patient-independent; parse once)."""
    out = []
    for section, item in split_items(text):
        if _CONDITIONAL_ITEM.match(item):
            out.append(Criterion(section, item))
            continue
        reqs = [r for recognise in _RECOGNISERS for r in recognise(item, section, vector_serotypes)]
        out.append(Criterion(section, item, tuple(reqs)))
    return tuple(out)


def evaluate(criterion: Criterion, patient: PatientView) -> CriterionResult:
    """Settle one item for one patient: FAILS if a statement rules the patient out, MET when every recognised
    statement settles in the patient's favour, else OPEN (quoted as "to check")."""
    if not criterion.requirements:
        return CriterionResult(criterion, Outcome.OPEN, (), ())
    answers = [(r, r.check(patient)) for r in criterion.requirements]
    rules = tuple(dict.fromkeys(r.rule for r, _ in answers))
    exclusion = criterion.section == Section.EXCLUSION
    failing = [a for _, a in answers if a.value is not None and a.value == exclusion]
    if failing:
        return CriterionResult(criterion, Outcome.FAILS, tuple(a.reason for a in failing), rules)
    if all(a.value is not None for _, a in answers):
        return CriterionResult(criterion, Outcome.MET, tuple(a.reason for _, a in answers), rules)
    return CriterionResult(criterion, Outcome.OPEN, tuple(a.reason for _, a in answers if a.reason), rules)
