"""gnomAD v2.1 gene constraint (canonical transcripts): pLI, LOEUF (= `oe_lof_upper`), missense/LoF z.

Duplicate symbols (46 in v2.1: one symbol, two canonical transcripts) keep ONE row: the transcript
with the larger expected LoF count (`exp_lof`), i.e. the one whose LoF metrics rest on more
information; ties go to the lexicographically first transcript id. Rows flagged `no_exp_lof`
(expected LoF = 0) have undefined pLI/LOEUF/oe/lof_z: they are stored as missing, not as 0.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.importers.base import (
    ParsedSource,
    csv_rows,
    header_of,
    opt_float,
    read_text,
    require_columns,
    require_gene,
    require_rows,
    sha256_file,
    where,
)

NAME = "gnomad_constraint"
LABEL = "gnomAD constraint"
LICENCE = "gnomAD open-data terms; copy from mantis-ml-release (MPL-2.0)"
CITATION = "Karczewski et al., Nature 581:434 (2020)"
COLUMNS = ("gene", "transcript", "obs_lof", "exp_lof", "oe_lof", "oe_lof_lower", "oe_lof_upper",
           "lof_z", "mis_z", "syn_z", "pLI", "pRec", "pNull")
LOF_DEPENDENT = ("oe_lof", "oe_lof_lower", "oe_lof_upper", "lof_z", "pli", "prec", "pnull")


def version_of(path: Path) -> str:
    name = path.name.lower()
    for tag in ("v4.1", "v4.0", "v4", "v2.1.1", "v2.1"):
        if tag in name:
            return tag
    return "v2.1"


def _issues(value: str) -> str | None:
    """`["mis_too_many","syn_outlier"]` -> `mis_too_many,syn_outlier`; `[]` -> None."""
    names = [v.strip().strip('"') for v in value.strip().strip("[]").split(",")]
    return ",".join(n for n in names if n) or None


def parse(path: Path) -> ParsedSource:
    # gene_issues holds JSON lists with commas, which the file quotes CSV-style: read with the csv module
    reader = csv.reader(io.StringIO(read_text(path), newline=""), delimiter="\t")
    header = header_of(path, reader, "TSV")
    col = require_columns(path, 1, header, COLUMNS)
    issues_col = col.get("gene_issues")
    chosen: dict[str, dict[str, object]] = {}
    n_rows = 0
    duplicates = 0
    for lineno, fields in csv_rows(path, reader, header, "tab", "bad TSV quoting"):
        gene = require_gene(fields[col["gene"]].strip(), path, lineno, "gene")

        def num(column: str, _f=fields, _n=lineno) -> float | None:
            return opt_float(_f[col[column]], path, _n, column)

        row: dict[str, object] = {
            "gene": gene,
            "transcript": fields[col["transcript"]].strip(),
            "obs_lof": num("obs_lof"), "exp_lof": num("exp_lof"), "oe_lof": num("oe_lof"),
            "oe_lof_lower": num("oe_lof_lower"), "oe_lof_upper": num("oe_lof_upper"),
            "lof_z": num("lof_z"), "mis_z": num("mis_z"), "syn_z": num("syn_z"),
            "pli": num("pLI"), "prec": num("pRec"), "pnull": num("pNull"),
            "gene_issues": _issues(fields[issues_col]) if issues_col is not None else None,
        }
        pli = row["pli"]
        if pli is not None and not 0.0 <= pli <= 1.0:  # type: ignore[operator]
            raise InputError(f"pLI must lie in [0, 1], found {pli}", source=where(path, lineno), field="pLI")
        if not row["exp_lof"]:  # no expected LoF variants: LoF metrics are undefined
            for key in LOF_DEPENDENT:
                row[key] = None
        n_rows += 1
        previous = chosen.get(gene)
        if previous is None:
            chosen[gene] = row
            continue
        duplicates += 1
        if _better(row, previous):
            chosen[gene] = row
    rows = list(chosen.values())
    require_rows(path, rows)
    parsed = ParsedSource(NAME, LABEL, version_of(path), str(path), sha256_file(path), LICENCE, CITATION,
                          {"gene_constraint": rows})
    if duplicates:
        parsed.notes.append(f"{duplicates} duplicate symbol(s): kept the transcript with the larger exp_lof")
    return parsed


def _better(row: dict[str, object], other: dict[str, object]) -> bool:
    """True when `row` should replace `other` for the same symbol (larger exp_lof, then smaller id)."""
    a = row["exp_lof"] or 0.0
    b = other["exp_lof"] or 0.0
    if a != b:
        return a > b  # type: ignore[operator]
    return str(row["transcript"]) < str(other["transcript"])
