"""Follow-up plans, CTCAE lab grading and overdue visits: pure functions over the curated tables."""

from __future__ import annotations

import datetime as dt

import pytest

from rarepath.errors import KnowledgeError
from rarepath.knowledge.curated import load_table
from rarepath.registry.followup import (
    categories,
    grade_lab,
    is_overdue,
    lab_analytes,
    parse_days,
    plan_days_required,
    plan_follow_up,
)

START = dt.date(2025, 3, 1)


@pytest.mark.parametrize("category", sorted(categories()))
def test_every_category_has_a_plan_for_its_full_duration(category: str) -> None:
    plan = plan_follow_up(category, START)
    assert plan.visits, category
    days = [v.day for v in plan.visits]
    assert days == sorted(set(days)), "visits on one day are merged and ordered"
    assert days[-1] == plan_days_required(category)
    for v in plan.visits:
        assert v.due_on == START + dt.timedelta(days=v.day)
        assert v.checks and v.sources and v.window_days > 0


def test_schedule_rows_name_known_categories_and_sources() -> None:
    for row in load_table("follow_up_schedule"):
        assert row["category"] in categories()
        assert row["source"] and row["basis"]


def test_product_class_specific_checks() -> None:
    aav = plan_follow_up("aav", START)
    weekly_alt = [v.day for v in aav.visits if "ALT" in v.checks and v.day <= 84]
    assert weekly_alt == list(range(7, 85, 7))
    assert any("anti-capsid antibodies" in v.checks for v in aav.visits)
    assert aav.visits[-1].due_on.year == START.year + 5
    lenti = plan_follow_up("integrating_vector", START)
    assert lenti.duration_years == 15 and lenti.visits[-1].day == 15 * 365
    assert any("integration-site analysis for clonal expansion" in v.checks for v in lenti.visits)
    assert all("complete blood count" in v.checks for v in lenti.visits)
    assert any("new malignancy" in v.checks for v in lenti.visits if v.day > 5 * 365)
    editing = plan_follow_up("genome_editing", START)
    assert any(c.startswith("off-target") for v in editing.visits for c in v.checks)
    assert any("clonality of edited cells" in v.checks for v in editing.visits)


def test_unknown_category_and_bad_day_specs_fail_loudly() -> None:
    with pytest.raises(KnowledgeError, match="unknown follow-up category 'plasmid'"):
        plan_follow_up("plasmid", START)
    assert parse_days("7;14;28") == [7, 14, 28]
    assert parse_days("730-1825/365;30") == [30, 730, 1095, 1460, 1825]
    for bad in ("7-1/1", "a", "10-20/0", ""):
        with pytest.raises(KnowledgeError):
            parse_days(bad)


@pytest.mark.parametrize(("analyte", "value", "unit", "low", "high", "grade"), [
    ("ALT", 35, "U/L", 7, 40, 0),
    ("alt", 41, "U/L", 7, 40, 1),
    ("ALT", 121, "U/L", 7, 40, 2),
    ("ALT", 250, "U/L", 7, 40, 3),
    ("SGPT", 900, "U/L", 7, 40, 4),
    ("total bilirubin", 2.0, "mg/dL", 0.1, 1.2, 2),
    ("platelet count", 140, "10^9/L", 150, 400, 1),
    ("platelets", 60, "x10^9/L", 150, 400, 2),
    ("platelet count", 30, "×10^9/L", 150, 400, 3),
    ("platelet count", 20, "10^9/L", None, None, 4),
    ("haemoglobin", 7.5, "g/dL", 12, 16, 3),
])
def test_ctcae_grades(analyte: str, value: float, unit: str, low: float | None, high: float | None,
                      grade: int) -> None:
    result = grade_lab(analyte, value, unit, low, high)
    assert result is not None and result.grade == grade
    assert "CTCAE v5.0" in result.source


def test_ungradable_values_are_not_guessed() -> None:
    assert grade_lab("ALT", 250, "U/L") is None  # no upper limit of normal
    assert grade_lab("platelet count", 140, "cells/uL", 150, 400) is None  # unit not in the table
    assert grade_lab("platelet count", 140, "10^9/L") is None  # grade 1 or normal: needs the LLN
    assert grade_lab("ferritin", 10, "ug/L", 20, 300) is None
    assert "ALT" in lab_analytes() and "platelet count" in lab_analytes()


def test_overdue_only_after_the_window_and_only_when_scheduled() -> None:
    due = dt.date(2025, 1, 10)
    assert not is_overdue(due, 7, "scheduled", dt.date(2025, 1, 17))
    assert is_overdue(due, 7, "scheduled", dt.date(2025, 1, 18))
    assert not is_overdue(due, 7, "done", dt.date(2026, 1, 1))
