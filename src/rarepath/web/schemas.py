"""Typed request and response bodies of the REST API (Pydantic); field limits are declared here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rarepath.registry.models import Consent, ModelKind, QCTest, Relatedness, Role

#: Record ids are 32-bit on PostgreSQL: larger numbers are refused as input, never sent to the database.
ID_MAX = 2**31 - 1
RecordId = Annotated[int, Field(ge=1, le=ID_MAX)]


class Health(BaseModel):
    status: str
    backend: str
    version: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    csrf_token: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    role: Role
    team_id: int | None


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=8, max_length=200)
    role: Role
    team: str | None = Field(default=None, max_length=200)
    full_name: str = Field(default="", max_length=200)


class VariantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    gene: str
    description: str
    kind: str
    zygosity: str
    hgvs_c: str | None
    hgvs_p: str | None


class CaseOut(BaseModel):
    """A case; `label` and `patient_name` are null for roles that see no names (lab, researcher)."""

    pseudonym: str
    genes: list[str]
    consent: Consent
    received_format: str
    created_at: dt.datetime
    label: str | None = None
    patient_name: str | None = None
    variants: list[VariantOut] = []
    phenotypes: list[str] = []
    counts: dict[str, int] = {}


class ConsentUpdate(BaseModel):
    consent: Consent


class AssessmentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: dt.datetime
    engine_version: str
    kb_version: str
    mechanism: str
    top_option: str
    trigger: str


class AssessmentOut(AssessmentSummary):
    contract: dict[str, Any]


class DecisionCreate(BaseModel):
    modality: str = Field(min_length=1, max_length=40)
    target: str = Field(default="", max_length=40)
    product: str = Field(default="", max_length=200)
    rationale: str = Field(min_length=1, max_length=5000)
    assessment_id: RecordId | None = None


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    assessment_id: int
    modality: str
    target: str
    product: str
    verdict_at_decision: str
    rationale: str
    decided_at: dt.datetime


class ModelCreate(BaseModel):
    kind: ModelKind
    name: str = Field(min_length=1, max_length=200)
    parent_id: RecordId | None = None
    source_tissue: str = Field(default="", max_length=80)
    guide: str = Field(default="", max_length=200)
    donor: str = Field(default="", max_length=5000)
    genotype: str = Field(default="", max_length=200)
    genotype_confirmed: bool = False
    target_cell_type: str = Field(default="", max_length=120)
    notes: str = Field(default="", max_length=5000)


class QCCreate(BaseModel):
    test: QCTest
    result: str = Field(pattern="^(pass|fail|pending)$")
    detail: str = Field(default="", max_length=2000)
    performed_on: dt.date | None = None


class QCOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    test: str
    result: str
    detail: str
    performed_on: dt.date | None


class ModelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name: str
    parent_id: int | None
    source_tissue: str
    guide: str
    genotype: str
    genotype_confirmed: bool
    target_cell_type: str
    qc: list[QCOut] = []


class ScreenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    model_id: RecordId | None = None
    source: str = Field(default="", max_length=500)
    ranking: list[dict[str, Any]] = Field(default_factory=list, max_length=10000)


class ScreenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    model_id: int | None
    source: str
    ranking: list[dict[str, Any]]
    created_at: dt.datetime


class TreatmentCreate(BaseModel):
    product: str = Field(min_length=1, max_length=200)
    administered_on: dt.date
    lot: str = Field(default="", max_length=80)
    dose: float | None = Field(default=None, ge=0)
    dose_unit: str = Field(default="", max_length=40)
    route: str = Field(default="", max_length=80)
    vector: str = Field(default="", max_length=120)
    decision_id: RecordId | None = None
    category: str | None = Field(default=None, max_length=40)


class VisitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    treatment_id: int
    day: int
    due_on: dt.date
    window_days: int
    phase: str
    checks: list[str]
    sources: list[str]
    status: str
    done_on: dt.date | None
    overdue: bool = False


class TreatmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    product: str
    category: str
    lot: str
    dose: float | None
    dose_unit: str
    administered_on: dt.date
    vector: str
    route: str
    visits: int


class VisitDone(BaseModel):
    done_on: dt.date
    notes: str = Field(default="", max_length=5000)


class ObservationCreate(BaseModel):
    analyte: str = Field(min_length=1, max_length=80)
    value: float | None = None
    text_value: str = Field(default="", max_length=2000)
    unit: str = Field(default="", max_length=40)
    lower_limit: float | None = None
    upper_limit: float | None = None
    observed_on: dt.date
    visit_id: RecordId | None = None


class ObservationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    analyte: str
    value: float | None
    text_value: str
    unit: str
    lower_limit: float | None
    upper_limit: float | None
    observed_on: dt.date
    ctcae_grade: int | None
    visit_id: int | None


class AdverseEventCreate(BaseModel):
    term: str = Field(min_length=1, max_length=200)
    grade: int = Field(ge=1, le=5, description="CTCAE v5 grade")
    serious: bool
    relatedness: Relatedness
    onset_on: dt.date
    resolved_on: dt.date | None = None
    treatment_id: RecordId | None = None
    description: str = Field(default="", max_length=5000)


class AdverseEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    term: str
    grade: int
    serious: bool
    relatedness: str
    onset_on: dt.date
    resolved_on: dt.date | None
    treatment_id: int | None


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    case: str = ""
    kind: str
    severity: int
    message: str
    rule: str
    source: str
    created_at: dt.datetime


class AuditCheck(BaseModel):
    entries: int
    ok: bool
    broken_at: int | None
    problem: str
