"""Exhaustive genome-wide off-target search (2-bit packed genome, seed index), shared by CRISPR and ASO design.

Layout: `genome.py` (2-bit genome, index folders), `tables.py` (site specs and seed tables), `search.py`
(probing them), `bruteforce.py` (the reference), `scaleout.py` (workers, shards, Dask). Coordinates are 0-based
and half-open on the + strand (see `OffTargetHit`). The names below are imported lazily so that `rarepath --help`
(which imports this package's `cli`) does not load NumPy or Numba.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .genome import GenomeIndex
    from .search import OffTargetHit, search_guides, search_sequences
    from .tables import SiteSpec

__all__ = ["GenomeIndex", "OffTargetHit", "SiteSpec", "search_guides", "search_sequences"]


def __getattr__(name: str) -> Any:
    if name == "GenomeIndex":
        from .genome import GenomeIndex

        return GenomeIndex
    if name == "SiteSpec":
        from .tables import SiteSpec

        return SiteSpec
    if name in ("OffTargetHit", "search_guides", "search_sequences"):
        from . import search

        return getattr(search, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
