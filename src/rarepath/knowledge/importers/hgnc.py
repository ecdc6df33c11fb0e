"""HGNC symbols: the approved-symbol thesaurus (approved -> previous/alias symbols) and a plain list of
gene symbols (ExAC/mantis-ml gene set), so old or alias symbols in a case resolve to one approved gene.

The thesaurus does not tell previous symbols from aliases; both are stored as `alias`. An alias shared by
several approved genes is kept as it is, and resolution reports it as ambiguous instead of guessing.
"""

from __future__ import annotations

from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.importers.base import (
    MISSING,
    ParsedSource,
    header_of,
    require_columns,
    require_rows,
    sha256_file,
    symbol_list,
    text_lines,
    tsv_rows,
    where,
)

THESAURUS = "hgnc_thesaurus"
GENE_SET = "hgnc_gene_set"
LICENCE = "HGNC data (free to use, cite HGNC); copy from macarthur-lab/gene_lists"
CITATION = "Seal et al., Nucleic Acids Res 51:D1003 (2023) (HGNC, genenames.org)"


def parse_thesaurus(path: Path) -> ParsedSource:
    """`approved<TAB>synonyms` with comma-separated synonyms or NA."""
    lines = text_lines(path)
    lineno, header_line = header_of(path, lines)
    header = header_line.split("\t")
    col = require_columns(path, lineno, header, ("approved", "synonyms"))
    seen: set[tuple[str, str, str]] = set()
    rows: list[dict[str, object]] = []

    def add(symbol: str, approved: str, kind: str) -> None:
        key = (symbol, approved, kind)
        if key not in seen:
            seen.add(key)
            rows.append({"symbol": symbol, "symbol_upper": symbol.upper(), "approved": approved, "kind": kind})

    for lineno, fields in tsv_rows(path, lines, header):
        approved = fields[col["approved"]].strip()
        if not approved or approved in MISSING:
            raise InputError("empty approved symbol", source=where(path, lineno), field="approved")
        add(approved, approved, "approved")
        synonyms = fields[col["synonyms"]].strip()
        if synonyms in MISSING:
            continue
        for alias in synonyms.split(","):
            alias = alias.strip()
            if alias and alias != approved:
                add(alias, approved, "alias")
    require_rows(path, rows)
    return ParsedSource(THESAURUS, "HGNC symbol thesaurus", f"snapshot (sha256 {sha256_file(path)[:8]})",
                        str(path), sha256_file(path), LICENCE, CITATION, {"hgnc_symbol": rows})


def parse_gene_set(path: Path) -> ParsedSource:
    """One symbol per line, no header (the ExAC r0.3 gene universe, HGNC symbols of 2015)."""
    rows: list[dict[str, object]] = [
        {"symbol": symbol, "symbol_upper": symbol.upper(), "approved": symbol, "kind": "listed"}
        for symbol in symbol_list(path)
    ]
    require_rows(path, rows)
    sha = sha256_file(path)
    return ParsedSource(GENE_SET, "HGNC gene set (ExAC r0.3 genes)", f"2015 (sha256 {sha[:8]})", str(path), sha,
                        "MPL-2.0 (mantis-ml-release); HGNC symbols", CITATION, {"hgnc_symbol": rows})
