"""Matching a case against the real records and the written gene-therapy records."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.intake.quick import case_from_options
from rarepath.model.types import Assessment, Evidence, Mechanism, MechanismCall, Modality, Option, Verdict
from rarepath.trials.match import (
    RELEVANT,
    Eligibility,
    Filters,
    TrialIndex,
    disease_phrases,
    match_case,
    resolve_place,
)
from rarepath.trials.records import read_paths

WRITTEN = Path(__file__).resolve().parents[1] / "data" / "trials" / "written"
E, P, N = Eligibility.ELIGIBLE, Eligibility.POSSIBLY_ELIGIBLE, Eligibility.NOT_ELIGIBLE


@pytest.fixture(scope="module")
def index() -> TrialIndex:
    paths = [WRITTEN]
    real = Path(__file__).resolve().parents[3] / "shared" / "data" / "trials"
    if real.is_dir():
        paths += [real / "v2", real / "legacy_xml"]
    trials, _ = read_paths(paths)
    return TrialIndex(trials)


def _sma(patient: str, variant: str = "deletion of exons 7-8"):
    return case_from_options("SMN1", variant, "homozygous", patient)


def _by_id(result) -> dict:
    return {m.trial.nct_id: m for m in result.trials}


def test_disease_names_give_inverted_and_parent_forms() -> None:
    p = disease_phrases("Spinal muscular atrophy, type I; SMA1")
    assert p["spinal muscular atrophy type i"] == 1.0 and p["spinal muscular atrophy"] == 0.7 and p["sma1"] == 0.8
    assert disease_phrases("Muscular dystrophy, Duchenne type")["duchenne muscular dystrophy"] == 1.0
    assert "neuronal ceroid lipofuscinosis" in disease_phrases("Ceroid lipofuscinosis, neuronal, 2")


def test_only_relevant_trials_are_listed(index: TrialIndex) -> None:
    result = match_case(_sma("age=2; sex=female; anti_AAV9_titre=1:25"), None, index)
    assert set(_by_id(result)) == {"NCT99000001", "NCT99000004", "NCT99000005"}
    assert all(m.relevance >= RELEVANT for m in result.trials)


def test_anti_aav9_titre_below_and_above_the_threshold(index: TrialIndex) -> None:
    below = _by_id(match_case(_sma("age=2; sex=female; anti_AAV9_titre=1:25"), None, index))["NCT99000001"]
    assert below.eligibility == P  # open items remain (sitting, liver tests, prior therapy not recorded)
    assert any(m["criterion"].startswith("Anti-AAV9 total binding antibody titer ≤ 1:50") for m in below.met)
    assert "Able to sit independently" in below.to_check
    above = _by_id(match_case(_sma("age=2; sex=female; anti_AAV9_titre=1:100"), None, index))["NCT99000001"]
    assert above.eligibility == N
    (fail,) = above.failing
    assert fail["criterion"] == "Anti-AAV9 total binding antibody titer ≤ 1:50 by ELISA"
    assert "1:100" in fail["reason"] and fail["source"]


def test_prior_gene_therapy_makes_a_trial_not_eligible(index: TrialIndex) -> None:
    case = _sma("age=2; sex=female; anti_AAV9_titre=1:25; prior_treatments=onasemnogene abeparvovec")
    m = _by_id(match_case(case, None, index))["NCT99000001"]
    assert m.eligibility == N
    assert {f["criterion"] for f in m.failing} == {
        "Prior treatment with any gene therapy, or participation in a gene transfer study",
        "Previously treated with onasemnogene abeparvovec"}


def test_terminated_trial_is_never_open(index: TrialIndex) -> None:
    result = match_case(_sma("age=1; sex=female; anti_AAV9_titre=1:10; prior_treatments=nusinersen"), None, index,
                        include_all=True)
    by_id = _by_id(result)
    stopped = by_id["NCT99000004"]
    assert stopped.eligibility == N and stopped.relevance >= RELEVANT
    assert any(f["rule"] == "status" and "TERMINATED" in f["criterion"] for f in stopped.failing)
    for m in result.trials:
        if not m.trial.status.open_to_enrolment:
            assert m.eligibility == N, m.trial.nct_id


def test_trial_for_another_disease_is_never_eligible(index: TrialIndex) -> None:
    shared_path("trials")
    result = match_case(_sma("age=30; sex=male"), None, index, include_all=True)
    by_id = _by_id(result)
    dermatitis = by_id["NCT02210780"]  # atopic dermatitis, adults, completed
    assert dermatitis.eligibility == N and dermatitis.relevance < RELEVANT
    assert dermatitis.failing[0]["rule"] == "relevance"
    assert all(m.eligibility == N for m in result.trials if m.relevance < RELEVANT)
    assert len(result.trials) == len(index)  # --all lists every stored trial


def test_age_units_weeks_and_days(index: TrialIndex) -> None:
    def verdict(age: str) -> dict:
        m = _by_id(match_case(_sma(f"age={age}; sex=male; anti_AAV9_titre=<1:5"), None, index))["NCT99000005"]
        return {f["rule"] for f in m.failing}

    assert verdict("1w") == {"minimum_age"}  # minimum 2 weeks
    young = _by_id(match_case(_sma("age=1w; sex=male"), None, index))["NCT99000005"]
    assert "reaches the minimum age in about 7 days" in young.failing[0]["reason"]
    assert young.nearly_fits and not _by_id(match_case(_sma("age=7m; sex=male"), None, index))[
        "NCT99000005"].nearly_fits
    assert verdict("3w") == set()
    assert verdict("180d") == set()  # maximum 180 days, inclusive
    assert verdict("7m") == {"maximum_age"}


def test_real_gene_therapy_record_is_relevant_but_closed(index: TrialIndex) -> None:
    shared_path("trials")
    case = case_from_options("TPP1", None, None, "age=5; sex=male")
    m = _by_id(match_case(case, None, index))["NCT00151216"]  # AAV2CUhCLN2 for late-infantile NCL
    assert m.relevance >= RELEVANT and m.eligibility == N
    assert [f["rule"] for f in m.failing] == ["status"]  # active, not recruiting; ages 3-18 years fit
    assert any(x["rule"] == "minimum_age" for x in m.met) and any(x["rule"] == "maximum_age" for x in m.met)


def test_missing_maximum_age_and_sex_all(index: TrialIndex) -> None:
    case = case_from_options("TPP1", None, None, "age=40; sex=female")
    m = _by_id(match_case(case, None, index))["NCT99000006"]  # no age limits, sex ALL
    assert m.eligibility == P and not m.failing
    assert not [x for x in m.met if x["rule"] in ("minimum_age", "maximum_age", "sex")]


def test_male_only_trial_for_a_girl(index: TrialIndex) -> None:
    case = case_from_options("DMD", "deletion of exons 48-50", "heterozygous", "age=6; sex=female; ambulatory=yes")
    m = _by_id(match_case(case, None, index))["NCT99000002"]
    assert m.eligibility == N and any(f["criterion"] == "Sex: male only" for f in m.failing)


def _assessment(case, verdict: Verdict) -> Assessment:
    why = Evidence("test_rule", "test", "gene replacement judged for this test")
    options = [Option(Modality.GENE_REPLACEMENT, "SMN1", verdict, 0.1, [why]),
               Option(Modality.GENE_ADDITION, "SMN1", Verdict.NOT_SUITABLE, 0.1, [why])]
    return Assessment(case, MechanismCall("SMN1", Mechanism.LOSS_OF_FUNCTION, 0.9, ()), options, "", "test")


def test_gene_therapy_trial_shows_the_triage_conflict(index: TrialIndex) -> None:
    case = _sma("age=2; sex=female; anti_AAV9_titre=1:25")
    m = _by_id(match_case(case, _assessment(case, Verdict.NOT_SUITABLE), index))["NCT99000001"]
    assert m.conflicts and m.conflicts[0]["modality"] == "gene_replacement"
    assert m.conflicts[0]["verdict"] == "not_suitable" and m.eligibility != E
    ok = _by_id(match_case(case, _assessment(case, Verdict.RECOMMENDED), index))["NCT99000001"]
    assert ok.conflicts == []


def test_real_triage_of_the_dmd_example_keeps_exon_skipping_without_conflict(index: TrialIndex) -> None:
    from rarepath.triage.engine import assess_case

    case = case_from_options("DMD", "deletion of exons 48-50", "hemizygous", "age=6; sex=male; ambulatory=yes")
    by_id = _by_id(match_case(case, assess_case(case), index))
    skip = by_id["NCT99000003"]
    assert skip.conflicts == [] and skip.eligibility == P
    assert any("exon 51 skipping" in x["criterion"] for x in skip.met)


def test_filters_and_distance(index: TrialIndex) -> None:
    case = _sma("age=2; sex=female; anti_AAV9_titre=1:25")
    paris = resolve_place("Paris", index_trials(index))
    near = match_case(case, None, index, Filters(near=paris, within_km=50))
    assert set(_by_id(near)) == {"NCT99000001", "NCT99000005"}
    assert _by_id(near)["NCT99000001"].distance_km == pytest.approx(0.0, abs=0.1)
    boston = _by_id(match_case(case, None, index, Filters(near=resolve_place("42.36,-71.06", []))))
    assert boston["NCT99000001"].distance_km < 5 and 5000 < boston["NCT99000005"].distance_km < 6000
    assert set(_by_id(match_case(case, None, index, Filters(phases=frozenset({"PHASE3"}))))) == {"NCT99000001"}
    genetic = match_case(case, None, index, Filters(intervention_types=frozenset({"BIOLOGICAL"})))
    assert set(_by_id(genetic)) == {"NCT99000005"} and genetic.filtered_out == 2
    assert match_case(case, None, index, Filters(healthy_volunteers=True)).trials == []
    assert len(match_case(case, None, index, Filters(healthy_volunteers=False)).trials) == 3
    recruiting = match_case(case, None, index, Filters(statuses=frozenset({"RECRUITING"})))
    assert set(_by_id(recruiting)) == {"NCT99000001"}


def index_trials(index: TrialIndex) -> list:
    return [e.trial for e in index.entries]


def test_unknown_place_is_a_one_line_input_error(index: TrialIndex) -> None:
    from rarepath.errors import InputError

    with pytest.raises(InputError, match="not a site city"):
        resolve_place("Atlantis", index_trials(index))
    with pytest.raises(InputError, match="out of range"):
        resolve_place("95,10", [])


def test_every_item_settled_makes_a_trial_eligible() -> None:
    import json

    from rarepath.trials.records import parse_v2

    rec = json.loads((WRITTEN / "NCT99000001.json").read_text())
    rec["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Age 6 months to 5 years at the time of dosing\n"
        "* Anti-AAV9 total binding antibody titer ≤ 1:50 by ELISA\n\nExclusion Criteria:\n\n"
        "* Prior treatment with any gene therapy\n* Requires invasive ventilation or tracheostomy\n")
    trial = parse_v2(rec)
    fit = _sma("age=2; sex=female; anti_AAV9_titre=1:25; prior_treatments=nusinersen; ventilator_dependent=no")
    (m,) = match_case(fit, None, [trial]).trials
    assert m.eligibility == E and m.to_check == [] and m.failing == []
    assert len(m.met) == 6  # 4 items + minimum and maximum age
    unknown = _sma("age=2; sex=female; anti_AAV9_titre=1:25; prior_treatments=nusinersen")
    (m,) = match_case(unknown, None, [trial]).trials
    assert m.eligibility == P and m.to_check == ["Requires invasive ventilation or tracheostomy"]
