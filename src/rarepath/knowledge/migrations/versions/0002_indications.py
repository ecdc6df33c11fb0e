"""Indications and the disease crosswalk: MONDO exact matches and names, indication claims, label texts,
label contraindications.

Rows stay as each source published them (with `source`); verification across sources runs at query time
(`rarepath.knowledge.indications.verify`), so re-importing one source never leaves stale verdicts.

Revision ID: 0002_indications
Revises: 0001_initial
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_indications"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def _source_col() -> sa.Column:
    return sa.Column("source", sa.String, nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "disease_xref",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mondo_id", sa.String, nullable=False, index=True),
        sa.Column("xref_id", sa.String, nullable=False, index=True),  # OMIM:n, ORPHA:n, UMLS:C.., SCTID:n, DOID:n
        sa.Column("xref_label", sa.String),
        _source_col(),
    )
    op.create_table(
        "disease_term",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mondo_id", sa.String, nullable=False, index=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("name_norm", sa.String, nullable=False, index=True),
        sa.Column("kind", sa.String, nullable=False),  # label | synonym | xref_label
        sa.Column("rare", sa.Boolean, nullable=False),
        _source_col(),
    )
    op.create_table(
        "indication_claim",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record", sa.Integer, nullable=False),  # source row; one record may carry several disease ids
        sa.Column("drug", sa.String, nullable=False),
        sa.Column("drug_key", sa.String, nullable=False, index=True),
        sa.Column("drug_id", sa.String),
        sa.Column("disease_id", sa.String, nullable=False, index=True),
        sa.Column("disease_label", sa.String),
        _source_col(),
    )
    op.create_table(
        "indication_label",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record", sa.Integer, nullable=False),
        sa.Column("drug", sa.String, nullable=False),
        sa.Column("drug_key", sa.String, nullable=False, index=True),
        sa.Column("drug_id", sa.String),
        sa.Column("regulator", sa.String, nullable=False),  # FDA | EMA | PMDA
        sa.Column("product", sa.String),
        sa.Column("label_text", sa.Text, nullable=False),
        sa.Column("disease_id", sa.String),  # the disease the source extracted from the text, when it did
        sa.Column("disease_label", sa.String),
        sa.Column("approval_date", sa.String),
        sa.Column("approval_year", sa.Integer),
        _source_col(),
    )

    op.create_table(
        "drug_contraindication",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record", sa.Integer, nullable=False),
        sa.Column("drug", sa.String, nullable=False),  # the label's active ingredient(s)
        sa.Column("drug_key", sa.String, nullable=False, index=True),
        sa.Column("drug_id", sa.String),
        sa.Column("disease_id", sa.String),
        sa.Column("disease_label", sa.String),
        sa.Column("label_text", sa.Text, nullable=False),  # the label's contraindications section
        sa.Column("is_allergen", sa.Boolean, nullable=False),
        _source_col(),
    )


def downgrade() -> None:
    for table in ("drug_contraindication", "indication_label", "indication_claim", "disease_term", "disease_xref"):
        op.drop_table(table)
