"""Exonic splicing regulatory elements (SREs) under an oligo's target site, from published motif sets.

A steric-block oligo that skips an exon works by hiding what the spliceosome needs to define that exon:
enhancers (ESEs) bound by SR proteins, the splice sites themselves. Published ASO guidelines and eSkip-Finder
score target sites by the enhancers and silencers they cover. The motif sets are shipped as data with their
sources (data/splicing_kmers.tsv, data/esefinder_matrices.tsv):

* PESE / PESS octamers, Zhang & Chasin 2004 (Genes Dev 18:1241);
* FAS-ESS hexamers (FAS-hex3), Wang et al. 2004 (Cell 119:831);
* ESEfinder 3.0 SR-protein matrices (SF2/ASF, SC35, SRp40, SRp55) with their published thresholds,
  Cartegni et al. 2003 (Nucleic Acids Res 31:3568), Smith et al. 2006 (Hum Mol Genet 15:2490).

RESCUE-ESE (Fairbrother et al. 2002) is not shipped: no copy of the published hexamer list was available to
this project. All sequences are the sense RNA written as DNA; positions are 0-based on the scanned sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from rarepath.design.aso.tables import read_tsv

__all__ = ["KMER_SETS", "SRETrack", "esefinder_matrices", "splicing_kmers", "sre_track"]

KMER_SETS = ("PESE", "PESS", "FAS-ESS")
_CODE = {"A": 0, "C": 1, "G": 2, "T": 3}


@cache
def splicing_kmers() -> dict[str, frozenset[str]]:
    """Published enhancer/silencer k-mer sets by name (PESE, PESS, FAS-ESS)."""
    out: dict[str, set[str]] = {}
    for r in read_tsv("splicing_kmers.tsv"):
        if not r["source"]:
            raise ValueError(f"splicing_kmers.tsv: k-mer {r['kmer']} has no source")
        out.setdefault(r["set"], set()).add(r["kmer"].upper())
    return {k: frozenset(v) for k, v in out.items()}


@cache
def esefinder_matrices() -> dict[str, tuple[np.ndarray, float]]:
    """ESEfinder matrices as (positions x ACGT weights, threshold) by SR protein."""
    rows: dict[str, list[tuple[int, list[float], float]]] = {}
    for r in read_tsv("esefinder_matrices.tsv"):
        rows.setdefault(r["protein"], []).append(
            (int(r["position"]), [float(r[b]) for b in "ACGT"], float(r["threshold"])))
    out = {}
    for p, rs in rows.items():
        rs.sort()
        out[p] = (np.array([w for _, w, _ in rs]), rs[0][2])
    return out


@dataclass(frozen=True)
class SRETrack:
    """Per-position motif starts on one sense sequence, summed over any window in O(1) by prefix sums."""

    length: int
    kmer_starts: dict[str, np.ndarray]  # set -> cumulative count of motif starts (len+1)
    kmer_len: dict[str, int]
    esef_excess: dict[str, np.ndarray]  # protein -> cumulative sum of (score - threshold)+ over motif starts
    esef_len: dict[str, int]

    def kmer_fraction(self, name: str, start: int, end: int) -> float:
        """Share of the window's k-mers that belong to the set (0..1)."""
        k = self.kmer_len[name]
        last = end - k + 1  # motif must lie inside [start, end)
        if last <= start:
            return 0.0
        c = self.kmer_starts[name]
        return float(c[last] - c[start]) / (last - start)

    def esefinder(self, protein: str, start: int, end: int) -> float:
        """Sum over high-score motifs inside the window of (score - published threshold)."""
        k = self.esef_len[protein]
        last = end - k + 1
        if last <= start:
            return 0.0
        c = self.esef_excess[protein]
        return float(c[last] - c[start])

    def features(self, start: int, end: int) -> dict[str, float]:
        """All SRE features of window [start, end): PESE/PESS/FAS-ESS shares and ESEfinder excess per protein."""
        out = {f"{n.lower().replace('-', '_')}_frac": round(self.kmer_fraction(n, start, end), 4)
               for n in self.kmer_starts}
        esef = {p: self.esefinder(p, start, end) for p in self.esef_excess}
        out.update({f"esefinder_{p.split('/')[0].lower()}": round(v, 3) for p, v in esef.items()})
        out["esefinder_total"] = round(sum(esef.values()), 3)
        return out


def sre_track(sense: str) -> SRETrack:
    """Scan `sense` once for every shipped motif set."""
    seq = sense.upper()
    n = len(seq)
    starts, klen = {}, {}
    for name, kmers in splicing_kmers().items():
        k = len(next(iter(kmers)))
        hit = np.zeros(n + 1)
        for i in range(max(0, n - k + 1)):
            if seq[i:i + k] in kmers:
                hit[i + 1] = 1.0
        starts[name], klen[name] = np.cumsum(hit), k
    codes = np.array([_CODE.get(b, -1) for b in seq], dtype=int)
    excess, elen = {}, {}
    for p, (m, thr) in esefinder_matrices().items():
        k = len(m)
        gain = np.zeros(n + 1)
        for i in range(max(0, n - k + 1)):
            win = codes[i:i + k]
            if (win < 0).any():
                continue
            s = float(m[np.arange(k), win].sum())
            gain[i + 1] = max(0.0, s - thr)
        excess[p], elen[p] = np.cumsum(gain), k
    return SRETrack(n, starts, klen, excess, elen)
