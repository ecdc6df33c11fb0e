"""Registry operations: keyword-only functions taking an open session and the acting user.

Each function checks access (`rarepath.registry.access`), changes the database, and appends to the audit
trail in the same transaction; the caller commits (`Registry.session()`). The CLI, the REST API and the
pages are thin shells over these functions. Cases are re-read from the file as received for every
assessment, through the same intake as `rarepath assess`, so a stored case and a file on disk assess alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarepath.errors import InputError
from rarepath.registry import audit, followup
from rarepath.registry.access import Action, Actor, Forbidden, NotFound, require_read, require_write, visible
from rarepath.registry.db import RegistryError
from rarepath.registry.models import (
    AdverseEvent,
    Alert,
    AlertKind,
    Assessment,
    Case,
    Consent,
    Decision,
    DiseaseModel,
    ModelKind,
    Observation,
    Phenotype,
    QCRecord,
    QCTest,
    Relatedness,
    Role,
    Screen,
    Team,
    Treatment,
    User,
    Variant,
    Visit,
    VisitStatus,
)

#: Largest case file accepted (a whole-genome VCF belongs in the lab's pipeline, not in an upload).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
FORMATS = {".json": "phenopacket", ".vcf": "vcf", ".vcf.gz": "vcf", ".vcf.bgz": "vcf", ".yaml": "yaml",
           ".yml": "yaml"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _today() -> dt.date:
    return _now().date()


# --------------------------------------------------------------------------------------------------- teams/users


def add_team(session: Session, *, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def add_user(session: Session, actor: Actor, *, username: str, password: str, role: Role | str,
             team: str | None = None, full_name: str = "") -> User:
    """A new user with an argon2 password hash; only an admin may add users."""
    from rarepath.registry.security import hash_password

    require_write(actor, Action.USERS)
    try:
        role = Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r} (one of {', '.join(r.value for r in Role)})",
                         field="role") from None
    username = username.strip()
    if not username or len(username) > 80:
        raise InputError("user name must be 1-80 characters", field="username")
    if len(password) < 8:
        raise InputError("password must have at least 8 characters", field="password")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise RegistryError("user already exists", source=username, field="username")
    team_id = add_team(session, name=team).id if team else None
    user = User(username=username, full_name=full_name, role=role.value, team_id=team_id,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    audit.append(session, actor=actor.name, action="create", entity="user", entity_id=user.id,
                 detail=f"{username} ({role.value})")
    return user


def actor_for(user: User) -> Actor:
    return Actor(name=user.username, role=Role(user.role), user_id=user.id, team_id=user.team_id)


# --------------------------------------------------------------------------------------------------- cases


def case_format(filename: str) -> str:
    name = filename.lower()
    for suffix, kind in sorted(FORMATS.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(suffix):
            return kind
    raise InputError("unknown case file type: expected .json (Phenopacket v2), .vcf/.vcf.gz or .yaml",
                     source=filename, field="file")


def parse_case_bytes(filename: str, content: bytes, pseudonym: str, options: dict[str, Any] | None = None):
    """The `rarepath.model.Case` of a file held in memory, via the same intake as `rarepath assess`."""
    from rarepath.intake import load_case

    safe = Path(filename).name or "case"
    with tempfile.TemporaryDirectory(prefix="rarepath-case-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(content)
        try:
            case = load_case(path, case_id=pseudonym, **(options or {}))
        except InputError as err:  # name the upload, not the temporary copy
            raise InputError(err.problem, source=safe, field=err.field) from None
    import dataclasses

    return dataclasses.replace(case, source=f"registry case {pseudonym}")  # no file name: it may identify


def _new_pseudonym(session: Session) -> str:
    while True:
        code = "RP-" + secrets.token_hex(4).upper()
        if session.scalar(select(Case.id).where(Case.pseudonym == code)) is None:
            return code


def add_case(session: Session, actor: Actor, *, filename: str, content: bytes, team: str | None = None,
             consent: Consent | str = Consent.PENDING, patient_name: str = "", family_user: str | None = None,
             gene: str | None = None) -> Case:
    """Register a case from a phenopacket, VCF (with `gene`) or YAML file kept exactly as received.

    The file is parsed first: a broken or unsupported file raises InputError and nothing is stored.
    """
    require_write(actor, Action.CASE)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InputError(f"file is {len(content) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB",
                         source=filename, field="file")
    if not content:
        raise InputError("file is empty", source=filename, field="file")
    fmt = case_format(filename)
    try:
        consent = Consent(consent)
    except ValueError:
        raise InputError(f"unknown consent {consent!r} (one of {', '.join(c.value for c in Consent)})",
                         field="consent") from None
    options = {"gene": gene} if gene else {}
    pseudonym = _new_pseudonym(session)
    parsed = parse_case_bytes(filename, content, pseudonym, options)
    label = _file_label(fmt, content) or Path(filename).stem
    team_id = actor.team_id
    if team:
        team_id = add_team(session, name=team).id
    family_id = None
    if family_user:
        fam = session.scalar(select(User).where(User.username == family_user))
        if fam is None or fam.role != Role.FAMILY.value:
            raise InputError("no family user of that name", source=family_user, field="family_user")
        family_id = fam.id
    case = Case(pseudonym=pseudonym, label=label[:200], patient_name=patient_name[:200], team_id=team_id,
                family_user_id=family_id, consent=consent.value, received_format=fmt,
                received_name=Path(filename).name[:255], received=content,
                received_sha256=hashlib.sha256(content).hexdigest(), intake=parsed.to_dict(),
                intake_options=options, created_by=actor.user_id)
    for v in parsed.variants:
        case.variants.append(Variant(gene=v.gene, description=v.description, kind=str(v.kind),
                                     zygosity=str(v.zygosity), hgvs_c=v.hgvs_c, hgvs_p=v.hgvs_p, hgvs_g=v.hgvs_g))
    case.phenotypes.extend(Phenotype(hpo_id=h, excluded=False) for h in parsed.phenotypes)
    case.phenotypes.extend(Phenotype(hpo_id=h, excluded=True) for h in parsed.excluded_phenotypes)
    session.add(case)
    session.flush()
    audit.append(session, actor=actor.name, action="create", entity="case", entity_id=case.id,
                 case_pseudonym=pseudonym, detail=f"{fmt} {case.received_name} sha256={case.received_sha256[:16]}")
    return case


def _file_label(fmt: str, content: bytes) -> str:
    """The case's own id inside the file (phenopacket `id`, YAML `id`), kept as a possibly identifying label."""
    import yaml

    try:
        if fmt == "phenopacket":
            return str(json.loads(content.decode("utf-8")).get("id", ""))
        if fmt == "yaml":
            return str(yaml.safe_load(content.decode("utf-8")).get("id", ""))
    except (ValueError, UnicodeDecodeError, AttributeError, yaml.YAMLError):
        return ""
    return ""


