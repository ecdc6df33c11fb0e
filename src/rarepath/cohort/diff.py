"""Re-analysis: which cases' best option changed between two cohort runs (for example before and after
`rarepath kb import` of a newer release), newest approvals first.

A case's best option is its option_rank 0 row: verdict, modality, target and products. Cases are matched
by `case_key` (relative file path, TSV id or VCF sample), so both runs should read the same input layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from rarepath.cohort.rows import ACTIONABLE
from rarepath.cohort.run import SUMMARY_COLUMNS, read_cohort
from rarepath.model import Verdict

__all__ = ["BestOption", "Change", "best_options", "diff_tables", "diff_runs"]


@dataclass(frozen=True)
class BestOption:
    verdict: str
    modality: str
    target: str
    products: tuple[str, ...]
    approval_year: int | None

    def describe(self) -> str:
        made = f"{self.verdict} {self.modality} -> {self.target or '-'}"
        return f"{made} ({', '.join(self.products)})" if self.products else made

    @property
    def actionable(self) -> bool:
        return self.verdict in ACTIONABLE


@dataclass(frozen=True)
class Change:
    """One case whose best option differs between the runs (None: the case is absent from that run)."""

    case_key: str
    case_id: str
    old: BestOption | None
    new: BestOption | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "new case"
        if self.new is None:
            return "no longer in cohort"
        if self.new.actionable and not self.old.actionable:
            return "became actionable"
        if self.old.actionable and not self.new.actionable:
            return "no longer actionable"
        if Verdict(self.new.verdict).rank > Verdict(self.old.verdict).rank:
            return "better verdict"
        if Verdict(self.new.verdict).rank < Verdict(self.old.verdict).rank:
            return "worse verdict"
        return "different option"

    @property
    def approval_year(self) -> int | None:
        """Year of the latest approval behind the new best option (None when it has no approved product)."""
        return self.new.approval_year if self.new else None


def best_options(table: pa.Table) -> dict[str, tuple[str, BestOption]]:
    """case_key -> (case_id, best option) for a cohort table."""
    first = table.filter(pc.equal(table.column("option_rank"), 0))
    cols = {name: first.column(name).to_pylist() for name in
            ("case_key", "case_id", "verdict", "modality", "target", "products", "approval_year")}
    return {key: (cid, BestOption(v, m, t, tuple(p or ()), y)) for key, cid, v, m, t, p, y in zip(
        cols["case_key"], cols["case_id"], cols["verdict"], cols["modality"], cols["target"], cols["products"],
        cols["approval_year"], strict=True)}


def diff_tables(old: pa.Table, new: pa.Table) -> list[Change]:
    """Cases whose best option changed, newest approval first, then by case key."""
    before, after = best_options(old), best_options(new)
    changes = []
    for key in sorted(set(before) | set(after)):
        o, n = before.get(key), after.get(key)
        if o is not None and n is not None and o[1] == n[1]:
            continue
        changes.append(Change(key, (n or o)[0], o[1] if o else None, n[1] if n else None))
    return sorted(changes, key=lambda c: (-(c.approval_year or 0), c.case_key))


def diff_runs(old_dir: Path, new_dir: Path) -> list[Change]:
    """`diff_tables` of two cohort output folders."""
    return diff_tables(read_cohort(old_dir, SUMMARY_COLUMNS), read_cohort(new_dir, SUMMARY_COLUMNS))
