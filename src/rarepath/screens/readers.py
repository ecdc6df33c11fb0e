"""Plate-reader files in, `Plate` objects out.

Every format is first turned into rows of cells (text: the delimiter that splits a line best among
comma, semicolon and tab; Excel: the cells of each sheet), then one of three layouts is recognised:

* **tidy** -- a header with `well` and `value` (plus optional `plate`, `replicate`, `channel`, `timepoint`);
* **long without header** -- `plate<TAB>well<TAB>value` (cellHTS2 / KcViab `FT01-G01.txt`);
* **matrix blocks** -- a row-letter column (A..P, A..AF) followed by 12/24/48 numbers, optionally under a
  header of column numbers; this covers EnVision CSV exports (`;` or `,`, several blocks = channels),
  Packard Fusion CSV, Molecular Devices Analyst TXT and bare 8x12/16x24/32x48 grids.

Bad readings (text where a number belongs) become NaN with a per-well warning; structural problems
(a well off the plate, a duplicate well, nothing that looks like a plate) raise InputError.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from rarepath.errors import InputError
from rarepath.screens.plates import FORMATS, Plate, check_well, format_for, parse_well, row_index

PLATE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".tab"}
_ROW_LABEL = re.compile(r"^[A-Za-z]{1,2}$")
_VALUE_COLUMNS = ("value", "raw", "signal", "reading", "intensity", "rval")
_SHAPES = {v: k for k, v in FORMATS.items()}


def _to_float(cell: str) -> float | None:
    """Float of a cell, None when it is not a number ('' -> NaN)."""
    cell = cell.strip().strip('"')
    if cell == "":
        return math.nan
    try:
        return float(cell)
    except ValueError:
        return None


def split_text(text: str) -> list[list[str]]:
    """Lines (any of \\n, \\r\\n, old-Mac \\r) -> cells, using the delimiter that yields most fields."""
    rows = []
    for line in text.splitlines():
        best = [line]
        for sep in ("\t", ";", ","):
            parts = line.split(sep)
            if len(parts) > len(best):
                best = parts
        rows.append([c.strip().strip('"') for c in best])
    return rows


def read_text_rows(path: Path) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", source=str(path)) from None
    for enc in ("utf-8-sig", "latin-1"):
        try:
            return split_text(raw.decode(enc))
        except UnicodeDecodeError:
            continue
    raise InputError("cannot decode file as text", source=str(path))  # pragma: no cover


def read_excel_rows(path: Path) -> list[tuple[str, list[list[str]]]]:
    """(sheet name, rows of cell strings) for every sheet of a workbook."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged file
        raise InputError(f"cannot open workbook: {err}", source=str(path)) from None
    out = []
    for ws in wb.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        out.append((ws.title, rows))
    wb.close()
    return out


# ----------------------------------------------------------------------------------------------- layouts

def _header_index(row: Sequence[str]) -> dict[str, int]:
    return {c.strip().lower(): i for i, c in enumerate(row) if c.strip()}


def _parse_tidy(rows: list[list[str]], source: str, wells: int | None) -> list[Plate] | None:
    for h, row in enumerate(rows[:20]):
        idx = _header_index(row)
        vcol = next((idx[c] for c in _VALUE_COLUMNS if c in idx), None)
        if "well" not in idx or vcol is None:
            continue
        data = [r for r in rows[h + 1:] if any(c.strip() for c in r)]
        return _long_to_plates(data, source, wells, idx.get("plate"), idx["well"], vcol, idx.get("replicate"),
                               idx.get("channel"), idx.get("timepoint"), first_line=h + 2)
    return None


def _parse_long_headerless(rows: list[list[str]], source: str, wells: int | None) -> list[Plate] | None:
    data = [r for r in rows if any(c.strip() for c in r)]
    if not data or any(len(r) < 3 for r in data[:5]):
        return None
    try:
        for r in data[:5]:
            parse_well(r[1])
    except ValueError:
        return None
    if _to_float(data[0][2]) is None:
        return None
    return _long_to_plates(data, source, wells, 0, 1, 2, None, None, None, first_line=1)