def get_case(session: Session, actor: Actor, ref: str | int, *, log: bool = True) -> Case:
    """A case by pseudonym or numeric id, if the actor may read it (the read is audited)."""
    if isinstance(ref, int) or re.fullmatch(r"[0-9]{1,9}", str(ref).strip()):
        case = session.get(Case, int(ref))
    else:
        case = session.scalar(select(Case).where(Case.pseudonym == str(ref).strip()))
    require_read(actor, case, ref)
    if log:
        audit.append(session, actor=actor.name, action="read", entity="case", entity_id=case.id,
                     case_pseudonym=case.pseudonym)
    return case


def list_cases(session: Session, actor: Actor) -> list[Case]:
    cases = list(session.scalars(visible(select(Case), actor).order_by(Case.id)))
    audit.append(session, actor=actor.name, action="read", entity="case_list", detail=f"{len(cases)} cases")
    return cases


def set_consent(session: Session, actor: Actor, case: Case, consent: Consent | str) -> Case:
    require_write(actor, Action.CASE, case)
    try:
        case.consent = Consent(consent).value
    except ValueError:
        raise InputError(f"unknown consent {consent!r}", field="consent") from None
    audit.append(session, actor=actor.name, action="update", entity="case", entity_id=case.id,
                 case_pseudonym=case.pseudonym, detail=f"consent={case.consent}")
    return case


