"""Brute-force reference search: every window of every chromosome, both strands, compared base by base.

Deliberately simple (NumPy sliding windows, no index) so that the seed-index engine can be checked
against it. Same conventions as `search_guides` / `search_sequences` (0-based half-open + strand coordinates).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from .genome import GenomeIndex, encode
from .search import OffTargetHit, bulge_positions
from .tables import IUPAC, revcomp


def _pam_ok(window_letters: str, pams: Sequence[str]) -> bool:
    return any(all(b in IUPAC[c] for b, c in zip(window_letters, pat, strict=True)) for pat in pams)


def _strand_codes(idx: GenomeIndex, ci: int) -> tuple[str, tuple[tuple[str, np.ndarray], ...]]:
    """A chromosome's letters and its 2-bit codes read 5'->3' on each strand (N and other letters = 4)."""
    codes = idx.chrom_codes(ci)
    rc_codes = np.where(codes < 4, 3 - codes, 4).astype(np.uint8)[::-1]
    return idx.sequence(idx.names[ci]), (("+", codes), ("-", rc_codes))


def _read_site(seq: str, p: int, w: int, strand: str, proto_len: int, plen: int, pam_side: str,
               pams: Sequence[str]) -> tuple[int, str, str] | None:
    """(start, site, pam) of window `p` of a strand (site read 5'->3' on that strand); None if the PAM fails."""
    start = p if strand == "+" else len(seq) - p - w
    site = seq[start : start + w]
    if strand == "-":
        site = revcomp(site)
    pam = site[:plen] if pam_side == "5prime" else site[proto_len:]
    if plen and not _pam_ok(pam, pams):
        return None
    return start, site, pam


def bruteforce_search(idx: GenomeIndex, queries: Sequence[str], pams: Sequence[str] = (),
                      max_mismatches: int = 4, pam_side: str = "3prime", bulge: int = 0,
                      bulge_ends: str = "interior") -> list[OffTargetHit]:
    """All sites within max_mismatches of each query (PAM-less when `pams` is empty), both strands.

    With `bulge=1` (PAM searches), also every one-bulge site under the rules of `search_guides` (bulge
    positions per `bulge_ends`)."""
    queries = [q.upper() for q in queries]
    pams = [p.upper() for p in pams]
    plen = len(pams[0]) if pams else 0
    hits: list[OffTargetHit] = []
    for ci, chrom in enumerate(idx.names):
        seq, strands = _strand_codes(idx, ci)
        for qi, q in enumerate(queries):
            L = len(q)
            w = L + plen
            if len(seq) < w:
                continue
            g = encode(q)
            proto_off = plen if pam_side == "5prime" else 0
            for strand, arr in strands:
                win = np.lib.stride_tricks.sliding_window_view(arr, w)
                proto = win[:, proto_off : proto_off + L]
                mm = (proto != g[None, :]).sum(axis=1)
                has_n = (win >= 4).any(axis=1)
                for p in np.flatnonzero((mm <= max_mismatches) & ~has_n):
                    read = _read_site(seq, int(p), w, strand, L, plen, pam_side, pams)
                    if read is None:
                        continue
                    start, site, pam = read
                    pr = site[proto_off : proto_off + L]
                    mpos = tuple(i for i in range(L) if pr[i] != q[i])
                    hits.append(OffTargetHit(qi, chrom, start, start + w, strand, site, len(mpos), pam, mpos))
    if bulge:
        hits.extend(_bulged_sites(idx, queries, pams, max_mismatches, pam_side, bulge_ends))
    order = {n: i for i, n in enumerate(idx.names)}
    return sorted(hits, key=lambda h: (h.query_index, order[h.chrom], h.start, h.strand, h.end, h.bulge,
                                       h.bulge_position))


def _paired(L: int, kind: str, pos: int) -> list[tuple[int, int]]:
    """(spacer index, protospacer index) of every paired base of a bulged alignment."""
    if kind == "DNA":  # protospacer has L + 1 bases; protospacer base `pos` is the extra one
        return [(k if k < pos else k - 1, k) for k in range(L + 1) if k != pos]
    return [(i, i if i < pos else i - 1) for i in range(L) if i != pos]  # spacer base `pos` unpaired


def _bulged_sites(idx: GenomeIndex, queries: list[str], pams: list[str], max_mm: int,
                  pam_side: str, bulge_ends: str = "interior") -> list[OffTargetHit]:
    """Every window of length L + 1 (DNA bulge) or L - 1 (RNA bulge) plus PAM, every allowed bulge position
    tried; per window the alignment with the fewest mismatches, then the lowest position, is kept."""
    plen = len(pams[0]) if pams else 0
    hits: list[OffTargetHit] = []
    for ci, chrom in enumerate(idx.names):
        seq, strands = _strand_codes(idx, ci)
        for qi, q in enumerate(queries):
            L = len(q)
            g = encode(q)
            for kind, plen_proto in (("DNA", L + 1), ("RNA", L - 1)):
                positions = bulge_positions(L, kind, pam_side, bulge_ends)
                w = plen_proto + plen
                if len(seq) < w or len(positions) == 0:
                    continue
                proto_off = plen if pam_side == "5prime" else 0
                for strand, arr in strands:
                    win = np.lib.stride_tricks.sliding_window_view(arr, w)
                    best_mm = np.full(len(win), L + 1)
                    best_pos = np.full(len(win), -1)
                    for pos in positions:
                        s_idx, p_idx = zip(*_paired(L, kind, pos), strict=True)
                        mm = (win[:, proto_off + np.array(p_idx)] != g[np.array(s_idx)][None, :]).sum(axis=1)
                        better = mm < best_mm  # strict: the lowest position wins ties
                        best_mm[better] = mm[better]
                        best_pos[better] = pos
                    has_n = (win >= 4).any(axis=1)
                    for p in np.flatnonzero((best_mm <= max_mm) & ~has_n):
                        p = int(p)
                        read = _read_site(seq, p, w, strand, plen_proto, plen, pam_side, pams)
                        if read is None:
                            continue
                        start, site, pam = read
                        proto = site[proto_off : proto_off + plen_proto]
                        pos = int(best_pos[p])
                        mpos = tuple(i for i, k in _paired(L, kind, pos) if q[i] != proto[k])
                        assert len(mpos) == best_mm[p]
                        hits.append(OffTargetHit(qi, chrom, start, start + w, strand, site, len(mpos), pam, mpos,
                                                 kind, pos))
    return hits


def expand_pams(pams: Sequence[str]) -> set[str]:
    """Every concrete PAM an IUPAC pattern list allows (for tests)."""
    return {"".join(c) for p in pams for c in itertools.product(*(IUPAC[x] for x in p.upper()))}
