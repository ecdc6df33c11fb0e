"""Run a cohort: fixed partitions of sources, each assessed by a worker that loads the knowledge once, each
written as one Parquet file, atomically, so an interrupted run resumes where it stopped.

Layout of an output folder::

    OUT/manifest.json        input (partition digests), partition size, knowledge version, run statistics
    OUT/cases/part-00000.parquet ...  one file per partition (SCHEMA rows; errors in the file's metadata)
    OUT/errors.tsv           cases that could not be read or assessed: source, stage, reason
    OUT/summary.html         counts and charts (rarepath.cohort.summary)

A partition file exists only once complete (written under a dot-name, then renamed), and carries the
digest of its sources, so resuming skips exactly the partitions whose file is there and matches. Workers
return the Parquet bytes instead of writing them, so a Dask cluster needs no shared output folder (only
the case files must be readable from the workers).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rarepath.cohort.rows import SCHEMA, assessment_rows, knowledge_version
from rarepath.cohort.sources import CaseSource
from rarepath.errors import InputError, RarepathError

__all__ = ["Partition", "PartitionResult", "RunStats", "make_partitions", "assess_partition", "run_cohort",
           "read_cohort", "read_errors", "DEFAULT_PARTITION_SIZE", "MANIFEST", "CASES_DIR"]

#: cases per partition: large enough that scheduling costs little, small enough that a killed run loses
#: seconds of work and the progress bar moves
DEFAULT_PARTITION_SIZE = 250
MANIFEST = "manifest.json"
CASES_DIR = "cases"
ERRORS = "errors.tsv"
_FORMAT = "rarepath-cohort/1"
#: what the run statistics, the summary and the diff read (not the long per-row source and label strings)
SUMMARY_COLUMNS = ("case_key", "case_id", "option_rank", "modality", "target", "verdict", "products",
                   "product_status", "approval_year", "disease_ids", "disease_labels", "kb_version")
_META_KEY = b"rarepath.partition"


@dataclass(frozen=True)
class Partition:
    """A fixed slice of the sorted sources; its digest names exactly the cases it holds."""

    index: int
    sources: tuple[CaseSource, ...]

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def digest(self) -> str:
        h = hashlib.sha1()
        for s in self.sources:
            h.update(s.digest().encode())
        return h.hexdigest()


@dataclass(frozen=True)
class PartitionResult:
    """What a worker sends back: the partition's Parquet file as bytes, and how the worker fared."""

    index: int
    digest: str
    parquet: bytes
    cases: int
    errors: int
    worker: str  # host:pid
    peak_rss_mb: float
    seconds: float
    cpu_seconds: float  # CPU time of the worker process on this partition (contention shows as seconds >> cpu)


@dataclass
class RunStats:
    """Outcome of `run_cohort`: counts, time, and peak memory of each worker process."""

    cases: int = 0
    assessed: int = 0
    errors: int = 0
    rows: int = 0
    partitions: int = 0
    skipped_partitions: int = 0
    seconds: float = 0.0
    executor: str = ""
    workers: dict[str, float] = field(default_factory=dict)  # host:pid -> peak RSS (MB)
    worker_seconds: dict[str, float] = field(default_factory=dict)  # host:pid -> seconds spent assessing
    worker_cpu_seconds: dict[str, float] = field(default_factory=dict)  # host:pid -> CPU seconds assessing
    kb_versions: list[str] = field(default_factory=list)  # knowledge versions the rows were assessed with


