"""ClinVar `variant_summary.txt.gz` (NCBI, public domain): per-gene patterns of pathogenic variants.

Only the derived per-gene facts are stored (`rarepath.knowledge.clinvar_patterns`: counts of P/LP truncating and
missense variants, clustering, recurrent residues, glycine phase), one row per gene, so the mechanism rules read a
current ClinVar instead of the shipped 2016 table. Rows: GRCh38 records (each variant is listed once per assembly;
GRCh37 when a file has no GRCh38 rows) whose ClinicalSignificance is Pathogenic, Likely pathogenic or
Pathogenic/Likely pathogenic; the HGVS c./p. pair is read from the `Name` column
(`NM_000088.4(COL1A1):c.3118G>A (p.Gly1040Ser)`). The file is streamed: the current release is several GB.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.clinvar_patterns import gene_pattern_rows
from rarepath.knowledge.importers.base import ParsedSource, require_columns, require_rows, sha256_file, where

NAME = "clinvar"
LABEL = "ClinVar variant summary (pathogenic variant patterns)"
LICENCE = "ClinVar, NCBI: public domain"
CITATION = "Landrum et al., Nucleic Acids Res 46:D1062 (2018); patterns after Gerasimavicius et al., Nat Commun 2022"
COLUMNS = ("GeneSymbol", "ClinicalSignificance", "Name", "Assembly")
PATHOGENIC = frozenset({"pathogenic", "likely pathogenic", "pathogenic/likely pathogenic"})
_NAME = re.compile(r"^[^(:]+(?:\([^)]*\))?:(?P<c>[cn]\.[^ ]+)(?: \((?P<p>p\.[^)]+)\))?")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with path.open("rb") as probe:
            gz = probe.read(2) == b"\x1f\x8b"
        opener = gzip.open if gz else open
        with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
            for lineno, line in enumerate(fh, start=1):
                yield lineno, line.rstrip("\r\n")
    except (OSError, EOFError) as err:
        raise InputError(f"cannot read file ({err})", source=str(path)) from err
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start})", source=str(path)) from err


def _date(text: str) -> str | None:
    try:
        return datetime.strptime(text.strip(), "%b %d, %Y").date().isoformat()
    except ValueError:
        return None


def parse(path: Path) -> ParsedSource:
    lines = _lines(path)
    try:
        lineno, header_line = next(lines)
    except StopIteration:
        raise InputError("empty file", source=str(path)) from None
    header = header_line.lstrip("#").split("\t")
    col = require_columns(path, lineno, header, COLUMNS)
    last = col.get("LastEvaluated")
    by_assembly: dict[str, list[tuple[str, str, str]]] = {"GRCh38": [], "GRCh37": []}
    latest = ""
    for lineno, line in lines:
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            raise InputError(f"expected {len(header)} tab-separated fields, found {len(fields)}",
                             source=where(path, lineno))
        assembly = fields[col["Assembly"]]
        if assembly not in by_assembly or fields[col["ClinicalSignificance"]].strip().lower() not in PATHOGENIC:
            continue
        gene = fields[col["GeneSymbol"]].strip()
        m = _NAME.match(fields[col["Name"]])
        if not gene or gene == "-" or ";" in gene or m is None:
            continue  # multi-gene records and names without a c. expression say nothing about one protein
        by_assembly[assembly].append((gene, m["c"], m["p"] or ""))
        if last is not None:
            latest = max(latest, _date(fields[last]) or "")
    variants = by_assembly["GRCh38"] or by_assembly["GRCh37"]
    rows = [{k: (None if v == "" else v) for k, v in r.items()} for r in gene_pattern_rows(variants)]
    require_rows(path, rows)
    sha = sha256_file(path)
    version = f"evaluations to {latest}" if latest else f"undated (sha256 {sha[:8]})"
    return ParsedSource(NAME, LABEL, version, str(path), sha, LICENCE, CITATION, {"clinvar_gene_pattern": rows},
                        notes=[f"{len(variants)} P/LP variants, {len(rows)} genes"])
