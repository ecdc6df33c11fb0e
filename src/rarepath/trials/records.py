"""ClinicalTrials.gov study records -> typed `Trial` objects.

Two formats are read: the current API v2 JSON (`protocolSection` ... one study per object, a list of
them, or a `{"studies": [...]}` page as the API returns it) and the retired legacy XML
(`<clinical_study>`, public.xsd). Both are normalised onto the v2 vocabulary (`RECRUITING`, `PHASE2`,
`GENETIC`, `ALL`), so matching never sees the format a record came from.

A record that cannot be used (no NCT id, a status outside the registry's list, an age that is not
`N unit`) raises `RecordError`; `read_path` reports it with its file and goes on with the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "Age", "Intervention", "Location", "RecordError", "RecordProblem", "Trial", "TrialStatus",
    "parse_legacy_xml", "parse_v2", "read_path", "read_paths",
]

V2 = "ctgov-api-v2"
LEGACY_XML = "ctgov-legacy-xml"
_NCT = re.compile(r"^NCT\d{8}$")


class TrialStatus(StrEnum):
    """Overall recruitment status (ClinicalTrials.gov API v2 `OverallStatus`, legacy values mapped onto it)."""

    RECRUITING = "RECRUITING"
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING"
    COMPLETED = "COMPLETED"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    WITHDRAWN = "WITHDRAWN"
    AVAILABLE = "AVAILABLE"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING"
    WITHHELD = "WITHHELD"
    UNKNOWN = "UNKNOWN"  # the registry's own value: status not verified for over two years

    @property
    def open_to_enrolment(self) -> bool:
        """Statuses under which a new participant can still enter (expanded access `AVAILABLE` included)."""
        return self in _OPEN


_OPEN = frozenset({TrialStatus.RECRUITING, TrialStatus.NOT_YET_RECRUITING, TrialStatus.ENROLLING_BY_INVITATION,
                   TrialStatus.AVAILABLE})

#: Legacy XML wording -> v2 value (the XML says "Active, not recruiting", v2 `ACTIVE_NOT_RECRUITING`).
_LEGACY_STATUS = {"UNKNOWN_STATUS": "UNKNOWN"}
_PHASES = {"EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"}

#: Age units of the registry and their length in years.
AGE_UNITS: dict[str, float] = {
    "year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25,
    "hour": 1 / (24 * 365.25), "minute": 1 / (24 * 60 * 365.25),
}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+?)s?\s*$")


class RecordError(ValueError):
    """A record that cannot be used; `field` names the part of the record at fault."""

    def __init__(self, problem: str, *, field: str | None = None, nct_id: str | None = None) -> None:
        self.problem = problem
        self.field = field
        self.nct_id = nct_id
        super().__init__(f"{field}: {problem}" if field else problem)


@dataclass(frozen=True)
class RecordProblem:
    """A record skipped at import: the file, the record (when its id is known) and why."""

    file: str
    problem: str
    nct_id: str | None = None

    def one_line(self) -> str:
        where = f"{self.file} ({self.nct_id})" if self.nct_id else self.file
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Age:
    """An age limit as the record writes it (`3 Months`) and its value in years."""

    value: float
    unit: str  # year | month | week | day | hour | minute

    @property
    def years(self) -> float:
        return self.value * AGE_UNITS[self.unit]

    @property
    def text(self) -> str:
        n = f"{self.value:g}"
        return f"{n} {self.unit}{'' if self.value == 1 else 's'}"


def parse_age(raw: Any, *, field: str) -> Age | None:
    """`'12 Years'` -> Age(12, 'year'); None, '' and 'N/A' mean no limit; anything else is a RecordError."""
    if raw is None:
        return None
    text = str(raw).strip()
    if not text or text.upper() in ("N/A", "NA", "NONE"):
        return None
    m = _AGE.match(text)
    unit = m.group(2).lower() if m else ""
    if not m or unit not in AGE_UNITS:
        raise RecordError(f"age must be 'N Years|Months|Weeks|Days', got {text!r}", field=field)
    return Age(float(m.group(1)), unit)


@dataclass(frozen=True)
class Intervention:
    type: str  # v2 InterventionType: DRUG, BIOLOGICAL, GENETIC, DEVICE, PROCEDURE, ...
    name: str
    description: str = ""
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    facility: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    lat: float | None = None
    lon: float | None = None
    status: str = ""  # site recruitment status (v2), when given

    @property
    def label(self) -> str:
        return ", ".join(p for p in (self.facility, self.city, self.country) if p)


@dataclass(frozen=True)
class Trial:
    """One study record, normalised to the API v2 vocabulary."""

    nct_id: str
    title: str
    status: TrialStatus
    record_format: str
    official_title: str = ""
    study_type: str = ""  # INTERVENTIONAL | OBSERVATIONAL | EXPANDED_ACCESS
    phases: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()  # MeSH condition terms and their ancestors, from the registry's indexing
    interventions: tuple[Intervention, ...] = ()
    summary: str = ""
    eligibility_text: str = ""
    sex: str = "ALL"  # ALL | FEMALE | MALE
    min_age: Age | None = None
    max_age: Age | None = None
    healthy_volunteers: bool | None = None
    locations: tuple[Location, ...] = ()
    why_stopped: str = ""
    last_update: str = ""

    @property
    def url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"

    @property
    def intervention_types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.type for i in self.interventions))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Trial:
        """Inverse of `to_dict` (the store keeps records as this JSON)."""
        ages = {k: Age(**d[k]) if d.get(k) else None for k in ("min_age", "max_age")}
        tuples = {k: tuple(d.get(k) or ()) for k in ("phases", "conditions", "keywords", "mesh_terms")}
        return cls(
            **{k: v for k, v in d.items() if k not in (*ages, *tuples, "interventions", "locations", "status")},
            **ages, **tuples, status=TrialStatus(d["status"]),
            interventions=tuple(Intervention(i["type"], i["name"], i.get("description", ""),
                                             tuple(i.get("other_names") or ())) for i in d.get("interventions") or ()),
            locations=tuple(Location(**loc) for loc in d.get("locations") or ()),
        )


# --------------------------------------------------------------------------------------------------- helpers


def _enum_token(text: str) -> str:
    """'Active, not recruiting' -> 'ACTIVE_NOT_RECRUITING', 'Phase 2' -> 'PHASE_2'."""
    return re.sub(r"[^A-Z0-9]+", "_", text.strip().upper()).strip("_")


def parse_status(raw: Any) -> TrialStatus:
    token = _enum_token(str(raw or ""))
    token = _LEGACY_STATUS.get(token, token)
    try:
        return TrialStatus(token)
    except ValueError:
        known = ", ".join(s.value for s in TrialStatus)
        raise RecordError(f"unknown status {raw!r} (known: {known})", field="overallStatus") from None


def _phases(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for raw in values:
        for part in str(raw).split("/"):
            token = _enum_token(part).replace("PHASE_", "PHASE").replace("N_A", "NA")
            if token in _PHASES and token not in out:
                out.append(token)
    return tuple(out)


def _sex(raw: Any) -> str:
    token = _enum_token(str(raw or "ALL")) or "ALL"
    if token not in ("ALL", "FEMALE", "MALE"):
        raise RecordError(f"sex must be ALL, FEMALE or MALE, got {raw!r}", field="sex")
    return token


def _clean(text: Any) -> str:
    return str(text or "").strip()


def _nct(raw: Any) -> str:
    nct = _clean(raw).upper()
    if not nct:
        raise RecordError("no NCT id", field="nctId")
    if not _NCT.match(nct):
        raise RecordError(f"not an NCT id: {raw!r} (expected NCT followed by 8 digits)", field="nctId")
    return nct


# --------------------------------------------------------------------------------------------------- API v2


def parse_v2(study: dict[str, Any]) -> Trial:
    """A Trial from one API v2 study object (`{"protocolSection": ..., "derivedSection": ...}`)."""
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        raise RecordError("not an API v2 study: no protocolSection object", field="protocolSection")
    ps = study["protocolSection"]
    ident = ps.get("identificationModule") or {}
    nct = _nct(ident.get("nctId"))
    try:
        status_mod = ps.get("statusModule") or {}
        design = ps.get("designModule") or {}
        cond = ps.get("conditionsModule") or {}
        elig = ps.get("eligibilityModule") or {}
        arms = ps.get("armsInterventionsModule") or {}
        desc = ps.get("descriptionModule") or {}
        browse = (study.get("derivedSection") or {}).get("conditionBrowseModule") or {}
        hv = elig.get("healthyVolunteers")
        return Trial(
            nct_id=nct,
            title=_clean(ident.get("briefTitle")) or _clean(ident.get("officialTitle")),
            official_title=_clean(ident.get("officialTitle")),
            status=parse_status(status_mod.get("overallStatus")),
            record_format=V2,
            study_type=_enum_token(_clean(design.get("studyType"))),
            phases=_phases(list(design.get("phases") or ())),
            conditions=tuple(_clean(c) for c in cond.get("conditions") or () if _clean(c)),
            keywords=tuple(_clean(k) for k in cond.get("keywords") or () if _clean(k)),
            mesh_terms=tuple(dict.fromkeys(_clean(m.get("term")) for m in
                                           [*(browse.get("meshes") or ()), *(browse.get("ancestors") or ())]
                                           if _clean(m.get("term")))),
            interventions=tuple(
                Intervention(_enum_token(_clean(i.get("type"))) or "OTHER", _clean(i.get("name")),
                             _clean(i.get("description")), tuple(_clean(n) for n in i.get("otherNames") or ()))
                for i in arms.get("interventions") or ()),
            summary=_clean(desc.get("briefSummary")),
            eligibility_text=_clean(elig.get("eligibilityCriteria")),
            sex=_sex(elig.get("sex")),
            min_age=parse_age(elig.get("minimumAge"), field="minimumAge"),
            max_age=parse_age(elig.get("maximumAge"), field="maximumAge"),
            healthy_volunteers=None if hv is None else bool(hv),
            locations=tuple(_v2_location(loc) for loc in (ps.get("contactsLocationsModule") or {}).get(
                "locations") or ()),
            why_stopped=_clean(status_mod.get("whyStopped")),
            last_update=_clean((status_mod.get("lastUpdatePostDateStruct") or {}).get("date")),
        )
    except RecordError as err:
        err.nct_id = nct
        raise
    except (AttributeError, TypeError, ValueError) as err:  # a module of the wrong JSON type
        raise RecordError(f"malformed record ({err})", nct_id=nct) from None


def _v2_location(loc: dict[str, Any]) -> Location:
    geo = loc.get("geoPoint") or {}
    lat, lon = geo.get("lat"), geo.get("lon")
    return Location(_clean(loc.get("facility")), _clean(loc.get("city")), _clean(loc.get("state")),
                    _clean(loc.get("country")), float(lat) if lat is not None else None,
                    float(lon) if lon is not None else None, _clean(loc.get("status")))


# --------------------------------------------------------------------------------------------------- legacy XML


def parse_legacy_xml(data: bytes | str) -> Trial:
    """A Trial from one retired-format `<clinical_study>` document (parsed with defusedxml: no entity tricks)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    try:
        root = SafeET.fromstring(data)
    except (ParseError, DefusedXmlException) as err:
        raise RecordError(f"invalid XML ({err})") from None
    if root.tag != "clinical_study":
        raise RecordError(f"not a legacy ClinicalTrials.gov record: root element <{root.tag}>")

    def text(path: str) -> str:
        el = root.find(path)
        return " ".join((el.text or "").split()) if el is not None else ""

    def block(path: str) -> str:
        el = root.find(path)
        return _dedent(el.text or "") if el is not None else ""

    nct = _nct(text("id_info/nct_id"))
    try:
        hv = text("eligibility/healthy_volunteers").lower()
        return Trial(
            nct_id=nct,
            title=text("brief_title") or text("official_title"),
            official_title=text("official_title"),
            status=parse_status(text("overall_status")),
            record_format=LEGACY_XML,
            study_type=_enum_token(text("study_type")),
            phases=_phases([text("phase")]) if text("phase") else (),
            conditions=tuple(" ".join((c.text or "").split()) for c in root.findall("condition") if c.text),
            keywords=tuple(" ".join((k.text or "").split()) for k in root.findall("keyword") if k.text),
            mesh_terms=tuple(" ".join((m.text or "").split()) for m in root.findall("condition_browse/mesh_term")
                             if m.text),
            interventions=tuple(
                Intervention(_enum_token(i.findtext("intervention_type") or "OTHER"),
                             " ".join((i.findtext("intervention_name") or "").split()),
                             " ".join((i.findtext("description") or "").split()),
                             tuple(" ".join((o.text or "").split()) for o in i.findall("other_name") if o.text))
                for i in root.findall("intervention")),
            summary=block("brief_summary/textblock"),
            eligibility_text=block("eligibility/criteria/textblock"),
            sex=_sex(text("eligibility/gender") or "All"),
            min_age=parse_age(text("eligibility/minimum_age"), field="minimum_age"),
            max_age=parse_age(text("eligibility/maximum_age"), field="maximum_age"),
            healthy_volunteers=(None if not hv else hv.startswith(("accepts", "yes"))),
            locations=tuple(Location(
                " ".join((loc.findtext("facility/name") or "").split()),
                " ".join((loc.findtext("facility/address/city") or "").split()),
                " ".join((loc.findtext("facility/address/state") or "").split()),
                " ".join((loc.findtext("facility/address/country") or "").split()),
                status=_enum_token(loc.findtext("status") or "")) for loc in root.findall("location")),
            why_stopped=text("why_stopped"),
            last_update=text("last_update_posted"),
        )
    except RecordError as err:
        err.nct_id = nct
        raise


