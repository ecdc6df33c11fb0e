"""Plate geometry and the in-memory plate: wells as (row, col) in a NaN-padded 2-D array."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rarepath.errors import InputError

# wells -> (rows, cols); the three SBS formats screens use
FORMATS: dict[int, tuple[int, int]] = {96: (8, 12), 384: (16, 24), 1536: (32, 48)}
_WELL = re.compile(r"^\s*([A-Za-z]{1,2})\s*0*(\d{1,3})\s*$")


def row_label(r: int) -> str:
    """0-based row index -> A..Z, AA..AF (1536-well plates have 32 rows)."""
    return chr(65 + r) if r < 26 else "A" + chr(65 + r - 26)


def well_name(r: int, c: int) -> str:
    """0-based (row, col) -> 'A01' style name."""
    return f"{row_label(r)}{c + 1:02d}"


def row_index(label: str) -> int:
    label = label.strip().upper()
    if len(label) == 1:
        return ord(label) - 65
    if len(label) == 2 and label[0] == "A":
        return 26 + ord(label[1]) - 65
    raise ValueError(label)


def parse_well(well: str) -> tuple[int, int]:
    """'A01', 'A1', 'a001', 'AF48' -> 0-based (row, col); ValueError when it is not a well name."""
    m = _WELL.match(str(well))
    if not m:
        raise ValueError(f"not a well name: {well!r}")
    r = row_index(m.group(1))
    c = int(m.group(2)) - 1
    if r < 0 or c < 0:
        raise ValueError(f"not a well name: {well!r}")
    return r, c


def format_for(n_rows: int, n_cols: int) -> int:
    """Smallest standard plate format holding a (rows, cols) extent; InputError beyond 1536."""
    for wells, (nr, nc) in sorted(FORMATS.items()):
        if n_rows <= nr and n_cols <= nc:
            return wells
    raise InputError(f"well grid {n_rows}x{n_cols} is larger than a 1536-well plate (32x48)")


def check_well(well: str, wells: int, *, source: str | None = None) -> tuple[int, int]:
    """Parse a well and require it to lie on a plate of the given format."""
    try:
        r, c = parse_well(well)
    except ValueError:
        raise InputError(f"not a well name: {well!r}", source=source, field="well") from None
    nr, nc = FORMATS[wells]
    if r >= nr or c >= nc:
        raise InputError(f"well {well} lies outside a {wells}-well plate ({nr} rows x {nc} columns)",
                         source=source, field="well")
    return r, c


@dataclass
class Plate:
    """One read of one plate: values[row, col] (NaN = no reading), with where it came from."""

    id: str
    values: np.ndarray
    source: str = ""
    channel: str = ""
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # plate / replicate / instrument as read

    @property
    def wells(self) -> int:
        return self.values.size

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    def value(self, well: str) -> float:
        r, c = parse_well(well)
        return float(self.values[r, c])

    def edge_mask(self, layers: int = 1) -> np.ndarray:
        """True on the outer `layers` rings of wells (where evaporation effects live)."""
        nr, nc = self.shape
        rr, cc = np.indices((nr, nc))
        return (rr < layers) | (cc < layers) | (rr >= nr - layers) | (cc >= nc - layers)


def empty_plate(plate_id: str, wells: int, source: str = "", channel: str = "") -> Plate:
    nr, nc = FORMATS[wells]
    return Plate(plate_id, np.full((nr, nc), np.nan), source, channel)
