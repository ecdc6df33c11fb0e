"""Server-rendered pages (Jinja2, plain HTML forms): log in, upload, reports, decision, treatment, follow-up.

Pages use the session cookie; every form carries the session's CSRF token. They call the same service
functions as the API, so access rules and audit are the same. Errors are shown in the page (4xx).
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select

from rarepath.errors import InputError
from rarepath.registry import followup, service
from rarepath.registry.access import Actor, Forbidden
from rarepath.registry.models import (
    AdverseEvent,
    AuthSession,
    Case,
    Consent,
    Decision,
    DiseaseModel,
    Observation,
    Relatedness,
    Role,
    Treatment,
)
from rarepath.web.deps import COOKIE, SESSION_HOURS, SessionDep, login_session
from rarepath.web.schemas import ID_MAX

router = APIRouter(include_in_schema=False)
_ENV = Environment(loader=PackageLoader("rarepath.web", "templates"), autoescape=select_autoescape(["j2", "html"]))
DISCLAIMER = "rarepath is decision support, not medical advice."


class NotLoggedIn(Exception):
    """A page needs a login: the app redirects to /login."""


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api")


def render(template: str, status_code: int = 200, **ctx) -> HTMLResponse:
    return HTMLResponse(_ENV.get_template(template).render(disclaimer=DISCLAIMER, **ctx), status_code=status_code)


def error_page(request: Request, code: int, message: str) -> HTMLResponse:
    return render("error.html.j2", status_code=code, code=code, message=message, user=None, csrf="")


def page_login(request: Request, session: SessionDep) -> AuthSession:
    login = login_session(session, request.cookies.get(COOKIE))
    if login is None:
        raise NotLoggedIn()
    return login


PageLogin = Annotated[AuthSession, Depends(page_login)]


def _csrf(login: AuthSession, token: str) -> None:
    if not token or not hmac.compare_digest(token, login.csrf):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")


def _ctx(login: AuthSession) -> dict:
    return {"user": login.user, "csrf": login.csrf}


def _actor(login: AuthSession) -> Actor:
    return service.actor_for(login.user)


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# --------------------------------------------------------------------------------------------------- login


@router.get("/login", response_class=HTMLResponse)
def login_form(next: str = "/", error: str = "") -> HTMLResponse:
    return render("login.html.j2", user=None, csrf="", next=next if next.startswith("/") else "/", error=error)


@router.post("/login")
def login_submit(session: SessionDep, username: Annotated[str, Form(max_length=80)],
                 password: Annotated[str, Form(max_length=200)], next: Annotated[str, Form()] = "/"):
    from rarepath.web.api import create_login

    made = create_login(session, username, password)
    if made is None:
        return render("login.html.j2", status_code=401, user=None, csrf="", next=next,
                      error="Wrong user name or password.")
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    resp = _back(target)
    resp.set_cookie(COOKIE, made[0], httponly=True, samesite="lax", max_age=SESSION_HOURS * 3600)
    return resp


@router.post("/logout")
def logout(session: SessionDep, login: PageLogin, csrf_token: Annotated[str, Form()] = ""):
    _csrf(login, csrf_token)
    session.delete(login)
    resp = _back("/login")
    resp.delete_cookie(COOKIE)
    return resp


# --------------------------------------------------------------------------------------------------- cases


@router.get("/", response_class=HTMLResponse)
def home(session: SessionDep, login: PageLogin) -> HTMLResponse:
    actor = _actor(login)
    cases = service.list_cases(session, actor)
    alerts = []
    if actor.role not in (Role.FAMILY, Role.RESEARCHER):
        service.refresh_overdue_alerts(session)
        names = {c.id: c.pseudonym for c in cases}
        alerts = [(names.get(a.case_id, ""), a) for a in service.alerts_for(session, actor)][:50]
    return render("home.html.j2", cases=cases, alerts=alerts, sees_names=actor.sees_names,
                  can_upload=actor.role in (Role.CLINICIAN, Role.ADMIN), consents=[c.value for c in Consent],
                  **_ctx(login))


@router.post("/cases")
def upload(session: SessionDep, login: PageLogin, file: Annotated[UploadFile, File()],
           csrf_token: Annotated[str, Form()] = "", consent: Annotated[str, Form()] = "pending",
           patient_name: Annotated[str, Form(max_length=200)] = "", gene: Annotated[str, Form(max_length=40)] = "",
           family_user: Annotated[str, Form(max_length=80)] = ""):
    _csrf(login, csrf_token)
    actor = _actor(login)
    try:
        case = service.add_case(session, actor, filename=file.filename or "upload",
                                content=file.file.read(service.MAX_UPLOAD_BYTES + 1), consent=consent,
                                patient_name=patient_name, gene=gene or None, family_user=family_user or None)
    except InputError as err:
        session.rollback()
        return _home_with_error(session, login, err.one_line())
    service.assess(session, actor, case, trigger="upload")
    return _back(f"/cases/{case.pseudonym}")


def _home_with_error(session: SessionDep, login: AuthSession, message: str) -> HTMLResponse:
    page = home(session, login)
    body = page.body.decode().replace("<!--upload-error-->", f'<p class="error" role="alert">{_escape(message)}</p>')
    return HTMLResponse(body, status_code=422)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


@router.get("/cases/{pseudonym}", response_class=HTMLResponse)
def case_page(session: SessionDep, login: PageLogin, pseudonym: str, error: str = "") -> HTMLResponse:
    actor = _actor(login)
    case = service.get_case(session, actor, pseudonym)
    assessment = service.latest_assessment(session, case)

    def rows(model):
        return list(session.scalars(select(model).where(model.case_id == case.id).order_by(model.id)))

    return render("case.html.j2", case=case, a=assessment, sees_names=actor.sees_names, role=actor.role.value,
                  clinical=actor.role in (Role.CLINICIAN, Role.ADMIN), lab=actor.role in (Role.LAB, Role.CLINICIAN,
                                                                                         Role.ADMIN),
                  decisions=rows(Decision), treatments=rows(Treatment), events=rows(AdverseEvent),
                  models=rows(DiseaseModel), relatedness=[r.value for r in Relatedness], error=error,
                  today=dt.date.today().isoformat(), **_ctx(login))


@router.get("/cases/{pseudonym}/report/{kind}", response_class=HTMLResponse)
def report(session: SessionDep, login: PageLogin, pseudonym: str, kind: str) -> HTMLResponse:
    from rarepath.web.api import report_html

    actor = _actor(login)
    return HTMLResponse(report_html(session, actor, service.get_case(session, actor, pseudonym), kind))


@router.post("/cases/{pseudonym}/assess")
def reassess(session: SessionDep, login: PageLogin, pseudonym: str, csrf_token: Annotated[str, Form()] = ""):
    _csrf(login, csrf_token)
    actor = _actor(login)
    service.assess(session, actor, service.get_case(session, actor, pseudonym))
    return _back(f"/cases/{pseudonym}")


def _case_error(session: SessionDep, login: AuthSession, pseudonym: str, err: InputError) -> HTMLResponse:
    session.rollback()
    page = case_page(session, login, pseudonym, error=err.one_line())
    page.status_code = 422
    return page


@router.post("/cases/{pseudonym}/decision")
def decision(session: SessionDep, login: PageLogin, pseudonym: str, option: Annotated[str, Form()],
             rationale: Annotated[str, Form(max_length=5000)], product: Annotated[str, Form()] = "",
             csrf_token: Annotated[str, Form()] = ""):
    _csrf(login, csrf_token)
    actor = _actor(login)
    case = service.get_case(session, actor, pseudonym)
    modality, _, target = option.partition(":")
    try:
        service.decide(session, actor, case, modality=modality, target=target, product=product, rationale=rationale)
    except InputError as err:
        return _case_error(session, login, pseudonym, err)
    return _back(f"/cases/{pseudonym}")


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date {value!r} (expected YYYY-MM-DD)", field=field) from None


def _float(value: str, field: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError(f"not a number {value!r}", field=field) from None


@router.post("/cases/{pseudonym}/treatment")
def treatment(session: SessionDep, login: PageLogin, pseudonym: str, product: Annotated[str, Form(max_length=200)],
              administered_on: Annotated[str, Form()], lot: Annotated[str, Form(max_length=80)] = "",
              dose: Annotated[str, Form()] = "", dose_unit: Annotated[str, Form(max_length=40)] = "",
              csrf_token: Annotated[str, Form()] = ""):
    _csrf(login, csrf_token)
    actor = _actor(login)
    case = service.get_case(session, actor, pseudonym)
    try:
        decided = session.scalar(select(Decision).where(Decision.case_id == case.id, Decision.product == product)
                                 .order_by(Decision.id.desc()).limit(1))
        service.treat(session, actor, case, product=product, administered_on=_date(administered_on, "administered_on"),
                      lot=lot, dose=_float(dose, "dose"), dose_unit=dose_unit, decision=decided)
    except InputError as err:
        return _case_error(session, login, pseudonym, err)
    return _back(f"/cases/{pseudonym}/follow-up")


@router.post("/cases/{pseudonym}/adverse-event")
def adverse_event(session: SessionDep, login: PageLogin, pseudonym: str, term: Annotated[str, Form(max_length=200)],
                  grade: Annotated[int, Form()], relatedness: Annotated[str, Form()],
                  onset_on: Annotated[str, Form()], serious: Annotated[str, Form()] = "",
                  description: Annotated[str, Form(max_length=5000)] = "", csrf_token: Annotated[str, Form()] = ""):
    _csrf(login, csrf_token)
    actor = _actor(login)
    case = service.get_case(session, actor, pseudonym)
    treated = session.scalar(select(Treatment.id).where(Treatment.case_id == case.id).order_by(Treatment.id.desc())
                             .limit(1))
    try:
        service.record_adverse_event(session, actor, case, term=term, grade=grade, serious=bool(serious),
                                     relatedness=relatedness, onset_on=_date(onset_on, "onset_on"),
                                     description=description, treatment_id=treated)
    except InputError as err:
        return _case_error(session, login, pseudonym, err)
    return _back(f"/cases/{pseudonym}")


@router.post("/cases/{pseudonym}/model")
def model(session: SessionDep, login: PageLogin, pseudonym: str, kind: Annotated[str, Form()],
          name: Annotated[str, Form(max_length=200)], parent_id: Annotated[str, Form()] = "",
          csrf_token: Annotated[str, Form()] = ""):
    _csrf(login, csrf_token)
    actor = _actor(login)
    case = service.get_case(session, actor, pseudonym)
    try:
        service.add_model(session, actor, case, kind=kind, name=name,
                          parent_id=int(parent_id) if parent_id.strip().isdigit() and int(parent_id) <= ID_MAX else None)
    except InputError as err:
        return _case_error(session, login, pseudonym, err)
    return _back(f"/cases/{pseudonym}")


# --------------------------------------------------------------------------------------------------- follow-up


@router.get("/cases/{pseudonym}/follow-up", response_class=HTMLResponse)
def calendar(session: SessionDep, login: PageLogin, pseudonym: str, error: str = "") -> HTMLResponse:
    actor = _actor(login)
    case = service.get_case(session, actor, pseudonym)
    today = dt.date.today()
    visits = service.visits_of(session, case)
    years: dict[int, list] = {}
    for v in visits:
        years.setdefault(v.due_on.year, []).append((v, followup.is_overdue(v.due_on, v.window_days, v.status, today)))
    overdue = [v for v, late in (x for ys in years.values() for x in ys) if late]
    observations = list(session.scalars(select(Observation).where(Observation.case_id == case.id)
                                        .order_by(Observation.observed_on.desc(), Observation.id.desc())))
    return render("followup.html.j2", case=case, years=years, overdue=overdue, today=today.isoformat(),
                  treatments=list(session.scalars(select(Treatment).where(Treatment.case_id == case.id))),
                  observations=observations, clinical=actor.role in (Role.CLINICIAN, Role.ADMIN),
                  analytes=followup.lab_analytes(), error=error, **_ctx(login))


@router.post("/visits/{visit_id}/done")
def visit_done(session: SessionDep, login: PageLogin, visit_id: Annotated[int, Path(ge=1, le=ID_MAX)], done_on: Annotated[str, Form()],
               notes: Annotated[str, Form(max_length=5000)] = "", csrf_token: Annotated[str, Form()] = ""):
    _csrf(login, csrf_token)
    visit = service.record_visit(session, _actor(login), visit_id, done_on=_date(done_on, "done_on"), notes=notes)
    return _back(f"/cases/{session.get(Case, visit.case_id).pseudonym}/follow-up")


@router.post("/cases/{pseudonym}/observation")
def observation(session: SessionDep, login: PageLogin, pseudonym: str, analyte: Annotated[str, Form(max_length=80)],
                value: Annotated[str, Form()], observed_on: Annotated[str, Form()],
                unit: Annotated[str, Form(max_length=40)] = "", lower_limit: Annotated[str, Form()] = "",
                upper_limit: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = ""):
    _csrf(login, csrf_token)
    actor = _actor(login)
    case = service.get_case(session, actor, pseudonym)
    try:
        service.record_observation(session, actor, case, analyte=analyte, value=_float(value, "value"), unit=unit,
                                   lower_limit=_float(lower_limit, "lower_limit"),
                                   upper_limit=_float(upper_limit, "upper_limit"),
                                   observed_on=_date(observed_on, "observed_on"))
    except InputError as err:
        session.rollback()
        page = calendar(session, login, pseudonym, error=err.one_line())
        page.status_code = 422
        return page
    return _back(f"/cases/{pseudonym}/follow-up")
