"""ClinVar per-gene pathogenic-variant patterns (imported from `variant_summary.txt.gz`).

Revision ID: 0003_clinvar
Revises: 0001_initial
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_clinvar"
down_revision = "0002_indications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinvar_gene_pattern",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gene", sa.String, nullable=False, index=True),
        sa.Column("protein_length", sa.Integer),
        sa.Column("truncating_plp", sa.Integer, nullable=False),
        sa.Column("missense_plp", sa.Integer, nullable=False),
        sa.Column("truncating_fraction", sa.Float, nullable=False),
        sa.Column("missense_dispersion", sa.Float),
        sa.Column("missense_window_fraction", sa.Float),
        sa.Column("recurrent_fraction", sa.Float),
        sa.Column("glycine_fraction", sa.Float),
        sa.Column("glycine_phase", sa.Integer),
        sa.Column("glycine_phase_fraction", sa.Float),
        sa.Column("recurrent_residues", sa.Text),
        sa.Column("missense_residues", sa.Text),
        sa.Column("source", sa.String, nullable=False, index=True),
        sa.UniqueConstraint("source", "gene"),
    )


def downgrade() -> None:
    op.drop_table("clinvar_gene_pattern")
