"""Plate map (what is in each well) and treatment library (what each treatment is), validated on read.

Plate map columns: `well`, `role` (sample | negative | positive | time_zero | empty), optional `plate` (blank
or `*` = every plate), `genotype` (patient | isogenic), `treatment`, `modality` (drug | aso | construct), `dose`,
`unit`, `replicate`. Negative control = untreated (vehicle) patient cells = 0 % rescue; positive control =
isogenic corrected cells (or a reference rescue) = 100 % rescue. `time_zero` wells hold untreated cells read
when the treatment started (usually on their own plate, named in `plate`): with them and a cell-count readout,
the screen also reports GR metrics (Hafner et al. 2016).

Molar dose units are converted to micromolar; a treatment whose doses mix units that cannot be converted
(e.g. nM and MOI) is an InputError, because its dose-response curve would be meaningless.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from rarepath.errors import InputError
from rarepath.screens.plates import FORMATS, check_well

ROLES = {
    "sample": "sample", "treated": "sample", "compound": "sample", "test": "sample", "t": "sample",
    "negative": "negative", "neg": "negative", "untreated": "negative", "vehicle": "negative", "dmso": "negative",
    "n": "negative",
    "positive": "positive", "pos": "positive", "isogenic": "positive", "rescue": "positive", "p": "positive",
    "time_zero": "time_zero", "t0": "time_zero", "time0": "time_zero", "day0": "time_zero",
    "empty": "empty", "blank": "empty", "b": "empty", "other": "empty", "": "empty",
}
MODALITIES = ("drug", "aso", "construct")
GENOTYPES = ("patient", "isogenic")
MOLAR_TO_UM = {"m": 1e6, "mm": 1e3, "um": 1.0, "µm": 1.0, "μm": 1.0, "nm": 1e-3, "pm": 1e-6}


@dataclass(frozen=True)
class WellInfo:
    plate: str  # "*" = every plate
    well: str
    row: int
    col: int
    role: str
    genotype: str = "patient"
    treatment: str = ""
    modality: str = ""
    dose: float = math.nan  # in `unit` (micromolar for molar units)
    unit: str = ""
    replicate: str = ""


@dataclass
class PlateMap:
    wells: list[WellInfo]
    plate_wells: int
    source: str = ""

    def for_plate(self, plate_id: str, plate_meta: dict[str, str] | None = None) -> dict[tuple[int, int], WellInfo]:
        """Well annotations of one plate: plate-specific rows override '*' rows."""
        names = {plate_id}
        if plate_meta and plate_meta.get("plate"):
            names.add(plate_meta["plate"])
        out = {(w.row, w.col): w for w in self.wells if w.plate == "*"}
        out.update({(w.row, w.col): w for w in self.wells if w.plate in names})
        return out

    def plates(self) -> set[str]:
        return {w.plate for w in self.wells if w.plate != "*"}


@dataclass(frozen=True)
class Treatment:
    id: str
    name: str
    modality: str
    target_gene: str = ""
    indication: str = ""


def _read_table(path: str | Path, what: str) -> tuple[list[str], list[dict[str, str]]]:
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", source=str(p), field=what)
    text = p.read_text(encoding="utf-8-sig", errors="replace")
    first = text.splitlines()[0] if text.strip() else ""
    delim = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delim)
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    rows = []
    for r in reader:
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in r.items() if k is not None})
    return fields, rows


def normalise_unit(unit: str) -> tuple[str, float]:
    """(canonical unit, factor to multiply the dose by). Molar units -> uM; others kept as written."""
    u = unit.strip().replace("μ", "u").replace("µ", "u")
    key = u.lower()
    if key in MOLAR_TO_UM:
        return "uM", MOLAR_TO_UM[key]
    return u, 1.0


def read_plate_map(path: str | Path, *, wells: int | None = None) -> PlateMap:
    """Read and validate a plate map (see module docstring)."""
    src = str(path)
    fields, rows = _read_table(path, "--map")
    for need in ("well", "role"):
        if need not in fields:
            raise InputError(f"missing column {need!r} (have: {', '.join(fields)})", source=src)
    if wells is None:
        from rarepath.screens.plates import format_for, parse_well

        ext = [0, 0]
        for r in rows:
            try:
                rr, cc = parse_well(r["well"])
            except ValueError:
                continue
            ext = [max(ext[0], rr + 1), max(ext[1], cc + 1)]
        wells = format_for(*ext) if ext != [0, 0] else 384
    if wells not in FORMATS:
        raise InputError(f"unsupported plate format {wells}", source=src)
    out: list[WellInfo] = []
    seen: dict[tuple[str, int, int], int] = {}
    units: dict[str, set[str]] = {}
    for ln, r in enumerate(rows, start=2):
        loc = f"{src}:{ln}"
        r_, c_ = check_well(r["well"], wells, source=loc)
        plate = r.get("plate", "").strip() or "*"
        if (plate, r_, c_) in seen:
            raise InputError(f"duplicate well {r['well']} for plate {plate} (lines {seen[(plate, r_, c_)]} and {ln})",
                             source=src, field="well")
        seen[(plate, r_, c_)] = ln
        role_raw = r.get("role", "").lower()
        if role_raw not in ROLES:
            raise InputError(f"unknown role {r['role']!r} (use sample, negative, positive, time_zero or empty)",
                             source=loc, field="role")
        role = ROLES[role_raw]
        genotype = (r.get("genotype") or "patient").lower()
        if genotype in ("corrected", "control", "isogenic_control", "wt", "wildtype"):
            genotype = "isogenic"
        if genotype not in GENOTYPES:
            raise InputError(f"unknown genotype {r.get('genotype')!r} (use patient or isogenic)", source=loc,
                             field="genotype")
        modality = (r.get("modality") or "").lower()
        if modality and modality not in MODALITIES:
            raise InputError(f"unknown modality {modality!r} (use {', '.join(MODALITIES)})", source=loc,
                             field="modality")
        dose_txt = r.get("dose", "")
        dose = math.nan
        unit, factor = normalise_unit(r.get("unit", ""))
        if dose_txt:
            try:
                dose = float(dose_txt) * factor
            except ValueError:
                raise InputError(f"dose {dose_txt!r} is not a number", source=loc, field="dose") from None
            if dose < 0 or not math.isfinite(dose):
                raise InputError(f"dose {dose_txt!r} must be a finite number >= 0", source=loc, field="dose")
        treatment = r.get("treatment", "") or r.get("treatment_id", "")
        if role == "sample":
            if not treatment:
                raise InputError("sample well without a treatment", source=loc, field="treatment")
            if not dose_txt:
                raise InputError("sample well without a dose", source=loc, field="dose")
            if dose > 0:
                units.setdefault(treatment, set()).add(unit)
        out.append(WellInfo(plate, r["well"].strip().upper(), r_, c_, role, genotype, treatment, modality, dose, unit,
                            r.get("replicate", "")))
    mixed = {t: u for t, u in units.items() if len(u) > 1}
    if mixed:
        t, u = sorted(mixed.items())[0]
        raise InputError(f"treatment {t!r} has doses in mixed units ({', '.join(sorted(u))}) that cannot be "
                         "converted into one another", source=src, field="unit")
    if not out:
        raise InputError("plate map has no wells", source=src)
    return PlateMap(out, wells, src)


def read_library(path: str | Path) -> dict[str, Treatment]:
    """Treatment library: id, name, modality, target gene (`target_gene` or `target`), indication."""
    src = str(path)
    fields, rows = _read_table(path, "--library")
    for need in ("id", "name"):
        if need not in fields:
            raise InputError(f"missing column {need!r} (have: {', '.join(fields)})", source=src)
    lib: dict[str, Treatment] = {}
    for ln, r in enumerate(rows, start=2):
        tid = r["id"]
        if not tid:
            raise InputError("empty treatment id", source=f"{src}:{ln}", field="id")
        if tid in lib:
            raise InputError(f"duplicate treatment id {tid!r}", source=f"{src}:{ln}", field="id")
        modality = (r.get("modality") or "drug").lower()
        if modality not in MODALITIES:
            raise InputError(f"unknown modality {modality!r} (use {', '.join(MODALITIES)})", source=f"{src}:{ln}",
                             field="modality")
        lib[tid] = Treatment(tid, r["name"].strip(), modality, (r.get("target_gene") or r.get("target") or "").upper(),
                             r.get("indication") or r.get("approved_indication") or "")
    return lib
