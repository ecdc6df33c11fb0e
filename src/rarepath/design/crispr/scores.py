"""Published guide scores: Rule Set 1 on-target (Doench 2014), CFD (Doench 2016) and MIT (Hsu 2013) off-target.

Weights are published model parameters kept as package data (``data/*.tsv`` with a source column); the
formulas are re-implemented from the papers. Conventions, all for SpCas9 20-nt spacers:

* Rule Set 1 scores a 30-mer: 4 nt 5' context + 20-nt spacer + NGG + 3 nt 3' context; result in 0..1.
* Mismatch positions run 1 (PAM-distal 5' end) .. 20 (next to the PAM).
* Guide-level aggregates: MIT specificity = 100 * 100 / (100 + sum of off-target MIT hit scores) (CRISPOR's
  reported 0-100 value); CFD specificity = 100 / (1 + sum of off-target CFD scores), on the same 0-100 scale
  (the choice recommended in the project notes; CRISPOR's default instead plugs raw CFD into the MIT formula).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

_BASES = "ACGT"
_COMPLEMENT = str.maketrans("ACGTacgtNnRYKMSWBDHVrykmswbdhv", "TGCAtgcaNnYRMKSWVHDByrmkswvhdb")


def revcomp(seq: str) -> str:
    """Reverse complement (IUPAC-aware, case kept)."""
    return seq.translate(_COMPLEMENT)[::-1]


def _data_rows(name: str) -> list[dict[str, str]]:
    """Rows of a package data TSV (comment lines start with '#')."""
    text = resources.files("rarepath.design.crispr").joinpath("data", name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, ln.split("\t"), strict=True)) for ln in lines[1:]]


# --------------------------------------------------------------------------------------------- Rule Set 1


@dataclass(frozen=True)
class RuleSet1Model:
    """Rule Set 1 as arrays: one-hot positional weights (mono- and dinucleotide) plus the GC terms."""

    intercept: float
    gc_low: float
    gc_high: float
    mono: np.ndarray  # (30, 4): weight of base b at position p
    di: np.ndarray  # (29, 16): weight of dinucleotide (b1, b2) starting at position p


@cache
def rule_set_1_model() -> RuleSet1Model:
    """Load the published Rule Set 1 weights into dense arrays (features not in the table weigh 0)."""
    mono = np.zeros((30, 4))
    di = np.zeros((29, 16))
    consts: dict[str, float] = {}
    for row in _data_rows("rule_set_1_weights.tsv"):
        pos, nt, w = row["position"], row["nt"], float(row["weight"])
        if not pos.isdigit():
            consts[pos] = w
            continue
        p = int(pos)
        if len(nt) == 1:
            mono[p, _BASES.index(nt)] += w
        else:
            di[p, 4 * _BASES.index(nt[0]) + _BASES.index(nt[1])] += w
    return RuleSet1Model(consts["intercept"], consts["gc_low"], consts["gc_high"], mono, di)


def encode_bases(seqs: Sequence[str], length: int) -> np.ndarray:
    """Integer matrix (n, length) with A,C,G,T = 0..3; raises ValueError on other letters or lengths."""
    lut = np.full(256, 255, dtype=np.uint8)
    for i, b in enumerate(_BASES):
        lut[ord(b)] = i
        lut[ord(b.lower())] = i
    out = np.empty((len(seqs), length), dtype=np.uint8)
    for i, s in enumerate(seqs):
        if len(s) != length:
            raise ValueError(f"sequence {s!r} has length {len(s)}, expected {length}")
        out[i] = lut[np.frombuffer(s.encode("ascii"), dtype=np.uint8)]
    if (out == 255).any():
        bad = next(s for s, row in zip(seqs, out, strict=True) if (row == 255).any())
        raise ValueError(f"sequence {bad!r} contains a base other than A, C, G, T")
    return out


def rule_set_1(seqs30: Sequence[str] | str) -> np.ndarray | float:
    """Rule Set 1 on-target score(s) in 0..1 for 30-mers (vectorised over a list)."""
    single = isinstance(seqs30, str)
    codes = encode_bases([seqs30] if single else list(seqs30), 30)
    m = rule_set_1_model()
    pos = np.arange(30)
    total = m.mono[pos, codes].sum(axis=1)
    dcodes = codes[:, :-1].astype(np.int64) * 4 + codes[:, 1:]
    total += m.di[np.arange(29), dcodes].sum(axis=1)
    gc = np.isin(codes[:, 4:24], (1, 2)).sum(axis=1)
    total += np.where(gc <= 10, np.abs(10 - gc) * m.gc_low, np.abs(10 - gc) * m.gc_high)
    score = 1.0 / (1.0 + np.exp(-(m.intercept + total)))
    return float(score[0]) if single else score


# --------------------------------------------------------------------------------------------- CFD


@cache
def _cfd_tables() -> tuple[dict[tuple[int, str, str], float], dict[str, float]]:
    mm = {(int(r["position"]), r["rna_base"], r["dna_base"]): float(r["score"])
          for r in _data_rows("cfd_mismatch_scores.tsv")}
    pam = {r["pam_2nt"]: float(r["score"]) for r in _data_rows("cfd_pam_scores.tsv")}
    return mm, pam


def cfd_score(guide: str, offtarget: str) -> float:
    """CFD activity of a 20-nt SpCas9 guide at a 23-nt off-target site (protospacer + PAM, 5'->3').

    ``guide`` may be the 20-mer spacer or a 23-mer with its PAM (the PAM part is ignored). Off-target bases may
    be lower case. Mismatch key: RNA base of the guide (T as U) against the complement of the off-target base.
    """
    spacer = guide.upper()[:20]
    site = offtarget.upper()
    if len(spacer) != 20 or len(site) != 23:
        raise ValueError("CFD needs a 20-nt spacer and a 23-nt off-target (protospacer + PAM)")
    mm, pam = _cfd_tables()
    score = 1.0
    for i, (g, o) in enumerate(zip(spacer, site[:20], strict=True)):
        if g != o:
            score *= mm[(i + 1, g.replace("T", "U"), revcomp(o))]
    return score * pam.get(site[21:23], 0.0)


# --------------------------------------------------------------------------------------------- MIT


@cache
def mit_weights() -> np.ndarray:
    """M[0..19]: the Hsu 2013 mismatch weights of spacer positions 1..20."""
    rows = sorted(_data_rows("mit_position_weights.tsv"), key=lambda r: int(r["position"]))
    return np.array([float(r["weight"]) for r in rows])


def mit_hit_score_from_positions(mismatch_positions: Iterable[int]) -> float:
    """MIT hit score (0-100) from 1-based mismatch positions (1 = PAM-distal) of a 20-nt protospacer."""
    pos = sorted(int(p) for p in mismatch_positions)
    if not pos:
        return 100.0
    m = mit_weights()
    score = float(np.prod(1.0 - m[np.array(pos) - 1]))
    n = len(pos)
    if n > 1:
        mean_dist = (pos[-1] - pos[0]) / (n - 1)
        score *= 1.0 / (((19.0 - mean_dist) / 19.0) * 4.0 + 1.0)
    return 100.0 * score / (n * n)


def mismatch_positions(spacer: str, protospacer: str) -> list[int]:
    """1-based positions (counted on the last 20 nt, 1 = PAM-distal) where the two 20-mers differ."""
    s, p = spacer.upper()[-20:], protospacer.upper()[-20:]
    return [i + 1 for i, (a, b) in enumerate(zip(s, p, strict=True)) if a != b]


def mit_hit_score(spacer: str, protospacer: str) -> float:
    """MIT hit score of one off-target protospacer (20 nt, PAM excluded) for a 20-nt spacer."""
    return mit_hit_score_from_positions(mismatch_positions(spacer, protospacer))


def mit_specificity(offtarget_hit_scores: Iterable[float]) -> float:
    """MIT guide specificity 0-100 (CRISPOR convention) from the hit scores of all off-targets (not the target)."""
    total = float(sum(offtarget_hit_scores))
    return 100.0 * 100.0 / (100.0 + total)


def cfd_specificity(offtarget_cfd_scores: Iterable[float]) -> float:
    """Aggregate CFD specificity 0-100 = 100 / (1 + sum of off-target CFD scores); 100 = no off-target."""
    return 100.0 / (1.0 + float(sum(offtarget_cfd_scores)))
