"""Where a gene's truncating ClinVar variants sit: `clinvar_gene_pattern.truncating_residues`.

Truncating variants that all fall near the C-terminus escape nonsense-mediated decay and make a shortened
protein, so the gene's truncating fraction then says nothing about haploinsufficiency (issue 8).

Revision ID: 0006_clinvar_truncating
Revises: 0005_registry
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_clinvar_truncating"
down_revision = "0005_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clinvar_gene_pattern") as batch:
        batch.add_column(sa.Column("truncating_residues", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("clinvar_gene_pattern") as batch:
        batch.drop_column("truncating_residues")
