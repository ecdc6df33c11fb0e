"""ClinGen Dosage Sensitivity gene list: haploinsufficiency (HI) and triplosensitivity (TS) scores.

Scores keep ClinGen's own codes: 0-3 evidence levels, 30 = gene associated with an autosomal recessive
phenotype, 40 = dosage sensitivity unlikely. "Not yet evaluated" is stored as no score (None) with that
description, so a missing curation is never read as "no evidence".
"""

from __future__ import annotations

import re
from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.importers.base import (
    ParsedSource,
    cell_getter,
    require_columns,
    require_gene,
    require_rows,
    sha256_file,
    text_lines,
    tsv_rows,
    where,
)

NAME = "clingen_dosage"
LABEL = "ClinGen Dosage Sensitivity"
LICENCE = "ClinGen terms of use (clinicalgenome.org)"
CITATION = "Rehm et al., N Engl J Med 372:2235 (2015); https://www.ncbi.nlm.nih.gov/projects/dbvar/clingen"
GENE = "Gene Symbol"
COLUMNS = (GENE, "Haploinsufficiency Score", "Haploinsufficiency Description", "Triplosensitivity Score",
           "Triplosensitivity Description")
VALID_SCORES = frozenset({0, 1, 2, 3, 30, 40})
NOT_EVALUATED = "not yet evaluated"
_DATE = re.compile(r"^#\s*(\d{1,2}\s+\w{3,9},?\s*\d{4}|\d{4}-\d{2}-\d{2})\s*$")


def _score(value: str, path: Path, lineno: int, column: str) -> int | None:
    value = value.strip()
    if value == "" or value.lower() == NOT_EVALUATED:
        return None
    try:
        score = int(value)
    except ValueError:
        raise InputError(f"not a ClinGen dosage score: {value!r}", source=where(path, lineno),
                         field=column) from None
    if score not in VALID_SCORES:
        raise InputError(f"ClinGen dosage score must be one of 0, 1, 2, 3, 30, 40; found {score}",
                         source=where(path, lineno), field=column)
    return score


def parse(path: Path) -> ParsedSource:
    header: list[str] | None = None
    col: dict[str, int] = {}
    version = "unknown date"
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    lines = text_lines(path)
    for lineno, line in lines:  # the '#' preamble up to and including the header
        if not line.startswith("#"):
            raise InputError(f"expected a '#{GENE}' header line before the data", source=where(path, lineno))
        date = _DATE.match(line)
        if date:
            version = date.group(1).replace(",", ", ").replace("  ", " ")
        if line.lstrip("#").startswith(GENE):
            header = line.lstrip("#").split("\t")
            col = require_columns(path, lineno, header, COLUMNS)
            break
    if header is None:
        raise InputError(f"no '#{GENE}' header line", source=str(path))
    for lineno, fields in tsv_rows(path, lines, header, skip_comments=True):
        get = cell_getter(fields, col)
        gene = require_gene(get(GENE), path, lineno, GENE)
        if gene in seen:
            raise InputError(f"gene {gene} listed twice", source=where(path, lineno), field=GENE)
        seen.add(gene)
        rows.append({
            "gene": gene,
            "gene_id": get("Gene ID"),
            "cytoband": get("cytoBand"),
            "location": get("Genomic Location"),
            "hi_score": _score(fields[col["Haploinsufficiency Score"]], path, lineno, "Haploinsufficiency Score"),
            "hi_description": get("Haploinsufficiency Description"),
            "ts_score": _score(fields[col["Triplosensitivity Score"]], path, lineno, "Triplosensitivity Score"),
            "ts_description": get("Triplosensitivity Description"),
            "hi_disease_id": get("Haploinsufficiency Disease ID"),
            "ts_disease_id": get("Triplosensitivity Disease ID"),
            "date_last_evaluated": get("Date Last Evaluated"),
        })
    require_rows(path, rows)
    assembly = "GRCh37" if "grch37" in path.name.lower() else "GRCh38"
    return ParsedSource(NAME, LABEL, f"{version} ({assembly})", str(path), sha256_file(path), LICENCE, CITATION,
                        {"dosage_sensitivity": rows})