def _long_to_plates(data, source, wells, pcol, wcol, vcol, rcol, ccol, tcol, first_line) -> list[Plate]:
    parsed: dict[tuple[str, str, str, str], list[tuple[int, int, float, str, int]]] = {}
    warnings: dict[tuple[str, str, str, str], list[str]] = {}
    max_r = max_c = 0
    for ln, r in enumerate(data, start=first_line):
        def cell(i: int | None, r: list[str] = r) -> str:
            return r[i].strip() if i is not None and i < len(r) else ""

        well = cell(wcol)
        key = (cell(pcol) or "1", cell(rcol), cell(ccol), cell(tcol))
        try:
            rr, cc = parse_well(well)
        except ValueError:
            raise InputError(f"line {ln}: not a well name: {well!r}", source=source, field="well") from None
        v = _to_float(cell(vcol))
        if v is None:
            warnings.setdefault(key, []).append(f"{well}: non-numeric reading {cell(vcol)!r} set to missing")
            v = math.nan
        parsed.setdefault(key, []).append((rr, cc, v, well, ln))
        max_r, max_c = max(max_r, rr + 1), max(max_c, cc + 1)
    if not parsed:
        raise InputError("no readings found", source=source)
    fmt = wells or format_for(max_r, max_c)
    plates = []
    for key, items in parsed.items():
        plate_id, rep, chan, tp = key
        nr, nc = FORMATS[fmt]
        vals = np.full((nr, nc), np.nan)
        seen: dict[tuple[int, int], int] = {}
        for rr, cc, v, well, ln in items:
            check_well(well, fmt, source=f"{source}:{ln}")
            if (rr, cc) in seen:
                raise InputError(f"duplicate well {well} on plate {plate_id} (lines {seen[(rr, cc)]} and {ln})",
                                 source=source, field="well")
            seen[(rr, cc)] = ln
            vals[rr, cc] = v
        pid = plate_id + (f"-r{rep}" if rep else "") + (f"-t{tp}" if tp else "")
        meta = {"plate": plate_id, "replicate": rep, "timepoint": tp, "layout": "tidy"}
        plates.append(Plate(pid, vals, source, chan, warnings.get(key, []), meta))
    return plates


def _parse_blocks(rows: list[list[str]], source: str) -> list[tuple[str, np.ndarray, list[str]]]:
    """Matrix blocks: consecutive rows labelled A, B, C... with 12/24/48 values each."""
    blocks = []
    i = 0
    n = len(rows)
    while i < n:
        r = rows[i]
        if r and _ROW_LABEL.match(r[0].strip()) and r[0].strip().upper() == "A":
            start = i
            labels = []
            body = []
            j = i
            while j < n and rows[j] and _ROW_LABEL.match(rows[j][0].strip() or "-"):
                try:
                    if row_index(rows[j][0]) != len(labels):
                        break
                except ValueError:
                    break
                labels.append(rows[j][0].strip().upper())
                body.append(rows[j][1:])
                j += 1
            block = _cells_to_matrix(body, labels, source)
            if block is not None:
                title = _block_title(rows, start)
                barcode = _barcode_above(rows, start)
                blocks.append((title, *block) if not barcode else (f"barcode={barcode}", *block))
                i = j
                continue
        i += 1
    if not blocks:  # bare grids without row letters (e.g. a 1536 export): runs of all-numeric lines
        run: list[list[str]] = []
        for r in [*rows, []]:
            cells = _trim(r)
            if cells and all(_to_float(c) is not None for c in cells):
                run.append(cells)
                continue
            if run and (len(run), len(run[0])) in _SHAPES and all(len(b) == len(run[0]) for b in run):
                block = _cells_to_matrix(run, [""] * len(run), source)
                if block is not None:
                    blocks.append(("", *block))
            run = []
    return blocks


def _trim(cells: list[str]) -> list[str]:
    out = list(cells)
    while out and not out[-1].strip():
        out.pop()
    return out


def _cells_to_matrix(body: list[list[str]], labels: list[str], source: str):
    if not body:
        return None
    trimmed = [_trim(b) for b in body]
    ncol = max(len(t) for t in trimmed)
    nrow = len(trimmed)
    width = {nr: nc for nr, nc in _SHAPES}.get(nrow)
    if width is None or ncol > width or ncol == 0:
        return None
    ncol = width  # trailing empty wells were trimmed
    vals = np.full((nrow, ncol), np.nan)
    warns = []
    numeric = 0
    for ri, cells in enumerate(trimmed):
        for ci, cell in enumerate(cells):
            v = _to_float(cell)
            if v is None:
                from rarepath.screens.plates import well_name

                warns.append(f"{well_name(ri, ci)}: non-numeric reading {cell!r} set to missing")
                continue
            if not math.isnan(v):
                numeric += 1
            vals[ri, ci] = v
    if numeric == 0 or len(warns) > numeric:  # a text table that happens to have letter labels
        return None
    return vals, warns


def _barcode_above(rows: list[list[str]], start: int) -> str:
    """Analyst exports hold several plates per file, each after a 'Barcode:' line."""
    for k in range(start - 1, max(start - 60, -1), -1):
        if rows[k] and rows[k][0].strip().lower().startswith("barcode") and len(rows[k]) > 1:
            return rows[k][1].strip()
        if k < start - 2 and rows[k] and _ROW_LABEL.match(rows[k][0].strip() or "-") and len(rows[k]) > 8:
            return ""
    return ""