def stored_case(case: Case):
    """The `rarepath.model.Case` of a registered case, re-read from the file as received."""
    return parse_case_bytes(case.received_name, case.received, case.pseudonym, case.intake_options)


# --------------------------------------------------------------------------------------------------- assessments


def _kb_digest(knowledge: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(knowledge, sort_keys=True).encode()).hexdigest()


def run_engine(case: Case) -> dict[str, Any]:
    """The engine's JSON contract for a stored case."""
    from rarepath.triage.engine import assess_case

    return assess_case(stored_case(case)).to_dict()


#: Ranking columns shown in the report for a stored screen (as `rarepath assess --screen` shows them).
SCREEN_COLUMNS = ("name", "modality", "target_gene", "call", "max_rescue_pct", "ec50", "unit", "toxicity_pct",
                  "q_value")


def attach_screens(session: Session, case: Case, contract: dict[str, Any]) -> dict[str, Any]:
    """Add the case's stored screens to the contract's `screens` section, each naming its registry record and
    disease model, so the report's screen evidence leads back to the plates."""
    for sc in session.scalars(select(Screen).where(Screen.case_id == case.id).order_by(Screen.id)):
        model = session.get(DiseaseModel, sc.model_id) if sc.model_id else None
        where = f"registry screen {sc.id}" + (f" on {model.kind} {model.name} (model {model.id})" if model else "")
        contract.setdefault("screens", []).append({
            "id": sc.name, "source": f"{where}; {sc.source}" if sc.source else where, "report": None,
            "ranking": [{k: r.get(k) for k in SCREEN_COLUMNS if k in r} for r in sc.ranking[:15]], "figures": []})
    return contract


def assess(session: Session, actor: Actor, case: Case, *, trigger: str = "manual",
           contract: dict[str, Any] | None = None) -> Assessment:
    """Run the engine on a stored case and keep the whole contract with the knowledge versions it used.

    The case's stored screens are attached to the contract (see `attach_screens`).
    """
    require_write(actor, Action.CASE, case)
    contract = contract if contract is not None else attach_screens(session, case, run_engine(case))
    options = contract.get("options") or []
    top = options[0] if options else {}
    row = Assessment(case_id=case.id, created_by=actor.user_id, engine_version=str(contract.get("rarepath_version")),
                     kb_version=_kb_digest(contract.get("knowledge") or {}), knowledge=contract.get("knowledge") or {},
                     contract=contract, mechanism=str((contract.get("mechanism") or {}).get("call", "")),
                     top_option=f"{top.get('modality', '')}:{top.get('target', '')}:{top.get('verdict', '')}"[:200],
                     trigger=trigger)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.name, action="create", entity="assessment", entity_id=row.id,
                 case_pseudonym=case.pseudonym, detail=f"{trigger}; top {row.top_option}")
    return row


def latest_assessment(session: Session, case: Case) -> Assessment | None:
    return session.scalar(select(Assessment).where(Assessment.case_id == case.id)
                          .order_by(Assessment.id.desc()).limit(1))


def get_assessment(session: Session, actor: Actor, assessment_id: int) -> Assessment:
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise NotFound("no such assessment", source=str(assessment_id))
    case = session.get(Case, row.case_id)
    require_read(actor, case, assessment_id)
    audit.append(session, actor=actor.name, action="read", entity="assessment", entity_id=row.id,
                 case_pseudonym=case.pseudonym)
    return row


