"""Long-term follow-up as pure functions: the visit plan after a treatment, CTCAE lab grades, overdue visits.

The plan comes from two curated tables: `follow_up.tsv` (category -> duration, guidance; the same row the
triage's safety section cites) and `follow_up_schedule.tsv` (category -> phases of visits with their
checks). A treatment's category is the one the assessment chose for the option (`safety.category`), so a
lentiviral ex vivo product gets blood counts and integration-site analysis for 15 years, an AAV product
liver enzymes weekly and then yearly reviews for 5 years. Lab values are graded with `lab_grades.tsv`
(CTCAE v5.0) against the lab's own reference range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from rarepath.errors import KnowledgeError
from rarepath.knowledge.context import split_multi
from rarepath.knowledge.curated import load_table

SCHEDULE_TABLE = "follow_up_schedule"
LAB_TABLE = "lab_grades"
DAYS_PER_YEAR = 365
#: Categories without long-term follow-up (duration 0) are still followed for one year of label monitoring.
MIN_PLAN_DAYS = 365


@dataclass(frozen=True)
class PlannedVisit:
    """One visit of a plan: when (days after treatment, date), how late it may be, what is checked and why."""

    day: int
    due_on: dt.date
    window_days: int
    phase: str
    checks: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class FollowUpPlan:
    category: str
    duration_years: float
    guidance: str
    visits: tuple[PlannedVisit, ...] = field(default_factory=tuple)


def parse_days(spec: str, *, source: str = SCHEDULE_TABLE) -> list[int]:
    """`7;14;28` or `730-1825/365` (or both, `;`-separated) -> sorted days."""
    days: set[int] = set()
    for token in split_multi(spec):
        try:
            if "-" in token:
                span, _, step = token.partition("/")
                lo, hi = (int(x) for x in span.split("-", 1))
                if not step or int(step) <= 0 or lo > hi:
                    raise ValueError
                days.update(range(lo, hi + 1, int(step)))
            else:
                days.add(int(token))
        except ValueError:
            raise KnowledgeError(f"bad day specification {token!r} (expected N or FROM-TO/STEP)",
                                 source=source, field="days") from None
    if not days or min(days) < 0:
        raise KnowledgeError(f"no valid days in {spec!r}", source=source, field="days")
    return sorted(days)


@cache
def categories() -> dict[str, dict[str, str]]:
    """follow_up.tsv rows by category."""
    return {r["category"]: r for r in load_table("follow_up")}


def plan_follow_up(category: str, start: dt.date) -> FollowUpPlan:
    """The full visit plan for a treatment of `category` given on `start` (visits on one day are merged)."""
    cats = categories()
    if category not in cats:
        raise KnowledgeError(f"unknown follow-up category {category!r} (known: {', '.join(sorted(cats))})",
                             source="follow_up.tsv", field="category")
    row = cats[category]
    by_day: dict[int, dict[str, list[str] | int]] = {}
    for phase in load_table(SCHEDULE_TABLE):
        if phase["category"] != category:
            continue
        for day in parse_days(phase["days"]):
            slot = by_day.setdefault(day, {"phase": [], "checks": [], "sources": [], "window": 10**6})
            slot["phase"].append(phase["phase"])  # type: ignore[union-attr]
            for check in split_multi(phase["checks"]):
                if check not in slot["checks"]:  # type: ignore[operator]
                    slot["checks"].append(check)  # type: ignore[union-attr]
            if phase["source"] not in slot["sources"]:  # type: ignore[operator]
                slot["sources"].append(phase["source"])  # type: ignore[union-attr]
            slot["window"] = min(int(slot["window"]), int(phase["window_days"]))  # type: ignore[arg-type]
    visits = tuple(
        PlannedVisit(day=day, due_on=start + dt.timedelta(days=day), window_days=int(s["window"]),  # type: ignore[arg-type]
                     phase="; ".join(s["phase"]), checks=tuple(s["checks"]), sources=tuple(s["sources"]))  # type: ignore[arg-type]
        for day, s in sorted(by_day.items()))
    return FollowUpPlan(category=category, duration_years=float(row.get("duration_years") or 0),
                        guidance=row.get("guidance", ""), visits=visits)


def plan_days_required(category: str) -> int:
    """How far the plan must reach: the category's duration, at least one year."""
    years = float(categories()[category].get("duration_years") or 0)
    return max(int(round(years * DAYS_PER_YEAR)), MIN_PLAN_DAYS)


