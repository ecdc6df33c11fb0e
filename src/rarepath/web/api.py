"""REST API under /api: each route declares its dependencies and calls one registry service function."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import HTMLResponse
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from rarepath import __version__
from rarepath.registry import audit, exports, followup, service
from rarepath.registry.access import Actor
from rarepath.registry.models import (
    AdverseEvent,
    AuthSession,
    Case,
    Consent,
    Decision,
    DiseaseModel,
    Observation,
    Role,
    Screen,
    Treatment,
)
from rarepath.registry.security import new_token, token_digest, verify_password
from rarepath.web import schemas
from rarepath.web.deps import SESSION_HOURS, CurrentActor, CurrentLogin, SessionDep, deny, user_of

router = APIRouter(prefix="/api")
NO_FAMILY = (Role.FAMILY,)
PathId = Annotated[int, Path(ge=1, le=schemas.ID_MAX)]
#: An argon2 hash of a random password: failed logins for unknown users take as long as for known ones.
_DUMMY_HASH: list[str] = []


# --------------------------------------------------------------------------------------------------- open


@router.get("/health", tags=["system"])
def health(request: Request) -> schemas.Health:
    """Liveness: the database answers."""
    reg = request.app.state.registry
    with reg.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    return schemas.Health(status="ok", backend=reg.backend, version=__version__)


def create_login(session: SessionDep, username: str, password: str) -> tuple[str, AuthSession] | None:
    """Check a password and open a login; None when the name or password is wrong."""
    from rarepath.registry.security import hash_password

    user = user_of(session, username)
    if user is None or not user.active:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_hex(16)))
        verify_password(_DUMMY_HASH[0], password)
        return None
    if not verify_password(user.password_hash, password):
        audit.append(session, actor=username, action="login_failed", entity="user", entity_id=user.id)
        return None
    token = new_token()
    row = AuthSession(token_sha256=token_digest(token), csrf=secrets.token_urlsafe(24), user_id=user.id,
                      expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=SESSION_HOURS))
    session.add(row)
    session.flush()
    audit.append(session, actor=username, action="login", entity="user", entity_id=user.id)
    return token, row


@router.post("/token", tags=["auth"])
def login_for_token(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> schemas.Token:
    """OAuth2 password flow: a bearer token for the API."""
    made = create_login(session, form.username, form.password)
    if made is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong user name or password",
                            headers={"WWW-Authenticate": "Bearer"})
    return schemas.Token(access_token=made[0], csrf_token=made[1].csrf)


@router.post("/logout", tags=["auth"], status_code=204)
def logout(session: SessionDep, login: CurrentLogin) -> Response:
    """End this login."""
    session.delete(login)
    return Response(status_code=204)


@router.get("/me", tags=["auth"])
def me(login: CurrentLogin) -> schemas.UserOut:
    """The logged-in user."""
    return schemas.UserOut.model_validate(login.user)


@router.post("/users", tags=["auth"], status_code=201)
def create_user(session: SessionDep, actor: CurrentActor, body: schemas.UserCreate) -> schemas.UserOut:
    """Add a user (admin only)."""
    user = service.add_user(session, actor, username=body.username, password=body.password, role=body.role,
                            team=body.team, full_name=body.full_name)
    return schemas.UserOut.model_validate(user)


# --------------------------------------------------------------------------------------------------- cases


def case_out(session: SessionDep, actor: Actor, case: Case, *, detail: bool = False) -> schemas.CaseOut:
    out = schemas.CaseOut(pseudonym=case.pseudonym, genes=list(case.intake.get("genes") or []),
                          consent=Consent(case.consent), received_format=case.received_format,
                          created_at=case.created_at)
    if actor.sees_names:
        out.label, out.patient_name = case.label, case.patient_name
    if detail:
        out.variants = [schemas.VariantOut.model_validate(v) for v in case.variants]
        out.phenotypes = [p.hpo_id for p in case.phenotypes if not p.excluded]
        out.counts = service.case_summary(session, case)
    return out


def _case(session: SessionDep, actor: CurrentActor, pseudonym: str) -> Case:
    return service.get_case(session, actor, pseudonym)


CaseDep = Annotated[Case, Depends(_case)]


def read_upload(upload: UploadFile) -> bytes:
    """The uploaded bytes, refusing more than the registry's limit without reading it all."""
    data = upload.file.read(service.MAX_UPLOAD_BYTES + 1)
    return data


@router.get("/cases", tags=["cases"])
def list_cases(session: SessionDep, actor: CurrentActor) -> list[schemas.CaseOut]:
    """Cases the user may see."""
    return [case_out(session, actor, c) for c in service.list_cases(session, actor)]


