"""Scale-out of the exhaustive off-target search: genome shards x guide batches on local processes or Dask.

The search of one guide against one chromosome never needs another chromosome (sites never span records), so
the work splits into independent pieces, (genome shard, guide batch), whose hits are simply concatenated:

- a FASTA reference (one file, several, or a folder) is cut into shards of whole records, balanced by length
  (longest record first into the lightest shard); each worker reads only its shard's records and builds that
  shard's seed tables, once per worker process (cached);
- a `rarepath index` folder is one shard (every worker memory-maps the same files via `GenomeIndex.load`, so the
  OS shares the pages); a folder whose sub-folders are `rarepath index` folders (one per chromosome group, for
  instance) gives one shard per sub-folder.

Guides are cut into batches so that there are at least as many pieces as workers. `workers=N` runs the
pieces on N local processes (`concurrent.futures.ProcessPoolExecutor`: forked from a single-threaded caller,
else spawned, so no thread or lock is ever inherited); `dask_scheduler` submits the same pieces to a Dask
cluster (`distributed.Client`), whose workers must have rarepath installed and see the reference at the same
path. The merged hits are sorted exactly as
`search_guides` sorts them, so the result equals a single-process `search_guides` on the whole genome
(coordinates, query indices and order). With neither option a FASTA or index reference is searched in this
process by `search_guides` itself (threads); a folder of index shards runs its pieces here one after another.
"""

from __future__ import annotations

import gzip
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rarepath.errors import InputError

INDEX_META = "index.json"
DASK_CONNECT_TIMEOUT = "20s"
_CACHE_SIZE = 2  # shards kept per worker process (bounded memory: a worker holds at most two shards)


@dataclass(frozen=True)
class GenomeShard:
    """Records of the genome that one piece searches: FASTA records (read from `paths`) or a whole index."""

    kind: str  # "fasta" or "index"
    paths: tuple[str, ...]  # FASTA files holding the records, or the one index folder
    records: tuple[str, ...]  # record names in genome order
    bases: int = 0


@dataclass(frozen=True)
class Piece:
    """One unit of work: a guide batch (queries first_query ..) against one shard."""

    shard: GenomeShard
    spacers: tuple[str, ...]
    first_query: int
    pams: tuple[str, ...]
    max_mismatches: int
    pam_side: str
    bulge: int
    threads: int | None
    bulge_ends: str = "interior"
    compact: bool = False  # build a FASTA shard's tables in the compact layout


# ---------------------------------------------------------------------------- planning


def is_index_dir(path: Path) -> bool:
    return path.is_dir() and (path / INDEX_META).is_file()


def index_shard_dirs(path: Path) -> list[Path]:
    """Sub-folders of `path` that are `rarepath index` folders (sorted by name); [] if `path` is not a folder."""
    if not path.is_dir() or is_index_dir(path):
        return []
    return sorted(p for p in path.iterdir() if is_index_dir(p))


def _index_names(d: Path) -> tuple[list[str], list[int]]:
    try:
        meta = json.loads((d / INDEX_META).read_text())
        return list(meta["names"]), [int(x) for x in meta["lengths"]]
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise InputError(f"unreadable index.json ({err})", source=str(d / INDEX_META)) from None


def _index_is_compact(d: Path) -> bool:
    try:
        return bool(json.loads((d / INDEX_META).read_text()).get("compact", False))
    except (json.JSONDecodeError, AttributeError) as err:
        raise InputError(f"unreadable index.json ({err})", source=str(d / INDEX_META)) from None


def fasta_records(files: Sequence[Path]) -> list[tuple[int, str, int]]:
    """(file number, record name, length) of every record, in genome order (a .fai next to a file is used)."""
    out: list[tuple[int, str, int]] = []
    for fi, f in enumerate(files):
        fai = f.with_name(f.name + ".fai")
        if fai.is_file() and not f.name.endswith(".gz"):
            for line in fai.read_text().splitlines():
                parts = line.split("\t")
                if len(parts) >= 2:
                    out.append((fi, parts[0], int(parts[1])))
            continue
        opener = gzip.open if f.name.endswith(".gz") else open
        name: str | None = None
        n = 0
        with opener(f, "rb") as fh:
            for line_no, line in enumerate(fh, 1):
                if line.startswith(b">"):
                    if name is not None:
                        out.append((fi, name, n))
                    parts = line[1:].split()
                    if not parts:
                        raise InputError(f"FASTA header without a name on line {line_no}", source=str(f))
                    name, n = parts[0].decode("ascii", "replace"), 0
                else:
                    s = line.strip()
                    if s and name is None:
                        raise InputError("sequence before the first '>' header: not a FASTA file", source=str(f))
                    n += len(s)
        if name is None:
            raise InputError("FASTA file holds no sequence record", source=str(f))
        out.append((fi, name, n))
    seen: set[str] = set()
    for fi, name, _ in out:
        if name in seen:
            raise InputError(f"sequence name {name!r} occurs twice", source=str(files[fi]))
        seen.add(name)
    if not out or sum(n for _, _, n in out) == 0:
        raise InputError("genome FASTA holds no bases", source=str(files[0]) if files else "--reference")
    return out


