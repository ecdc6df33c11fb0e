"""Shared pieces of the importers: the parsed-source record, file and row readers, located parse errors.

Importers are pure parsers (file -> `ParsedSource`); writing happens in one transaction elsewhere, so a
malformed file is rejected before any row of the previous import is touched.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rarepath.errors import InputError

#: Tables that hold imported facts; every one has a `source` column naming a `sources.name`.
DATA_TABLES = ("hgnc_symbol", "gene_constraint", "dosage_sensitivity", "g2p_record", "cds_length",
               "drug_target", "gene_list", "mane_transcript", "clinvar_gene_pattern",
               "disease_xref", "disease_term", "indication_claim", "indication_label", "drug_contraindication")

MISSING = frozenset({"", "NA", "N/A", "nan", "NaN", "None", "null", "."})

_Record = TypeVar("_Record")


@dataclass
class ParsedSource:
    """One source file, parsed and validated, ready to replace that source's rows."""

    name: str
    label: str
    version: str
    file: str
    sha256: str
    licence: str
    citation: str
    tables: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        """Rows the source contributes to its main table (the first one filled)."""
        for rows in self.tables.values():
            return len(rows)
        return 0


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_text(path: Path) -> str:
    """Whole file as text (gzip by magic number); unreadable bytes become an InputError, not a traceback."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8-sig")
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputError(f"cannot read file ({err})", source=str(path)) from err
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start})", source=str(path)) from err


def text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without newline) for every line of a text or .gz file."""
    for lineno, line in enumerate(io.StringIO(read_text(path)), start=1):
        yield lineno, line.rstrip("\r\n")


def where(path: Path, lineno: int) -> str:
    return f"{path}:{lineno}"


def header_of(path: Path, records: Iterator[_Record], kind: str = "table") -> _Record:
    """The first record of a table (its header line); an empty file or an unreadable header is an InputError."""
    try:
        return next(records)
    except StopIteration:
        raise InputError("empty file", source=str(path)) from None
    except csv.Error as err:  # e.g. a header field over the csv module's size limit
        raise InputError(f"bad {kind} header ({err})", source=where(path, 1)) from None


def check_width(path: Path, lineno: int, fields: list[str], header: list[str], separator: str) -> None:
    """A data row must have as many fields as the header (`separator` names them: tab, comma)."""
    if len(fields) != len(header):
        raise InputError(f"expected {len(header)} {separator}-separated fields, found {len(fields)}",
                         source=where(path, lineno))


def tsv_rows(path: Path, lines: Iterator[tuple[int, str]], header: list[str],
             skip_comments: bool = False) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each data line after the header; blank lines (and `#` lines with
    `skip_comments`) are passed over, a line of another width than the header is a located error."""
    for lineno, line in lines:
        if not line.strip() or (skip_comments and line.startswith("#")):
            continue
        fields = line.split("\t")
        check_width(path, lineno, fields, header, "tab")
        yield lineno, fields


def csv_rows(path: Path, reader: Any, header: list[str], separator: str,
             bad_quoting: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank record of a `csv.reader` after the header; a quoting
    error (`bad_quoting (...)`) or a record of another width than the header is a located error."""
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise InputError(f"{bad_quoting} ({err})", source=where(path, reader.line_num)) from None
        if any(f.strip() for f in fields):
            check_width(path, reader.line_num, fields, header, separator)
            yield reader.line_num, fields


def cell_getter(fields: list[str], col: dict[str, int]) -> Callable[[str], str | None]:
    """`get(column)`: that cell of the row as text, None when it is missing or the file lacks the column."""

    def get(column: str) -> str | None:
        i = col.get(column)
        return opt_text(fields[i]) if i is not None else None

    return get


def require_gene(gene: str | None, path: Path, lineno: int, column: str) -> str:
    """The row's gene symbol; an empty one is a located error, never a row without a gene."""
    if not gene:
        raise InputError("empty gene symbol", source=where(path, lineno), field=column)
    return gene


def symbol_list(path: Path) -> list[str]:
    """The distinct symbols of a one-symbol-per-line file (no header), in file order."""
    symbols: list[str] = []
    seen: set[str] = set()
    for lineno, line in text_lines(path):
        symbol = line.strip()
        if not symbol:
            continue
        if "\t" in symbol or " " in symbol:
            raise InputError(f"expected one gene symbol per line, found {symbol[:40]!r}",
                             source=where(path, lineno))
        if symbol not in seen:
            seen.add(symbol)
            symbols.append(symbol)
    return symbols


def require_columns(path: Path, lineno: int, header: list[str], needed: tuple[str, ...]) -> dict[str, int]:
    """Column index by name; a missing column is an InputError naming the file and the column."""
    index = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in needed if c not in index]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)} in the header", source=where(path, lineno),
                         field=missing[0])
    return index


def opt_float(value: str, path: Path, lineno: int, column: str) -> float | None:
    """A number or None for the usual missing-value spellings; anything else is a located error."""
    value = value.strip()
    if value in MISSING:
        return None
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"not a number: {value!r}", source=where(path, lineno), field=column) from None
    if math.isnan(number):
        return None
    return number


def opt_int(value: str, path: Path, lineno: int, column: str) -> int | None:
    number = opt_float(value, path, lineno, column)
    if number is None:
        return None
    if not number.is_integer():
        raise InputError(f"not a whole number: {value!r}", source=where(path, lineno), field=column)
    return int(number)


def opt_text(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in MISSING else value


def require_rows(path: Path, rows: list) -> None:
    if not rows:
        raise InputError("no data rows", source=str(path))
