"""ExAC r0.3 coding-sequence lengths (canonical Ensembl v75 transcript, bp including the stop codon).

Why: transgene size against vector capacity needs the CDS length of the disease gene.
"""

from __future__ import annotations

from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.importers.base import (
    ParsedSource,
    header_of,
    opt_int,
    require_columns,
    require_gene,
    require_rows,
    sha256_file,
    text_lines,
    tsv_rows,
    where,
)

NAME = "exac_cds_length"
LABEL = "ExAC coding-sequence length"
LICENCE = "ExAC open data; derived table from mantis-ml-release (MPL-2.0)"
CITATION = "Lek et al., Nature 536:285 (2016)"
COLUMNS = ("gene", "cds_length_bp")


def parse(path: Path) -> ParsedSource:
    lines = text_lines(path)
    lineno, header_line = header_of(path, lines)
    header = header_line.split("\t")
    col = require_columns(path, lineno, header, COLUMNS)
    aa_col = col.get("protein_length_aa_est")
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for lineno, fields in tsv_rows(path, lines, header):
        gene = require_gene(fields[col["gene"]].strip(), path, lineno, "gene")
        bp = opt_int(fields[col["cds_length_bp"]], path, lineno, "cds_length_bp")
        if bp is None or bp <= 0:
            raise InputError(f"CDS length must be a positive number of bp, found {fields[col['cds_length_bp']]!r}",
                             source=where(path, lineno), field="cds_length_bp")
        if gene in seen:  # keep the first row; the ExAC table has one per gene
            continue
        seen.add(gene)
        aa = opt_int(fields[aa_col], path, lineno, "protein_length_aa_est") if aa_col is not None else None
        rows.append({"gene": gene, "cds_length_bp": bp, "protein_length_aa": aa if aa is not None else (bp - 3) // 3})
    require_rows(path, rows)
    return ParsedSource(NAME, LABEL, "r0.3", str(path), sha256_file(path), LICENCE, CITATION,
                        {"cds_length": rows})
