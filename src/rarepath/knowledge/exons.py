"""Exon structures of shipped coding transcripts and the protein domains their exons encode (curated tables).

`exon_structures.tsv` is derived from real annotation files by `scripts/aso_exon_structures.py` (one coding
transcript per gene); `exon_domains.tsv` says which exon ranges encode a domain whose loss is or is not
tolerated. The reading-frame arithmetic that reads these facts is `rarepath.interpret.frame`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rarepath.errors import KnowledgeError
from rarepath.knowledge.curated import load_table, table_path

_ESSENTIAL = {"yes": True, "no": False}


@dataclass(frozen=True)
class ExonRecord:
    gene: str
    transcript: str
    exon: int
    length_nt: int
    cds_nt: int
    start_phase: int
    reference: str
    source: str


@dataclass(frozen=True)
class ExonDomain:
    """A protein region encoded by exons first_exon..last_exon; `essential`: its loss is not tolerated."""

    gene: str
    first_exon: int
    last_exon: int
    domain: str
    essential: bool
    source: str

    def covers(self, exon: int) -> bool:
        return self.first_exon <= exon <= self.last_exon


@cache
def exon_structures() -> dict[str, tuple[ExonRecord, ...]]:
    """Shipped exon structures by upper-case gene symbol (one coding transcript per gene)."""
    out: dict[str, list[ExonRecord]] = {}
    for r in load_table("exon_structures"):
        out.setdefault(r["gene"].upper(), []).append(ExonRecord(
            r["gene"], r["transcript"], int(r["exon"]), int(r["length_nt"]), int(r["cds_nt"]),
            int(r["start_phase"]), r["reference"], r["source"]))
    return {g: tuple(sorted(v, key=lambda e: e.exon)) for g, v in out.items()}


def shipped_structure(gene: str) -> tuple[ExonRecord, ...] | None:
    return exon_structures().get(gene.upper())


def shipped_exon_lengths(gene: str) -> list[int] | None:
    """Exon lengths (nt, exon 1..N) of the coding transcript shipped for `gene`, or None if none ships."""
    recs = shipped_structure(gene)
    return [r.length_nt for r in recs] if recs else None


def shipped_coding_lengths(gene: str, exon_lengths: Iterable[int]) -> list[int] | None:
    """Coding nt per exon when `exon_lengths` are those of the shipped transcript (else None: extent unknown)."""
    recs = shipped_structure(gene)
    if recs and [r.length_nt for r in recs] == list(exon_lengths):
        return [r.cds_nt for r in recs]
    return None


def exon_of_coding_position(gene: str, cpos: int) -> int | None:
    """Exon holding coding nucleotide c.cpos in the shipped structure (cumulative coding lengths)."""
    recs = shipped_structure(gene)
    if not recs:
        return None
    acc = 0
    for r in recs:
        if acc < cpos <= acc + r.cds_nt:
            return r.exon
        acc += r.cds_nt
    return None


@cache
def _all_domains() -> tuple[ExonDomain, ...]:
    out = []
    for r in load_table("exon_domains"):
        if r["essential"] not in _ESSENTIAL:
            raise KnowledgeError(f"essential must be yes or no, not {r['essential']!r} ({r['gene']})",
                                 source=str(table_path("exon_domains")), field="essential")
        out.append(ExonDomain(r["gene"], int(r["first_exon"]), int(r["last_exon"]), r["domain"],
                              _ESSENTIAL[r["essential"]], r["source"]))
    return tuple(out)


def exon_domains(gene: str) -> tuple[ExonDomain, ...]:
    """The curated domains of `gene`, in table order."""
    return tuple(d for d in _all_domains() if d.gene.upper() == gene.upper())


def domain_at(domains: Iterable[ExonDomain], exon: int) -> ExonDomain | None:
    """The first of `domains` encoded by `exon`, or None."""
    return next((d for d in domains if d.covers(exon)), None)


def exon_domain(gene: str, exon: int) -> ExonDomain | None:
    return domain_at(exon_domains(gene), exon)
