"""Display values: every JSON value in words, approvals by region, one plan per distinct plan, HPO labels."""

from __future__ import annotations

import re

import pytest

from rarepath.report.render import render_clinician_html, render_family_html
from rarepath.report.view import approvals, clinician_view, hpo_label, human, number, plans, table

REPR = re.compile(r"\{'|\[\]|\bNone\b|\[\{|\(\)|\bTrue\b|\bFalse\b")


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))


@pytest.mark.parametrize(("value", "text"), [
    (None, "none"), ([], "none"), ({}, "none"), ("", "none"), (True, "yes"), (False, "no"),
    (0.050000000000000044, "0.05"), (2.0, "2"), (1234.56, "1235"), (float("nan"), "not measured"),
    ({"AAV9": "1:25"}, "AAV9: 1:25"), ([1, 2.5, None], "1, 2.5, none"),
    ([{"treatment": "A001", "score_delta": 0.050000000000000044}], "treatment: A001; score change: 0.05"),
])
def test_human_never_prints_python(value, text):
    assert human(value) == text


def test_number_rounds_for_reading():
    assert number(0.123456) == "0.123" and number(7) == "7" and number(float("inf")) == "unbounded"


def test_table_fills_missing_cells_with_none():
    t = table([{"name": "x", "ec50": 0.3333333}, {"name": "y", "q_value": None}])
    assert t["header"] == ["name", "EC50", "q-value"]
    assert t["rows"] == [["x", "0.333", "none"], ["y", "none", "none"]]


def test_approvals_by_region_from_the_therapies_table():
    a = approvals({"name": "onasemnogene abeparvovec", "status": "approved"})
    assert (a["fda"], a["ema"], a["other"]) == ("FDA 2019", "EMA 2020", "none")
    assert approvals({"name": "exagamglogene autotemcel"})["other"] == "MHRA 2023"
    assert approvals({"name": "eteplirsen"})["summary"] == "FDA 2016; conditional approval"
    w = approvals({"name": "alipogene tiparvovec"})
    assert w["state"] == "withdrawn" and "withdrawn" in w["summary"]
    trial = approvals({"name": "tominersen"})
    assert trial["fda"] == "not approved" and "clinical trial" in trial["summary"]


def test_approvals_given_in_the_assessment_win():
    a = approvals({"name": "made-up product", "approvals": "EMA:2031;FDA:2030"})
    assert a["regions"] == ["FDA 2030", "EMA 2031"]
    b = approvals({"name": "made-up product", "approvals": [{"agency": "EMA", "year": 2012, "status": "withdrawn"},
                                                            {"agency": "FDA", "year": 2014, "status": "refused"}]})
    assert b["fda"] == "FDA 2014 (refused)" and b["ema"] == "EMA 2012 (withdrawn)" and b["state"] == "withdrawn"
    assert approvals({"name": "x", "approvals": {"FDA": 2019}})["regions"] == ["FDA 2019"]


def test_hpo_ids_get_labels():
    assert hpo_label("HP:0001252") == "Hypotonia"
    assert "not found" in hpo_label("HP:9999999")


def test_one_plan_per_distinct_plan_and_none_for_unsuitable_options():
    d = {"mode": "in_vivo", "route": "intravenous"}
    s = {"category": "aav", "risks": ["hepatotoxicity"]}
    opts = [{"verdict": "recommended", "delivery": d, "safety": s, "follow_up": {}},
            {"verdict": "possible", "delivery": d, "safety": s, "follow_up": {}},
            {"verdict": "possible", "delivery": {**d, "route": "oral"}, "safety": {}, "follow_up": {}},
            {"verdict": "not_suitable", "delivery": d, "safety": {"category": "ttr"}, "follow_up": {}}]
    found, of = plans(opts)
    assert [p["options"] for p in found] == [[1, 2], [3]]
    assert of == {1: "plan-1", 2: "plan-1", 3: "plan-2"}


def test_clinician_report_has_no_python_reprs_and_every_hpo_label(case_data):
    name, data = case_data
    html = render_clinician_html(data)
    text = visible(html)
    assert not REPR.search(text), REPR.search(text)
    for term in data["case"]["phenotypes"] + data["case"]["excluded_phenotypes"]:
        assert f"{hpo_label(term)} ({term})" in " ".join(text.split())
    assert re.search(r"label facts .{0,40}last checked:? 2026", " ".join(text.split()))


def test_plans_are_not_repeated_under_unsuitable_options(named_case):
    data = named_case("sma_infant")
    html = render_clinician_html(data)
    v = clinician_view(data)
    planned = [o for o in v["options"] if o["plan"]]
    assert planned and all(o["verdict"] in ("recommended", "possible") for o in planned)
    # each safety risk list appears once per distinct plan, not once per option
    risk = data["options"][0]["safety"]["risks"][0]
    assert html.count(f"<li>{risk}</li>") == sum(1 for p in v["plans"] if p["safety"] and risk in p["safety"]["risks"])
    assert len(v["plans"]) < len(data["options"])


def test_in_document_links_have_targets(case_data):
    _, data = case_data
    for html in (render_clinician_html(data), render_family_html(data)):
        ids = set(re.findall(r'id="([^"]+)"', html))
        for target in re.findall(r'href="#([^"]+)"', html):
            assert target in ids, target


def test_new_option_fields_render_in_words(named_case):
    data = named_case("ttr_adult")
    opt = {**data["options"][0], "evidence_level": {"grade": "B", "trials": ["NCT1", "NCT2"]},
           "affected_status": None}
    text = visible(render_clinician_html({**data, "options": [opt]}))
    assert "Evidence level:" in text and "grade: B; trials: NCT1, NCT2" in text
    assert not REPR.search(text)


def test_screens_and_designs_render_as_tables(named_case):
    data = {**named_case("sma_infant"),
            "screens": [{"id": "s1", "source": "out/ranking.tsv", "report": None, "figures": [],
                         "ranking": [{"name": "ASO-ex51", "ec50": 0.050000000000000044, "q_value": None,
                                      "call": "hit"}]}],
            "designs": [{"kind": "aso_design", "source": "aso.json", "goal": "skip-exon:51", "region": "DMD",
                         "headline": "12 candidate oligos", "approved_drug_matches": [{"name": "eteplirsen"}],
                         "shortlist": [{"rank": 1, "oligo": "CTCCAACATCAAGGAAGATGGCATTTCTAG", "score": 0.91234,
                                        "approved_drug": None}]}]}
    text = visible(render_clinician_html(data))
    assert not REPR.search(text), REPR.search(text)
    flat = " ".join(text.split())
    assert "0.05" in flat and "0.912" in flat and "name: eteplirsen" in flat


def test_exon_skipping_design_headline_is_words(tmp_path):
    import json

    from rarepath.report.designs import summarise_design

    p = tmp_path / "frame.json"
    p.write_text(json.dumps({"gene": "DMD", "first": 48, "last": 50, "frame": "out_of_frame", "single_skips": [51],
                             "products": []}))
    assert summarise_design(p)["headline"] == ("deletion of exons 48-50 is out of frame; frame-restoring single "
                                               "skips: exon 51")


def test_gene_less_case_is_one_message_not_six_rows(named_case):
    data = named_case("no_gene")
    v = clinician_view(data)
    assert v["options"] == [] and "gene replacement" in v["no_gene"]["modalities"]
    html = render_clinician_html(data)
    assert 'id="no-gene"' in html and 'id="verdicts"' not in html
