"""Nucleases as data (``data/nucleases.tsv``) and guide finding on both strands.

Coordinates of a :class:`GuideSite` are 0-based indices into the sequence that was scanned, on its + strand:
``start`` is the leftmost base of protospacer+PAM, ``cut_index`` is the first base 3' (on +) of the cut on the
PAM-containing strand (the cut lies between ``cut_index - 1`` and ``cut_index``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rarepath.errors import InputError

from .scores import _data_rows, revcomp

IUPAC = {"A": "A", "C": "C", "G": "G", "T": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT",
         "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT"}


def pam_matches(pattern: str, seq: str) -> bool:
    """Whether ``seq`` fits the IUPAC ``pattern`` base by base (N in ``seq`` matches only N in the pattern)."""
    return len(seq) == len(pattern) and all(b in IUPAC[p] for p, b in zip(pattern, seq, strict=True))


@dataclass(frozen=True)
class PamRule:
    pattern: str
    weight: float


@dataclass(frozen=True)
class Nuclease:
    """PAM(s), spacer length, PAM side and cut geometry of one Cas enzyme."""

    name: str
    pams: tuple[PamRule, ...]
    offtarget_pams: tuple[str, ...]
    spacer_length: int
    pam_side: str  # "3prime" (Cas9) or "5prime" (Cas12a)
    cut_offset: int
    other_strand_cut_offset: int
    source: str

    @property
    def pam_length(self) -> int:
        return len(self.pams[0].pattern)

    @property
    def site_length(self) -> int:
        return self.spacer_length + self.pam_length

    def pam_weight(self, pam: str) -> float | None:
        """Weight of the best PAM rule matching ``pam`` (None if none matches)."""
        w = [r.weight for r in self.pams if pam_matches(r.pattern, pam)]
        return max(w) if w else None


@cache
def nucleases() -> dict[str, Nuclease]:
    """All nucleases of the package table, by name (case as in the table)."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in _data_rows("nucleases.tsv"):
        grouped.setdefault(row["name"], []).append(row)
    out = {}
    for name, rows in grouped.items():
        r = rows[0]
        out[name] = Nuclease(name, tuple(PamRule(x["pam"], float(x["pam_weight"])) for x in rows),
                             tuple(r["offtarget_pams"].split(",")), int(r["spacer_length"]), r["pam_side"],
                             int(r["cut_offset"]), int(r["other_strand_cut_offset"]), r["source"])
    return out


def get_nucleases(names: str | list[str]) -> list[Nuclease]:
    """Nucleases by comma-separated (case-insensitive) names; InputError for an unknown one."""
    table = {k.lower(): v for k, v in nucleases().items()}
    items = [n.strip() for n in (names.split(",") if isinstance(names, str) else names) if n.strip()]
    out = []
    for n in items:
        if n.lower() not in table:
            raise InputError(f"unknown nuclease {n!r} (known: {', '.join(nucleases())})", field="nucleases")
        out.append(table[n.lower()])
    return out


@dataclass(frozen=True)
class GuideSite:
    """One protospacer with its PAM on a scanned sequence (+ strand coordinates, 0-based)."""

    nuclease: str
    spacer: str
    pam: str
    strand: str
    start: int
    cut_index: int
    pam_weight: float
    context30: str | None = None  # SpCas9 Rule Set 1 input (4 + 20 + PAM + 3), when the flanks exist

    @property
    def end(self) -> int:
        return self.start + len(self.spacer) + len(self.pam)


def _oriented(seq: str, strand: str) -> str:
    return seq if strand == "+" else revcomp(seq)


def to_plus_index(n: int, j: int, strand: str) -> int:
    """+ strand index of base ``j`` of the oriented sequence (length ``n``)."""
    return j if strand == "+" else n - 1 - j


def find_guides(seq: str, nuclease: Nuclease, lo: int = 0, hi: int | None = None) -> list[GuideSite]:
    """All sites of ``nuclease`` on both strands whose cut lies in [lo, hi] (+ strand indices of ``seq``)."""
    n = len(seq)
    hi = n if hi is None else hi
    L, P = nuclease.spacer_length, nuclease.pam_length
    out: list[GuideSite] = []
    for strand in "+-":
        o = _oriented(seq, strand)
        for j in range(0, n - L - P + 1):
            if nuclease.pam_side == "3prime":
                spacer, pam = o[j:j + L], o[j + L:j + L + P]
                k = j + L - nuclease.cut_offset
            else:
                pam, spacer = o[j:j + P], o[j + P:j + P + L]
                k = j + P + nuclease.cut_offset
            cut = k if strand == "+" else n - k
            if not lo <= cut <= hi or "N" in spacer:
                continue
            w = nuclease.pam_weight(pam)
            if w is None:
                continue
            start = j if strand == "+" else n - j - L - P
            ctx = None
            if nuclease.name == "SpCas9" and j >= 4 and j + 26 <= n:
                ctx = o[j - 4:j + 26]
                if set(ctx) - set("ACGT"):
                    ctx = None
            out.append(GuideSite(nuclease.name, spacer, pam, strand, start, cut, w, ctx))
    return out


def protospacer_positions(site: GuideSite, nuclease: Nuclease) -> dict[int, int]:
    """Map + strand index -> protospacer position (1 = PAM-distal 5' end) for the site's spacer bases."""
    L, P = nuclease.spacer_length, nuclease.pam_length
    out = {}
    for p in range(1, L + 1):
        if site.strand == "+":
            idx = site.start + p - 1 if nuclease.pam_side == "3prime" else site.start + P + p - 1
        else:
            idx = site.start + P + L - p if nuclease.pam_side == "3prime" else site.start + L - p
        out[idx] = p
    return out


def pam_indices(site: GuideSite, nuclease: Nuclease) -> list[int]:
    """+ strand indices of the PAM bases, in PAM 5'->3' order on the guide strand."""
    L, P = nuclease.spacer_length, nuclease.pam_length
    if site.strand == "+":
        first = site.start + L if nuclease.pam_side == "3prime" else site.start
        return [first + k for k in range(P)]
    last = site.start + P - 1 if nuclease.pam_side == "3prime" else site.start + L + P - 1
    return [last - k for k in range(P)]