def list_assessments(session: Session, case: Case) -> list[Assessment]:
    return list(session.scalars(select(Assessment).where(Assessment.case_id == case.id).order_by(Assessment.id)))


def find_option(contract: dict[str, Any], modality: str, target: str) -> dict[str, Any] | None:
    for opt in contract.get("options") or []:
        if opt.get("modality") == modality and (not target or opt.get("target") == target):
            return opt
    return None


def decide(session: Session, actor: Actor, case: Case, *, modality: str, target: str = "", product: str = "",
           rationale: str, assessment: Assessment | None = None) -> Decision:
    """Record the option chosen, by whom and why, against one stored assessment (default: the latest)."""
    require_write(actor, Action.CLINICAL, case)
    assessment = assessment or latest_assessment(session, case)
    if assessment is None or assessment.case_id != case.id:
        raise RegistryError("assess the case before recording a decision", source=case.pseudonym)
    opt = find_option(assessment.contract, modality, target)
    if opt is None:
        raise InputError(f"no option {modality}{':' + target if target else ''} in assessment {assessment.id}",
                         source=case.pseudonym, field="modality")
    if not rationale.strip():
        raise InputError("a decision needs its rationale", field="rationale")
    names = [p.get("name") for p in opt.get("products") or []]
    if product and product not in names:
        raise InputError(f"product {product!r} is not listed for this option ({', '.join(names) or 'none'})",
                         field="product")
    row = Decision(case_id=case.id, assessment_id=assessment.id, modality=modality, target=opt.get("target", ""),
                   product=product, verdict_at_decision=opt.get("verdict", ""), rationale=rationale.strip(),
                   decided_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.name, action="create", entity="decision", entity_id=row.id,
                 case_pseudonym=case.pseudonym, detail=f"{modality}:{row.target} {product} ({row.verdict_at_decision})")
    return row


# --------------------------------------------------------------------------------------------------- treatment


def _product_category(product: str) -> str | None:
    from rarepath.knowledge.curated import load_table

    for row in load_table("therapies"):
        if row.get("name", "").lower() == product.lower():
            return row.get("follow_up_category") or None
    return None


def treat(session: Session, actor: Actor, case: Case, *, product: str, administered_on: dt.date,
          lot: str = "", dose: float | None = None, dose_unit: str = "", route: str = "", vector: str = "",
          decision: Decision | None = None, category: str | None = None) -> Treatment:
    """Record a treatment given and generate its whole follow-up plan as scheduled visits.

    The follow-up category is, in order: given explicitly, the decided option's safety category in its
    assessment, the product's curated category (therapies.tsv); without any, InputError.
    """
    require_write(actor, Action.CLINICAL, case)
    if not product.strip():
        raise InputError("a treatment needs its product", field="product")
    if category is None and decision is not None:
        a = session.get(Assessment, decision.assessment_id)
        opt = find_option(a.contract, decision.modality, decision.target) if a else None
        category = ((opt or {}).get("safety") or {}).get("category")
        if not route:
            route = ((opt or {}).get("delivery") or {}).get("route", "") or ""
        if not vector:
            vector = ((opt or {}).get("delivery") or {}).get("vector", "") or ""
    category = category or _product_category(product)
    if category is None:
        raise InputError(f"no follow-up category known for {product!r}: give one of "
                         f"{', '.join(sorted(followup.categories()))}", field="category")
    plan = followup.plan_follow_up(category, administered_on)
    row = Treatment(case_id=case.id, decision_id=decision.id if decision else None, product=product.strip(),
                    category=category, lot=lot, dose=dose, dose_unit=dose_unit, administered_on=administered_on,
                    vector=vector, route=route, recorded_by=actor.user_id)
    for v in plan.visits:
        row.visits.append(Visit(case_id=case.id, day=v.day, due_on=v.due_on, window_days=v.window_days,
                                phase=v.phase, checks=list(v.checks), sources=list(v.sources)))
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.name, action="create", entity="treatment", entity_id=row.id,
                 case_pseudonym=case.pseudonym,
                 detail=f"{row.product} lot={lot} on {administered_on}; {category}: {len(plan.visits)} visits")
    return row


