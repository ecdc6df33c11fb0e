"""Initial knowledge-base schema: versioned sources and one table per kind of gene-level fact.

Every fact row names its `source` (a `sources.name`), so a re-import can replace exactly one
source's rows in one transaction and every answer can cite dataset, version and paper.

Revision ID: 0001_initial
Revises:
Create Date: 2026-07-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _source_col() -> sa.Column:
    return sa.Column("source", sa.String, nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("label", sa.String, nullable=False),
        sa.Column("version", sa.String, nullable=False),
        sa.Column("file", sa.String, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.String, nullable=False),
        sa.Column("licence", sa.String, nullable=False),
        sa.Column("citation", sa.String, nullable=False),
    )
    op.create_table(
        "hgnc_symbol",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("symbol", sa.String, nullable=False),
        sa.Column("symbol_upper", sa.String, nullable=False, index=True),
        sa.Column("approved", sa.String, nullable=False, index=True),
        sa.Column("kind", sa.String, nullable=False),  # approved | alias | listed
        _source_col(),
    )
    op.create_table(
        "gene_constraint",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gene", sa.String, nullable=False, index=True),
        sa.Column("transcript", sa.String),
        sa.Column("obs_lof", sa.Float),
        sa.Column("exp_lof", sa.Float),
        sa.Column("oe_lof", sa.Float),
        sa.Column("oe_lof_lower", sa.Float),
        sa.Column("oe_lof_upper", sa.Float),
        sa.Column("lof_z", sa.Float),
        sa.Column("mis_z", sa.Float),
        sa.Column("syn_z", sa.Float),
        sa.Column("pli", sa.Float),
        sa.Column("prec", sa.Float),
        sa.Column("pnull", sa.Float),
        sa.Column("gene_issues", sa.String),
        _source_col(),
        sa.UniqueConstraint("source", "gene"),
    )
    op.create_table(
        "dosage_sensitivity",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gene", sa.String, nullable=False, index=True),
        sa.Column("gene_id", sa.String),
        sa.Column("cytoband", sa.String),
        sa.Column("location", sa.String),
        sa.Column("hi_score", sa.Integer),
        sa.Column("hi_description", sa.String),
        sa.Column("ts_score", sa.Integer),
        sa.Column("ts_description", sa.String),
        sa.Column("hi_disease_id", sa.String),
        sa.Column("ts_disease_id", sa.String),
        sa.Column("date_last_evaluated", sa.String),
        _source_col(),
        sa.UniqueConstraint("source", "gene"),
    )
    op.create_table(
        "g2p_record",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gene", sa.String, nullable=False, index=True),
        sa.Column("gene_mim", sa.String),
        sa.Column("disease", sa.String, nullable=False),
        sa.Column("disease_mim", sa.String),
        sa.Column("confidence", sa.String),
        sa.Column("allelic_requirement", sa.String),
        sa.Column("mutation_consequence", sa.String),
        sa.Column("organs", sa.String),
        sa.Column("pmids", sa.String),
        sa.Column("panel", sa.String),
        sa.Column("prev_symbols", sa.String),
        sa.Column("hgnc_id", sa.String),
        sa.Column("entry_date", sa.String),
        _source_col(),
    )
    op.create_table(
        "cds_length",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gene", sa.String, nullable=False, index=True),
        sa.Column("cds_length_bp", sa.Integer, nullable=False),
        sa.Column("protein_length_aa", sa.Integer),
        _source_col(),
        sa.UniqueConstraint("source", "gene"),
    )
    op.create_table(
        "drug_target",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("drug", sa.String, nullable=False),
        sa.Column("struct_id", sa.Integer),
        sa.Column("gene", sa.String, nullable=False, index=True),
        sa.Column("target_name", sa.String),
        sa.Column("target_class", sa.String),
        sa.Column("accession", sa.String),
        sa.Column("action_type", sa.String),
        sa.Column("moa", sa.Boolean, nullable=False),
        sa.Column("act_type", sa.String),
        sa.Column("act_value", sa.Float),
        sa.Column("act_unit", sa.String),
        sa.Column("act_source", sa.String),
        sa.Column("tdl", sa.String),
        _source_col(),
    )
    op.create_table(
        "gene_list",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gene", sa.String, nullable=False, index=True),
        sa.Column("list_name", sa.String, nullable=False),
        _source_col(),
    )
    op.create_table(
        "mane_transcript",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gene", sa.String, nullable=False, index=True),
        sa.Column("ncbi_gene_id", sa.String),
        sa.Column("ensembl_gene", sa.String),
        sa.Column("hgnc_id", sa.String),
        sa.Column("name", sa.String),
        sa.Column("refseq_nuc", sa.String),
        sa.Column("refseq_prot", sa.String),
        sa.Column("ensembl_nuc", sa.String),
        sa.Column("ensembl_prot", sa.String),
        sa.Column("mane_status", sa.String),
        sa.Column("chrom", sa.String),
        sa.Column("chr_start", sa.Integer),
        sa.Column("chr_end", sa.Integer),
        sa.Column("strand", sa.String),
        _source_col(),
    )


def downgrade() -> None:
    for table in ("mane_transcript", "gene_list", "drug_target", "cds_length", "g2p_record",
                  "dosage_sensitivity", "gene_constraint", "hgnc_symbol", "sources"):
        op.drop_table(table)