def is_overdue(due_on: dt.date, window_days: int, status: str, today: dt.date) -> bool:
    """A scheduled visit whose window has closed without it being recorded as done."""
    return status == "scheduled" and today > due_on + dt.timedelta(days=window_days)


# --------------------------------------------------------------------------------------------------- labs


@dataclass(frozen=True)
class LabGrade:
    """CTCAE grade of one lab value (0 = within range), with the term, rule and source."""

    analyte: str
    grade: int
    term: str
    detail: str
    source: str


@cache
def _lab_rows() -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for r in load_table(LAB_TABLE):
        for name in [r["analyte"], *split_multi(r.get("aliases"))]:
            rows[name.strip().lower()] = r
    return rows


def lab_analytes() -> list[str]:
    """Analytes graded automatically (canonical names)."""
    return sorted({r["analyte"] for r in _lab_rows().values()})


def canonical_analyte(name: str) -> str:
    row = _lab_rows().get(name.strip().lower())
    return row["analyte"] if row else name.strip()


def _unit_key(unit: str) -> str:
    """`x10^9/L`, `×10^9/L` and `10^9/l` compare equal; no unit conversion is attempted."""
    u = unit.strip().lower().replace(" ", "").replace("×", "x")
    return u[1:] if u.startswith("x10") else u


def grade_lab(analyte: str, value: float, unit: str = "", lower_limit: float | None = None,
              upper_limit: float | None = None) -> LabGrade | None:
    """CTCAE v5 grade of a lab value, or None when the analyte is not graded or the limits needed are missing.

    A `uln_multiple` analyte (ALT, bilirubin...) needs the lab's upper limit; an `absolute` one (platelets,
    neutrophils...) needs the table's unit, and the lab's lower limit for grade 1.
    """
    row = _lab_rows().get(analyte.strip().lower())
    if row is None:
        return None
    term, source = row["ctcae_term"], row["source"]
    thresholds = [(g, row[f"g{g}"]) for g in (4, 3, 2, 1) if row.get(f"g{g}")]
    if row["basis"] == "uln_multiple":
        if not upper_limit or upper_limit <= 0:
            return None
        ratio = value / upper_limit
        for g, t in thresholds:
            if ratio > float(t):
                return LabGrade(row["analyte"], g, term, f"{value:g} {unit} = {ratio:.1f} x ULN (> {t} x ULN)".replace(
                    "  ", " "), source)
        return LabGrade(row["analyte"], 0, term, f"{value:g} {unit} within range (<= ULN)".replace("  ", " "), source)
    if _unit_key(unit) != _unit_key(row["unit"]):
        return None
    for g, t in thresholds:
        if t == "LLN":
            if lower_limit is not None and value < lower_limit:
                return LabGrade(row["analyte"], g, term, f"{value:g} {unit} < LLN {lower_limit:g}", source)
        elif value < float(t):
            return LabGrade(row["analyte"], g, term, f"{value:g} {unit} < {t} {row['unit']}", source)
    if lower_limit is None:
        return None  # above every numeric threshold, but grade 1 (below LLN) cannot be ruled out
    return LabGrade(row["analyte"], 0, term, f"{value:g} {unit} within range (>= LLN {lower_limit:g})", source)


__all__ = ["PlannedVisit", "FollowUpPlan", "plan_follow_up", "plan_days_required", "parse_days", "is_overdue",
           "LabGrade", "grade_lab", "lab_analytes", "canonical_analyte"]
