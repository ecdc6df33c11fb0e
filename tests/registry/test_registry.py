"""The registry on SQLite and on PostgreSQL: a case's life, access control, re-analysis, audit, exports."""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from rarepath.errors import InputError
from rarepath.registry import audit, exports, service
from rarepath.registry.access import Actor, Forbidden
from rarepath.registry.db import Registry
from rarepath.registry.models import (
    Alert,
    AlertKind,
    AuditEntry,
    Case,
    Role,
    Visit,
)
from registry_cases import ADMIN, PATIENT_ID, phenopacket

T0 = dt.date(2025, 1, 6)


def _count(reg: Registry, model: type) -> int:
    with reg.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _users(reg: Registry) -> dict[str, Actor]:
    """Two clinical teams, a lab member, a family, a researcher."""
    out = {}
    with reg.session() as s:
        for name, role, team in [("dr_a", Role.CLINICIAN, "neuro"), ("dr_b", Role.CLINICIAN, "haem"),
                                 ("lab_a", Role.LAB, "neuro"), ("doe_family", Role.FAMILY, None),
                                 ("other_family", Role.FAMILY, None), ("res", Role.RESEARCHER, None)]:
            out[name] = service.actor_for(service.add_user(s, ADMIN, username=name, password="long-password",
                                                           role=role, team=team))
    return out


def test_case_life_from_upload_to_follow_up(registry: Registry, sma_yaml: bytes) -> None:
    from rarepath.intake import load_case
    from rarepath.triage.engine import assess_case

    with registry.session() as s:
        case = service.add_case(s, ADMIN, filename="sma_infant.yaml", content=sma_yaml, team="neuro")
        a = service.assess(s, ADMIN, case)
        pseudonym, aid = case.pseudonym, a.id
    # the stored contract is the engine's, whole, and reads back identically from the database
    fresh = assess_case(load_case(Path("src/rarepath/examples/sma_infant.yaml"), case_id=pseudonym)).to_dict()
    with registry.session() as s:
        case = service.get_case(s, ADMIN, pseudonym)
        a = service.get_assessment(s, ADMIN, aid)
        assert case.received == sma_yaml and case.label == "example-sma-infant"
        assert [v.gene for v in case.variants] == ["SMN1"] and len(case.phenotypes) == 4
        assert a.contract["options"] == json.loads(json.dumps(fresh["options"]))
        assert a.contract["knowledge"] == a.knowledge and len(a.kb_version) == 64
        assert a.top_option == "gene_replacement:SMN1:recommended"
        d = service.decide(s, ADMIN, case, modality="gene_replacement", target="SMN1",
                           product="onasemnogene abeparvovec", rationale="approved, titre below the label limit")
        t = service.treat(s, ADMIN, case, product="onasemnogene abeparvovec", administered_on=T0, lot="LOT-1",
                          dose=1.1e14, dose_unit="vg/kg", decision=d)
        assert (t.category, t.route, d.verdict_at_decision) == ("aav", "intravenous", "recommended")
        visits = service.visits_of(s, case)
        assert visits[0].due_on == T0 + dt.timedelta(days=7) and visits[-1].day == 5 * 365
        first = visits[0]
        o = service.record_observation(s, ADMIN, case, analyte="ALT", value=250, unit="U/L", upper_limit=40,
                                       observed_on=first.due_on, visit_id=first.id)
        assert o.ctcae_grade == 3
        service.record_adverse_event(s, ADMIN, case, term="Hepatotoxicity", grade=3, serious=True,
                                     relatedness="probable", onset_on=first.due_on, treatment_id=t.id)
        service.record_observation(s, ADMIN, case, analyte="ALT", value=30, unit="U/L", upper_limit=40,
                                   observed_on=first.due_on)
        overdue = service.refresh_overdue_alerts(s, today=T0 + dt.timedelta(days=20))
        assert len(overdue) == 2  # days 7 and 14 are past their 2-day window on day 20
        assert service.refresh_overdue_alerts(s, today=T0 + dt.timedelta(days=20)) == []  # no duplicates
        service.record_visit(s, ADMIN, first.id, done_on=T0 + dt.timedelta(days=8))
        kinds = sorted(a.kind for a in service.alerts_for(s, ADMIN))
        assert kinds == ["abnormal_lab", "adverse_event", "overdue_visit"]
        assert audit.verify(s).ok


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.json", b'{"id": "x", ', "not a valid Phenopacket v2"),
    ("notes.txt", b"hello", "unknown case file type"),
    ("big.json", b" " * (service.MAX_UPLOAD_BYTES + 1), "the limit is 20 MB"),
    ("unknown_gene.json", phenopacket("NOTAGENE9"), "unknown gene symbol 'NOTAGENE9'"),
    ("empty.yaml", b"", "file is empty"),
])
def test_bad_uploads_are_refused_and_change_nothing(registry: Registry, sma_yaml: bytes, name: str, content: bytes,
                                                    message: str) -> None:
    with registry.session() as s:
        service.add_case(s, ADMIN, filename="sma_infant.yaml", content=sma_yaml)
    before = (_count(registry, Case), _count(registry, AuditEntry))
    with pytest.raises(InputError, match=message), registry.session() as s:
        service.add_case(s, ADMIN, filename=name, content=content)
    assert (_count(registry, Case), _count(registry, AuditEntry)) == before