def _block_title(rows: list[list[str]], start: int) -> str:
    """Nearest non-empty line above the block that is not the column-number header (EnVision result name)."""
    for k in range(start - 1, max(start - 4, -1), -1):
        cells = [c for c in rows[k] if c.strip()]
        if not cells:
            continue
        if all(_to_float(c) is not None for c in cells):
            continue
        return " ".join(cells)[:120]
    return ""


def detect_instrument(rows: list[list[str]]) -> str:
    head = " ".join(" ".join(r) for r in rows[:80]).lower()
    if "calculated results" in head or "envision" in head or "results for " in head or "plate,repeat,barcode" in head:
        return "envision"
    if "fusion" in head or "plate seq#" in head:
        return "packard_fusion"
    if "microplate format" in head or "method id" in head or "read sequence" in head:
        return "analyst"
    return "generic"


def parse_rows(rows: list[list[str]], source: str, stem: str, *, wells: int | None = None) -> list[Plate]:
    """Recognise the layout of rows of cells and return the plates they hold."""
    tidy = _parse_tidy(rows, source, wells)
    if tidy is not None:
        return tidy
    long = _parse_long_headerless(rows, source, wells)
    if long is not None:
        return long
    blocks = _parse_blocks(rows, source)
    if not blocks:
        raise InputError("no plate found: expected a tidy table (well, value), plate/well/value lines, "
                         "or an 8x12, 16x24 or 32x48 grid", source=source)
    instrument = detect_instrument(rows)
    plates = []
    for k, (title, vals, warns) in enumerate(blocks):
        if wells is not None and vals.size != wells:
            raise InputError(f"plate has {vals.size} wells, expected {wells}", source=source)
        pid, chan = stem, title or (str(k + 1) if len(blocks) > 1 else "")
        if title.startswith("barcode="):  # separate plates, not channels
            pid, chan = f"{stem}-{title[8:]}", ""
        plates.append(Plate(pid, vals, source, chan, warns,
                            {"plate": stem, "layout": "matrix", "instrument": instrument, "block": str(k + 1)}))
    return plates


# ----------------------------------------------------------------------------------------------- files

def read_plate_file(path: str | Path, *, wells: int | None = None) -> list[Plate]:
    """All plates (and channels) in one file, whatever its supported format."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        plates = []
        for sheet, rows in read_excel_rows(path):
            try:
                got = parse_rows(rows, f"{path}[{sheet}]", path.stem, wells=wells)
            except InputError:
                continue
            for p in got:
                if len(plates) and p.meta.get("layout") == "matrix":
                    p.id = f"{path.stem}-{sheet}"
            plates.extend(got)
        if not plates:
            raise InputError("no plate found in any sheet", source=str(path))
        return plates
    return parse_rows(read_text_rows(path), str(path), path.stem, wells=wells)


def read_envision(path: str | Path) -> list[Plate]:
    """PerkinElmer EnVision CSV export: one plate per result block (channel = block title)."""
    return read_plate_file(path)


def read_fusion(path: str | Path) -> list[Plate]:
    """Packard Fusion CSV export (header lines, then a labelled 8x12 grid)."""
    return read_plate_file(path)


def read_analyst(path: str | Path) -> list[Plate]:
    """Molecular Devices Analyst TXT (tab-separated labelled grid after a key/value header)."""
    return read_plate_file(path)


def expand_plate_paths(items: Iterable[str | Path]) -> list[Path]:
    """Files as given; directories expand to their plate-like files (sorted)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in PLATE_SUFFIXES))
        elif p.is_file():
            out.append(p)
        else:
            raise InputError("no such file or directory", source=str(p), field="--plates")
    if not out:
        raise InputError("no plate files found", field="--plates")
    return out


def read_plates(items: Iterable[str | Path], *, wells: int | None = None,
                channel: str | None = None) -> list[Plate]:
    """Read every plate; keep one channel per file (the named one, else the first) and unique ids."""
    plates: list[Plate] = []
    for path in expand_plate_paths(items):
        got = read_plate_file(path, wells=wells)
        if channel is not None:
            chosen = [p for p in got if p.channel == channel or channel.lower() in p.channel.lower()]
            if not chosen:
                raise InputError(f"channel {channel!r} not found (have: {sorted({p.channel for p in got})})",
                                 source=str(path))
            got = chosen
        elif got and got[0].meta.get("layout") == "matrix":
            first: dict[str, Plate] = {}
            for p in got:  # one channel (the first) per plate
                first.setdefault(p.id, p)
            got = list(first.values())
        plates.extend(got)
    ids = [p.id for p in plates]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"plate id(s) read twice: {', '.join(dup[:5])}", field="--plates")
    return plates
