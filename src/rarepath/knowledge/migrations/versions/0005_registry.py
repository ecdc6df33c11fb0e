"""Registry schema: cases, assessments, decisions, disease models, screens, treatments, follow-up, audit.

Only `reg_*` tables are created and dropped here, so the migration chains after any knowledge-base
revision. Generated from `rarepath.registry.models` (tests/registry/test_schema.py checks they agree).

Revision ID: 0005_registry
Revises: 0001_initial
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_registry"
down_revision = "0004_trials"
branch_labels = None
depends_on = None

TABLES = ('reg_observation', 'reg_visit', 'reg_adverse_event', 'reg_treatment', 'reg_screen', 'reg_qc_record', 'reg_decision', 'reg_variant', 'reg_phenotype', 'reg_disease_model', 'reg_assessment', 'reg_alert', 'reg_session', 'reg_case', 'reg_user', 'reg_team', 'reg_audit')


def upgrade() -> None:
    op.create_table('reg_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=40), nullable=False),
    sa.Column('case_pseudonym', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_audit')),
    sa.UniqueConstraint('hash', name=op.f('uq_reg_audit_hash'))
    )
    op.create_index(op.f('ix_reg_audit_case_pseudonym'), 'reg_audit', ['case_pseudonym'], unique=False)
    op.create_table('reg_team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_team')),
    sa.UniqueConstraint('name', name=op.f('uq_reg_team_name'))
    )
    op.create_table('reg_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('clinician', 'lab', 'family', 'researcher', 'admin')", name=op.f('ck_reg_user_role')),
    sa.ForeignKeyConstraint(['team_id'], ['reg_team.id'], name=op.f('fk_reg_user_team_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_user')),
    sa.UniqueConstraint('username', name=op.f('uq_reg_user_username'))
    )
    op.create_index(op.f('ix_reg_user_team_id'), 'reg_user', ['team_id'], unique=False)
    op.create_table('reg_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('patient_name', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('family_user_id', sa.Integer(), nullable=True),
    sa.Column('consent', sa.String(length=20), nullable=False),
    sa.Column('received_format', sa.String(length=20), nullable=False),
    sa.Column('received_name', sa.String(length=255), nullable=False),
    sa.Column('received', sa.LargeBinary(), nullable=False),
    sa.Column('received_sha256', sa.String(length=64), nullable=False),
    sa.Column('intake', sa.JSON(), nullable=False),
    sa.Column('intake_options', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("consent IN ('pending', 'care', 'research', 'withdrawn')", name=op.f('ck_reg_case_consent')),
    sa.ForeignKeyConstraint(['created_by'], ['reg_user.id'], name=op.f('fk_reg_case_created_by')),
    sa.ForeignKeyConstraint(['family_user_id'], ['reg_user.id'], name=op.f('fk_reg_case_family_user_id')),
    sa.ForeignKeyConstraint(['team_id'], ['reg_team.id'], name=op.f('fk_reg_case_team_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_case')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_reg_case_pseudonym'))
    )
    op.create_index(op.f('ix_reg_case_family_user_id'), 'reg_case', ['family_user_id'], unique=False)
    op.create_index(op.f('ix_reg_case_team_id'), 'reg_case', ['team_id'], unique=False)
    op.create_table('reg_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['reg_user.id'], name=op.f('fk_reg_session_user_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_session')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_reg_session_token_sha256'))
    )
    op.create_index(op.f('ix_reg_session_user_id'), 'reg_session', ['user_id'], unique=False)
    op.create_table('reg_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('rule', sa.String(length=80), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('ref', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('overdue_visit', 'abnormal_lab', 'adverse_event', 'reanalysis')", name=op.f('ck_reg_alert_kind')),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['reg_user.id'], name=op.f('fk_reg_alert_acknowledged_by')),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_alert_case_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_alert'))
    )
    op.create_index(op.f('ix_reg_alert_case_id'), 'reg_alert', ['case_id'], unique=False)
    op.create_table('reg_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('engine_version', sa.String(length=40), nullable=False),
    sa.Column('kb_version', sa.String(length=64), nullable=False),
    sa.Column('knowledge', sa.JSON(), nullable=False),
    sa.Column('contract', sa.JSON(), nullable=False),
    sa.Column('mechanism', sa.String(length=40), nullable=False),
    sa.Column('top_option', sa.String(length=200), nullable=False),
    sa.Column('trigger', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_assessment_case_id'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['reg_user.id'], name=op.f('fk_reg_assessment_created_by')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_assessment'))
    )
    op.create_index(op.f('ix_reg_assessment_case_id'), 'reg_assessment', ['case_id'], unique=False)
    op.create_table('reg_disease_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source_tissue', sa.String(length=80), nullable=False),
    sa.Column('guide', sa.String(length=200), nullable=False),
    sa.Column('donor', sa.Text(), nullable=False),
    sa.Column('genotype', sa.String(length=200), nullable=False),
    sa.Column('genotype_confirmed', sa.Boolean(), nullable=False),
    sa.Column('target_cell_type', sa.String(length=120), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('cell_line', 'ipsc_clone', 'isogenic_clone', 'differentiation')", name=op.f('ck_reg_disease_model_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_disease_model_case_id'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['reg_disease_model.id'], name=op.f('fk_reg_disease_model_parent_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_disease_model'))
    )
    op.create_index(op.f('ix_reg_disease_model_case_id'), 'reg_disease_model', ['case_id'], unique=False)
    op.create_index(op.f('ix_reg_disease_model_parent_id'), 'reg_disease_model', ['parent_id'], unique=False)
    op.create_table('reg_phenotype',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('hpo_id', sa.String(length=20), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_phenotype_case_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_phenotype'))
    )
    op.create_index(op.f('ix_reg_phenotype_case_id'), 'reg_phenotype', ['case_id'], unique=False)
    op.create_index(op.f('ix_reg_phenotype_hpo_id'), 'reg_phenotype', ['hpo_id'], unique=False)
    op.create_table('reg_variant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('gene', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('zygosity', sa.String(length=40), nullable=False),
    sa.Column('hgvs_c', sa.String(length=200), nullable=True),
    sa.Column('hgvs_p', sa.String(length=200), nullable=True),
    sa.Column('hgvs_g', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_variant_case_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_variant'))
    )
    op.create_index(op.f('ix_reg_variant_case_id'), 'reg_variant', ['case_id'], unique=False)
    op.create_index(op.f('ix_reg_variant_gene'), 'reg_variant', ['gene'], unique=False)
    op.create_table('reg_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('modality', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('verdict_at_decision', sa.String(length=40), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['reg_assessment.id'], name=op.f('fk_reg_decision_assessment_id')),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_decision_case_id'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['reg_user.id'], name=op.f('fk_reg_decision_decided_by')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_decision'))
    )
    op.create_index(op.f('ix_reg_decision_assessment_id'), 'reg_decision', ['assessment_id'], unique=False)
    op.create_index(op.f('ix_reg_decision_case_id'), 'reg_decision', ['case_id'], unique=False)
    op.create_table('reg_qc_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('test', sa.String(length=30), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=True),
    sa.CheckConstraint("result IN ('pass', 'fail', 'pending')", name=op.f('ck_reg_qc_record_result')),
    sa.CheckConstraint("test IN ('karyotype', 'pluripotency', 'mycoplasma', 'sequencing', 'identity')", name=op.f('ck_reg_qc_record_test')),
    sa.ForeignKeyConstraint(['model_id'], ['reg_disease_model.id'], name=op.f('fk_reg_qc_record_model_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_qc_record'))
    )
    op.create_index(op.f('ix_reg_qc_record_model_id'), 'reg_qc_record', ['model_id'], unique=False)
    op.create_table('reg_screen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('ranking', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_screen_case_id'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['model_id'], ['reg_disease_model.id'], name=op.f('fk_reg_screen_model_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_screen'))
    )
    op.create_index(op.f('ix_reg_screen_case_id'), 'reg_screen', ['case_id'], unique=False)
    op.create_index(op.f('ix_reg_screen_model_id'), 'reg_screen', ['model_id'], unique=False)
    op.create_table('reg_treatment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('lot', sa.String(length=80), nullable=False),
    sa.Column('dose', sa.Float(), nullable=True),
    sa.Column('dose_unit', sa.String(length=40), nullable=False),
    sa.Column('administered_on', sa.Date(), nullable=False),
    sa.Column('vector', sa.String(length=120), nullable=False),
    sa.Column('route', sa.String(length=80), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_treatment_case_id'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decision_id'], ['reg_decision.id'], name=op.f('fk_reg_treatment_decision_id')),
    sa.ForeignKeyConstraint(['recorded_by'], ['reg_user.id'], name=op.f('fk_reg_treatment_recorded_by')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_treatment'))
    )
    op.create_index(op.f('ix_reg_treatment_case_id'), 'reg_treatment', ['case_id'], unique=False)
    op.create_table('reg_adverse_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('treatment_id', sa.Integer(), nullable=True),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('serious', sa.Boolean(), nullable=False),
    sa.Column('relatedness', sa.String(length=20), nullable=False),
    sa.Column('onset_on', sa.Date(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("relatedness IN ('unrelated', 'unlikely', 'possible', 'probable', 'definite')", name=op.f('ck_reg_adverse_event_relatedness')),
    sa.CheckConstraint('grade BETWEEN 1 AND 5', name=op.f('ck_reg_adverse_event_grade')),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_adverse_event_case_id'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by'], ['reg_user.id'], name=op.f('fk_reg_adverse_event_reported_by')),
    sa.ForeignKeyConstraint(['treatment_id'], ['reg_treatment.id'], name=op.f('fk_reg_adverse_event_treatment_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_adverse_event'))
    )
    op.create_index(op.f('ix_reg_adverse_event_case_id'), 'reg_adverse_event', ['case_id'], unique=False)
    op.create_index(op.f('ix_reg_adverse_event_treatment_id'), 'reg_adverse_event', ['treatment_id'], unique=False)
    op.create_table('reg_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('treatment_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=120), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'done', 'missed')", name=op.f('ck_reg_visit_status')),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_visit_case_id'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['treatment_id'], ['reg_treatment.id'], name=op.f('fk_reg_visit_treatment_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_visit'))
    )
    op.create_index(op.f('ix_reg_visit_case_id'), 'reg_visit', ['case_id'], unique=False)
    op.create_index(op.f('ix_reg_visit_due_on'), 'reg_visit', ['due_on'], unique=False)
    op.create_index(op.f('ix_reg_visit_treatment_id'), 'reg_visit', ['treatment_id'], unique=False)
    op.create_table('reg_observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('analyte', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('text_value', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('lower_limit', sa.Float(), nullable=True),
    sa.Column('upper_limit', sa.Float(), nullable=True),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('ctcae_grade', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['reg_case.id'], name=op.f('fk_reg_observation_case_id'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['reg_user.id'], name=op.f('fk_reg_observation_recorded_by')),
    sa.ForeignKeyConstraint(['visit_id'], ['reg_visit.id'], name=op.f('fk_reg_observation_visit_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reg_observation'))
    )
    op.create_index(op.f('ix_reg_observation_case_id'), 'reg_observation', ['case_id'], unique=False)
    op.create_index(op.f('ix_reg_observation_visit_id'), 'reg_observation', ['visit_id'], unique=False)
    # ### end Alembic commands ###

    _append_only_audit()


def _append_only_audit() -> None:
    """The audit table refuses UPDATE and DELETE at the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION reg_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION 'reg_audit is append-only'; END $$")
        op.execute("CREATE TRIGGER reg_audit_append_only BEFORE UPDATE OR DELETE ON reg_audit "
                   "FOR EACH ROW EXECUTE FUNCTION reg_audit_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER reg_audit_no_{verb.lower()} BEFORE {verb} ON reg_audit "
                       "BEGIN SELECT RAISE(ABORT, 'reg_audit is append-only'); END")


def downgrade() -> None:
    for table in TABLES:  # children first (dropping reg_audit drops its triggers)
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS reg_audit_append_only()")