def test_roles_see_only_their_cases(registry: Registry, sma_yaml: bytes, dmd_yaml: bytes) -> None:
    users = _users(registry)
    with registry.session() as s:
        mine = service.add_case(s, users["dr_a"], filename="sma.yaml", content=sma_yaml, patient_name="Jane Doe",
                                family_user="doe_family", consent="research")
        theirs = service.add_case(s, users["dr_b"], filename="dmd.yaml", content=dmd_yaml, consent="care")
        mine_p, theirs_p = mine.pseudonym, theirs.pseudonym
    with registry.session() as s:
        assert [c.pseudonym for c in service.list_cases(s, users["dr_a"])] == [mine_p]
        assert [c.pseudonym for c in service.list_cases(s, users["lab_a"])] == [mine_p]
        assert [c.pseudonym for c in service.list_cases(s, users["doe_family"])] == [mine_p]
        assert service.list_cases(s, users["other_family"]) == []
        assert [c.pseudonym for c in service.list_cases(s, users["res"])] == [mine_p]  # research consent only
        assert len(service.list_cases(s, ADMIN)) == 2
        for who, ref in [("dr_a", theirs_p), ("other_family", mine_p), ("res", theirs_p)]:
            with pytest.raises(Forbidden):
                service.get_case(s, users[who], ref)
        case = service.get_case(s, users["dr_a"], mine_p)
        with pytest.raises(Forbidden, match="lab role cannot record case"):
            service.assess(s, users["lab_a"], case)
        for who in ("doe_family", "res", "lab_a"):
            with pytest.raises(Forbidden):
                service.record_adverse_event(s, users[who], case, term="Fever", grade=1, serious=False,
                                             relatedness="possible", onset_on=T0)
        with pytest.raises(Forbidden):
            service.add_user(s, users["dr_a"], username="x", password="long-password", role="admin")
        model = service.add_model(s, users["lab_a"], case, kind="cell_line", name="fibroblasts",
                                  source_tissue="fibroblast")
        ipsc = service.add_model(s, users["lab_a"], case, kind="ipsc_clone", name="iPSC c1", parent_id=model.id)
        service.add_qc(s, users["lab_a"], ipsc, test="karyotype", result="pass", detail="46,XX")
        with pytest.raises(InputError, match="derived from a parent"):
            service.add_model(s, users["lab_a"], case, kind="isogenic_clone", name="corrected")
        service.add_screen(s, users["lab_a"], case, name="ASO plate 1", model_id=ipsc.id,
                           ranking=[{"name": "ASO-1", "call": "hit", "ec50": float("nan"), "extra": 1}])
        contract = service.assess(s, users["dr_a"], case).contract
    screen = contract["screens"][0]
    assert screen["id"] == "ASO plate 1" and "ipsc_clone iPSC c1" in screen["source"]
    assert screen["ranking"] == [{"name": "ASO-1", "call": "hit", "ec50": None}]
    from rarepath.report.render import render_clinician_html

    assert "ASO plate 1" in render_clinician_html(contract)


def _older_contract(contract: dict) -> dict:
    """The same assessment as an older knowledge base would have made it: no approved product, verdict possible."""
    old = copy.deepcopy(contract)
    opt = next(o for o in old["options"] if o["modality"] == "gene_replacement" and o["target"] == "SMN1")
    opt["verdict"] = "possible"
    opt["products"] = []
    return old


