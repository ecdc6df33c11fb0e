"""Registry tables as SQLAlchemy 2 ORM classes (the schema itself is created by Alembic migration 0005).

Every table is prefixed `reg_` so it can share one database, and one migration history, with the
knowledge base. Times are timezone-aware UTC; calendar dates (a visit's due day, an onset) are dates.
Large documents (a phenopacket as received, an assessment's JSON contract) are kept whole.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Role(StrEnum):
    """Who a user is; `rarepath.registry.access` says what each may see."""

    CLINICIAN = "clinician"  # their team's cases, names included
    LAB = "lab"  # their team's cases without names: models, screens
    FAMILY = "family"  # their own case only, family report
    RESEARCHER = "researcher"  # pseudonymised data of consenting cases only
    ADMIN = "admin"


class Consent(StrEnum):
    """Consent status of a case: care only, care and research, pending, withdrawn."""

    PENDING = "pending"
    CARE = "care"
    RESEARCH = "research"
    WITHDRAWN = "withdrawn"


class Relatedness(StrEnum):
    """Causality of an adverse event to the treatment (the usual five-step investigator scale)."""

    UNRELATED = "unrelated"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"


class ModelKind(StrEnum):
    """Kinds of patient-derived disease model, each derived from its parent."""

    CELL_LINE = "cell_line"  # primary fibroblasts or blood cells
    IPSC_CLONE = "ipsc_clone"
    ISOGENIC_CLONE = "isogenic_clone"  # edited (corrected or mutated) clone of an iPSC line
    DIFFERENTIATION = "differentiation"  # into the target cell type


class QCTest(StrEnum):
    KARYOTYPE = "karyotype"
    PLURIPOTENCY = "pluripotency"
    MYCOPLASMA = "mycoplasma"
    SEQUENCING = "sequencing"
    IDENTITY = "identity"


class VisitStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    MISSED = "missed"


class AlertKind(StrEnum):
    OVERDUE_VISIT = "overdue_visit"
    ABNORMAL_LAB = "abnormal_lab"
    ADVERSE_EVENT = "adverse_event"
    REANALYSIS = "reanalysis"


NAMING = {"ix": "ix_%(table_name)s_%(column_0_name)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every back-end (SQLite stores no zone: it is put back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, dt.datetime: UTCDateTime}


def _enum(e: type[StrEnum], name: str) -> CheckConstraint:
    """Values constrained by a CHECK (portable, and a new member is one migration line, not a type change)."""
    values = ", ".join(f"'{m.value}'" for m in e)
    return CheckConstraint(f"{name} IN ({values})", name=name)


class Team(Base):
    __tablename__ = "reg_team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(Base):
    __tablename__ = "reg_user"
    __table_args__ = (_enum(Role, "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("reg_team.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuthSession(Base):
    """A login: the token is given to the client once; only its SHA-256 is stored."""

    __tablename__ = "reg_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("reg_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    user: Mapped[User] = relationship()


class Case(Base):
    __tablename__ = "reg_case"
    __table_args__ = (_enum(Consent, "consent"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")  # the id in the file: may identify
    patient_name: Mapped[str] = mapped_column(String(200), default="")  # direct identifier
    team_id: Mapped[int | None] = mapped_column(ForeignKey("reg_team.id"), index=True)
    family_user_id: Mapped[int | None] = mapped_column(ForeignKey("reg_user.id"), index=True)
    consent: Mapped[str] = mapped_column(String(20), default=Consent.PENDING.value)
    received_format: Mapped[str] = mapped_column(String(20))  # phenopacket | vcf | yaml
    received_name: Mapped[str] = mapped_column(String(255))
    received: Mapped[bytes] = mapped_column(LargeBinary)  # the file exactly as received
    received_sha256: Mapped[str] = mapped_column(String(64))
    intake: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the parsed Case (Case.to_dict())
    intake_options: Mapped[dict[str, Any]] = mapped_column(default=dict)  # overrides given at upload (VCF gene)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("reg_user.id"))
    variants: Mapped[list[Variant]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                   order_by="Variant.id")
    phenotypes: Mapped[list[Phenotype]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                       order_by="Phenotype.id")


class Variant(Base):
    __tablename__ = "reg_variant"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    gene: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    zygosity: Mapped[str] = mapped_column(String(40))
    hgvs_c: Mapped[str | None] = mapped_column(String(200))
    hgvs_p: Mapped[str | None] = mapped_column(String(200))
    hgvs_g: Mapped[str | None] = mapped_column(String(200))
    case: Mapped[Case] = relationship(back_populates="variants")


class Phenotype(Base):
    __tablename__ = "reg_phenotype"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    hpo_id: Mapped[str] = mapped_column(String(20), index=True)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    case: Mapped[Case] = relationship(back_populates="phenotypes")


class Assessment(Base):
    """One run of the engine, kept whole so the report of that day can be rendered again exactly."""

    __tablename__ = "reg_assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("reg_user.id"))
    engine_version: Mapped[str] = mapped_column(String(40))
    kb_version: Mapped[str] = mapped_column(String(64))  # digest of the contract's `knowledge` section
    knowledge: Mapped[dict[str, Any]] = mapped_column(default=dict)
    contract: Mapped[dict[str, Any]] = mapped_column()
    mechanism: Mapped[str] = mapped_column(String(40))
    top_option: Mapped[str] = mapped_column(String(200), default="")
    trigger: Mapped[str] = mapped_column(String(40), default="manual")  # manual | upload | reanalysis


class Decision(Base):
    __tablename__ = "reg_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("reg_assessment.id"), index=True)
    modality: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(40))
    product: Mapped[str] = mapped_column(String(200), default="")
    verdict_at_decision: Mapped[str] = mapped_column(String(40))
    rationale: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("reg_user.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DiseaseModel(Base):
    """A patient-derived model: a cell line, an iPSC clone, an isogenic edited clone or a differentiation."""

    __tablename__ = "reg_disease_model"
    __table_args__ = (_enum(ModelKind, "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("reg_disease_model.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    source_tissue: Mapped[str] = mapped_column(String(80), default="")  # fibroblast, blood (cell lines)
    guide: Mapped[str] = mapped_column(String(200), default="")  # isogenic clones: guide used
    donor: Mapped[str] = mapped_column(Text, default="")  # isogenic clones: repair template
    genotype: Mapped[str] = mapped_column(String(200), default="")
    genotype_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    target_cell_type: Mapped[str] = mapped_column(String(120), default="")  # differentiations
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    qc: Mapped[list[QCRecord]] = relationship(cascade="all, delete-orphan", order_by="QCRecord.id")


class QCRecord(Base):
    __tablename__ = "reg_qc_record"
    __table_args__ = (_enum(QCTest, "test"), CheckConstraint("result IN ('pass', 'fail', 'pending')", name="result"))
    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("reg_disease_model.id", ondelete="CASCADE"), index=True)
    test: Mapped[str] = mapped_column(String(30))
    result: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text, default="")
    performed_on: Mapped[dt.date | None] = mapped_column(Date)


class Screen(Base):
    """A `rarepath screen analyze` run on a disease model: its ranking rows kept with the model and case."""

    __tablename__ = "reg_screen"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("reg_disease_model.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500), default="")
    ranking: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Treatment(Base):
    __tablename__ = "reg_treatment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("reg_decision.id"))
    product: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))  # follow_up.tsv category
    lot: Mapped[str] = mapped_column(String(80), default="")
    dose: Mapped[float | None] = mapped_column(Float)
    dose_unit: Mapped[str] = mapped_column(String(40), default="")
    administered_on: Mapped[dt.date] = mapped_column(Date)
    vector: Mapped[str] = mapped_column(String(120), default="")
    route: Mapped[str] = mapped_column(String(80), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("reg_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    visits: Mapped[list[Visit]] = relationship(cascade="all, delete-orphan", order_by="Visit.due_on")


class Visit(Base):
    """A scheduled follow-up visit with the checks due; done visits keep their date."""

    __tablename__ = "reg_visit"
    __table_args__ = (_enum(VisitStatus, "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    treatment_id: Mapped[int] = mapped_column(ForeignKey("reg_treatment.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)  # days after treatment
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    window_days: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(120))
    checks: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default=VisitStatus.SCHEDULED.value)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")


class Observation(Base):
    """One lab value or finding, with the lab's own reference range when given; graded by CTCAE v5."""

    __tablename__ = "reg_observation"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("reg_visit.id"), index=True)
    analyte: Mapped[str] = mapped_column(String(80))
    value: Mapped[float | None] = mapped_column(Float)
    text_value: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    lower_limit: Mapped[float | None] = mapped_column(Float)
    upper_limit: Mapped[float | None] = mapped_column(Float)
    observed_on: Mapped[dt.date] = mapped_column(Date)
    ctcae_grade: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("reg_user.id"))