@router.post("/cases", tags=["cases"], status_code=201)
def upload_case(session: SessionDep, actor: CurrentActor, file: Annotated[UploadFile, File()],
                consent: Annotated[Consent, Form()] = Consent.PENDING,
                patient_name: Annotated[str, Form(max_length=200)] = "",
                family_user: Annotated[str, Form(max_length=80)] = "",
                gene: Annotated[str, Form(max_length=40)] = "",
                assess: Annotated[bool, Form()] = True) -> schemas.CaseOut:
    """Register a phenopacket, VCF (with gene) or YAML case file; assessed at once unless assess=false."""
    case = service.add_case(session, actor, filename=file.filename or "upload", content=read_upload(file),
                            consent=consent, patient_name=patient_name, family_user=family_user or None,
                            gene=gene or None)
    if assess:
        service.assess(session, actor, case, trigger="upload")
    return case_out(session, actor, case, detail=True)


@router.get("/cases/{pseudonym}", tags=["cases"])
def get_case(session: SessionDep, actor: CurrentActor, case: CaseDep) -> schemas.CaseOut:
    """One case with its variants and phenotypes."""
    return case_out(session, actor, case, detail=True)


@router.patch("/cases/{pseudonym}/consent", tags=["cases"])
def update_consent(session: SessionDep, actor: CurrentActor, case: CaseDep,
                   body: schemas.ConsentUpdate) -> schemas.CaseOut:
    """Change the consent status."""
    return case_out(session, actor, service.set_consent(session, actor, case, body.consent))


# --------------------------------------------------------------------------------------------------- assessments


@router.post("/cases/{pseudonym}/assessments", tags=["assessments"], status_code=201)
def run_assessment(session: SessionDep, actor: CurrentActor, case: CaseDep) -> schemas.AssessmentOut:
    """Run the triage engine on the stored case and keep the result whole."""
    return schemas.AssessmentOut.model_validate(service.assess(session, actor, case), from_attributes=True)


@router.get("/cases/{pseudonym}/assessments", tags=["assessments"])
def list_assessments(session: SessionDep, actor: CurrentActor, case: CaseDep) -> list[schemas.AssessmentSummary]:
    """Every assessment of a case, oldest first."""
    deny(actor, *NO_FAMILY)
    return [schemas.AssessmentSummary.model_validate(a) for a in service.list_assessments(session, case)]


@router.get("/assessments/{assessment_id}", tags=["assessments"])
def get_assessment(session: SessionDep, actor: CurrentActor, assessment_id: PathId) -> schemas.AssessmentOut:
    """One assessment with its whole JSON contract."""
    deny(actor, *NO_FAMILY)
    return schemas.AssessmentOut.model_validate(service.get_assessment(session, actor, assessment_id),
                                                from_attributes=True)


def report_html(session: SessionDep, actor: Actor, case: Case, kind: str, assessment_id: int | None = None) -> str:
    """The clinician or family report of a stored assessment (default the latest), rendered again from its JSON."""
    from rarepath.report.render import render_clinician_html, render_family_html

    if kind not in ("clinician", "family"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "report kind is clinician or family")
    if actor.role == Role.FAMILY and kind != "family":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "families see the family report")
    a = service.get_assessment(session, actor, assessment_id) if assessment_id else \
        service.latest_assessment(session, case)
    if a is None or a.case_id != case.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this case has no assessment yet")
    return render_clinician_html(a.contract) if kind == "clinician" else render_family_html(a.contract)


@router.get("/cases/{pseudonym}/reports/{kind}", tags=["assessments"], response_class=HTMLResponse)
def get_report(session: SessionDep, actor: CurrentActor, case: CaseDep, kind: str,
               assessment_id: Annotated[int | None, Query(ge=1, le=schemas.ID_MAX)] = None) -> HTMLResponse:
    """The clinician or family HTML report (families: the family report only)."""
    return HTMLResponse(report_html(session, actor, case, kind, assessment_id))


# --------------------------------------------------------------------------------------------------- decisions


@router.post("/cases/{pseudonym}/decisions", tags=["decisions"], status_code=201)
def create_decision(session: SessionDep, actor: CurrentActor, case: CaseDep,
                    body: schemas.DecisionCreate) -> schemas.DecisionOut:
    """Record the option chosen and why."""
    a = service.get_assessment(session, actor, body.assessment_id) if body.assessment_id else None
    d = service.decide(session, actor, case, modality=body.modality, target=body.target, product=body.product,
                       rationale=body.rationale, assessment=a)
    return schemas.DecisionOut.model_validate(d)


def _rows(session: SessionDep, model: Any, case: Case, order: Any = None) -> list[Any]:
    return list(session.scalars(select(model).where(model.case_id == case.id).order_by(order or model.id)))


