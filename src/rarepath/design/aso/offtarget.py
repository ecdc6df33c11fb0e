"""Thin adapter over the shared off-target engine (rarepath.design.offtarget) for antisense oligos.

An ASO's off-targets are RNA sites that read like its target site; the engine searches both genome strands,
so a hit on either strand counts (transcript strands are unknown in a bare genome).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rarepath.errors import InputError


@dataclass(frozen=True)
class OffTargetCounts:
    mm0: int
    mm1: int
    mm2: int

    def to_dict(self) -> dict[str, int]:
        return {"mm0": self.mm0, "mm1": self.mm1, "mm2": self.mm2}


def _engine() -> tuple[Any, Callable] | None:
    try:
        from rarepath.design.offtarget import GenomeIndex, search_sequences  # type: ignore[attr-defined]
    except ImportError:
        try:
            from rarepath.design.offtarget.genome import GenomeIndex
            from rarepath.design.offtarget.search import search_sequences
        except ImportError:
            return None
    return GenomeIndex, search_sequences


def engine_available() -> bool:
    return _engine() is not None


def load_genome(path: str | Path) -> Any:
    """A GenomeIndex from a FASTA file or a folder of them (raises InputError when unusable)."""
    eng = _engine()
    if eng is None:
        raise InputError("off-target engine (rarepath.design.offtarget) is not available in this build",
                         source=str(path), field="genome")
    p = Path(path)
    if not p.exists():
        raise InputError("genome not found", source=str(p), field="genome")
    GenomeIndex, _ = eng
    return GenomeIndex.from_fasta(p)


def count_offtargets(index: Any, sites: Sequence[str], max_mismatches: int = 2,
                     search: Callable | None = None) -> list[OffTargetCounts]:
    """Hits with 0/1/2 mismatches per target site. `search(index, queries, max_mismatches)` may be injected."""
    if search is None:
        eng = _engine()
        if eng is None:
            raise InputError("off-target engine is not available", field="genome")
        search = eng[1]
    counts = [[0, 0, 0] for _ in sites]
    if not sites:
        return []
    for h in search(index, list(sites), max_mismatches=max_mismatches):
        if 0 <= h.mismatches <= 2:
            counts[h.query_index][h.mismatches] += 1
    return [OffTargetCounts(*c) for c in counts]