class AdverseEvent(Base):
    __tablename__ = "reg_adverse_event"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 5", name="grade"), _enum(Relatedness, "relatedness"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    treatment_id: Mapped[int | None] = mapped_column(ForeignKey("reg_treatment.id"), index=True)
    term: Mapped[str] = mapped_column(String(200))  # CTCAE v5 term
    grade: Mapped[int] = mapped_column(Integer)
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    relatedness: Mapped[str] = mapped_column(String(20))
    onset_on: Mapped[dt.date] = mapped_column(Date)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("reg_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Alert(Base):
    __tablename__ = "reg_alert"
    __table_args__ = (_enum(AlertKind, "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("reg_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[int] = mapped_column(Integer)  # 1 (note) .. 5 (urgent)
    message: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(Text, default="")
    ref: Mapped[str] = mapped_column(String(80), default="")  # e.g. visit:12, observation:4 (no duplicates)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("reg_user.id"))
    acknowledged_at: Mapped[dt.datetime | None]


class AuditEntry(Base):
    """Append-only, hash-chained: each row's hash covers its fields and the previous row's hash."""

    __tablename__ = "reg_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, exactly as hashed
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))  # read | create | update | delete | login | export
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    case_pseudonym: Mapped[str] = mapped_column(String(40), default="", index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


__all__ = ["Base", "Role", "Consent", "Relatedness", "ModelKind", "QCTest", "VisitStatus", "AlertKind", "Team",
           "User", "AuthSession", "Case", "Variant", "Phenotype", "Assessment", "Decision", "DiseaseModel",
           "QCRecord", "Screen", "Treatment", "Visit", "Observation", "AdverseEvent", "Alert", "AuditEntry"]
