"""Reading-frame arithmetic for whole-exon deletions and duplications, and the exon skips that restore it.

Everything is computed from exon lengths (coding nt) mod 3; no answer is tabulated. Essential-domain and
product facts come from data tables with sources (data/exon_domains.tsv, the curated `therapies` table).
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rarepath.errors import InputError

DATA = Path(str(resources.files("rarepath.design.aso") / "data"))


def _read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(lines, delimiter="\t")]


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


@cache
def exon_structures() -> dict[str, tuple[ExonRecord, ...]]:
    """Shipped exon structures by upper-case gene symbol (one coding transcript per gene)."""
    out: dict[str, list[ExonRecord]] = {}
    for r in _read_tsv("exon_structures.tsv"):
        out.setdefault(r["gene"].upper(), []).append(ExonRecord(
            r["gene"], r["transcript"], int(r["exon"]), int(r["length_nt"]), int(r["cds_nt"]),
            int(r["start_phase"]), r["reference"], r["source"]))
    return {g: tuple(sorted(v, key=lambda e: e.exon)) for g, v in out.items()}


def shipped_exon_lengths(gene: str) -> list[int] | None:
    """Exon lengths (nt, exon 1..N) of the coding transcript shipped for `gene`, or None if none ships."""
    recs = exon_structures().get(gene.upper())
    return [r.length_nt for r in recs] if recs else None


def shipped_structure(gene: str) -> tuple[ExonRecord, ...] | None:
    return exon_structures().get(gene.upper())


@cache
def _domains() -> tuple[dict[str, str], ...]:
    return tuple(_read_tsv("exon_domains.tsv"))


def exon_domain(gene: str, exon: int) -> dict[str, str] | None:
    for d in _domains():
        if d["gene"].upper() == gene.upper() and int(d["first_exon"]) <= exon <= int(d["last_exon"]):
            return d
    return None


def approved_products(gene: str, skip: list[int]) -> tuple[list[dict[str, str]], str | None]:
    """Products whose curated `requirement` is `skip_exon:<n>` for an exon in `skip`; (rows, problem)."""
    try:
        from rarepath.knowledge.curated import load_table

        rows = load_table("therapies")
    except Exception as err:  # a missing table must not break the frame analysis
        return [], f"approved products unknown: therapies table unavailable ({type(err).__name__})"
    out = []
    wanted = {f"skip_exon:{e}" for e in skip}
    for r in rows:
        genes = {g.strip().upper() for g in (r.get("gene") or "").split(";")}
        tokens = {t.replace(" ", "") for t in (r.get("requirement") or "").split(";")}
        for tok in sorted(tokens & wanted):
            if gene.upper() in genes:
                out.append({"name": r.get("name", ""), "status": r.get("status", ""),
                            "skip": int(tok.split(":")[1]), "source": r.get("source", "")})
    return out, None


@dataclass
class SkipOption:
    """One exon skip: which exons, the net change in coding nt against wild type, and why it may be a problem."""

    exons: list[int]
    net_nt: int
    restores_frame: bool
    flags: list[str] = field(default_factory=list)


@dataclass
class FrameAnalysis:
    gene: str
    kind: str
    first: int
    last: int
    frame: str  # in_frame | out_of_frame
    net_nt: int
    single_skips: list[int]
    double_skips: list[list[int]]
    flags: list[str]
    products: list[dict[str, Any]]
    skip_details: list[SkipOption] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["exons"] = [self.first, self.last]
        return d


def _coding_lengths(gene: str, exon_lengths: list[int]) -> tuple[list[int], bool]:
    """Coding nt per exon: the shipped CDS clipping when the lengths match the shipped structure."""
    recs = shipped_structure(gene)
    if recs and [r.length_nt for r in recs] == list(exon_lengths):
        return [r.cds_nt for r in recs], True
    return list(exon_lengths), False


def exon_skip_analysis(gene: str, exon_lengths: list[int], first: int, last: int,
                       kind: str = "deletion") -> FrameAnalysis:
    """Frame of a whole-exon deletion/duplication of exons first..last, and the single/double skips restoring it.

    A skip restores the frame when the total coding nt removed or added against wild type is a multiple of 3.
    Skip candidates are the exons flanking the deletion (the exon next to the deletion is what gets skipped);
    for a duplication, the flanking exons and the duplicated exons themselves (the ASO hits both copies).
    """
    n = len(exon_lengths)
    if n == 0:
        raise InputError("no exons given", field="exon_lengths")
    if kind not in ("deletion", "duplication"):
        raise InputError(f"unknown kind {kind!r} (deletion or duplication)", field="kind")
    for x in (first, last):
        if not 1 <= x <= n:
            raise InputError(f"exon {x} does not exist ({gene} has exons 1-{n})", field="exons")
    if first > last:
        raise InputError(f"exon range {first}-{last} is reversed", field="exons")
    coding, clipped = _coding_lengths(gene, exon_lengths)
    span = list(range(first, last + 1))
    sign = -1 if kind == "deletion" else 1
    net = sign * sum(coding[e - 1] for e in span)
    frame = "in_frame" if net % 3 == 0 else "out_of_frame"
    flags: list[str] = []
    if not clipped:
        flags.append("coding_extent_unknown: whole exon lengths used (UTR parts of first/last exon counted)")
    if first == 1:
        flags.append("includes_first_exon: promoter/start codon lost; frame restoration does not apply")
    if last == n:
        flags.append("includes_last_exon: stop codon and 3' end lost")
    if clipped and any(coding[e - 1] == 0 for e in span):
        flags.append("includes_non_coding_exon")
    for e in span:
        d = exon_domain(gene, e)
        if d and d["essential"] == "yes":
            flags.append(f"{kind}_removes_essential_domain: exon {e} ({d['domain']}; {d['source']})")
            break

    def option(exons: list[int], per_exon_factor: dict[int, int] | None = None) -> SkipOption:
        removed = sum((per_exon_factor or {}).get(e, 1) * coding[e - 1] for e in exons)
        total = net - removed
        opt = SkipOption(exons, total, total % 3 == 0)
        for e in exons:
            if e in (1, n):
                opt.flags.append(f"exon {e} is the {'first' if e == 1 else 'last'} exon: cannot be skipped")
            d = exon_domain(gene, e)
            if d and d["essential"] == "yes":
                opt.flags.append(f"exon {e} encodes an essential domain: {d['domain']} ({d['source']})")
            if clipped and coding[e - 1] == 0:
                opt.flags.append(f"exon {e} is non-coding")
        return opt

    details: list[SkipOption] = []
    single: list[int] = []
    double: list[list[int]] = []
    if frame == "out_of_frame" and not (first == 1 or last == n and kind == "deletion"):
        if kind == "deletion":
            single_cands = [e for e in (first - 1, last + 1) if 1 <= e <= n]
            factor: dict[int, int] = {}
        else:
            single_cands = [e for e in (first - 1, *span, last + 1) if 1 <= e <= n]
            # an ASO hits both copies of a multi-exon duplication; for a single duplicated exon, skipping
            # one copy (the usual outcome) restores the wild-type transcript, so it counts once
            factor = {e: 2 for e in span} if first != last else {}
            if first == last:
                flags.append("single_exon_duplication: skipping one copy restores the wild-type transcript")
        for e in single_cands:
            opt = option([e], factor)
            details.append(opt)
            if opt.restores_frame and not any("cannot be skipped" in f for f in opt.flags):
                single.append(e)
        pair_cands = [(first - 2, first - 1), (first - 1, last + 1), (last + 1, last + 2)]
        for a, b in pair_cands:
            if not (1 <= a <= n and 1 <= b <= n):
                continue
            if a in single or b in single:
                continue  # a superset of a working single skip removes protein for nothing
            opt = option([a, b], factor)
            details.append(opt)
            if opt.restores_frame and not any("cannot be skipped" in f for f in opt.flags):
                double.append([a, b])
        if not single and not double:
            flags.append("no_single_or_double_skip_restores_frame")
    elif frame == "in_frame" and first != 1:
        flags.append("already_in_frame: no skip needed (Becker-like if the removed region is dispensable)")
    for opt in details:
        if (opt.exons in double or opt.exons[0] in single and len(opt.exons) == 1) and opt.flags:
            flags.extend(f"skip {'+'.join(map(str, opt.exons))}: {f}" for f in opt.flags)
    products, problem = approved_products(gene, single) if single else ([], None)
    if problem:
        flags.append(problem)
    return FrameAnalysis(gene, kind, first, last, frame, net, sorted(single), double, flags, products, details)


_EXON_VARIANT = re.compile(
    r"^\s*(?P<kind>del(?:etion)?|dup(?:lication)?)\w*\s*(?:of\s+)?(?:exons?|ex)\s*(?P<a>\d+)"
    r"(?:\s*(?:-|–|to|_)\s*(?P<b>\d+))?\s*$|"
    r"^\s*(?:exons?|ex)\s*(?P<a2>\d+)(?:\s*(?:-|–|to|_)\s*(?P<b2>\d+))?\s+(?P<kind2>del(?:etion)?|dup(?:lication)?)"
    r"\w*\s*$", re.I)


def parse_exon_variant(text: str) -> tuple[str, int, int]:
    """('deletion'|'duplication', first, last) from e.g. 'deletion of exons 48-50', 'dup ex 2', 'exon 52 deletion'."""
    m = _EXON_VARIANT.match(text or "")
    if not m:
        raise InputError(f"cannot read {text!r} as a whole-exon deletion or duplication "
                         "(e.g. 'deletion of exons 48-50')", field="--variant")
    kind = (m.group("kind") or m.group("kind2")).lower()
    a = int(m.group("a") or m.group("a2"))
    b = int(m.group("b") or m.group("b2") or a)
    if b < a:
        raise InputError(f"exon range {a}-{b} is reversed", field="--variant")
    return ("deletion" if kind.startswith("del") else "duplication"), a, b
