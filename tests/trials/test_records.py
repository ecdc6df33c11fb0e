"""Reading ClinicalTrials.gov records: API v2 JSON and legacy XML, age units, bad records named and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.trials.records import (
    LEGACY_XML,
    V2,
    RecordError,
    Trial,
    TrialStatus,
    parse_age,
    parse_status,
    read_file,
    read_paths,
)

WRITTEN = Path(__file__).resolve().parents[1] / "data" / "trials" / "written"


def _by_id(trials: list[Trial]) -> dict[str, Trial]:
    return {t.nct_id: t for t in trials}


def test_real_v2_and_legacy_records_parse() -> None:
    trials, problems = read_paths([shared_path("trials", "v2"), shared_path("trials", "legacy_xml")])
    assert len(trials) == 24 and problems == []
    t = _by_id(trials)
    cln2 = t["NCT00151216"]  # AAV2 gene transfer for CLN2 disease, legacy XML
    assert cln2.record_format == LEGACY_XML and cln2.status == TrialStatus.ACTIVE_NOT_RECRUITING
    assert (cln2.min_age.years, cln2.max_age.years) == (3.0, 18.0)
    assert cln2.interventions[0].type == "BIOLOGICAL" and "AAV2CUhCLN2" in cln2.interventions[0].name
    assert "Late Infantile Neuronal Ceroid Lipofuscinosis" in cln2.conditions
    assert cln2.eligibility_text.startswith("Inclusion Criteria:")
    assert t["NCT02654730"].status == TrialStatus.TERMINATED and t["NCT02654730"].sex == "MALE"
    assert t["NCT02654730"].phases == ("PHASE2", "PHASE3")
    assert t["NCT00001177"].sex == "FEMALE" and t["NCT00001177"].healthy_volunteers is True
    assert t["NCT02028676"].min_age.unit == "month" and t["NCT02028676"].min_age.years == pytest.approx(0.25)
    cf = t["NCT00763412"]  # API v2
    assert cf.record_format == V2 and cf.status == TrialStatus.COMPLETED and cf.sex == "ALL"
    assert (cf.min_age.text, cf.max_age.text) == ("12 years", "24 years")
    assert "Cystic Fibrosis" in cf.mesh_terms
    dup = t["NCT02210780"]
    assert dup.locations[0].lat == pytest.approx(33.52066) and dup.locations[0].city == "Birmingham"
    assert t["NCT03475563"].max_age is None  # no maximum age in the record
    assert t["NCT03182660"].status == TrialStatus.WITHHELD


def test_classic_api_record_is_reported_not_parsed() -> None:
    items = list(read_file(shared_path("trials", "classic_fullstudies", "NCT04780763.json")))
    assert len(items) == 1 and "no protocolSection" in items[0].problem


@pytest.mark.parametrize(("raw", "years"), [("12 Years", 12.0), ("1 Year", 1.0), ("3 Months", 0.25),
                                            ("6 Weeks", 6 * 7 / 365.25), ("180 Days", 180 / 365.25)])
def test_age_units(raw: str, years: float) -> None:
    assert parse_age(raw, field="minimumAge").years == pytest.approx(years)


@pytest.mark.parametrize("raw", [None, "", "N/A"])
def test_no_age_limit(raw: str | None) -> None:
    assert parse_age(raw, field="maximumAge") is None


def test_bad_age_and_status_are_record_errors() -> None:
    with pytest.raises(RecordError, match="age must be"):
        parse_age("twelve", field="minimumAge")
    with pytest.raises(RecordError, match="unknown status 'HALTED'"):
        parse_status("HALTED")
    assert parse_status("Active, not recruiting") == TrialStatus.ACTIVE_NOT_RECRUITING
    assert parse_status("Unknown status") == TrialStatus.UNKNOWN


def test_bad_records_are_reported_with_their_file_and_the_rest_read(tmp_path: Path) -> None:
    good = json.loads((WRITTEN / "NCT99000001.json").read_text())
    (tmp_path / "broken.json").write_text("{not json")
    no_id = json.loads(json.dumps(good))
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    (tmp_path / "no_id.json").write_text(json.dumps(no_id))
    bad_status = json.loads(json.dumps(good))
    bad_status["protocolSection"]["identificationModule"]["nctId"] = "NCT99000999"
    bad_status["protocolSection"]["statusModule"]["overallStatus"] = "HALTED"
    (tmp_path / "page.json").write_text(json.dumps({"studies": [good, bad_status]}))
    (tmp_path / "bad.xml").write_text("<clinical_study><id_info></id_info>")
    trials, problems = read_paths([tmp_path])
    assert [t.nct_id for t in trials] == ["NCT99000001"]
    lines = sorted(p.one_line() for p in problems)
    assert len(lines) == 4
    assert any("bad.xml" in s and "invalid XML" in s for s in lines)
    assert any("broken.json" in s and "invalid JSON" in s for s in lines)
    assert any("no_id.json" in s and "no NCT id" in s for s in lines)
    assert any("page.json (NCT99000999)" in s and "studies[1]" in s and "unknown status" in s for s in lines)


def test_round_trip_through_dict() -> None:
    trials, _ = read_paths([WRITTEN])
    for t in trials:
        assert Trial.from_dict(json.loads(json.dumps(t.to_dict()))) == t
