"""The REST API through FastAPI's TestClient, on SQLite and PostgreSQL: credentials, roles, a whole case, bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rarepath.registry.models import AuditEntry, Case
from rarepath.registry.service import MAX_UPLOAD_BYTES
from rarepath.web.app import create_app
from rarepath.web.seed import DEMO_USERS, seed_demo
from registry_cases import PATIENT_ID, phenopacket

OPEN = {("GET", "/api/health"), ("POST", "/api/token")}


@pytest.fixture
def client(registry) -> Iterator[TestClient]:
    seed_demo(registry)
    with TestClient(create_app(registry=registry)) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    password = next(u.password for u in DEMO_USERS if u.username == username)
    r = client.post("/api/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _cases(client: TestClient, who: str) -> dict[str, dict]:
    return {c["label"] or c["pseudonym"]: c for c in client.get("/api/cases", headers=login(client, who)).json()}


def test_every_data_route_needs_credentials(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert client.get("/api/health").json()["status"] == "ok"
    checked = 0
    for path, methods in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in methods:
            if (method.upper(), path) in OPEN:
                continue
            r = client.request(method.upper(), url)
            assert r.status_code == 401, (method, path, r.status_code)
            checked += 1
    assert checked >= 25
    assert client.get("/login").status_code == 200
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.post("/api/token", data={"username": "clinician", "password": "wrong"}).status_code == 401
    assert client.post("/api/token", data={"username": "nobody", "password": "wrong"}).status_code == 401


def test_a_case_from_upload_to_follow_up(client: TestClient) -> None:
    h = login(client, "clinician")
    r = client.post("/api/cases", headers=h, files={"file": ("doe.json", phenopacket(), "application/json")},
                    data={"consent": "research", "patient_name": "Jane Doe", "family_user": "family"})
    assert r.status_code == 201, r.text
    case = r.json()
    p = case["pseudonym"]
    assert case["genes"] == ["SMN1"] and case["patient_name"] == "Jane Doe" and case["counts"]["assessments"] == 1
    assessments = client.get(f"/api/cases/{p}/assessments", headers=h).json()
    contract = client.get(f"/api/assessments/{assessments[0]['id']}", headers=h).json()["contract"]
    assert contract["case"]["id"] == p and PATIENT_ID not in str(contract)
    rerun = client.post(f"/api/cases/{p}/assessments", headers=h)
    assert rerun.status_code == 201 and rerun.json()["contract"]["options"] == contract["options"]
    clin = client.get(f"/api/cases/{p}/reports/clinician", headers=h)
    assert clin.status_code == 200 and "not medical advice" in clin.text.lower()
    d = client.post(f"/api/cases/{p}/decisions", headers=h, json={
        "modality": "gene_replacement", "target": "SMN1", "product": "onasemnogene abeparvovec",
        "rationale": "approved for this indication"})
    # no anti-AAV9 titre in the phenopacket: the label fit is not confirmed, so the option is `possible`
    assert d.status_code == 201 and d.json()["verdict_at_decision"] == "possible"
    t = client.post(f"/api/cases/{p}/treatments", headers=h, json={
        "product": "onasemnogene abeparvovec", "administered_on": "2025-01-06", "lot": "L-7",
        "decision_id": d.json()["id"]})
    assert t.status_code == 201 and t.json()["category"] == "aav" and t.json()["visits"] == 18
    visits = client.get(f"/api/cases/{p}/follow-up", headers=h, params={"today": "2025-02-01"}).json()
    assert sum(v["overdue"] for v in visits) == 3 and visits[-1]["due_on"] == "2030-01-05"
    done = client.post(f"/api/visits/{visits[0]['id']}/done", headers=h, json={"done_on": "2025-01-13"})
    assert done.json()["status"] == "done"
    o = client.post(f"/api/cases/{p}/observations", headers=h, json={
        "analyte": "ALT", "value": 250, "unit": "U/L", "upper_limit": 40, "observed_on": "2025-01-13",
        "visit_id": visits[0]["id"]})
    assert o.status_code == 201 and o.json()["ctcae_grade"] == 3
    ae = client.post(f"/api/cases/{p}/adverse-events", headers=h, json={
        "term": "Hepatotoxicity", "grade": 3, "serious": True, "relatedness": "probable", "onset_on": "2025-01-13",
        "treatment_id": t.json()["id"]})
    assert ae.status_code == 201
    alerts = client.get("/api/alerts", headers=h).json()
    assert {"abnormal_lab", "adverse_event", "overdue_visit"} <= {a["kind"] for a in alerts}
    fhir = client.get(f"/api/cases/{p}/export/fhir", headers=h).json()
    assert [e["resource"]["resourceType"] for e in fhir["entry"]] == ["Patient", "Observation", "AdverseEvent"]
    pp = client.get(f"/api/cases/{p}/export/phenopacket", headers=h).json()
    assert pp["subject"]["id"] == p and "Jane Doe" not in str(pp)
    m = client.post(f"/api/cases/{p}/models", headers=login(client, "lab"),
                    json={"kind": "cell_line", "name": "fibroblasts", "source_tissue": "fibroblast"})
    assert m.status_code == 201
    qc = client.post(f"/api/models/{m.json()['id']}/qc", headers=login(client, "lab"),
                     json={"test": "mycoplasma", "result": "pass"})
    assert qc.status_code == 201
    s = client.post(f"/api/cases/{p}/screens", headers=login(client, "lab"),
                    json={"name": "ASO plate 1", "model_id": m.json()["id"], "ranking": [{"name": "ASO-1"}]})
    assert s.status_code == 201
    check = client.get("/api/audit/verify", headers=login(client, "admin")).json()
    assert check["ok"] and check["entries"] > 20


def test_vcf_upload_with_its_gene(client: TestClient) -> None:
    h = login(client, "clinician")
    vcf = (Path(__file__).resolve().parents[1] / "data" / "intake" / "dmd_male.vcf").read_bytes()
    r = client.post("/api/cases", headers=h, files={"file": ("dmd_male.vcf", vcf, "text/plain")}, data={"gene": "DMD"})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["genes"] == ["DMD"] and case["received_format"] == "vcf"
    assert any(v["hgvs_c"] and "10141C>T" in v["hgvs_c"] for v in case["variants"])
    again = client.post(f"/api/cases/{case['pseudonym']}/assessments", headers=h)  # re-read with the same gene
    assert again.status_code == 201 and again.json()["contract"]["case"]["genes"] == ["DMD"]


def test_roles(client: TestClient) -> None:
    cases = _cases(client, "admin")
    sma, dmd = cases["example-sma-infant"]["pseudonym"], cases["example-dmd-boy"]["pseudonym"]
    fam = login(client, "family")
    assert [c["pseudonym"] for c in client.get("/api/cases", headers=fam).json()] == [sma]
    assert client.get(f"/api/cases/{sma}", headers=fam).status_code == 200
    assert client.get(f"/api/cases/{dmd}", headers=fam).status_code == 403  # another family's case
    assert client.get(f"/api/cases/{sma}/reports/family", headers=fam).status_code == 200
    assert client.get(f"/api/cases/{sma}/reports/clinician", headers=fam).status_code == 403
    assert client.get(f"/api/cases/{sma}/assessments", headers=fam).status_code == 403
    assert client.post(f"/api/cases/{sma}/assessments", headers=fam).status_code == 403
    res = login(client, "researcher")
    listed = client.get("/api/cases", headers=res).json()
    assert [c["pseudonym"] for c in listed] == [sma]  # research consent only
    assert all(c["label"] is None and c["patient_name"] is None for c in listed)
    assert client.get(f"/api/cases/{dmd}", headers=res).status_code == 403
    cohort = client.get("/api/export/cohort", headers=res)
    assert cohort.status_code == 200 and sma in cohort.text and dmd not in cohort.text
    assert client.get("/api/export/cohort", params={"format": "parquet"}, headers=res).content[:4] == b"PAR1"
    lab = login(client, "lab")
    assert client.get(f"/api/cases/{sma}", headers=lab).json()["label"] is None
    assert client.post(f"/api/cases/{sma}/decisions", headers=lab, json={
        "modality": "gene_replacement", "rationale": "x"}).status_code == 403
    clin = login(client, "clinician")
    assert client.get("/api/export/cohort", headers=clin).status_code == 403
    assert client.get("/api/audit/verify", headers=clin).status_code == 403
    assert client.post("/api/users", headers=clin, json={"username": "x", "password": "long-password",
                                                         "role": "admin"}).status_code == 403
    new = client.post("/api/users", headers=login(client, "admin"), json={
        "username": "dr_new", "password": "long-password", "role": "clinician", "team": "other team"})
    assert new.status_code == 201
    tok = client.post("/api/token", data={"username": "dr_new", "password": "long-password"}).json()
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {tok['access_token']}"}).json() == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.json", b'{"id": ', "not a valid Phenopacket v2"),
    ("case.docx", b"PK\x03\x04", "unknown case file type"),
    ("huge.json", b"{" + b" " * MAX_UPLOAD_BYTES + b"}", "the limit is 20 MB"),
    ("unknown.json", phenopacket("NOTAGENE9"), "unknown gene symbol"),
])
def test_bad_uploads_give_a_clear_4xx_and_change_nothing(client: TestClient, registry, name: str, content: bytes,
                                                         message: str) -> None:
    def counts() -> tuple[int, int]:
        with registry.session() as s:
            return s.scalar(select(func.count()).select_from(Case)), s.scalar(select(func.count()).select_from(AuditEntry))

    h = login(client, "clinician")
    before = counts()
    r = client.post("/api/cases", headers=h, files={"file": (name, content, "application/octet-stream")})
    assert r.status_code == 422 and message in r.json()["detail"]
    assert counts() == before  # no case, and no audit entry: the whole request was rolled back


def test_cookie_logins_need_the_csrf_token(client: TestClient) -> None:
    r = client.post("/login", data={"username": "clinician", "password": "demo-clinician"}, follow_redirects=False)
    assert r.status_code == 303 and "rarepath_session" in r.cookies
    sma = next(c for c in client.get("/api/cases").json() if c["label"] == "example-sma-infant")["pseudonym"]
    assert client.post(f"/api/cases/{sma}/assessments").status_code == 403
    page = client.get(f"/cases/{sma}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post(f"/api/cases/{sma}/assessments", headers={"X-CSRF-Token": csrf}).status_code == 201
    token = client.post("/api/token", data={"username": "clinician", "password": "demo-clinician"}).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.post("/api/logout", headers=bearer).status_code == 204
    client.cookies.clear()
    assert client.get("/api/cases", headers=bearer).status_code == 401