def visits_of(session: Session, case: Case) -> list[Visit]:
    return list(session.scalars(select(Visit).where(Visit.case_id == case.id).order_by(Visit.due_on, Visit.id)))


T = TypeVar("T")


def _row_of_case(session: Session, model: type[T], row_id: int, case: Case, what: str, field: str) -> T:
    """The `model` row `row_id` when it belongs to `case`; a row of another case is as absent as a missing one."""
    row = session.get(model, row_id)
    if row is None or row.case_id != case.id:
        raise InputError(f"no such {what} for this case", source=str(row_id), field=field)
    return row


def _case_of(session: Session, actor: Actor, case_id: int, ref: str) -> Case:
    return require_read(actor, session.get(Case, case_id), ref)


def record_visit(session: Session, actor: Actor, visit_id: int, *, done_on: dt.date, notes: str = "") -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("no such visit", source=str(visit_id))
    case = _case_of(session, actor, visit.case_id, f"visit {visit_id}")
    require_write(actor, Action.CLINICAL, case)
    visit.status = VisitStatus.DONE.value
    visit.done_on = done_on
    visit.notes = notes
    for alert in session.scalars(select(Alert).where(Alert.ref == f"visit:{visit.id}",
                                                     Alert.acknowledged_at.is_(None))):
        alert.acknowledged_at = _now()  # the overdue visit was done: its alert is closed
        alert.acknowledged_by = actor.user_id
    audit.append(session, actor=actor.name, action="update", entity="visit", entity_id=visit.id,
                 case_pseudonym=case.pseudonym, detail=f"done on {done_on}")
    return visit


def _alert(session: Session, case: Case, kind: AlertKind, severity: int, message: str, rule: str,
           source: str = "", ref: str = "") -> Alert | None:
    """A new alert, unless an open one with the same reference exists."""
    if ref and session.scalar(select(Alert.id).where(Alert.case_id == case.id, Alert.ref == ref,
                                                     Alert.acknowledged_at.is_(None))) is not None:
        return None
    row = Alert(case_id=case.id, kind=kind.value, severity=max(1, min(5, severity)), message=message, rule=rule,
                source=source, ref=ref)
    session.add(row)
    session.flush()
    return row


def record_observation(session: Session, actor: Actor, case: Case, *, analyte: str, value: float | None,
                       observed_on: dt.date, unit: str = "", lower_limit: float | None = None,
                       upper_limit: float | None = None, text_value: str = "", visit_id: int | None = None
                       ) -> Observation:
    """Store a lab value, grade it by CTCAE v5 and raise an abnormal-lab alert when it is out of range."""
    require_write(actor, Action.CLINICAL, case)
    if not analyte.strip():
        raise InputError("an observation needs its analyte", field="analyte")
    if visit_id is not None:
        _row_of_case(session, Visit, visit_id, case, "visit", "visit_id")
    name = followup.canonical_analyte(analyte)
    grade = followup.grade_lab(name, value, unit, lower_limit, upper_limit) if value is not None else None
    row = Observation(case_id=case.id, visit_id=visit_id, analyte=name, value=value, text_value=text_value,
                      unit=unit, lower_limit=lower_limit, upper_limit=upper_limit, observed_on=observed_on,
                      ctcae_grade=grade.grade if grade else None, recorded_by=actor.user_id)
    session.add(row)
    session.flush()
    if grade is not None and grade.grade >= 1:
        _alert(session, case, AlertKind.ABNORMAL_LAB, grade.grade,
               f"{grade.term} CTCAE grade {grade.grade}: {grade.detail} on {observed_on}", "ctcae_v5_lab_grade",
               grade.source, f"observation:{row.id}")
    elif grade is None and value is not None and (
            (upper_limit is not None and value > upper_limit) or (lower_limit is not None and value < lower_limit)):
        _alert(session, case, AlertKind.ABNORMAL_LAB, 1,
               f"{name} {value:g} {unit} outside the lab's range ({lower_limit}-{upper_limit}) on {observed_on}",
               "outside_reference_range", "the reporting laboratory's reference range", f"observation:{row.id}")
    audit.append(session, actor=actor.name, action="create", entity="observation", entity_id=row.id,
                 case_pseudonym=case.pseudonym, detail=f"{name}={value if value is not None else text_value} {unit}")
    return row


