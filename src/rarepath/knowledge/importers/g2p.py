"""Gene2Phenotype panels (DD, Eye, Skin, Cardiac, Cancer): gene-disease pairs with allelic requirement
and mutation consequence, the two facts the mechanism rules read first.

One source per panel file (`g2p_dd`, `g2p_eye`, ...), so panels are versioned and replaced separately.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.importers.base import (
    ParsedSource,
    cell_getter,
    csv_rows,
    header_of,
    read_text,
    require_columns,
    require_gene,
    require_rows,
    sha256_file,
    where,
)

LABEL = "Gene2Phenotype"
LICENCE = "Gene2Phenotype, EMBL-EBI (EMBL-EBI terms of use)"
CITATION = "Thormann et al., Nat Commun 10:2373 (2019)"
COLUMNS = ("gene symbol", "disease name", "allelic requirement", "mutation consequence")
_DATE8 = re.compile(r"(20\d{2})(\d{2})(\d{2})")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_DMY = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})")


def panel_of(path: Path) -> str:
    """`DDG2P.csv` -> DD, `CardiacG2P_curated_20210723.csv` -> Cardiac."""
    stem = path.name.split("G2P", 1)[0]
    return stem or path.stem


def source_name(path: Path) -> str:
    return f"g2p_{panel_of(path).lower()}"


def _iso_date(entry: str | None) -> str | None:
    """G2P writes entry dates as ISO or dd.mm.yyyy (Cardiac); "No date" is no date."""
    if not entry:
        return None
    m = _ISO.match(entry)
    if m:
        return m.group(1)
    m = _DMY.match(entry)
    return f"{m.group(3)}-{m.group(2)}-{m.group(1)}" if m else None


def _version(path: Path, dates: list[str], sha256: str) -> str:
    m = _DATE8.search(path.name)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if dates:
        return f"entries to {max(dates)}"
    return f"undated (sha256 {sha256[:8]})"


def parse(path: Path) -> ParsedSource:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = header_of(path, reader, "CSV")
    col = require_columns(path, 1, header, COLUMNS)
    header_panel = panel_of(path)
    rows: list[dict[str, object]] = []
    dates: list[str] = []
    for lineno, fields in csv_rows(path, reader, header, "comma", "bad CSV"):
        get = cell_getter(fields, col)
        gene = require_gene(get("gene symbol"), path, lineno, "gene symbol")
        disease = get("disease name")
        if not disease:
            raise InputError("empty disease name", source=where(path, lineno), field="disease name")
        mim = get("disease mim")
        if mim and not mim.isdigit():  # "No disease mim"
            mim = None
        entry = _iso_date(get("gene disease pair entry date"))
        if entry:
            dates.append(entry)
        rows.append({
            "gene": gene,
            "gene_mim": get("gene mim"),
            "disease": disease,
            "disease_mim": mim,
            "confidence": get("DDD category") or get("confidence category"),
            "allelic_requirement": get("allelic requirement"),
            "mutation_consequence": get("mutation consequence"),
            "organs": get("organ specificity list"),
            "pmids": get("pmids"),
            "panel": get("panel") or header_panel,
            "prev_symbols": get("prev symbols"),
            "hgnc_id": get("hgnc id"),
            "entry_date": entry,
        })
    require_rows(path, rows)
    sha = sha256_file(path)
    return ParsedSource(source_name(path), f"{LABEL} {header_panel} panel", _version(path, dates, sha), str(path),
                        sha, LICENCE, CITATION, {"g2p_record": rows})
