"""The local knowledge base: gene-level facts imported from full public releases, each with its source.

By default a single SQLite file (`$RAREPATH_HOME/kb.sqlite`, RAREPATH_HOME defaulting to
~/.local/share/rarepath) built by `rarepath kb import --from DIR`. A site that shares one KB between
users or machines points rarepath at a PostgreSQL database instead: every `path` argument (and `--db`)
also takes an SQLAlchemy URL (`postgresql://user@host/db`, driver psycopg 3), and `$RAREPATH_KB_URL`
replaces the default location. The schema is owned by Alembic migrations shipped inside the package
and applied programmatically on import (and on open when the database is older than the code).

Reading is the hot path of triage, so `KnowledgeBase` keeps one connection per database, looks facts up
by indexed gene symbol and memoises answers per gene. Without a KB file, `KnowledgeBase.open()` returns
an empty object whose look-ups answer "nothing known": the main job works without any import.

Symbol handling: a look-up tries the symbol as given, then its approved HGNC symbol, then previous/alias
symbols that belong to that gene alone (older releases such as gnomAD v2.1 or ExAC use 2015 names).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rarepath.errors import InputError, KnowledgeError

if TYPE_CHECKING:  # imported lazily at run time: opening a missing KB must not pay for SQLAlchemy
    from sqlalchemy.engine import URL, Connection, Engine

    from rarepath.knowledge.importers import ParsedSource
    from rarepath.knowledge.indications import Contraindication, Indication, LabelText, NameIndex

#: Alembic head revision this code reads; `upgrade_schema` brings older files up to it.
SCHEMA_REVISION = "0006_clinvar_truncating"
KB_FILENAME = "kb.sqlite"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Environment variable naming the KB database (a URL or a file path) used when no location is given.
KB_URL_ENV = "RAREPATH_KB_URL"
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
#: Server back-ends the schema and the SQL are tested on, with the driver used for a bare scheme.
_SERVER_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


def rarepath_home() -> Path:
    """`$RAREPATH_HOME`, else ~/.local/share/rarepath (XDG-style user data directory)."""
    env = os.environ.get("RAREPATH_HOME")
    return Path(env).expanduser() if env else Path.home() / ".local" / "share" / "rarepath"


def default_kb_path() -> Path:
    return rarepath_home() / KB_FILENAME


def is_url(target: object) -> bool:
    """True for `scheme://...` text (an SQLAlchemy URL), False for a filesystem path."""
    return isinstance(target, str) and bool(_URL_RE.match(target.strip()))


def kb_location(target: str | Path | URL | None = None) -> Path | URL:
    """Where the KB lives: a SQLite file `Path`, or the SQLAlchemy `URL` of a PostgreSQL database.

    `target` None means `$RAREPATH_KB_URL` when set, else `$RAREPATH_HOME/kb.sqlite`. A `sqlite:///FILE`
    URL is the file itself; `postgresql://` and `postgres://` get the psycopg 3 driver.
    """
    if target is None:
        target = os.environ.get(KB_URL_ENV, "").strip() or default_kb_path()
    if isinstance(target, Path) or (isinstance(target, str) and not is_url(target)):
        return Path(target).expanduser()
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    raw = target.strip() if isinstance(target, str) else target
    text = _hide_password(raw) if isinstance(raw, str) else raw.render_as_string(hide_password=True)
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as err:
        raise InputError(f"not a database URL ({err})", source=text, field="--db") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise InputError("an in-memory SQLite database cannot hold a knowledge base; give a file",
                             source=text, field="--db")
        return Path(url.database).expanduser()
    shown = url.render_as_string(hide_password=True)
    if backend not in _SERVER_DRIVERS:
        raise InputError(f"unsupported database {backend!r}: give a SQLite file path or a postgresql:// URL",
                         source=shown, field="--db")
    if "+" not in url.drivername:
        url = url.set(drivername=_SERVER_DRIVERS[backend])
    try:
        url.get_dialect()
    except ArgumentError as err:  # e.g. a misspelt driver after the '+'
        raise InputError(f"unknown database driver ({_short(err)})", source=shown, field="--db") from None
    return url


def describe_location(location: Path | URL) -> str:
    """Printable KB location: the file path, or the URL with its password masked."""
    return str(location) if isinstance(location, Path) else location.render_as_string(hide_password=True)


def _hide_password(text: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)


# --------------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Constraint:
    """gnomAD LoF/missense constraint of a gene. LOEUF is the upper bound of o/e LoF (`oe_lof_upper`)."""

    gene: str
    pli: float | None
    loeuf: float | None
    oe_lof: float | None
    mis_z: float | None
    lof_z: float | None
    source: str
    transcript: str | None = None
    gene_issues: str | None = None


@dataclass(frozen=True)
class Dosage:
    """ClinGen dosage sensitivity: 0-3 evidence, 30 = autosomal recessive, 40 = unlikely, None = not evaluated."""

    gene: str
    hi_score: int | None
    ts_score: int | None
    hi_description: str | None
    source: str
    ts_description: str | None = None
    date_last_evaluated: str | None = None

    @property
    def haploinsufficient(self) -> bool:
        """Sufficient evidence (score 3) that losing one copy causes disease."""
        return self.hi_score == 3

    @property
    def triplosensitive(self) -> bool:
        """Sufficient evidence (score 3) that one extra copy causes disease."""
        return self.ts_score == 3


@dataclass(frozen=True)
class G2PRecord:
    """One Gene2Phenotype gene-disease pair."""

    gene: str
    disease: str
    disease_mim: str | None
    allelic_requirement: str | None
    mutation_consequence: str | None
    confidence: str | None
    panel: str | None
    source: str


@dataclass(frozen=True)
class DrugTarget:
    """A DrugCentral drug acting on a human gene product; `moa` = a mechanism-of-action target."""

    drug: str
    gene: str
    action_type: str | None
    moa: bool
    source: str
    target_name: str | None = None
    target_class: str | None = None


@dataclass(frozen=True)
class ManeTranscript:
    """MANE Select (or Plus Clinical) transcript of a gene with its GRCh38 span."""

    gene: str
    refseq_nuc: str | None
    ensembl_nuc: str | None
    mane_status: str | None
    chrom: str | None
    start: int | None
    end: int | None
    strand: str | None
    source: str


@dataclass(frozen=True)
class SourceStatus:
    """One imported source: what, which version, from which file, how many rows, when."""

    name: str
    label: str
    version: str
    file: str
    sha256: str
    row_count: int
    imported_at: str
    licence: str
    citation: str

    @property
    def text(self) -> str:
        """Human-readable provenance for evidence lists: dataset, version, citation."""
        return source_text(self.label, self.version, self.citation)


def source_text(label: str, version: str, citation: str) -> str:
    return f"{label} {version}; {citation}"


# --------------------------------------------------------------------------------------------------- schema


def _engine(location: Path | URL, *, wal: bool = False) -> Engine:
    """SQLAlchemy engine for a SQLite file or a PostgreSQL URL.

    `wal=True` (the registry: many short writers, readers that must not block) puts a SQLite file in
    write-ahead-log mode and opens every transaction with BEGIN IMMEDIATE, so a read-then-write
    transaction waits for the write lock up front instead of failing half-way with "database is locked".
    """
    if not isinstance(location, Path):
        return _server_engine(location)
    path = location
    from sqlalchemy import create_engine, event

    # one cached connection may serve worker threads of a caller; reads are short and serialised by SQLite
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000" if wal else "PRAGMA busy_timeout=5000")
        if wal:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()
        if wal:  # transactions are begun by the event below, not implicitly by the driver
            dbapi_conn.isolation_level = None

    if wal:
        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _server_engine(url: URL) -> Engine:
    """Engine on a PostgreSQL database; a dead or unreachable server fails within seconds, not minutes."""
    from sqlalchemy import create_engine

    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = 10
    try:
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except ImportError as err:  # the driver named by the URL is not installed
        raise KnowledgeError(f"database driver not installed ({err}); pip install 'psycopg[binary]'",
                             source=describe_location(url), field="--db") from err


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _placeholders(engine: Engine, sql: str) -> str:
    """`sql` written with `?` markers, in the driver's own paramstyle (psycopg wants `%s`).

    The hot read path passes SQL straight to the driver (no SQLAlchemy compilation); our statements hold
    no literal `?` or `%`, so the rewrite is a plain substitution.
    """
    return sql if engine.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _current_revision(conn: Connection) -> str | None:
    from sqlalchemy import inspect

    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return row[0] if row else None


def _unusable(engine: Engine, err: BaseException, advice: str) -> KnowledgeError:
    """The one-line error for a KB that cannot be read: a bad file, or a server that refuses us."""
    if _is_sqlite(engine):
        return KnowledgeError(f"cannot use the knowledge base ({_short(err)}); {advice}",
                              source=str(engine.url.database))
    return KnowledgeError(f"cannot use the knowledge-base database ({_short(err)})",
                          source=engine.url.render_as_string(hide_password=True))


def upgrade_schema(engine: Engine) -> None:
    """Apply the packaged Alembic migrations up to head (no-op when already there)."""
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            if _current_revision(conn) == SCHEMA_REVISION:
                return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.begin() as conn:
            if not _is_sqlite(engine):  # two first imports at once: the second waits, then finds head
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7246100)")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except DBAPIError as err:
        raise _unusable(engine, err, "delete it and run 'rarepath kb import --from DIR' again") from err


def _short(err: BaseException) -> str:
    orig = getattr(err, "orig", None)
    return str(orig or err).splitlines()[0]


# --------------------------------------------------------------------------------------------------- reading


class KnowledgeBase:
    """Read API over the local KB. Use `KnowledgeBase.open()`; an absent file gives an empty KB."""

    _instances: dict[tuple[str, int, int], KnowledgeBase] = {}
    _server_instances: dict[str, KnowledgeBase] = {}

    def __init__(self, path: Path | None, engine: Engine | None = None) -> None:
        self.path = path  # the SQLite file; None for an empty KB or a server database
        self.location = describe_location(path) if path is not None else (
            engine.url.render_as_string(hide_password=True) if engine is not None else "")
        self._engine = engine
        self._conn: Connection | None = None
        if engine is not None:
            self._conn = engine.connect()
            if not _is_sqlite(engine):  # reads never sit "idle in transaction" holding locks on the server
                self._conn.execution_options(isolation_level="AUTOCOMMIT")
        self._sources: dict[str, SourceStatus] = {}
        if self._conn is not None:
            self._sources = {s.name: s for s in self._load_status()}
        # per-instance memo of every look-up (gene -> answer); the KB is read-only while open
        self._memo: dict[tuple[str, str], Any] = {}

    # ---- construction

    @classmethod
    def open(cls, path: str | Path | URL | None = None) -> KnowledgeBase:
        """The KB at `path`, a SQLite file or a PostgreSQL URL (default `$RAREPATH_KB_URL`, else
        `$RAREPATH_HOME/kb.sqlite`); an empty, usable KB when there is no file.

        Instances are cached per file (and its modification time), so repeated opens are free and a
        re-import is seen by the next open. A server database is re-checked by one query on `sources`.
        """
        location = kb_location(path)
        if not isinstance(location, Path):
            return cls._open_server(location)
        path = location
        try:
            st = path.stat()
        except FileNotFoundError:
            return cls(None)
        except OSError as err:
            raise KnowledgeError(f"cannot read the knowledge base ({err.strerror})", source=str(path)) from err
        if path.is_dir():
            raise KnowledgeError("is a directory, expected a kb.sqlite file", source=str(path))
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
        cached = cls._instances.get(key)
        if cached is not None:
            return cached
        engine = _engine(path)
        upgrade_schema(engine)
        st = path.stat()  # a migration may just have rewritten the file
        key = (key[0], st.st_mtime_ns, st.st_size)
        from sqlalchemy.exc import DBAPIError

        try:
            kb = cls(path, engine)
        except DBAPIError as err:
            raise KnowledgeError(f"cannot read the knowledge base ({_short(err)}); run "
                                 "'rarepath kb import --from DIR' again", source=str(path)) from err
        for old_key in [k for k in cls._instances if k[0] == key[0]]:
            cls._instances.pop(old_key)  # not closed: a caller may still hold it and keeps reading
        cls._instances[key] = kb
        return kb

    @classmethod
    def _open_server(cls, url: URL) -> KnowledgeBase:
        from sqlalchemy.exc import DBAPIError

        key = url.render_as_string(hide_password=False)
        cached = cls._server_instances.get(key)
        if cached is not None:
            try:  # same imports (name, checksum, time) as when it was opened: its memo is still true
                if cached._load_status() == cached.status():
                    return cached
            except DBAPIError:  # server restarted or connection dropped: open afresh
                pass
            cls._server_instances.pop(key, None)
        engine = _engine(url)
        upgrade_schema(engine)
        try:
            kb = cls(None, engine)
        except DBAPIError as err:
            engine.dispose()
            raise _unusable(engine, err, "run 'rarepath kb import --from DIR' again") from err
        cls._server_instances[key] = kb
        return kb

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()

    @property
    def available(self) -> bool:
        """True when a KB file exists and holds at least one imported source."""
        return bool(self._sources)

    # ---- low level

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of `sql` (written with `?` markers) straight from the driver."""
        if self._conn is None:
            return []
        return list(self._conn.exec_driver_sql(_placeholders(self._conn.engine, sql), params).fetchall())

    def _memoised(self, kind: str, gene: str, compute: Callable[[], Any]) -> Any:
        key = (kind, gene)
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def _source_text(self, name: str) -> str:
        s = self._sources.get(name)
        return s.text if s is not None else name

    def _rows_by_key(self, table: str, columns: str, gene: str, order: str = "id") -> list[list[tuple]]:
        keys = self._keys(gene)
        if not keys or self._conn is None:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._rows(f"SELECT gene, {columns} FROM {table} WHERE gene IN ({marks}) ORDER BY {order}",
                          tuple(keys))
        groups = [[r[1:] for r in rows if r[0] == k] for k in keys]
        return [g for g in groups if g]

    def _keys(self, gene: str) -> tuple[str, ...]:
        """Symbols to try for `gene`, best first."""
        def compute() -> tuple[str, ...]:
            symbol = (gene or "").strip()
            if not symbol:
                return ()
            keys = [symbol]
            if symbol.upper() != symbol:
                keys.append(symbol.upper())
            approved = self.resolve_symbol(symbol)
            if approved:
                if approved not in keys:
                    keys.append(approved)
                keys.extend(a for a in self._unique_aliases(approved) if a not in keys)
            return tuple(keys)

        return self._memoised("keys", gene, compute)

    def _unique_aliases(self, approved: str) -> list[str]:
        """Previous/alias symbols of `approved` that name no other gene and are nobody's approved symbol."""
        rows = self._rows(
            "SELECT DISTINCT h.symbol FROM hgnc_symbol h WHERE h.approved = ? AND h.kind = 'alias' "
            "AND NOT EXISTS (SELECT 1 FROM hgnc_symbol o WHERE o.symbol_upper = h.symbol_upper "
            "AND o.symbol = h.symbol AND (o.kind = 'approved' OR (o.kind = 'alias' AND o.approved != h.approved))) "
            "ORDER BY h.symbol", (approved,))
        return [r[0] for r in rows]

    # ---- symbols

    def symbol_candidates(self, symbol: str) -> list[str]:
        """Every approved symbol `symbol` may stand for (several when an alias is shared)."""
        def compute() -> list[str]:
            text = (symbol or "").strip()
            if not text:
                return []
            rows = self._rows("SELECT symbol, approved, kind FROM hgnc_symbol WHERE symbol_upper = ?",
                              (text.upper(),))
            for hits in ([r for r in rows if r[0] == text], rows):  # exact spelling first, then any case
                for kind in ("approved", "alias", "listed"):
                    found = sorted({r[1] for r in hits if r[2] == kind})
                    if found:
                        return found
            return []

        return self._memoised("candidates", symbol, compute)

    def resolve_symbol(self, symbol: str) -> str | None:
        """Approved HGNC symbol for an approved, previous or alias symbol; None when unknown or ambiguous."""
        candidates = self.symbol_candidates(symbol)
        return candidates[0] if len(candidates) == 1 else None

    # ---- facts

    def constraint(self, gene: str) -> Constraint | None:
        def compute() -> Constraint | None:
            hit = self._rows_by_key("gene_constraint", "pli, oe_lof_upper, oe_lof, mis_z, lof_z, source, "
                                    "transcript, gene_issues, gene", gene, order="source")
            if not hit:
                return None
            pli, loeuf, oe, mis_z, lof_z, src, tx, issues, g = hit[0][0]
            return Constraint(g, pli, loeuf, oe, mis_z, lof_z, self._source_text(src), tx, issues)

        return self._memoised("constraint", gene, compute)

    def dosage(self, gene: str) -> Dosage | None:
        def compute() -> Dosage | None:
            hit = self._rows_by_key("dosage_sensitivity", "hi_score, ts_score, hi_description, source, "
                                    "ts_description, date_last_evaluated, gene", gene, order="source")
            if not hit:
                return None
            hi, ts, hi_desc, src, ts_desc, date, g = hit[0][0]
            return Dosage(g, hi, ts, hi_desc, self._source_text(src), ts_desc, date)

        return self._memoised("dosage", gene, compute)

    def g2p(self, gene: str) -> list[G2PRecord]:
        def compute() -> list[G2PRecord]:
            hit = self._rows_by_key("g2p_record", "disease, disease_mim, allelic_requirement, "
                                    "mutation_consequence, confidence, panel, source, gene", gene)
            if not hit:
                return []
            return [G2PRecord(g, d, mim, ar, mc, conf, panel, self._source_text(src))
                    for d, mim, ar, mc, conf, panel, src, g in hit[0]]

        return list(self._memoised("g2p", gene, compute))

    def clinvar_pattern(self, gene: str) -> dict[str, str] | None:
        """The imported ClinVar per-gene pattern (columns of `clinvar_patterns.COLUMNS`, as text) with its source."""
        from rarepath.knowledge.clinvar_patterns import COLUMNS

        def compute() -> dict[str, str] | None:
            hit = self._rows_by_key("clinvar_gene_pattern", ", ".join([*COLUMNS[1:], "source", "gene"]), gene,
                                    order="source")
            if not hit:
                return None
            *values, src, g = hit[0][0]
            row = {"gene": g, **{c: "" if v is None else str(v) for c, v in zip(COLUMNS[1:], values, strict=True)}}
            row["source"] = self._source_text(src)
            return row

        return self._memoised("clinvar", gene, compute)

    def cds_length(self, gene: str) -> int | None:
        """Coding bp including the stop codon (ExAC r0.3, Ensembl v75 canonical transcript)."""
        def compute() -> int | None:
            hit = self._rows_by_key("cds_length", "cds_length_bp", gene, order="source")
            return int(hit[0][0][0]) if hit else None

        return self._memoised("cds", gene, compute)

    def drug_targets(self, gene: str) -> list[DrugTarget]:
        """Distinct (drug, action) pairs on the gene's product; mechanism-of-action targets first."""
        def compute() -> list[DrugTarget]:
            hit = self._rows_by_key("drug_target", "drug, action_type, moa, source, target_name, target_class, gene",
                                    gene, order="moa DESC, drug, id")
            if not hit:
                return []
            seen: dict[tuple[str, str | None], DrugTarget] = {}
            for drug, action, moa, src, tname, tclass, g in hit[0]:
                key = (drug, action)
                prev = seen.get(key)
                if prev is None or (moa and not prev.moa):
                    seen[key] = DrugTarget(drug, g, action, bool(moa), self._source_text(src), tname, tclass)
            return sorted(seen.values(), key=lambda t: (not t.moa, t.drug, t.action_type or ""))

        return list(self._memoised("drugs", gene, compute))

    def mane(self, gene: str) -> ManeTranscript | None:
        """The MANE Select transcript (else Plus Clinical) of the gene."""
        def compute() -> ManeTranscript | None:
            hit = self._rows_by_key("mane_transcript", "refseq_nuc, ensembl_nuc, mane_status, chrom, chr_start, "
                                    "chr_end, strand, source, gene", gene,
                                    order="CASE mane_status WHEN 'MANE Select' THEN 0 ELSE 1 END, id")
            if not hit:
                return None
            ref, ens, status, chrom, start, end, strand, src, g = hit[0][0]
            return ManeTranscript(g, ref, ens, status, chrom, start, end, strand, self._source_text(src))

        return self._memoised("mane", gene, compute)

    def gene_lists(self, gene: str) -> list[str]:
        """Names of the MacArthur lists that contain the gene (e.g. `all_ar`, `haploinsufficiency_severe...`)."""
        def compute() -> list[str]:
            hit = self._rows_by_key("gene_list", "list_name", gene, order="list_name")
            return [r[0] for r in hit[0]] if hit else []

        return list(self._memoised("lists", gene, compute))

    def inheritance(self, gene: str) -> tuple[str, ...]:
        """Inheritance modes (AD, AR, XD, XR, XL) from the OMIM-derived MacArthur lists; old, a fallback."""
        from rarepath.knowledge.importers.macarthur import LISTS

        modes = {LISTS.get(name) for name in self.gene_lists(gene)}
        return tuple(m for m in ("AD", "AR", "XD", "XR", "XL") if m in modes)

    # ---- diseases and indications (see rarepath.knowledge.indications)

    @property
    def has_indications(self) -> bool:
        """True when an indication source and the MONDO crosswalk are imported."""
        from rarepath.knowledge.indications import FAMILIES

        return any(n in self._sources for n in FAMILIES) and any(n.startswith("mondo_") for n in self._sources)

    def mondo_ids(self, disease_ids: Iterable[str]) -> dict[str, str]:
        """MONDO id -> the asked id it stands for; OMIM:/ORPHA:/UMLS:/DOID:/SCTID: ids go through the crosswalk."""
        from rarepath.knowledge.indications import normalize_disease_id

        out: dict[str, str] = {}
        asked = [normalize_disease_id(d) for d in disease_ids if d and d.strip()]
        for disease in asked:
            if disease.startswith("MONDO:"):
                out.setdefault(disease, disease)
        others = tuple(d for d in asked if not d.startswith("MONDO:"))
        if others:
            marks = ",".join("?" * len(others))
            for mondo, xref in self._rows(f"SELECT DISTINCT mondo_id, xref_id FROM disease_xref WHERE xref_id IN "
                                          f"({marks}) ORDER BY mondo_id", others):
                out.setdefault(mondo, xref)
        return out

    def disease_xrefs(self, mondo_id: str) -> list[str]:
        """Every id exactly matching a MONDO disease (OMIM, ORPHA, UMLS, SCTID, DOID), sorted."""
        rows = self._rows("SELECT DISTINCT xref_id FROM disease_xref WHERE mondo_id = ? ORDER BY xref_id", (mondo_id,))
        return [r[0] for r in rows]

    def disease_label(self, mondo_id: str) -> str | None:
        """The MONDO label (the rare-disease list's spelling first)."""
        rows = self._rows("SELECT name FROM disease_term WHERE mondo_id = ? AND kind = 'label' "
                          "ORDER BY rare DESC, id LIMIT 1", (mondo_id,))
        return rows[0][0] if rows else None

    def is_rare(self, mondo_id: str) -> bool:
        """On the MONDO rare-disease list, or mapped to an OMIM or Orphanet entry."""
        rows = self._rows("SELECT 1 FROM disease_term WHERE mondo_id = ? AND rare = ? UNION ALL "
                          "SELECT 1 FROM disease_xref WHERE mondo_id = ? AND (xref_id LIKE ? OR xref_id LIKE ?)",
                          (mondo_id, True, mondo_id, "OMIM:%", "ORPHA:%"))
        return bool(rows)

    def broader_terms(self, mondo_ids: Mapping[str, str]) -> dict[str, str]:
        """Parent MONDO term named by each subtype's label ("spinal muscular atrophy" for "..., type 2") -> the
        asked id it came from. Names only (the ontology's hierarchy is not imported)."""
        from rarepath.knowledge.indications import parent_name

        out: dict[str, str] = {}
        for mondo, asked in mondo_ids.items():
            for (label,) in self._rows("SELECT DISTINCT name FROM disease_term WHERE mondo_id = ? AND kind = 'label'",
                                       (mondo,)):
                parent = parent_name(label)
                if parent:
                    for (other,) in self._rows("SELECT DISTINCT mondo_id FROM disease_term WHERE name_norm = ? AND "
                                               "kind = 'label' ORDER BY mondo_id", (parent,)):
                        if other != mondo:
                            out.setdefault(other, asked)
        return out

    def name_index(self) -> NameIndex:
        """Every usable MONDO label, synonym and crosswalked label, to read diseases out of label text."""
        from rarepath.knowledge.indications import NameIndex

        return self._memoised("names", "", lambda: NameIndex.build(
            (r[0], r[1], r[2] == "label") for r in self._rows("SELECT DISTINCT mondo_id, name, kind FROM disease_term")))

    def indications_for_disease(self, disease_ids: Iterable[str]) -> list[Indication]:
        """Drugs indicated for any of `disease_ids` (OMIM:/ORPHA:/MONDO:/UMLS:/DOID:/SCTID:), verified across the
        imported sources: `approved` only when a regulator label names the disease or two source families agree.
        """
        from rarepath.knowledge.indications import (
            Claim,
            claims_from_labels,
            drug_class_table,
            sort_indications,
            verify,
        )

        asked = tuple(sorted({d.strip() for d in disease_ids if d and d.strip()}))

        def compute() -> list[Indication]:
            exact = self.mondo_ids(asked)
            if not exact:
                return []
            broader = {p: q for p, q in self.broader_terms(exact).items() if p not in exact}
            mondo = {**exact, **broader}
            key_of = {m: m for m in mondo}
            marks = ",".join("?" * len(mondo))
            for m, xref in self._rows(f"SELECT mondo_id, xref_id FROM disease_xref WHERE mondo_id IN ({marks})",
                                      tuple(mondo)):
                key_of.setdefault(xref, m)
            keys = tuple(key_of)
            rows = self._rows(f"SELECT source, record, drug, disease_id, disease_label FROM indication_claim "
                              f"WHERE disease_id IN ({','.join('?' * len(keys))}) ORDER BY source, record", keys)
            claims: dict[tuple[str, int, str], Claim] = {}
            for src, record, drug, disease, label in rows:
                claims.setdefault((src, record, key_of[disease]), Claim(drug, key_of[disease], src, label or ""))
            index = self.name_index()
            found = list(claims.values()) + claims_from_labels(self._claiming_labels(), index, mondo)
            drug_keys = tuple(sorted({c.drug_key for c in found}))
            labels = self._labels_for(drug_keys)
            names = {m: self.disease_label(m) or "" for m in mondo}
            citations = {s.name: s.text for s in self._sources.values()}
            verified = verify(found, labels, index, disease_labels=names, citations=citations,
                              drug_classes=drug_class_table(), query_ids=mondo)
            targets = self._moa_targets(tuple(sorted({i.drug for i in verified})))
            return sort_indications(replace(i, targets=targets.get(i.drug, ()),
                                            scope="broader" if i.disease_id in broader else "exact")
                                    for i in verified)

        return list(self._memoised("indications", "|".join(asked), compute))

    def contraindications(self, drug: str, disease_ids: Iterable[str] | None = None) -> list[Contraindication]:
        """Diseases the drug's labels contraindicate (Every Cure contraindication list), limited to `disease_ids`
        (crosswalked like `indications_for_disease`) when given; confirmed ones (name in the text) first."""
        from rarepath.knowledge.indications import Contraindication, excerpt, ingredient_key

        key = ingredient_key(drug)
        wanted = tuple(sorted({d.strip() for d in disease_ids or () if d and d.strip()}))

        def compute() -> list[Contraindication]:
            rows = self._rows("SELECT record, drug, disease_id, disease_label, label_text, is_allergen, source "
                              "FROM drug_contraindication WHERE drug_key = ? ORDER BY record", (key,))
            if not rows:
                return []
            ids = tuple(sorted({r[2] for r in rows if r[2]}))
            to_mondo = self.mondo_ids(ids)
            mondo_of = {asked: m for m, asked in to_mondo.items()}
            for m, xref in self._rows(f"SELECT mondo_id, xref_id FROM disease_xref WHERE xref_id IN "
                                      f"({','.join('?' * len(ids))})", ids) if ids else ():
                mondo_of.setdefault(xref, m)
            keep = set(self.mondo_ids(wanted)) if disease_ids is not None else None
            index = self.name_index()
            out: dict[tuple[str, str], Contraindication] = {}
            for _, name, disease, label, text, allergen, src in rows:
                mondo = mondo_of.get(disease or "", disease or "")
                if not mondo or (keep is not None and mondo not in keep):
                    continue
                item = Contraindication(name, mondo, self.disease_label(mondo) or label or "",
                                        mondo in index.mentions(text), excerpt(text), self._source_text(src),
                                        bool(allergen))
                previous = out.get((mondo, text))
                if previous is None or (item.confirmed and not previous.confirmed):
                    out[(mondo, text)] = item
            return sorted(out.values(), key=lambda c: (not c.confirmed, c.disease_id, c.excerpt))

        return list(self._memoised("contraindications", f"{key}|{'|'.join(wanted)}|{disease_ids is None}", compute))

    def _moa_targets(self, drugs: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        """Drug (lower case) -> genes it acts on by mechanism of action (DrugCentral `MOA=1`)."""
        if not drugs:
            return {}
        rows = self._rows(f"SELECT DISTINCT lower(drug), gene FROM drug_target WHERE moa = ? AND lower(drug) IN "
                          f"({','.join('?' * len(drugs))}) ORDER BY gene", (True, *drugs))
        out: dict[str, list[str]] = {}
        for drug, gene in rows:
            out.setdefault(drug, []).append(gene)
        return {d: tuple(g) for d, g in out.items()}

    def _label_rows(self, where_sql: str, params: tuple) -> list[LabelText]:
        from rarepath.knowledge.indications import LabelText

        rows = self._rows("SELECT DISTINCT drug, regulator, label_text, source, approval_year, product "
                          f"FROM indication_label WHERE {where_sql}", params)
        return [LabelText(d, reg, text, src, year, product) for d, reg, text, src, year, product in rows]

    def _labels_for(self, drug_keys: tuple[str, ...]) -> list[LabelText]:
        if not drug_keys:
            return []
        return self._label_rows(f"drug_key IN ({','.join('?' * len(drug_keys))})", drug_keys)

    def _claiming_labels(self) -> list[LabelText]:
        """Labels whose text is itself the approved indication (FDA orphan approvals), loaded once."""
        from rarepath.knowledge.indications import CLAIMING_LABEL_SOURCES

        names = tuple(sorted(CLAIMING_LABEL_SOURCES))
        return self._memoised("claiming_labels", "", lambda: self._label_rows(
            f"source IN ({','.join('?' * len(names))})", names))

    def status(self) -> list[SourceStatus]:
        return sorted(self._sources.values(), key=lambda s: s.name)

    def _load_status(self) -> list[SourceStatus]:
        rows = self._rows("SELECT name, label, version, file, sha256, row_count, imported_at, licence, citation "
                          "FROM sources ORDER BY name")
        return [SourceStatus(*r) for r in rows]


# --------------------------------------------------------------------------------------------------- writing


@dataclass
class ImportOutcome:
    """What `import_directory` did for one kind of source."""

    key: str
    what: str
    imported: SourceStatus | None = None
    skipped: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def write_source(engine: Engine, parsed: ParsedSource) -> SourceStatus:
    """Replace every row of `parsed.name` with the parsed rows, and its `sources` entry, in ONE transaction.

    Any failure rolls back: the previous import of that source stays as it was.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from rarepath.knowledge.importers import DATA_TABLES

    status = SourceStatus(parsed.name, parsed.label, parsed.version, parsed.file, parsed.sha256, parsed.row_count,
                          datetime.now(UTC).isoformat(timespec="seconds"), parsed.licence, parsed.citation)
    for table in parsed.tables:
        if table not in DATA_TABLES:
            raise KnowledgeError(f"importer wrote to unknown table {table!r}", source=parsed.file)
    try:
        with engine.begin() as conn:
            for table in DATA_TABLES:
                conn.exec_driver_sql(_placeholders(engine, f"DELETE FROM {table} WHERE source = ?"),
                                     (parsed.name,))
            for table, rows in parsed.tables.items():
                if not rows:
                    continue
                columns = list(rows[0].keys())
                values = [tuple(r.get(c) for c in columns) + (parsed.name,) for r in rows]
                _insert_rows(conn, table, [*columns, "source"], values)
            conn.exec_driver_sql(_placeholders(engine, "DELETE FROM sources WHERE name = ?"), (status.name,))
            conn.exec_driver_sql(_placeholders(engine, (
                "INSERT INTO sources (name, label, version, file, sha256, row_count, imported_at, "
                "licence, citation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")),
                (status.name, status.label, status.version, status.file, status.sha256, status.row_count,
                 status.imported_at, status.licence, status.citation))
    except SQLAlchemyError as err:
        raise KnowledgeError(f"import of {parsed.name} failed and was rolled back ({_short(err)})",
                             source=parsed.file) from err
    return status


def _insert_rows(conn: Connection, table: str, columns: list[str], values: list[tuple]) -> None:
    """Bulk insert inside the caller's transaction: one executemany (psycopg 3 pipelines it)."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.exec_driver_sql(_placeholders(conn.engine, sql), values)


def create_or_upgrade(path: str | Path | URL) -> Engine:
    """Engine on `path` (a SQLite file, created with its directory, or a PostgreSQL URL), schema at head."""
    location = kb_location(path) if isinstance(path, str) else path
    if not isinstance(location, Path):
        engine = _engine(location)
        upgrade_schema(engine)
        return engine
    path = location
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KnowledgeError(f"cannot create the knowledge-base directory ({err.strerror})",
                             source=str(path.parent)) from err
    engine = _engine(path)
    upgrade_schema(engine)
    return engine


def import_directory(directory: Path, db_path: str | Path | URL | None = None,
                     progress: Callable[[ImportOutcome], None] | None = None) -> list[ImportOutcome]:
    """Import every known source file found (recursively) under `directory` into the KB at `db_path`
    (a SQLite file or a PostgreSQL URL; default as for `KnowledgeBase.open`).

    Each source is replaced in its own transaction, so a malformed file raises `InputError` (file,
    line, field) after the sources before it are saved and with its own previous rows intact.
    """
    from rarepath.knowledge.importers import discover

    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise InputError("not a directory", source=str(directory), field="--from")
    found = discover(directory)
    if all(f.path is None for f in found):
        raise InputError("no known knowledge-base source files under this directory (expected e.g. "
                         "gnomad_v2.1_constraint_canonical.tsv, DDG2P.csv)", source=str(directory), field="--from")
    engine = create_or_upgrade(kb_location(db_path))
    outcomes: list[ImportOutcome] = []
    try:
        for item in found:
            outcome = ImportOutcome(item.spec.key, item.spec.what)
            if item.path is None:
                outcome.skipped = f"no file named {' or '.join(item.spec.patterns)}"
            else:
                t0 = time.perf_counter()
                parsed = item.spec.parse(item.path)
                outcome.imported = write_source(engine, parsed)
                outcome.key = parsed.name
                outcome.notes = list(parsed.notes)
                outcome.seconds = time.perf_counter() - t0
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
    finally:
        if not _is_sqlite(engine) and any(o.imported is not None for o in outcomes):
            _analyze(engine)
        engine.dispose()
    return outcomes


def _analyze(engine: Engine) -> None:
    """Refresh the server's planner statistics after bulk replacement (best effort: a read-only role may not)."""
    from sqlalchemy.exc import DBAPIError

    from rarepath.knowledge.importers import DATA_TABLES

    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f"ANALYZE sources, {', '.join(DATA_TABLES)}")
    except DBAPIError:
        pass