def record_adverse_event(session: Session, actor: Actor, case: Case, *, term: str, grade: int, serious: bool,
                         relatedness: Relatedness | str, onset_on: dt.date, description: str = "",
                         treatment_id: int | None = None, resolved_on: dt.date | None = None) -> AdverseEvent:
    """An adverse event graded by CTCAE v5 (1-5); serious or grade >= 3 events alert the care team."""
    require_write(actor, Action.CLINICAL, case)
    if not isinstance(grade, int) or isinstance(grade, bool) or not 1 <= grade <= 5:
        raise InputError(f"CTCAE grade must be 1-5, got {grade!r}", field="grade")
    try:
        relatedness = Relatedness(relatedness)
    except ValueError:
        raise InputError(f"unknown relatedness {relatedness!r} (one of {', '.join(r.value for r in Relatedness)})",
                         field="relatedness") from None
    if not term.strip():
        raise InputError("an adverse event needs its CTCAE term", field="term")
    if treatment_id is not None:
        _row_of_case(session, Treatment, treatment_id, case, "treatment", "treatment_id")
    row = AdverseEvent(case_id=case.id, treatment_id=treatment_id, term=term.strip(), grade=grade, serious=serious,
                       relatedness=relatedness.value, onset_on=onset_on, resolved_on=resolved_on,
                       description=description, reported_by=actor.user_id)
    session.add(row)
    session.flush()
    if serious or grade >= 3:
        _alert(session, case, AlertKind.ADVERSE_EVENT, max(grade, 4 if serious else grade),
               f"{'serious ' if serious else ''}adverse event: {row.term}, CTCAE grade {grade}, {relatedness.value} "
               f"to treatment, onset {onset_on}", "serious_or_grade3_adverse_event",
               "CTCAE v5.0 (NCI, 2017); ICH E2A (serious adverse event)", f"adverse_event:{row.id}")
    audit.append(session, actor=actor.name, action="create", entity="adverse_event", entity_id=row.id,
                 case_pseudonym=case.pseudonym, detail=f"{row.term} grade {grade} serious={serious}")
    return row


def refresh_overdue_alerts(session: Session, *, today: dt.date | None = None) -> list[Alert]:
    """One open alert per scheduled visit whose window has closed (run daily, and on opening a calendar)."""
    today = today or _today()
    out = []
    rows = session.scalars(select(Visit).where(Visit.status == VisitStatus.SCHEDULED.value, Visit.due_on < today))
    for v in rows:
        if followup.is_overdue(v.due_on, v.window_days, v.status, today):
            case = session.get(Case, v.case_id)
            late = (today - v.due_on).days
            a = _alert(session, case, AlertKind.OVERDUE_VISIT, 3 if late > 90 else 2,
                       f"follow-up visit of day {v.day} ({v.phase}) was due {v.due_on}, {late} days ago: "
                       f"{', '.join(v.checks)}", "overdue_follow_up_visit", "; ".join(v.sources), f"visit:{v.id}")
            if a is not None:
                out.append(a)
    return out


