"""The family report speaks to the reader in plain words: "you" for an adult, "your child" for a child."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rarepath.report.plain import RULE_PLAIN, VERDICT_WHY, person
from rarepath.report.render import render_family_html
from rarepath.report.view import family_view

CANONICAL = sorted((Path(__file__).resolve().parents[1] / "data" / "canonical").glob("*.yaml"))
#: What a family must never read: HGVS, editor jargon, internal states, vocabulary tokens.
JARGON = re.compile(r"\b[cpg]\.[\d(*-]|\bNM_\d|\bnick\b|\bPAM\b|\bnt\b|DrugCentral|not imported|knowledge base|"
                    r"\b[a-z]+_[a-z_]+\b|\bCDS\b|\bbp\b|\bHSC\b|\bLNP\b|\bABE\b|\bsgRNA\b")


def visible(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<head>.*?</head>", "", html, flags=re.S))
    return " ".join(text.replace("&#39;", "'").split())


def test_an_adult_is_addressed_as_you(named_case):
    text = visible(render_family_html(named_case("ttr_adult")))
    assert "your child" not in text and "your doctors" in text


def test_a_child_is_addressed_through_the_parent(named_case):
    text = visible(render_family_html(named_case("sma_infant")))
    assert "your child's doctors" in text


def test_unknown_age_names_the_patient():
    assert person(None)["poss"] == "the patient's" and person(18)["subj"] == "you" and person(17.9)["subj"] == \
        "your child"


def test_no_gene_case_prints_one_message_not_six_options(named_case):
    f = family_view(named_case("no_gene"))
    assert f["options"] == [] and "No single disease gene" in f["no_gene"]
    assert "Please note" in render_family_html(named_case("no_gene"))


def test_reasons_agree_with_verdicts(case_data):
    _, data = case_data
    positive = {say for d, say in RULE_PLAIN.values() if d == "+"}
    negative = {say for d, say in RULE_PLAIN.values() if d == "-"}
    who = person(data["case"]["patient"].get("age_years"))
    for o in family_view(data)["options"]:
        against = positive if o["verdict"] in ("not_suitable", "contraindicated") else negative
        assert o["why"] and not any(p.format(**who) in o["why"] for p in against), o


@pytest.mark.slow
@pytest.mark.parametrize("path", CANONICAL, ids=[p.stem for p in CANONICAL])
def test_family_report_is_plain_and_readable(path):
    """Flesch-Kincaid grade 8 or lower (textstat), and no technical term, for every canonical case."""
    import textstat

    from rarepath.intake import load_case
    from rarepath.triage.engine import assess_case

    data = assess_case(load_case(path)).to_dict()
    text = visible(render_family_html(data))
    assert not JARGON.search(text), JARGON.search(text)
    assert textstat.flesch_kincaid_grade(text) <= 8.0, textstat.flesch_kincaid_grade(text)
    # the why of each option is one of the plain sentences (or the verdict's own), never engine detail
    plain = {say for _, say in RULE_PLAIN.values()} | set(VERDICT_WHY.values())
    who = person(data["case"]["patient"].get("age_years"))
    for o in family_view(data)["options"]:
        rest = o["why"]
        for p in sorted(plain, key=len, reverse=True):
            rest = rest.replace(p.format(**who), "")
        assert not rest.strip(), rest


def test_readability_of_the_three_report_cases(case_data):
    import textstat

    _, data = case_data
    assert textstat.flesch_kincaid_grade(visible(render_family_html(data))) <= 8.0


@pytest.mark.slow
def test_real_phenopackets_render_plainly(shared_data):
    """One public phenopacket per gene folder: no repr in either report, no jargon, grade 8 or lower."""
    import textstat

    from rarepath.errors import RarepathError
    from rarepath.intake import load_case
    from rarepath.report.render import render_clinician_html
    from rarepath.triage.engine import assess_case

    repr_ = re.compile(r"\{'|\[\]|\bNone\b|\[\{|\bTrue\b|\bFalse\b")
    folders = sorted(p for p in (shared_data / "phenopackets").iterdir() if p.is_dir())
    checked = 0
    for folder in folders:
        path = min(folder.glob("*.json"), default=None)
        if path is None:
            continue
        try:
            data = assess_case(load_case(path)).to_dict()
        except RarepathError:
            continue  # rejected input is tested elsewhere
        family = visible(render_family_html(data))
        assert not repr_.search(visible(render_clinician_html(data))), path
        assert not repr_.search(family) and not JARGON.search(family), path
        assert textstat.flesch_kincaid_grade(family) <= 8.0, path
        checked += 1
    assert checked >= 20
