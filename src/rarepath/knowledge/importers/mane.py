"""MANE summary (NCBI/EMBL-EBI): per gene the MANE Select (and Plus Clinical) transcript and GRCh38 span."""

from __future__ import annotations

import re
from pathlib import Path

from rarepath.knowledge.importers.base import (
    ParsedSource,
    cell_getter,
    header_of,
    opt_int,
    require_columns,
    require_gene,
    require_rows,
    sha256_file,
    text_lines,
    tsv_rows,
)

NAME = "mane"
LABEL = "MANE transcripts"
LICENCE = "public (NCBI/EMBL-EBI MANE)"
CITATION = "Morales et al., Nature 604:310 (2022)"
COLUMNS = ("symbol", "MANE_status", "RefSeq_nuc", "Ensembl_nuc", "GRCh38_chr", "chr_start", "chr_end")
_VERSION = re.compile(r"\.(v\d+(?:\.\d+)*)\.")


def parse(path: Path) -> ParsedSource:
    lines = text_lines(path)
    lineno, header_line = header_of(path, lines)
    header = header_line.lstrip("#").split("\t")
    col = require_columns(path, lineno, header, COLUMNS)
    rows: list[dict[str, object]] = []
    for lineno, fields in tsv_rows(path, lines, header, skip_comments=True):
        get = cell_getter(fields, col)
        gene = require_gene(get("symbol"), path, lineno, "symbol")
        rows.append({
            "gene": gene, "ncbi_gene_id": get("NCBI_GeneID"), "ensembl_gene": get("Ensembl_Gene"),
            "hgnc_id": get("HGNC_ID"), "name": get("name"), "refseq_nuc": get("RefSeq_nuc"),
            "refseq_prot": get("RefSeq_prot"), "ensembl_nuc": get("Ensembl_nuc"),
            "ensembl_prot": get("Ensembl_prot"), "mane_status": get("MANE_status"),
            "chrom": get("GRCh38_chr"),
            "chr_start": opt_int(fields[col["chr_start"]], path, lineno, "chr_start"),
            "chr_end": opt_int(fields[col["chr_end"]], path, lineno, "chr_end"),
            "strand": get("chr_strand"),
        })
    require_rows(path, rows)
    m = _VERSION.search(path.name)
    return ParsedSource(NAME, LABEL, m.group(1) if m else "unknown", str(path), sha256_file(path), LICENCE,
                        CITATION, {"mane_transcript": rows})