def alerts_for(session: Session, actor: Actor, *, open_only: bool = True) -> list[Alert]:
    q = select(Alert).join(Case, Case.id == Alert.case_id)
    q = visible(q, actor)
    if actor.role in (Role.RESEARCHER,):
        return []
    if open_only:
        q = q.where(Alert.acknowledged_at.is_(None))
    rows = list(session.scalars(q.order_by(Alert.severity.desc(), Alert.id)))
    audit.append(session, actor=actor.name, action="read", entity="alert_list", detail=f"{len(rows)} alerts")
    return rows


# --------------------------------------------------------------------------------------------------- lab side


def add_model(session: Session, actor: Actor, case: Case, *, kind: ModelKind | str, name: str,
              parent_id: int | None = None, **fields: Any) -> DiseaseModel:
    require_write(actor, Action.LAB, case)
    try:
        kind = ModelKind(kind)
    except ValueError:
        raise InputError(f"unknown model kind {kind!r} (one of {', '.join(k.value for k in ModelKind)})",
                         field="kind") from None
    if parent_id is not None:
        _row_of_case(session, DiseaseModel, parent_id, case, "parent model", "parent_id")
    elif kind != ModelKind.CELL_LINE:
        raise InputError(f"a {kind.value} is derived from a parent model: give parent_id", field="parent_id")
    allowed = {"source_tissue", "guide", "donor", "genotype", "genotype_confirmed", "target_cell_type", "notes"}
    extra = set(fields) - allowed
    if extra:
        raise InputError(f"unknown field(s) {', '.join(sorted(extra))}", field="model")
    row = DiseaseModel(case_id=case.id, kind=kind.value, name=name, parent_id=parent_id, **fields)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.name, action="create", entity="disease_model", entity_id=row.id,
                 case_pseudonym=case.pseudonym, detail=f"{kind.value} {name}")
    return row


def add_qc(session: Session, actor: Actor, model: DiseaseModel, *, test: QCTest | str, result: str,
           detail: str = "", performed_on: dt.date | None = None) -> QCRecord:
    case = _case_of(session, actor, model.case_id, f"model {model.id}")
    require_write(actor, Action.LAB, case)
    try:
        test = QCTest(test)
    except ValueError:
        raise InputError(f"unknown QC test {test!r} (one of {', '.join(t.value for t in QCTest)})",
                         field="test") from None
    if result not in ("pass", "fail", "pending"):
        raise InputError("result must be pass, fail or pending", field="result")
    row = QCRecord(model_id=model.id, test=test.value, result=result, detail=detail, performed_on=performed_on)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.name, action="create", entity="qc_record", entity_id=row.id,
                 case_pseudonym=case.pseudonym, detail=f"model {model.id} {test.value}={result}")
    return row


def add_screen(session: Session, actor: Actor, case: Case, *, name: str, ranking: list[dict[str, Any]],
               model_id: int | None = None, source: str = "") -> Screen:
    """Store `rarepath screen analyze` ranking rows against the case and the disease model screened."""
    require_write(actor, Action.LAB, case)
    if model_id is not None:
        _row_of_case(session, DiseaseModel, model_id, case, "disease model", "model_id")
    row = Screen(case_id=case.id, model_id=model_id, name=name, source=source, ranking=[
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}  # JSON has no NaN
        for r in ranking])
    session.add(row)
    session.flush()
    audit.append(session, actor=actor.name, action="create", entity="screen", entity_id=row.id,
                 case_pseudonym=case.pseudonym, detail=f"{name}: {len(ranking)} rows")
    return row


# --------------------------------------------------------------------------------------------------- reanalysis


@dataclass(frozen=True)
class Change:
    """One difference between two assessments of the same case that a clinician should hear about."""

    kind: str  # verdict_changed | became_recommended | new_product | mechanism_changed | new_option
    message: str
    severity: int