def _balanced_groups(lengths: Sequence[int], n_groups: int) -> list[list[int]]:
    """Item numbers in n_groups groups of similar total length (longest first into the lightest group)."""
    n_groups = max(1, min(n_groups, len(lengths)))
    groups: list[list[int]] = [[] for _ in range(n_groups)]
    totals = [0] * n_groups
    for i in sorted(range(len(lengths)), key=lambda k: (-lengths[k], k)):
        g = min(range(n_groups), key=lambda k: (totals[k], k))
        groups[g].append(i)
        totals[g] += lengths[i]
    return [sorted(g) for g in groups if g]


def plan_shards(reference: str | Path, n_shards: int) -> tuple[list[GenomeShard], list[str]]:
    """Genome shards of a reference (see module docstring) and every record name in genome order."""
    from .genome import fasta_files

    ref = Path(reference)
    if is_index_dir(ref):
        names, lengths = _index_names(ref)
        return [GenomeShard("index", (str(ref),), tuple(names), sum(lengths))], names
    subs = index_shard_dirs(ref)
    if subs:
        shards, order = [], []
        for d in subs:
            names, lengths = _index_names(d)
            dup = set(names) & set(order)
            if dup:
                raise InputError(f"sequence {sorted(dup)[0]!r} is in two index shards", source=str(d))
            shards.append(GenomeShard("index", (str(d),), tuple(names), sum(lengths)))
            order.extend(names)
        return shards, order
    files = fasta_files(ref)
    recs = fasta_records(files)
    shards = []
    for group in _balanced_groups([n for _, _, n in recs], n_shards):
        file_ids = sorted({recs[i][0] for i in group})
        shards.append(GenomeShard("fasta", tuple(str(files[f]) for f in file_ids),
                                  tuple(recs[i][1] for i in group), sum(recs[i][2] for i in group)))
    return shards, [name for _, name, _ in recs]


def plan_pieces(shards: Sequence[GenomeShard], spacers: Sequence[str], n_parallel: int,
                guide_batch: int | None, **search: Any) -> list[Piece]:
    """Shard x guide batch pieces, shard-major (so that a worker tends to reuse the shard it has built)."""
    n = len(spacers)
    if guide_batch is None:
        n_batches = max(1, math.ceil(n_parallel / max(len(shards), 1)))
        guide_batch = max(1, math.ceil(n / n_batches))
    guide_batch = max(1, int(guide_batch))
    return [Piece(sh, tuple(spacers[i : i + guide_batch]), i, **search)
            for sh in shards for i in range(0, n, guide_batch)]


# ---------------------------------------------------------------------------- running one piece

_cache: OrderedDict[tuple[GenomeShard, bool], Any] = OrderedDict()
_cache_lock = threading.Lock()


def load_shard(shard: GenomeShard, compact: bool = False):
    """The GenomeIndex of a shard: the memory-mapped index (its own layout), or its FASTA records read and
    packed (tables built in the compact layout when `compact`)."""
    from .genome import GenomeIndex, read_fasta

    if shard.kind == "index":
        return GenomeIndex.load(shard.paths[0])
    want = set(shard.records)
    records = {}
    for f in shard.paths:
        for name, codes in read_fasta(Path(f)):
            if name in want:
                records[name] = codes
    missing = [r for r in shard.records if r not in records]
    if missing:
        raise InputError(f"record {missing[0]!r} not found (did the FASTA change?)", source=shard.paths[0])
    idx = GenomeIndex.from_codes({name: records[name] for name in shard.records})
    idx.compact = compact
    return idx


def _shard_index(shard: GenomeShard, compact: bool = False):
    """Cached per process (and per Dask worker), so that a shard's tables are built once per worker."""
    key = (shard, compact)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        idx = load_shard(shard, compact)
        _cache[key] = idx
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return idx


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def run_piece(piece: Piece) -> list:
    """Hits of one piece, with query indices of the whole guide list (top-level: picklable for workers)."""
    from .search import search_guides

    idx = _shard_index(piece.shard, piece.compact)
    hits = search_guides(idx, list(piece.spacers), pams=piece.pams, max_mismatches=piece.max_mismatches,
                         pam_side=piece.pam_side, bulge=piece.bulge, workers=piece.threads,
                         bulge_ends=piece.bulge_ends)
    if piece.first_query:
        hits = [replace(h, query_index=h.query_index + piece.first_query) for h in hits]
    return hits


# ---------------------------------------------------------------------------- executors


def _run_local(pieces: list[Piece], workers: int) -> list[list]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork is cheap and needs no `if __name__ == "__main__"` guard in the caller's script, but is only safe
    # in a single-threaded process; otherwise spawn (fresh interpreters, nothing inherited)
    single = threading.active_count() == 1
    method = "fork" if single and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=min(workers, len(pieces)), mp_context=ctx) as pool:
        return list(pool.map(run_piece, pieces))


