"""Clinical-trial records (`rarepath trials import` / `fetch`): one row per NCT id, replaced on re-import.

The searchable facts (status, ages in years, sex, conditions) are columns; the whole normalised record is
kept as JSON so the matcher reads a trial back exactly as it was parsed.

Revision ID: 0004_trials
Revises: 0001_initial
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_trials"
down_revision = "0003_clinvar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trial_record",
        sa.Column("nct_id", sa.String(11), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("study_type", sa.String(32), nullable=False),
        sa.Column("phases", sa.String(64), nullable=False),
        sa.Column("conditions", sa.Text, nullable=False),
        sa.Column("sex", sa.String(8), nullable=False),
        sa.Column("min_age_years", sa.Float),
        sa.Column("max_age_years", sa.Float),
        sa.Column("healthy_volunteers", sa.Boolean),
        sa.Column("record_format", sa.String(32), nullable=False),
        sa.Column("source", sa.Text, nullable=False),  # file or API query the record came from
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("record_json", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("trial_record")
