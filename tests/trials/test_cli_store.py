"""`rarepath trials import|match` through the CLI: the store under --db or $RAREPATH_HOME, re-import replaces,
bad records named and skipped, and the JSON contract of `trials match --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.cli import main
from rarepath.trials.store import TrialStore

WRITTEN = Path(__file__).resolve().parents[1] / "data" / "trials" / "written"
SMA = ["--gene", "SMN1", "--variant", "deletion of exons 7-8", "--zygosity", "homozygous",
       "--patient", "age=2; sex=female; anti_AAV9_titre=1:25"]


def test_import_real_and_written_records_then_reimport_replaces(tmp_path: Path, capsys) -> None:
    db = tmp_path / "rp.sqlite"
    assert main(["trials", "import", str(shared_path("trials")), str(WRITTEN), "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert "imported 30 trial record(s)" in captured.out and "1 skipped" in captured.out
    assert "NCT04780763.json" in captured.err  # the retired "classic" API format is named, not stored
    with TrialStore.open(db) as store:
        assert store.count() == 30
        first = store.get("NCT99000001")
        assert first.source.endswith("NCT99000001.json") and first.imported_at
    changed = json.loads((WRITTEN / "NCT99000001.json").read_text())
    changed["protocolSection"]["identificationModule"]["briefTitle"] = "Renamed"
    changed["protocolSection"]["statusModule"]["overallStatus"] = "SUSPENDED"
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "x.json").write_text(json.dumps(changed))
    assert main(["trials", "import", str(tmp_path / "again"), "--db", str(db)]) == 0
    with TrialStore.open(db) as store:
        assert store.count() == 30
        again = store.get("NCT99000001")
        assert again.trial.title == "Renamed" and again.trial.status.value == "SUSPENDED"
        assert again.source.endswith("x.json")


def test_bad_records_are_skipped_and_the_rest_imported(tmp_path: Path, capsys) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.json").write_text((WRITTEN / "NCT99000002.json").read_text())
    (src / "bad.json").write_text("[1, 2")
    rec = json.loads((WRITTEN / "NCT99000003.json").read_text())
    rec["protocolSection"]["statusModule"]["overallStatus"] = "PAUSED"
    (src / "status.json").write_text(json.dumps(rec))
    assert main(["trials", "import", str(src), "--db", str(tmp_path / "db.sqlite")]) == 0
    captured = capsys.readouterr()
    assert "imported 1 trial record(s)" in captured.out and "2 skipped" in captured.out
    assert "bad.json: invalid JSON" in captured.err
    assert "status.json (NCT99000003): overallStatus: unknown status 'PAUSED'" in captured.err


def test_nothing_usable_or_missing_path_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "bad.json").write_text("{}")
    assert main(["trials", "import", str(tmp_path / "bad.json"), "--db", str(tmp_path / "db.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "no usable trial record" in err and "Traceback" not in err
    assert main(["trials", "import", str(tmp_path / "nope"), "--db", str(tmp_path / "db.sqlite")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_default_location_is_rarepath_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAREPATH_HOME", str(tmp_path / "home"))
    assert main(["trials", "import", str(WRITTEN / "NCT99000001.json")]) == 0
    assert (tmp_path / "home" / "kb.sqlite").is_file()


def test_match_json_contract(tmp_path: Path, capsys) -> None:
    db = tmp_path / "db.sqlite"
    assert main(["trials", "import", str(WRITTEN), "--db", str(db)]) == 0
    out = tmp_path / "m.json"
    assert main(["trials", "match", *SMA, "--id", "sma-girl", "--json", str(out), "--db", str(db),
                 "--near", "Boston"]) == 0
    printed = capsys.readouterr().out
    assert "NCT99000001" in printed and "not medical advice" in printed
    data = json.loads(out.read_text())
    assert data["case_id"] == "sma-girl"
    ids = [t["nct_id"] for t in data["trials"]]
    assert ids[0] == "NCT99000001" and set(ids) == {"NCT99000001", "NCT99000004", "NCT99000005"}
    for t in data["trials"]:
        assert {"nct_id", "title", "status", "eligibility", "relevance", "failing", "to_check"} <= set(t)
        assert t["eligibility"] in ("eligible", "possibly_eligible", "not_eligible")
        assert 0 <= t["relevance"] <= 1
        assert all({"criterion", "reason"} <= set(f) for f in t["failing"])
        assert all(isinstance(s, str) for s in t["to_check"])
    first = data["trials"][0]
    assert first["eligibility"] == "possibly_eligible" and first["nearest_site"].startswith("Example Children")
    # the triage finds gene replacement not suitable (anti-AAV9 1:25 above its 1:5 threshold, label age < 2 y):
    # the AAV9 trial (threshold 1:50, up to 5 years) is listed with that conflict
    (conflict,) = first["conflicts"]
    assert conflict["modality"] == "gene_replacement" and conflict["verdict"] == "not_suitable"
    assert any("patient_not_eligible" in r or "label_requirement_failed" in r for r in conflict["triage_reasons"])
    assert not any("pre_existing_aav_antibodies" in r for r in conflict["triage_reasons"])
    assert main(["trials", "match", *SMA, "--json", str(out), "--db", str(db), "--all", "-q"]) == 0
    assert len(json.loads(out.read_text())["trials"]) == 6


def test_match_takes_a_case_file_like_assess(tmp_path: Path, capsys) -> None:
    db = tmp_path / "db.sqlite"
    assert main(["trials", "import", str(WRITTEN), "--db", str(db)]) == 0
    example = Path(__file__).resolve().parents[2] / "src" / "rarepath" / "examples" / "dmd_boy.yaml"
    out = tmp_path / "m.json"
    assert main(["trials", "match", str(example), "--json", str(out), "--db", str(db), "-q"]) == 0
    data = json.loads(out.read_text())
    assert data["case_id"] == "example-dmd-boy"
    assert {t["nct_id"] for t in data["trials"]} == {"NCT99000002", "NCT99000003"}


@pytest.mark.parametrize(("argv", "needle"), [
    (["trials", "match"], "give a case file or --gene"),
    (["trials", "match", *SMA, "--phase", "PHASE9"], "unknown phase 'PHASE9'"),
    (["trials", "match", *SMA, "--within-km", "10"], "--within-km needs --near"),
    (["trials", "match", *SMA, "--near", "Atlantis"], "not a site city"),
    (["trials", "match", *SMA, "--status", "PAUSED"], "unknown status 'PAUSED'"),
    (["trials", "fetch", "--condition", "spinal muscular atrophy"], "add --network"),
    (["trials", "fetch", "--network"], "give --condition TEXT or --gene SYMBOL"),
])
def test_bad_options_exit_2_with_one_line(tmp_path: Path, capsys, argv: list[str], needle: str) -> None:
    assert main([*argv, "--db", str(tmp_path / "db.sqlite")]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1, err


def test_assess_with_trials_adds_them_to_both_reports(tmp_path: Path, capsys) -> None:
    db = tmp_path / "db.sqlite"
    assert main(["trials", "import", str(WRITTEN), "--db", str(db)]) == 0
    out = tmp_path / "a.json"
    assert main(["assess", "--gene", "DMD", "--variant", "deletion of exons 48-50", "--zygosity", "hemizygous",
                 "--patient", "age=6; sex=male; ambulatory=yes", "--id", "dmd", "--trials-db", str(db),
                 "--json", str(out), "--html", str(tmp_path / "html"), "-q"]) == 0
    section = json.loads(out.read_text())["trials"]
    assert {t["nct_id"] for t in section["trials"]} == {"NCT99000002", "NCT99000003"}
    assert section["counts"]["possibly_eligible"] == 2 and "not medical advice" in section["disclaimer"]
    clinician = (tmp_path / "html" / "dmd.clinician.html").read_text()
    family = (tmp_path / "html" / "dmd.family.html").read_text()
    assert "Clinical-trial pre-screening" in clinician and "NCT99000003" in clinician
    assert "To check:" in clinician
    assert "Clinical studies that might fit" in family and "NCT99000002" in family
    # without --trials the assessment JSON is unchanged
    assert main(["assess", "--gene", "DMD", "--variant", "deletion of exons 48-50", "--zygosity", "hemizygous",
                 "--json", str(out), "-q"]) == 0
    assert "trials" not in json.loads(out.read_text())


def test_store_on_postgresql(tmp_path: Path, capsys) -> None:
    """The same table and re-import on a shared PostgreSQL database (a private throwaway server)."""
    import psycopg  # noqa: F401 - a dependency: fail, never skip

    from pg_server import ServerUnavailable, start_server

    try:
        server = start_server()
    except ServerUnavailable as err:
        pytest.skip(str(err))
    try:
        url = server.create_database("trials_store")
        assert main(["trials", "import", str(WRITTEN), "--db", url]) == 0
        assert main(["trials", "import", str(WRITTEN / "NCT99000004.json"), "--db", url]) == 0
        with TrialStore.open(url) as store:
            assert store.count() == 6
            assert store.get("NCT99000004").trial.status.value == "TERMINATED"
        out_json = tmp_path / "m.json"
        assert main(["trials", "match", *SMA, "--db", url, "--json", str(out_json), "-q"]) == 0
        assert len(json.loads(out_json.read_text())["trials"]) == 3
    finally:
        server.stop()
