"""Thin adapter over the shared off-target engine (rarepath.design.offtarget) for antisense oligos.

An ASO's off-targets are RNA sites that read like its target site; the engine searches both genome strands,
so a hit on either strand counts (transcript strands are unknown in a bare genome).
When the searched genome holds the designed region itself (a human genome for a human gene), each oligo's
own target site is found there as a perfect match; it is recognised by position and not counted: the region's
placement is the one (record, strand, offset) shared by the perfect matches of most candidates.
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


OWN_PLACEMENT_SHARE = 0.9  # share of candidates whose perfect match must agree on the region's placement


def _placement_key(h, start: int, end: int) -> tuple:
    """Where the region would sit if hit `h` were the own site of the candidate at [start, end) on the region."""
    return (h.chrom, h.strand, h.start - start) if h.strand == "+" else (h.chrom, h.strand, h.start + end)


def count_offtargets(index: Any, sites: Sequence[str], max_mismatches: int = 2,
                     search: Callable | None = None,
                     site_spans: Sequence[tuple[int, int]] | None = None) -> tuple[list[OffTargetCounts], str]:
    """Hits with 0/1/2 mismatches per target site, and a note on the own site.

    ``site_spans`` ([start, end) of each site on the designed region) lets the own site be recognised and left
    out when the genome holds the region. `search(index, queries, max_mismatches)` may be injected.
    """
    if search is None:
        eng = _engine()
        if eng is None:
            raise InputError("off-target engine is not available", field="genome")
        search = eng[1]
    if not sites:
        return [], ""
    hits = [h for h in search(index, list(sites), max_mismatches=max_mismatches) if 0 <= h.mismatches <= 2]
    own: dict[int, Any] = {}
    note = ("the designed region was not found in the genome: every perfect match counts" if site_spans is not None
            else "own target sites not located (spliced-transcript coordinates): every perfect match counts")
    if site_spans is not None:
        votes: dict[tuple, list] = {}
        for h in hits:
            if h.mismatches == 0:
                s, e = site_spans[h.query_index]
                votes.setdefault(_placement_key(h, s, e), []).append(h)
        if votes:
            key, best = max(votes.items(), key=lambda kv: len({h.query_index for h in kv[1]}))
            if len({h.query_index for h in best}) >= OWN_PLACEMENT_SHARE * len(sites):
                own = {h.query_index: h for h in best}
                note = (f"the designed region lies at {key[0]} ({key[1]} strand) in the genome: each oligo's own "
                        "target site there is not counted")
    counts = [[0, 0, 0] for _ in sites]
    for h in hits:
        if own.get(h.query_index) is h:
            continue
        counts[h.query_index][h.mismatches] += 1
    return [OffTargetCounts(*c) for c in counts], note