def _dedent(text: str) -> str:
    """Legacy text blocks are indented and hard-wrapped; keep line structure, drop the common indent."""
    import textwrap

    return textwrap.dedent(text.strip("\n")).strip()


# --------------------------------------------------------------------------------------------------- files


def _studies_in_json(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("studies"), list):
        return payload["studies"]
    return [payload]


def read_file(path: Path) -> Iterator[Trial | RecordProblem]:
    """Every record in one file: Trials, and a RecordProblem for each record (or file) that cannot be used."""
    src = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        yield RecordProblem(src, f"cannot read ({err.strerror})")
        return
    if path.suffix.lower() == ".xml":
        try:
            yield parse_legacy_xml(data)
        except RecordError as err:
            yield RecordProblem(src, str(err), err.nct_id)
        return
    try:
        payload = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        yield RecordProblem(src, f"invalid JSON ({err})")
        return
    studies = _studies_in_json(payload)
    for i, study in enumerate(studies):
        try:
            yield parse_v2(study)
        except RecordError as err:
            where = f"studies[{i}]: " if len(studies) > 1 else ""
            yield RecordProblem(src, where + str(err), err.nct_id)


def record_files(path: Path) -> list[Path]:
    """The `.json` and `.xml` files at `path` (a file, or a folder searched recursively), in a stable order."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".json", ".xml"))
    return [path]


def read_path(path: Path) -> Iterator[Trial | RecordProblem]:
    for f in record_files(path):
        yield from read_file(f)


def read_paths(paths: list[Path]) -> tuple[list[Trial], list[RecordProblem]]:
    """All usable records under `paths` and the problems met; a later copy of an NCT id replaces an earlier one."""
    trials: dict[str, Trial] = {}
    problems: list[RecordProblem] = []
    for p in paths:
        for item in read_path(Path(p)):
            if isinstance(item, RecordProblem):
                problems.append(item)
            else:
                trials[item.nct_id] = item
    return list(trials.values()), problems

