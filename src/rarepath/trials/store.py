"""Trial records in rarepath's database: the knowledge-base file (`$RAREPATH_HOME/kb.sqlite`, or `--db`,
a SQLite path or a PostgreSQL URL), table `trial_record` (migration `0004_trials`).

One row per NCT id: importing a record again replaces it, with the new import date and source. The
matcher reads every stored record once per run, so records are kept as their normalised JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rarepath.errors import KnowledgeError
from rarepath.trials.records import Trial

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import URL, Engine

__all__ = ["StoredTrial", "TrialStore"]


def _table() -> Table:
    """The `trial_record` table as SQLAlchemy Core sees it (the schema itself is owned by the migration)."""
    import sqlalchemy as sa

    meta = sa.MetaData()
    return sa.Table(
        "trial_record", meta,
        sa.Column("nct_id", sa.String(11), primary_key=True),
        sa.Column("title", sa.Text), sa.Column("status", sa.String(32)), sa.Column("study_type", sa.String(32)),
        sa.Column("phases", sa.String(64)), sa.Column("conditions", sa.Text), sa.Column("sex", sa.String(8)),
        sa.Column("min_age_years", sa.Float), sa.Column("max_age_years", sa.Float),
        sa.Column("healthy_volunteers", sa.Boolean), sa.Column("record_format", sa.String(32)),
        sa.Column("source", sa.Text), sa.Column("imported_at", sa.String(32)), sa.Column("record_json", sa.Text),
    )


@dataclass(frozen=True)
class StoredTrial:
    """A stored record with where and when it was imported."""

    trial: Trial
    source: str
    imported_at: str


class TrialStore:
    """Read and replace trial records. `TrialStore.open(db)` creates the database and schema when needed."""

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self.location = location
        self._table = _table()

    @classmethod
    def open(cls, db: str | Path | URL | None = None) -> TrialStore:
        """The store at `db` (default as for the knowledge base: `$RAREPATH_KB_URL`, else
        `$RAREPATH_HOME/kb.sqlite`), migrated to the current schema."""
        from rarepath.knowledge.kb import create_or_upgrade, describe_location, kb_location

        location = kb_location(db)
        return cls(create_or_upgrade(location), describe_location(location))

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> TrialStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writing

    def replace(self, trials: Iterable[Trial], *, source: str | dict[str, str],
                imported_at: str | None = None) -> int:
        """Store `trials`, replacing any stored record with the same NCT id, in ONE transaction.

        `source` is the file or query the records came from (a mapping NCT id -> source, or one text for all).
        """
        from sqlalchemy.exc import SQLAlchemyError

        when = imported_at or datetime.now(UTC).isoformat(timespec="seconds")
        rows = [self._row(t, source if isinstance(source, str) else source.get(t.nct_id, ""), when)
                for t in trials]
        if not rows:
            return 0
        t = self._table
        try:
            with self._engine.begin() as conn:
                ids = [r["nct_id"] for r in rows]
                for i in range(0, len(ids), 500):
                    conn.execute(t.delete().where(t.c.nct_id.in_(ids[i:i + 500])))
                conn.execute(t.insert(), rows)
        except SQLAlchemyError as err:
            raise KnowledgeError(f"storing trial records failed and was rolled back ({_short(err)})",
                                 source=self.location) from err
        return len(rows)

    @staticmethod
    def _row(trial: Trial, source: str, when: str) -> dict[str, Any]:
        return {
            "nct_id": trial.nct_id, "title": trial.title, "status": trial.status.value,
            "study_type": trial.study_type, "phases": ",".join(trial.phases),
            "conditions": "; ".join(trial.conditions), "sex": trial.sex,
            "min_age_years": trial.min_age.years if trial.min_age else None,
            "max_age_years": trial.max_age.years if trial.max_age else None,
            "healthy_volunteers": trial.healthy_volunteers, "record_format": trial.record_format,
            "source": source, "imported_at": when,
            "record_json": json.dumps(trial.to_dict(), ensure_ascii=False, separators=(",", ":")),
        }

    # ---- reading

    def count(self) -> int:
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(self._table)).scalar_one())

    def stored(self) -> list[StoredTrial]:
        """Every stored record, by NCT id."""
        t = self._table
        with self._engine.connect() as conn:
            rows = conn.execute(t.select().with_only_columns(t.c.record_json, t.c.source, t.c.imported_at)
                                .order_by(t.c.nct_id)).all()
        return [StoredTrial(self._decode(js), src, when) for js, src, when in rows]

    def trials(self) -> list[Trial]:
        return [s.trial for s in self.stored()]

    def get(self, nct_id: str) -> StoredTrial | None:
        t = self._table
        with self._engine.connect() as conn:
            row = conn.execute(t.select().with_only_columns(t.c.record_json, t.c.source, t.c.imported_at)
                               .where(t.c.nct_id == nct_id.strip().upper())).first()
        return StoredTrial(self._decode(row[0]), row[1], row[2]) if row else None

    def _decode(self, text: str) -> Trial:
        try:
            return Trial.from_dict(json.loads(text))
        except (ValueError, KeyError, TypeError) as err:
            raise KnowledgeError(f"a stored trial record cannot be read ({err}); import it again",
                                 source=self.location) from err


def _short(err: BaseException) -> str:
    orig = getattr(err, "orig", None)
    return str(orig or err).splitlines()[0]