def make_partitions(sources: Sequence[CaseSource], size: int = DEFAULT_PARTITION_SIZE) -> list[Partition]:
    """Consecutive slices of `size` sources (the last may be shorter); keys must be unique."""
    if size < 1:
        raise InputError(f"partition size must be >= 1, got {size}", source="cohort", field="partition_size")
    keys: set[str] = set()
    for s in sources:
        if s.key in keys:
            raise InputError(f"case key {s.key!r} appears twice", source=s.origin or "cohort", field="key")
        keys.add(s.key)
    return [Partition(i // size, tuple(sources[i:i + size])) for i in range(0, len(sources), size)]


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def warm_worker(parent_pid: int | None = None) -> None:
    """Load the knowledge once per worker process, before its first partition (executor initializer); with
    `parent_pid` (a local pool), leave Ctrl-C to the parent, which stops the pool, and exit when the parent
    dies, so a killed run leaves no worker behind."""
    from rarepath.cohort.rows import _approval_years
    from rarepath.knowledge.context import default_context

    kc = default_context()
    kc.versions()
    kc.hpo  # noqa: B018 - loads the HPO index now, not inside the first partition
    _approval_years()
    if parent_pid is not None:
        import signal
        import threading

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True,
                         name="rarepath-parent-watch").start()


def _exit_with_parent(parent_pid: int, every_s: float = 0.5) -> None:
    """A pool worker blocks on its task queue forever once the parent is killed (it holds both ends of the
    pipe, so it never sees end-of-file): poll the parent and leave when it is gone."""
    while os.getppid() == parent_pid:
        time.sleep(every_s)
    os._exit(1)


def assess_partition(partition: Partition) -> PartitionResult:
    """Read and assess every case of a partition with the engine of `rarepath assess`; a case that cannot
    be read or assessed becomes an error entry and the partition goes on."""
    from rarepath.intake import case_from_inputs
    from rarepath.triage.engine import assess_case

    start, cpu_start = time.perf_counter(), time.process_time()
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for src in partition.sources:
        origin = src.origin or src.key
        stage = "read"
        try:
            case = case_from_inputs(src.path, **src.options)
            stage = "assess"
            assessment = assess_case(case).to_dict()
        except RarepathError as err:
            errors.append({"source": origin, "stage": stage, "reason": err.one_line()})
            continue
        except Exception as err:  # noqa: BLE001 - one bad case must not end a run of 100,000: reported instead
            errors.append({"source": origin, "stage": stage,
                           "reason": f"internal error: {type(err).__name__}: {' '.join(str(err).split())}"})
            continue
        rows.extend(assessment_rows(assessment, src.key, origin))
    digest = partition.digest()
    meta = {"index": partition.index, "digest": digest, "cases": len(partition.sources), "errors": errors}
    table = pa.Table.from_pylist(rows, schema=SCHEMA).replace_schema_metadata({_META_KEY: json.dumps(meta)})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return PartitionResult(index=partition.index, digest=digest, parquet=sink.getvalue().to_pybytes(),
                           cases=len(partition.sources), errors=len(errors),
                           worker=f"{socket.gethostname()}:{os.getpid()}", peak_rss_mb=_peak_rss_mb(),
                           seconds=time.perf_counter() - start, cpu_seconds=time.process_time() - cpu_start)


# ---- the output folder --------------------------------------------------------------------------------


def _part_path(out: Path, index: int) -> Path:
    return out / CASES_DIR / f"part-{index:05d}.parquet"


def _partition_meta(path: Path) -> dict[str, Any] | None:
    """The metadata a finished partition file carries, or None when the file is absent or unreadable."""
    try:
        meta = pq.read_schema(path).metadata or {}
        return json.loads(meta[_META_KEY])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write under a dot-name (ignored by Parquet dataset readers), flush to disk, then rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _check_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """A folder holding another cohort, another partitioning or other knowledge is not resumed into."""
    path = out / MANIFEST
    if not path.exists():
        return
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"unreadable manifest ({err}); use a new --out folder", source=str(path)) from None
    for key, what in (("format", "format"), ("partition_size", "partition size"),
                      ("partitions", "input cases"), ("kb_version", "knowledge version")):
        if old.get(key) != manifest.get(key):
            raise InputError(f"this folder holds a cohort run with a different {what}; use a new --out folder "
                             "(or delete this one) to run again", source=str(out), field=key)


def run_cohort(
    sources: Sequence[CaseSource],
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    input_label: str = "",
    progress: bool = True,
    summary: bool = True,
    connect_timeout: float = 20.0,
    on_result: Callable[[PartitionResult], None] | None = None,
) -> RunStats:
    """Assess every source into the output folder `out`, resuming a run that was interrupted there.

    `workers` local processes (default: CPU count), or the Dask cluster at `scheduler` (an address such as
    tcp://host:8786, reached within `connect_timeout` seconds) with the same partitions. `on_result` is
    called after each partition file is written. Returns counts and per-worker peak memory.
    """
    from rarepath.knowledge.context import default_context

    out = Path(out)
    partitions = make_partitions(sources, partition_size)
    kb_version = knowledge_version(default_context().versions())
    manifest: dict[str, Any] = {
        "format": _FORMAT, "input": input_label, "partition_size": partition_size,
        "cases": len(sources), "partitions": [p.digest() for p in partitions], "kb_version": kb_version,
    }
    _check_manifest(out, manifest)
    (out / CASES_DIR).mkdir(parents=True, exist_ok=True)
    for stale in (out / CASES_DIR).glob(".part-*.tmp"):  # a write the interruption cut short
        stale.unlink(missing_ok=True)
    if not (out / MANIFEST).exists():
        _write_atomic(out / MANIFEST, json.dumps({**manifest, "complete": False}, indent=1).encode())
    done = {p.index for p in partitions
            if (m := _partition_meta(_part_path(out, p.index))) is not None and m.get("digest") == manifest[
                "partitions"][p.index]}
    todo = [p for p in partitions if p.index not in done]
    stats = RunStats(cases=len(sources), partitions=len(partitions), skipped_partitions=len(done))
    start = time.perf_counter()

    def finished(result: PartitionResult) -> None:
        _write_atomic(_part_path(out, result.index), result.parquet)
        stats.workers[result.worker] = max(stats.workers.get(result.worker, 0.0), result.peak_rss_mb)
        stats.worker_seconds[result.worker] = stats.worker_seconds.get(result.worker, 0.0) + result.seconds
        stats.worker_cpu_seconds[result.worker] = stats.worker_cpu_seconds.get(result.worker, 0.0) + result.cpu_seconds
        if on_result is not None:
            on_result(result)

    with _ProgressBar(progress, total=len(sources),
                   done=sum(len(partitions[i].sources) for i in done)) as advance:
        if scheduler:
            stats.executor = f"dask {scheduler}"
            results = _run_dask(todo, scheduler, connect_timeout)
        else:
            n = workers or os.cpu_count() or 1
            stats.executor = f"local processes x{n}"
            results = _run_local(todo, n)
        for result in results:
            finished(result)
            advance(result.cases)
    stats.seconds = time.perf_counter() - start
    table = read_cohort(out, columns=SUMMARY_COLUMNS)
    errors = read_errors(out)
    stats.rows = table.num_rows
    stats.errors = len(errors)
    stats.assessed = pc.count_distinct(table.column("case_key")).as_py()
    stats.kb_versions = sorted(v for v in pc.unique(table.column("kb_version")).to_pylist() if v)
    _write_errors(out / ERRORS, errors)
    manifest.update(complete=True, knowledge=default_context().versions(), stats=asdict(stats))
    _write_atomic(out / MANIFEST, json.dumps(manifest, indent=1, default=str).encode())
    if summary:
        from rarepath.cohort.summary import write_summary

        write_summary(table, errors, out / "summary.html", manifest=manifest)
    return stats