def _dask_client(scheduler):
    """(client, whether we opened it) for an address or an existing `distributed.Client`."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask[distributed] is a declared dependency
        raise InputError("Dask is not installed (pip install 'dask[distributed]')",
                         field="--dask-scheduler") from None
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(str(scheduler), timeout=DASK_CONNECT_TIMEOUT), True
    except (OSError, TimeoutError, ValueError) as err:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler!r} ({err})",
                         field="--dask-scheduler") from None


def dask_workers(client) -> int:
    """Threads across the cluster's workers (the parallelism the pieces are planned for)."""
    info = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.values()))


def _run_dask(pieces: list[Piece], client) -> list[list]:
    futures = client.map(run_piece, pieces, pure=False)
    return client.gather(futures)


# ---------------------------------------------------------------------------- public API


def search_guides_scaled(reference: str | Path, spacers: Sequence[str],
                         pams: tuple[str, ...] = ("NGG", "NAG", "NGA"), max_mismatches: int = 4,
                         pam_side: str = "3prime", bulge: int = 0, *, workers: int = 1,
                         dask_scheduler: Any = None, guide_batch: int | None = None,
                         threads_per_piece: int | None = None, bulge_ends: str = "interior",
                         compact: bool = False) -> list:
    """`search_guides` over a reference path, split into shard x guide-batch pieces (see module docstring).

    `reference`: a FASTA file, a folder of FASTA files, a `rarepath index` folder, or a folder of index
    folders. `workers` > 1: that many local processes; `dask_scheduler`: an address ('tcp://host:8786') or a
    `distributed.Client` (takes precedence over `workers`). `threads_per_piece` is passed to `search_guides`
    as its `workers` (default: 1 in worker processes, all cores when run in this process). `compact`: tables
    of a FASTA reference are built in the compact layout (`GenomeIndex.compact`); an index folder keeps the
    layout it was written in, and must be compact (`rarepath index --compact`) when `compact` is asked for.
    Returns the same
    list of `OffTargetHit` as `search_guides(GenomeIndex.from_fasta(reference) or .load(reference), ...)`.
    """
    from .search import _clean_queries, check_bulge_ends

    clean = _clean_queries(spacers, "spacer")
    check_bulge_ends(bulge_ends)
    if max_mismatches < 0:
        raise InputError("max_mismatches must be >= 0", field="max_mismatches")
    if bulge not in (0, 1):
        raise InputError(f"bulge must be 0 or 1, not {bulge!r}", field="bulge")
    if workers < 1:
        raise InputError("workers must be >= 1", field="--workers")
    pam_t = (pams,) if isinstance(pams, str) else tuple(pams)
    ref = Path(reference).absolute()  # Dask workers need not share this process's working directory
    if compact:
        for d in [ref] if is_index_dir(ref) else index_shard_dirs(ref):
            if not _index_is_compact(d):
                raise InputError("index folder is in the default layout, not compact: rebuild it with "
                                 "`rarepath index --compact` or drop --compact-index", source=str(d))
    if dask_scheduler is None and workers == 1 and guide_batch is None and not index_shard_dirs(ref):
        # one piece: no need to scan the FASTA for its records first
        from .genome import GenomeIndex
        from .search import search_guides

        idx = GenomeIndex.load(ref) if is_index_dir(ref) else GenomeIndex.from_fasta(ref)
        idx.compact = idx.compact or compact
        return search_guides(idx, clean, pams=pam_t, max_mismatches=max_mismatches, pam_side=pam_side,
                             bulge=bulge, workers=threads_per_piece, bulge_ends=bulge_ends)
    client, opened = (None, False) if dask_scheduler is None else _dask_client(dask_scheduler)
    try:
        if client is not None:
            n_parallel, threads = dask_workers(client), threads_per_piece or 1
        elif workers > 1:
            n_parallel, threads = workers, threads_per_piece or 1
        else:
            n_parallel, threads = 1, threads_per_piece
        shards, order = plan_shards(ref, n_parallel)
        pieces = plan_pieces(shards, clean, n_parallel, guide_batch, pams=pam_t, max_mismatches=max_mismatches,
                             pam_side=pam_side, bulge=bulge, threads=threads, bulge_ends=bulge_ends,
                             compact=compact)
        if not pieces:
            return []
        if client is not None:
            parts = _run_dask(pieces, client)
        elif workers > 1 and len(pieces) > 1:
            parts = _run_local(pieces, workers)
        else:
            try:
                parts = [run_piece(p) for p in pieces]
            finally:
                clear_cache()  # do not keep the genome alive in this (possibly long-lived) process
    finally:
        if opened:
            client.close()
    rank = {name: i for i, name in enumerate(order)}
    hits = [h for part in parts for h in part]
    # the order of `search_guides` (search._sort_hits), with chromosomes in genome order
    return sorted(hits, key=lambda h: (h.query_index, rank[h.chrom], h.start, h.strand, h.end, h.bulge,
                                       h.bulge_position))