@router.get("/cases/{pseudonym}/decisions", tags=["decisions"])
def list_decisions(session: SessionDep, actor: CurrentActor, case: CaseDep) -> list[schemas.DecisionOut]:
    """Decisions recorded for a case."""
    deny(actor, *NO_FAMILY)
    return [schemas.DecisionOut.model_validate(d) for d in _rows(session, Decision, case)]


# --------------------------------------------------------------------------------------------------- lab


@router.post("/cases/{pseudonym}/models", tags=["models"], status_code=201)
def create_model(session: SessionDep, actor: CurrentActor, case: CaseDep, body: schemas.ModelCreate) -> schemas.ModelOut:
    """Record a cell line, iPSC clone, isogenic clone or differentiation."""
    fields = body.model_dump(exclude={"kind", "name", "parent_id"})
    m = service.add_model(session, actor, case, kind=body.kind, name=body.name, parent_id=body.parent_id, **fields)
    return schemas.ModelOut.model_validate(m)


@router.get("/cases/{pseudonym}/models", tags=["models"])
def list_models(session: SessionDep, actor: CurrentActor, case: CaseDep) -> list[schemas.ModelOut]:
    """Disease models of a case with their QC records."""
    deny(actor, *NO_FAMILY)
    return [schemas.ModelOut.model_validate(m) for m in _rows(session, DiseaseModel, case)]


@router.post("/models/{model_id}/qc", tags=["models"], status_code=201)
def create_qc(session: SessionDep, actor: CurrentActor, model_id: PathId, body: schemas.QCCreate) -> schemas.QCOut:
    """Record a QC result (karyotype, pluripotency, mycoplasma, sequencing, identity)."""
    model = session.get(DiseaseModel, model_id)
    if model is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such disease model")
    return schemas.QCOut.model_validate(service.add_qc(session, actor, model, **body.model_dump()))


@router.post("/cases/{pseudonym}/screens", tags=["screens"], status_code=201)
def create_screen(session: SessionDep, actor: CurrentActor, case: CaseDep, body: schemas.ScreenCreate) -> schemas.ScreenOut:
    """Store a screen's ranking rows (from `rarepath screen analyze`) against the case and model."""
    return schemas.ScreenOut.model_validate(service.add_screen(session, actor, case, **body.model_dump()))


@router.get("/cases/{pseudonym}/screens", tags=["screens"])
def list_screens(session: SessionDep, actor: CurrentActor, case: CaseDep) -> list[schemas.ScreenOut]:
    """Screens of a case."""
    deny(actor, *NO_FAMILY)
    return [schemas.ScreenOut.model_validate(s) for s in _rows(session, Screen, case)]


# --------------------------------------------------------------------------------------------------- treatment


def _treatment_out(t: Treatment) -> schemas.TreatmentOut:
    return schemas.TreatmentOut(id=t.id, product=t.product, category=t.category, lot=t.lot, dose=t.dose,
                                dose_unit=t.dose_unit, administered_on=t.administered_on, vector=t.vector,
                                route=t.route, visits=len(t.visits))


@router.post("/cases/{pseudonym}/treatments", tags=["treatments"], status_code=201)
def create_treatment(session: SessionDep, actor: CurrentActor, case: CaseDep,
                     body: schemas.TreatmentCreate) -> schemas.TreatmentOut:
    """Record a treatment given; its follow-up plan is generated from the product class."""
    decision = session.get(Decision, body.decision_id) if body.decision_id else None
    if body.decision_id and (decision is None or decision.case_id != case.id):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "no such decision for this case")
    t = service.treat(session, actor, case, product=body.product, administered_on=body.administered_on, lot=body.lot,
                      dose=body.dose, dose_unit=body.dose_unit, route=body.route, vector=body.vector,
                      decision=decision, category=body.category)
    return _treatment_out(t)


@router.get("/cases/{pseudonym}/treatments", tags=["treatments"])
def list_treatments(session: SessionDep, actor: CurrentActor, case: CaseDep) -> list[schemas.TreatmentOut]:
    """Treatments given."""
    return [_treatment_out(t) for t in _rows(session, Treatment, case)]


@router.get("/cases/{pseudonym}/follow-up", tags=["follow-up"])
def follow_up(session: SessionDep, actor: CurrentActor, case: CaseDep,
              today: dt.date | None = None) -> list[schemas.VisitOut]:
    """The follow-up calendar: every scheduled visit with its checks; overdue ones flagged."""
    ref = today or dt.date.today()
    out = []
    for v in service.visits_of(session, case):
        item = schemas.VisitOut.model_validate(v)
        item.overdue = followup.is_overdue(v.due_on, v.window_days, v.status, ref)
        out.append(item)
    return out