def _run_local(todo: list[Partition], workers: int) -> Iterator[PartitionResult]:
    """A pool of `workers` fresh processes (spawned, so no thread state is forked), each warmed once."""
    if not todo:
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=multiprocessing.get_context("spawn"),
                               initializer=warm_worker, initargs=(os.getpid(),))
    try:
        # Keep a bounded window in flight so a huge cohort is not pickled to the workers all at once.
        pending: set = set()
        queue = iter(todo)
        window = 4 * workers
        for part in queue:
            pending.add(pool.submit(assess_partition, part))
            if len(pending) >= window:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    yield f.result()
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                yield f.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(todo: list[Partition], scheduler: str, connect_timeout: float) -> Iterator[PartitionResult]:
    """The same partitions on an existing Dask cluster; each worker process keeps its knowledge context."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        raise InputError("dask.distributed is not installed", source="--dask-scheduler") from None
    try:
        client = Client(scheduler, timeout=f"{connect_timeout}s")
    except (OSError, TimeoutError, ValueError) as err:
        raise InputError(f"cannot reach the Dask scheduler: {err}", source="--dask-scheduler",
                         field=scheduler) from None
    try:
        if not todo:
            return
        futures = [client.submit(assess_partition, p, key=f"rarepath-cohort-{p.name}-{p.digest()[:12]}",
                                 pure=False) for p in todo]
        for fut in as_completed(futures):
            yield fut.result()
            fut.release()
    finally:
        client.close()


class _ProgressBar:
    """A rich progress bar of cases done (on stderr), or nothing."""

    def __init__(self, enabled: bool, total: int, done: int) -> None:
        self.enabled, self.total, self.done = enabled, total, done
        self._bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("cases"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                             console=Console(stderr=True), transient=False)
        self._bar.__enter__()
        task = self._bar.add_task("cases", total=self.total, completed=self.done)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


# ---- reading a run back -----------------------------------------------------------------------------


def _part_files(out: Path) -> list[Path]:
    folder = Path(out) / CASES_DIR
    if not folder.is_dir():
        raise InputError(f"not a cohort output folder (no {CASES_DIR}/)", source=str(out))
    return sorted(folder.glob("part-*.parquet"))


def read_cohort(out: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """Every row of a cohort run (or only `columns`), partitions in order (the dataset is also readable as
    `pyarrow.dataset.dataset(OUT / "cases")`)."""
    tables = [pq.read_table(p, columns=list(columns) if columns else None) for p in _part_files(out)]
    if not tables:
        empty = SCHEMA.empty_table()
        return empty.select(list(columns)) if columns else empty
    return pa.concat_tables([t.replace_schema_metadata(None) for t in tables])


def read_errors(out: Path) -> list[dict[str, str]]:
    """Error entries of every partition, in partition order."""
    errors: list[dict[str, str]] = []
    for p in _part_files(out):
        meta = _partition_meta(p)
        if meta is None:
            raise InputError("unreadable partition file (delete it and resume the run)", source=str(p))
        errors.extend(meta.get("errors") or ())
    return errors


def _write_errors(path: Path, errors: Iterable[dict[str, str]]) -> None:
    lines = ["source\tstage\treason"]
    lines += ["\t".join(" ".join(str(e.get(k, "")).split()) for k in ("source", "stage", "reason")) for e in errors]
    _write_atomic(path, ("\n".join(lines) + "\n").encode())