def compare_assessments(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What changed from `old` to `new` (two JSON contracts): verdicts, approved products, the mechanism call."""
    changes: list[Change] = []
    om, nm = (old.get("mechanism") or {}).get("call"), (new.get("mechanism") or {}).get("call")
    if om != nm:
        changes.append(Change("mechanism_changed", f"mechanism call changed from {om} to {nm}", 3))
    old_opts = {(o.get("modality"), o.get("target")): o for o in old.get("options") or []}
    for o in new.get("options") or []:
        key = (o.get("modality"), o.get("target"))
        label = f"{key[0]} on {key[1]}"
        prev = old_opts.get(key)
        if prev is None:
            changes.append(Change("new_option", f"new option {label}: {o.get('verdict')}", 2))
            prev = {}
        elif prev.get("verdict") != o.get("verdict"):
            if o.get("verdict") == "recommended":
                changes.append(Change("became_recommended", f"{label} is now recommended "
                                      f"(was {prev.get('verdict')})", 4))
            else:
                changes.append(Change("verdict_changed", f"{label}: {prev.get('verdict')} -> {o.get('verdict')}", 2))
        before = {p.get("name") for p in prev.get("products") or [] if p.get("status") == "approved"}
        for p in o.get("products") or []:
            if p.get("status") == "approved" and p.get("name") not in before:
                changes.append(Change("new_product", f"newly listed approved product for {label}: {p.get('name')}", 4))
    return changes


@dataclass(frozen=True)
class Reanalysis:
    """One case re-run: the new assessment (None when the contract is unchanged) and what changed."""

    case: str
    assessment_id: int | None
    changes: tuple[Change, ...]
    first: bool = False  # the case had no assessment before


def reanalyse(session: Session, actor: Actor, *, progress: Any = None) -> list[Reanalysis]:
    """Re-run the engine on every stored case (after a knowledge-base import) and alert on what changed.

    A new assessment is stored only for cases whose contract changed; each change becomes an alert for
    the case's clinicians.
    """
    require_write(actor, Action.CASE)
    out: list[Reanalysis] = []
    for case in session.scalars(visible(select(Case), actor).order_by(Case.id)).all():
        previous = latest_assessment(session, case)
        contract = attach_screens(session, case, run_engine(case))
        if previous is not None and _comparable(previous.contract) == _comparable(contract):
            out.append(Reanalysis(case.pseudonym, None, ()))
            continue
        changes = tuple(compare_assessments(previous.contract, contract)) if previous is not None else ()
        row = assess(session, actor, case, trigger="reanalysis", contract=contract)
        for ch in changes:
            _alert(session, case, AlertKind.REANALYSIS, ch.severity, f"re-analysis: {ch.message}", ch.kind,
                   f"assessment {previous.id} -> {row.id}; knowledge {row.kb_version[:12]}",
                   f"reanalysis:{row.id}:{ch.kind}:{ch.message[:40]}")
        out.append(Reanalysis(case.pseudonym, row.id, changes, first=previous is None))
        if progress is not None:
            progress(out[-1])
    return out


def _comparable(contract: dict[str, Any]) -> str:
    return json.dumps(contract, sort_keys=True, default=str)


def case_summary(session: Session, case: Case) -> dict[str, int]:
    """Counts of what is recorded for a case (for listings)."""
    def count(model: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(model.case_id == case.id)) or 0

    return {"assessments": count(Assessment), "decisions": count(Decision), "treatments": count(Treatment),
            "adverse_events": count(AdverseEvent), "open_alerts": session.scalar(
                select(func.count()).select_from(Alert).where(Alert.case_id == case.id,
                                                              Alert.acknowledged_at.is_(None))) or 0}


__all__ = ["add_team", "add_user", "actor_for", "add_case", "get_case", "list_cases", "set_consent", "stored_case",
           "assess", "latest_assessment", "get_assessment", "list_assessments", "decide", "treat", "visits_of",
           "record_visit", "record_observation", "record_adverse_event", "refresh_overdue_alerts", "alerts_for",
           "add_model", "add_qc", "add_screen", "compare_assessments", "reanalyse", "Change", "Reanalysis",
           "Forbidden", "NotFound", "MAX_UPLOAD_BYTES", "case_summary"]