def test_reanalysis_turns_what_changed_into_alerts(registry: Registry, sma_yaml: bytes, dmd_yaml: bytes) -> None:
    with registry.session() as s:
        sma = service.add_case(s, ADMIN, filename="sma.yaml", content=sma_yaml)
        service.add_case(s, ADMIN, filename="dmd.yaml", content=dmd_yaml)
        current = service.run_engine(sma)
        service.assess(s, ADMIN, sma, contract=_older_contract(current))
    with registry.session() as s:
        results = {r.case: r for r in service.reanalyse(s, ADMIN)}
    assert len(results) == 2
    changed = results[sma.pseudonym]
    kinds = {c.kind for c in changed.changes}
    assert {"became_recommended", "new_product"} <= kinds
    with registry.session() as s:
        alerts = s.scalars(select(Alert).where(Alert.case_id == sma.id, Alert.kind == AlertKind.REANALYSIS.value)).all()
        assert any("onasemnogene abeparvovec" in a.message for a in alerts)
        assert any("now recommended" in a.message for a in alerts)
        assert len(service.list_assessments(s, sma)) == 2
    with registry.session() as s:  # nothing changed since: no new assessment, no new alert
        again = service.reanalyse(s, ADMIN)
    assert all(r.assessment_id is None for r in again)


def test_compare_assessments_reports_mechanism_and_verdict_changes() -> None:
    old = {"mechanism": {"call": "unknown"}, "options": [{"modality": "drug", "target": "X", "verdict": "possible"}]}
    new = {"mechanism": {"call": "loss_of_function"},
           "options": [{"modality": "drug", "target": "X", "verdict": "not_suitable"},
                       {"modality": "gene_replacement", "target": "X", "verdict": "possible"}]}
    kinds = [c.kind for c in service.compare_assessments(old, new)]
    assert kinds == ["mechanism_changed", "verdict_changed", "new_option"]
    assert service.compare_assessments(new, new) == []


def test_audit_trail_is_append_only_and_detects_tampering(registry: Registry, sma_yaml: bytes) -> None:
    with registry.session() as s:
        case = service.add_case(s, ADMIN, filename="sma.yaml", content=sma_yaml)
        for _ in range(3):
            service.get_case(s, ADMIN, case.pseudonym)
    with registry.session() as s:
        check = audit.verify(s)
        assert check.ok and check.entries == 4
        target = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[1].id
    with pytest.raises(DBAPIError, match="append-only"), registry.session() as s:
        s.execute(text("UPDATE reg_audit SET detail = 'nothing to see' WHERE id = :i"), {"i": target})
    with pytest.raises(DBAPIError, match="append-only"), registry.session() as s:
        s.execute(text("DELETE FROM reg_audit WHERE id = :i"), {"i": target})
    # someone with rights over the database itself drops the guard and edits history: the chain shows it
    with registry.session() as s:
        if registry.backend == "postgresql":
            s.execute(text("DROP TRIGGER reg_audit_append_only ON reg_audit"))
        else:
            s.execute(text("DROP TRIGGER reg_audit_no_update"))
        s.execute(text("UPDATE reg_audit SET actor = 'someone else' WHERE id = :i"), {"i": target})
    with registry.session() as s:
        check = audit.verify(s)
        assert not check.ok and check.broken_at == target and "changed" in check.problem


def test_concurrent_writers_lose_nothing_and_keep_one_chain(registry: Registry, sma_yaml: bytes) -> None:
    with registry.session() as s:
        case = service.add_case(s, ADMIN, filename="sma.yaml", content=sma_yaml)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                with registry.session() as s:
                    c = s.get(Case, case.id)
                    service.record_observation(s, ADMIN, c, analyte="ALT", value=20 + n + i, unit="U/L",
                                               upper_limit=40, observed_on=T0)
        except BaseException as err:  # reported below: a thread's exception is otherwise lost
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with registry.session() as s:
        assert s.scalar(text("SELECT count(*) FROM reg_observation")) == 48
        check = audit.verify(s)
        assert check.ok and check.entries == 49


