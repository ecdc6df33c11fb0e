"""What a cohort is made of: one `CaseSource` per case, found in a folder, a quick-case TSV or a
multi-sample VCF with its sample sheet.

A source is a recipe, not a Case: the path and the options that `rarepath.intake.case_from_inputs` turns
into a Case inside the worker, so reading is parallel and a case that cannot be read becomes an entry
of `errors.tsv` instead of stopping the run. Sources are small and picklable (they travel to Dask
workers).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rarepath.errors import InputError

__all__ = ["CaseSource", "find_sources", "CASE_FILE_SUFFIXES", "QUICK_COLUMNS", "SHEET_COLUMNS"]

#: case files a folder may hold (matched on the lower-case name); anything else in the folder is ignored
CASE_FILE_SUFFIXES = (".json", ".yaml", ".yml", ".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")
#: columns of a quick-case TSV: the options of `rarepath assess` (only `gene` is required)
QUICK_COLUMNS = ("id", "gene", "variant", "zygosity", "patient", "hpo", "disease", "mechanism")
#: columns of a sample sheet for a multi-sample VCF (only `sample` is required)
SHEET_COLUMNS = ("sample", "sex", "age", "hpo", "gene", "disease", "patient", "mechanism")
#: intake option each TSV column feeds (`rarepath.intake.OVERRIDES` names)
_COLUMN_OPTION = {"id": "case_id", "disease": "diseases"}
_VCF_SUFFIXES = (".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")
_TABLE_SUFFIXES = (".tsv", ".txt", ".csv")


@dataclass(frozen=True)
class CaseSource:
    """One case to assess: `key` is unique in the cohort and stable between runs (relative file path,
    TSV id or row, VCF sample); `path` and `options` are the arguments of `case_from_inputs`."""

    key: str
    path: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # where the user finds it: file, or file:line

    def digest(self) -> str:
        """Changes when anything that defines the case changes (not when the folder moves)."""
        body = json.dumps([self.key, Path(self.path).name if self.path else None, self.options], sort_keys=True,
                          default=str)
        return hashlib.sha1(body.encode()).hexdigest()


def find_sources(input_path: Path, samples: Path | None = None) -> list[CaseSource]:
    """The cases of a cohort, sorted by key: a folder (searched recursively for case files), a quick-case
    TSV, or a multi-sample VCF (then `samples` is its sample sheet)."""
    input_path = Path(input_path)
    if not input_path.exists():
        raise InputError("no such file or folder", source=str(input_path))
    name = input_path.name.lower()
    if input_path.is_dir():
        if samples is not None:
            raise InputError("--samples goes with a multi-sample VCF, not a folder", source=str(samples))
        found = _folder_sources(input_path)
    elif name.endswith(_VCF_SUFFIXES):
        if samples is None:
            raise InputError("a multi-sample VCF needs its sample sheet (--samples SHEET.tsv)",
                             source=str(input_path))
        found = _vcf_sources(input_path, samples)
    elif name.endswith(_TABLE_SUFFIXES):
        found = _quick_sources(input_path)
    else:
        raise InputError("expected a folder of case files, a quick-case .tsv, or a .vcf/.vcf.gz/.bcf with "
                         "--samples", source=str(input_path))
    if not found:
        raise InputError("no cases found (case files end in " + ", ".join(CASE_FILE_SUFFIXES) + ")",
                         source=str(input_path))
    return sorted(found, key=lambda s: s.key)


def _folder_sources(root: Path) -> list[CaseSource]:
    out = []
    for p in root.rglob("*"):
        rel = p.relative_to(root).as_posix()
        hidden = any(part.startswith(".") for part in p.relative_to(root).parts)  # .git/, editor backups
        if not hidden and p.name.lower().endswith(CASE_FILE_SUFFIXES) and p.is_file():
            out.append(CaseSource(key=rel, path=str(p.resolve()), origin=str(p)))
    return out


def _read_table(path: Path, columns: Iterable[str], required: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a TSV (or CSV by suffix) with a header; unknown columns are an error, so a
    typo does not silently drop a patient factor."""
    delimiter = "," if path.name.lower().endswith(".csv") else "\t"
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            lines = [(i, line) for i, line in enumerate(fh, start=1) if line.strip() and not line.startswith("#")]
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read: {err}", source=str(path)) from None
    if not lines:
        raise InputError("empty table (a header line is needed)", source=str(path))
    reader = csv.DictReader([line for _, line in lines], delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)} (allowed: {', '.join(columns)})",
                         source=str(path), field="header")
    if required not in header:
        raise InputError(f"the column {required!r} is required", source=str(path), field="header")
    return [(lineno, {k: (v or "").strip() for k, v in row.items() if k})
            for (lineno, _), row in zip(lines[1:], reader, strict=True)]


def _options(row: dict[str, str], skip: Iterable[str] = ()) -> dict[str, Any]:
    """Intake options from a table row: empty cells are "not given"; hpo and disease are lists."""
    out: dict[str, Any] = {}
    for col, value in row.items():
        if not value or col in skip:
            continue
        name = _COLUMN_OPTION.get(col, col)
        out[name] = tuple(v for v in value.replace(",", ";").split(";") if v.strip()) if name in (
            "hpo", "diseases") else value
    return out


def _quick_sources(path: Path) -> list[CaseSource]:
    out: list[CaseSource] = []
    seen: dict[str, int] = {}
    for lineno, row in _read_table(path, QUICK_COLUMNS, "gene"):
        key = row.get("id") or f"{path.stem}:{lineno}"
        if key in seen:
            raise InputError(f"case id {key!r} repeats line {seen[key]}", source=f"{path}:{lineno}", field="id")
        seen[key] = lineno
        opts = _options(row)
        opts.setdefault("case_id", key)
        out.append(CaseSource(key=key, options=opts, origin=f"{path}:{lineno}"))
    return out


def _vcf_sources(vcf: Path, sheet: Path) -> list[CaseSource]:
    """One case per sample-sheet row; sex and age become patient factors, the gene comes from the sheet's
    `gene` column or, when empty, from the VCF's ANN/CSQ/GENEINFO annotation. A gene list in that column
    (`DMD;SMN1`) makes one case per gene, keyed `sample/gene`."""
    out: list[CaseSource] = []
    seen: dict[str, int] = {}
    for lineno, row in _read_table(sheet, SHEET_COLUMNS, "sample"):
        sample = row["sample"]
        if not sample:
            raise InputError("empty sample id", source=f"{sheet}:{lineno}", field="sample")
        if sample in seen:
            raise InputError(f"sample {sample!r} repeats line {seen[sample]}", source=f"{sheet}:{lineno}",
                             field="sample")
        seen[sample] = lineno
        factors = [f"sex={row['sex']}"] if row.get("sex") else []
        factors += [f"age={row['age']}"] if row.get("age") else []
        factors += [row["patient"]] if row.get("patient") else []
        opts = _options(row, skip=("sample", "sex", "age", "patient", "gene"))
        if factors:
            opts["patient"] = "; ".join(factors)
        opts["sample"] = sample
        genes = [g.strip() for g in row.get("gene", "").replace(",", ";").split(";") if g.strip()]
        for gene in genes or [None]:
            key = f"{sample}/{gene}" if len(genes) > 1 else sample
            one = {**opts, "case_id": key, **({"gene": gene} if gene else {})}
            out.append(CaseSource(key=key, path=str(vcf.resolve()), options=one, origin=f"{sheet}:{lineno}"))
    return out