@router.post("/visits/{visit_id}/done", tags=["follow-up"])
def visit_done(session: SessionDep, actor: CurrentActor, visit_id: PathId, body: schemas.VisitDone) -> schemas.VisitOut:
    """Record a visit as done."""
    return schemas.VisitOut.model_validate(service.record_visit(session, actor, visit_id, done_on=body.done_on,
                                                                notes=body.notes))


@router.post("/cases/{pseudonym}/observations", tags=["follow-up"], status_code=201)
def create_observation(session: SessionDep, actor: CurrentActor, case: CaseDep,
                       body: schemas.ObservationCreate) -> schemas.ObservationOut:
    """Record a lab value; it is graded by CTCAE v5 and abnormal values raise an alert."""
    return schemas.ObservationOut.model_validate(service.record_observation(session, actor, case, **body.model_dump()))


@router.get("/cases/{pseudonym}/observations", tags=["follow-up"])
def list_observations(session: SessionDep, actor: CurrentActor, case: CaseDep) -> list[schemas.ObservationOut]:
    """Lab values of a case."""
    deny(actor, *NO_FAMILY)
    return [schemas.ObservationOut.model_validate(o) for o in _rows(session, Observation, case)]


@router.post("/cases/{pseudonym}/adverse-events", tags=["adverse events"], status_code=201)
def create_adverse_event(session: SessionDep, actor: CurrentActor, case: CaseDep,
                         body: schemas.AdverseEventCreate) -> schemas.AdverseEventOut:
    """Record an adverse event (CTCAE v5 grade, seriousness, relatedness)."""
    return schemas.AdverseEventOut.model_validate(service.record_adverse_event(session, actor, case,
                                                                               **body.model_dump()))


@router.get("/cases/{pseudonym}/adverse-events", tags=["adverse events"])
def list_adverse_events(session: SessionDep, actor: CurrentActor, case: CaseDep) -> list[schemas.AdverseEventOut]:
    """Adverse events of a case."""
    deny(actor, *NO_FAMILY)
    return [schemas.AdverseEventOut.model_validate(e) for e in _rows(session, AdverseEvent, case)]


@router.get("/alerts", tags=["follow-up"])
def list_alerts(session: SessionDep, actor: CurrentActor) -> list[schemas.AlertOut]:
    """Open alerts on the user's cases (overdue visits are raised first), most severe first."""
    deny(actor, *NO_FAMILY)
    service.refresh_overdue_alerts(session)
    names = dict(session.execute(select(Case.id, Case.pseudonym)).tuples().all())
    out = []
    for a in service.alerts_for(session, actor):
        item = schemas.AlertOut.model_validate(a)
        item.case = names.get(a.case_id, "")
        out.append(item)
    return out


# --------------------------------------------------------------------------------------------------- exports


@router.get("/cases/{pseudonym}/export/phenopacket", tags=["exports"])
def export_phenopacket(session: SessionDep, actor: CurrentActor, case: CaseDep) -> dict[str, Any]:
    """The case as a pseudonymised Phenopacket v2."""
    deny(actor, *NO_FAMILY)
    return exports.case_phenopacket(session, actor, case)


@router.get("/cases/{pseudonym}/export/fhir", tags=["exports"])
def export_fhir(session: SessionDep, actor: CurrentActor, case: CaseDep) -> dict[str, Any]:
    """Follow-up as a FHIR Bundle (Patient, Observation, AdverseEvent), pseudonymised."""
    deny(actor, *NO_FAMILY)
    return exports.follow_up_fhir(session, actor, case)


@router.get("/export/cohort", tags=["exports"])
def export_cohort(session: SessionDep, actor: CurrentActor, format: str = "csv") -> Response:
    """Research-consented cases, no direct identifiers, as CSV or Parquet (researchers and admins)."""
    rows = exports.cohort_rows(session, actor)
    if format == "parquet":
        return Response(exports.cohort_parquet(rows), media_type="application/vnd.apache.parquet",
                         headers={"Content-Disposition": "attachment; filename=cohort.parquet"})
    if format != "csv":
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "format is csv or parquet")
    return Response(exports.cohort_csv(rows), media_type="text/csv",
                    headers={"Content-Disposition": "attachment; filename=cohort.csv"})


@router.get("/audit/verify", tags=["system"])
def verify_audit(session: SessionDep, actor: CurrentActor) -> schemas.AuditCheck:
    """Recompute the audit hash chain (admin only)."""
    if actor.role != Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin only")
    check = audit.verify(session)
    return schemas.AuditCheck(entries=check.entries, ok=check.ok, broken_at=check.broken_at, problem=check.problem)