def test_exports_carry_no_direct_identifiers(registry: Registry, dmd_yaml: bytes) -> None:
    users = _users(registry)
    with registry.session() as s:
        case = service.add_case(s, users["dr_a"], filename="doe.json", content=phenopacket(),
                                patient_name="Jane Doe", consent="research")
        service.add_case(s, users["dr_a"], filename="dmd.yaml", content=dmd_yaml, consent="care")
        service.assess(s, users["dr_a"], case)
        t = service.treat(s, users["dr_a"], case, product="onasemnogene abeparvovec", administered_on=T0)
        service.record_observation(s, users["dr_a"], case, analyte="platelet count", value=40, unit="10^9/L",
                                   lower_limit=150, upper_limit=400, observed_on=T0)
        service.record_adverse_event(s, users["dr_a"], case, term="Thrombotic microangiopathy", grade=4,
                                     serious=True, relatedness="probable", onset_on=T0, treatment_id=t.id)
        pp = exports.case_phenopacket(s, users["dr_a"], case)
        bundle = exports.follow_up_fhir(s, users["dr_a"], case)
        rows = exports.cohort_rows(s, users["res"])
        with pytest.raises(Forbidden):
            exports.cohort_rows(s, users["dr_a"])
        parquet = exports.cohort_parquet(rows)
    assert pp["id"] == pp["subject"]["id"] == case.pseudonym and "dateOfBirth" not in pp["subject"]
    assert pp["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]["subjectOrBiosampleId"] == case.pseudonym
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types == ["Patient", "Observation", "AdverseEvent"]
    assert bundle["entry"][2]["resource"]["seriousness"]["coding"][0]["code"] == "serious"
    assert [r["pseudonym"] for r in rows] == [case.pseudonym]  # the care-only case is not in the cohort
    assert rows[0]["max_ae_grade"] == 4 and rows[0]["treatment_categories"] == "aav"
    for blob in (json.dumps(pp), json.dumps(bundle), exports.cohort_csv(rows)):
        assert "Jane Doe" not in blob and PATIENT_ID not in blob and "family-doe" not in blob
    assert b"Jane Doe" not in parquet and PATIENT_ID.encode() not in parquet


def test_registry_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rarepath.cli import main

    db = str(tmp_path / "r.sqlite")
    assert main(["registry", "add", "src/rarepath/examples/sma_infant.yaml", "--team", "neuro", "--db", db]) == 0
    pseudonym = capsys.readouterr().out.split()[1]
    assert main(["registry", "decide", pseudonym, "--modality", "gene_replacement", "--product",
                 "onasemnogene abeparvovec", "--why", "approved", "--db", db]) == 0
    assert main(["registry", "treat", pseudonym, "--product", "onasemnogene abeparvovec", "--date", "2025-01-06",
                 "--db", db]) == 0
    assert "18 follow-up visits to 2030-01-05" in capsys.readouterr().out
    assert main(["registry", "followup", pseudonym, "--today", "2025-02-01", "--db", db]) == 0
    assert capsys.readouterr().out.count("OVERDUE") == 3
    assert main(["registry", "treat", pseudonym, "--product", "x", "--date", "06/01/2025", "--db", db]) == 2
    assert "--date: not a date" in capsys.readouterr().err
    assert main(["registry", "model", pseudonym, "--kind", "cell_line", "--name", "fibroblasts", "--tissue",
                 "fibroblast", "--db", db]) == 0
    assert main(["registry", "model", pseudonym, "--kind", "ipsc_clone", "--name", "c1", "--parent", "1", "--db", db]) == 0
    assert main(["registry", "qc", "2", "--test", "karyotype", "--result", "pass", "--db", db]) == 0
    assert main(["registry", "qc", "99", "--test", "karyotype", "--result", "pass", "--db", db]) == 2
    assert "no such disease model" in capsys.readouterr().err
    ranking = tmp_path / "screen1" / "ranking.tsv"
    ranking.parent.mkdir()
    ranking.write_text("rank\tname\tcall\n1\tASO-7\thit\n")  # written for this test
    assert main(["registry", "screen", pseudonym, str(ranking.parent), "--model", "2", "--db", db]) == 0
    assert "screen 1: screen1, 1 ranked treatments" in capsys.readouterr().out
    assert main(["registry", "reanalyse", "--db", db]) == 0
    out = capsys.readouterr().out  # the screen stored since the last assessment is now in the contract
    assert "contract updated, no change of mechanism" in out and "re-analysed 1 cases: 1 changed" in out
    assert main(["registry", "reanalyse", "--db", db]) == 0
    assert "re-analysed 1 cases: 0 changed" in capsys.readouterr().out
    assert main(["registry", "export", str(tmp_path / "cohort.csv"), "--db", db]) == 0
    assert main(["audit", "verify", "--db", db]) == 0
    assert "audit trail intact" in capsys.readouterr().out
    assert _count_visits(db) == 18


def _count_visits(db: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as con:
        return con.execute(f"SELECT count(*) FROM {Visit.__tablename__}").fetchone()[0]
