"""The audit trail: every read and write of patient data, append-only and hash-chained.

Each entry's SHA-256 covers its own fields and the previous entry's hash, so changing, deleting or
re-ordering any past entry breaks every hash after it; `verify` recomputes the chain. Entries are written
in the same transaction as the change they record: a committed change always has its entry, a rolled-back
one never. Appends are serialised (PostgreSQL: a transaction-scoped advisory lock; SQLite: the registry
engine opens write transactions with BEGIN IMMEDIATE), so the chain never forks under concurrent writers.
The migration adds triggers that refuse UPDATE and DELETE on the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarepath.registry.models import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 7246109  # pg_advisory_xact_lock key of the audit chain head


def entry_hash(prev_hash: str, at: str, actor: str, action: str, entity: str, entity_id: str,
               case_pseudonym: str, detail: str) -> str:
    """The chain hash of one entry (canonical JSON of its fields after the previous hash)."""
    payload = json.dumps([prev_hash, at, actor, action, entity, entity_id, case_pseudonym, detail],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(session: Session, *, actor: str, action: str, entity: str, entity_id: object = "",
           case_pseudonym: str = "", detail: str = "") -> AuditEntry:
    """Add one entry at the head of the chain, inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    eid = "" if entity_id is None else str(entity_id)
    row = AuditEntry(at=at, actor=actor, action=action, entity=entity, entity_id=eid,
                     case_pseudonym=case_pseudonym or "", detail=detail, prev_hash=prev,
                     hash=entry_hash(prev, at, actor, action, entity, eid, case_pseudonym or "", detail))
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ChainCheck:
    """Outcome of `verify`: entries checked, and the first broken entry (None when the chain is intact)."""

    entries: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session, batch: int = 5000) -> ChainCheck:
    """Recompute the whole chain in id order; stops at the first entry that does not match."""
    prev = GENESIS
    n = 0
    last_id = 0
    while True:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id)
                               .limit(batch)).all()
        if not rows:
            return ChainCheck(n)
        for r in rows:
            if r.prev_hash != prev:
                return ChainCheck(n, r.id, "previous-hash link does not match the entry before it "
                                           "(an entry was deleted or re-ordered)")
            expected = entry_hash(r.prev_hash, r.at, r.actor, r.action, r.entity, r.entity_id,
                                  r.case_pseudonym, r.detail)
            if r.hash != expected:
                return ChainCheck(n, r.id, "content does not match its hash (the entry was changed)")
            prev = r.hash
            n += 1
            last_id = r.id
