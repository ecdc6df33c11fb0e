"""Exhaustive off-target search through a two-block seed index.

For one spacer length and PAM set ("site spec") every genome window whose PAM is allowed and whose bases
are all A/C/G/T is a site. Sites of each strand are stored twice, sorted by two disjoint key blocks
(A and B, `kk` bases each, in the middle of the protospacer). A site with at most k mismatches has at most
k // 2 in one of the blocks (pigeonhole), so probing every key within k // 2 of the guide's key in both tables
finds it; no heuristic prunes anything. Memory per site: table A keeps the start (4 or 8 bytes) and the code
minus key A (4 bytes for spacers up to 16 + kk nt); table B keeps only the code minus key B (4 bytes), and
sites found through B are mapped back to table A rows by their full code. The compact layout
(`GenomeIndex.compact`) keeps the same two tables with their row fields bit-packed (start: bits of the genome
length; rest: 2 bits per base outside the key), ~9 bytes per site for a human genome, probed the same way.

One-bulge search (`search_guides(..., bulge=1)`) reuses this machinery unchanged: every spacer's bulge variants
(one base deleted: RNA bulge, L - 1 nt; one base inserted, 4 bases x L - 1 positions: DNA bulge, L + 1 nt) are
searched as plain spacers, mapped back to the spacer's alignment and de-duplicated per genomic site. Without a
second index: the spacer-length (L) tables serve them too (a DNA variant less its PAM-distal base, that genome
base then checked; an RNA variant with each of 4 bases added at its PAM-distal end; RNA-bulged sites at a
chromosome end or next to N compared directly), so a bulge search holds no more memory than a plain one. When
L - 1 and L + 1 nt tables are already held (`rarepath index --bulges`), the variants are searched in them
directly (fewer searches). Exhaustive either way: identical to the brute-force reference.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from rarepath.errors import InputError

from . import _kernels as K
from .genome import GenomeIndex, encode
from .tables import (
    IUPAC,
    MAX_SITE_LEN,
    SiteSpec,
    _pam_set,
    make_spec,
    revcomp,
    site_tables,
)


@functools.lru_cache(maxsize=64)
def _deltas(kk: int, t: int) -> tuple[np.ndarray, np.ndarray]:
    """XOR masks turning a kk-base key into every key within t mismatches, with their mismatch counts."""
    t = min(t, kk)
    masks, mms = [], []
    for m in range(t + 1):
        for where in itertools.combinations(range(kk), m):
            for vals in itertools.product((1, 2, 3), repeat=m):
                x = 0
                for p, v in zip(where, vals, strict=True):
                    x |= v << (2 * p)
                masks.append(x)
                mms.append(m)
    return np.array(masks, dtype=np.uint64), np.array(mms, dtype=np.int64)


# ---------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class OffTargetHit:
    """One genome site within the mismatch limit of a query.

    Coordinates are 0-based, half-open, on the + strand of `chrom`: `start` is the leftmost base of the whole
    site (protospacer and PAM), `end` is one past its rightmost base. `site` is the site read 5'->3' on the hit
    strand (for a '-' hit, the reverse complement of chrom[start:end]); with a 3' PAM it is protospacer + PAM,
    comparable to spacer + PAM; with a 5' PAM (Cas12a) it is PAM + protospacer. `mismatch_positions` are
    0-based indices into the spacer (0 = its 5' end, PAM-distal for a 3' PAM). `pam` is the site's PAM
    ('' for a sequence search). `bulge` is '' (none), 'DNA' (an extra genome base; `bulge_position` = index of
    that base in the protospacer) or 'RNA' (a spacer base with no genome partner, at `bulge_position`); the
    exact rules (allowed positions, de-duplication) are in `search_guides`.
    """

    query_index: int
    chrom: str
    start: int
    end: int
    strand: str
    site: str
    mismatches: int
    pam: str
    mismatch_positions: tuple[int, ...]
    bulge: str = ""
    bulge_position: int = -1


def _clean_queries(queries: Sequence[str], what: str) -> list[str]:
    if isinstance(queries, str):
        queries = [queries]
    out = []
    for i, q in enumerate(queries):
        s = q.strip().upper().replace("U", "T")
        if not s:
            raise InputError(f"{what} {i + 1} is empty", field=what)
        bad = sorted(set(s) - set("ACGT"))
        if bad:
            raise InputError(f"{what} {i + 1} ({q!r}) has invalid bases {''.join(bad)}; only A, C, G, T allowed",
                             field=what)
        out.append(s)
    return out


def _workers(workers: int | None) -> int:
    return max(1, workers if workers else (os.cpu_count() or 1))


def _search_spec(idx: GenomeIndex, spec: SiteSpec, queries: list[str], qids: list[int], max_mm: int,
                 workers: int | None) -> list[tuple[int, int, int, int]]:
    """(query id, strand 0/1, concatenated start, mismatches) of every site of spec within max_mm."""
    tables = site_tables(idx, spec)
    L = spec.spacer_len
    gcodes = np.array([int("".join(str(c) for c in encode(q)), 4) for q in queries], dtype=np.uint64)
    q_arr = np.array(qids, dtype=np.int64)
    t = max_mm // 2
    deltas, dmm = _deltas(tables.kk, t)
    use_b = max_mm > t and t < tables.kk
    kbits = 2 * tables.kk
    full_a_mask = ((1 << kbits) - 1) << tables.sk_a
    # block A bits as they sit in a code with block B taken out (A lies above B, so it shifts down by kbits)
    mask_a_in_b = np.uint64(full_a_mask >> kbits) if tables.sk_a > tables.sk_b else np.uint64(full_a_mask)
    assert L == tables.spec.spacer_len
    nw = _workers(workers)
    chunks = [slice(i, i + max(1, -(-len(queries) // (4 * nw)))) for i in
              range(0, len(queries), max(1, -(-len(queries) // (4 * nw))))]
    jobs = [(c, s) for c in chunks for s in (0, 1)]

    def run(job):
        c, s = job
        st = tables.strands[s]
        rbits = tables.rest_bits if tables.compact else -1
        qq, jj, mm = K.search_strand(gcodes[c], q_arr[c], max_mm, t, deltas, dmm, st.off_a, st.rest_a,
                                     st.off_b, st.rest_b, rbits, tables.kk, tables.sk_a, tables.sk_b,
                                     mask_a_in_b, use_b)
        if tables.compact:
            return s, qq, K.unpack_rows(st.pos_a, jj, tables.pos_bits), mm
        return s, qq, np.asarray(st.pos_a[jj], dtype=np.int64), mm

    if nw == 1:
        results = [run(j) for j in jobs]
    else:
        with ThreadPoolExecutor(nw) as pool:
            results = list(pool.map(run, jobs))
    out = []
    for s, qq, pp, mm in results:
        out.extend(zip(qq.tolist(), [s] * len(qq), pp.tolist(), mm.tolist(), strict=True))
    return out


def _sites_to_hits(idx: GenomeIndex, spec: SiteSpec, raw, queries_by_id: dict[int, str],
                   allowed_pams: set[str] | None) -> list[OffTargetHit]:
    if not raw:
        return []
    raw = np.array(raw, dtype=np.int64)
    w, L, p = spec.width, spec.spacer_len, spec.pam_len
    starts = raw[:, 2]
    idxs = starts[:, None] + np.arange(w)[None, :]
    byte = np.asarray(idx.packed)[idxs >> 2]
    codes = (byte >> (6 - 2 * (idxs & 3)).astype(np.uint8)) & 3
    minus = raw[:, 1] == 1
    codes[minus] = 3 - codes[minus, ::-1]
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[codes]
    chrom_i = np.searchsorted(idx.offsets, starts, side="right") - 1
    proto_off = p if spec.pam_side == "5prime" else 0
    hits = []
    for r in range(len(raw)):
        q, s, st, mm = (int(x) for x in raw[r])
        site = letters[r].tobytes().decode("ascii")
        pam = site[:p] if spec.pam_side == "5prime" else site[L:]
        if allowed_pams is not None and pam not in allowed_pams:
            continue
        proto = site[proto_off : proto_off + L]
        query = queries_by_id[q]
        mpos = tuple(i for i in range(L) if proto[i] != query[i])
        ci = int(chrom_i[r])
        start = st - int(idx.offsets[ci])
        hits.append(OffTargetHit(q, idx.names[ci], start, start + w, "+-"[s], site, len(mpos), pam, mpos))
        assert len(mpos) == mm
    return hits


def _sort_hits(hits: list[OffTargetHit], idx: GenomeIndex) -> list[OffTargetHit]:
    order = {n: i for i, n in enumerate(idx.names)}
    return sorted(hits, key=lambda h: (h.query_index, order[h.chrom], h.start, h.strand, h.end, h.bulge,
                                       h.bulge_position))


def search_guides(idx: GenomeIndex, spacers: Sequence[str], pams: tuple[str, ...] = ("NGG", "NAG", "NGA"),
                  max_mismatches: int = 4, pam_side: str = "3prime", bulge: int = 0,
                  workers: int | None = None, bulge_ends: str = "interior") -> list[OffTargetHit]:
    """Every site, both strands, whose protospacer has <= max_mismatches to a spacer and whose PAM matches.

    `pams` are IUPAC patterns read 5'->3' on the site strand (NGG, NNGRRT, NRN, TTTV ...); `pam_side` is
    '3prime' (Cas9: protospacer then PAM) or '5prime' (Cas12a: PAM then protospacer). Sites overlapping any
    non-ACGT genome base are never reported. Hits are sorted by query, chromosome (genome order), start,
    strand, end, bulge, bulge position. Coordinates: 0-based half-open, see `OffTargetHit`.

    `bulge=1` also reports sites with one bulge (Cas-OFFinder's DNA/RNA bulge model), for a spacer of length L:

    - DNA bulge: the genomic protospacer has L + 1 bases, one of which (the extra base, at protospacer index
      j) has no spacer partner; the other L pair with the spacer in order. `bulge_position` = j, i.e. the
      extra base sits between spacer bases j - 1 and j; allowed j = 1 .. L - 1 (``bulge_ends="interior"``).
    - RNA bulge: the genomic protospacer has L - 1 bases; spacer base i has no genome partner and the others
      pair in order. `bulge_position` = i (0 = spacer 5' end); allowed i = 1 .. L - 2 (``"interior"``).

    `bulge_ends` chooses which bulges at a spacer end count (see `bulge_positions`): ``"interior"`` (default)
    never puts a bulge at either end of the spacer, because an end "bulge" is a shifted or truncated site
    rather than an unpaired base inside the heteroduplex, and counting it inflates a guide's bulged-site
    count with alignments that the mismatch search already scores; ``"casoffinder"`` follows Cas-OFFinder 3
    exactly (a DNA bulge also between the spacer and the PAM; an RNA bulge also at spacer base 0), so that its
    site set is reproduced. Mismatches are counted over the paired bases only and
    must be <= max_mismatches; the bulge itself is counted separately (`bulge`, not `mismatches`), so
    `bulge=1, max_mismatches=4` means up to 4 mismatches plus one bulge. `mismatch_positions` are spacer
    indices. A genomic site (query, chrom, start, end, strand) is reported once: among its alignments the one
    with the fewest mismatches, then the lowest bulge position (so a bulge inside a homopolymer run is
    reported at the run's first base). Site length (end - start) tells the kind: spacer + PAM (no bulge),
    +1 (DNA), -1 (RNA); unbulged hits are reported as with `bulge=0`, bit-identically.
    """
    clean = _clean_queries(spacers, "spacer")
    if max_mismatches < 0:
        raise InputError("max_mismatches must be >= 0", field="max_mismatches")
    if bulge not in (0, 1):
        raise InputError(f"bulge must be 0 or 1 (at most one DNA or RNA bulge), not {bulge!r}", field="bulge")
    check_bulge_ends(bulge_ends)
    pam_list = [pams] if isinstance(pams, str) else list(pams)
    if not pam_list:
        raise InputError("at least one PAM is needed (use search_sequences for a PAM-less search)", field="pam")
    by_len: dict[int, list[str]] = {}
    for p in pam_list:
        by_len.setdefault(len(p.strip()), []).append(p)
    hits: list[OffTargetHit] = []
    for group in by_len.values():
        hits.extend(_search_group(idx, clean, group, max_mismatches, pam_side, workers))
        if bulge:
            hits.extend(_search_bulged(idx, clean, group, max_mismatches, pam_side, workers, bulge_ends))
    return _sort_hits(hits, idx)


@dataclass(frozen=True)
class BulgeVariant:
    """A spacer with one base deleted (RNA bulge) or one base inserted (DNA bulge): a plain query whose
    mismatch hits are exactly the bulged sites (the inserted base's own mismatch is subtracted afterwards)."""

    query_index: int
    kind: str  # 'DNA' or 'RNA'
    position: int  # bulge_position, see search_guides
    seq: str


BULGE_ENDS = ("interior", "casoffinder")


def check_bulge_ends(bulge_ends: str) -> None:
    if bulge_ends not in BULGE_ENDS:
        raise InputError(f"bulge_ends must be one of {', '.join(BULGE_ENDS)}, not {bulge_ends!r}",
                         field="bulge_ends")


def bulge_positions(L: int, kind: str, pam_side: str = "3prime", bulge_ends: str = "interior") -> range:
    """Allowed `bulge_position` values of a one-bulge site of an L-nt spacer (see `search_guides`).

    ``"interior"``: DNA 1 .. L - 1, RNA 1 .. L - 2 (no bulge at either spacer end). ``"casoffinder"``, as
    Cas-OFFinder 3 enumerates them (`parseInput` of its 3.0.0 beta, PAM given as N in the query line): a DNA
    bulge may also sit between the spacer and the PAM (j = L for a 3' PAM, j = 0 for a 5' PAM) but not at the
    PAM-distal end (there it is the unbulged site); an RNA bulge may be at spacer base 0 but not at L - 1,
    whichever side the PAM is on.
    """
    check_bulge_ends(bulge_ends)
    if bulge_ends == "interior":
        return range(1, L) if kind == "DNA" else range(1, L - 1)
    if kind == "DNA":
        return range(1, L + 1) if pam_side == "3prime" else range(0, L)
    return range(0, L - 1)


def bulge_variants(spacer: str, query_index: int = 0, pam_side: str = "3prime",
                   bulge_ends: str = "interior") -> list[BulgeVariant]:
    """Every one-bulge variant of a spacer, each distinct sequence once (at its lowest bulge position).

    A DNA-bulge site with extra base X at protospacer index j matches the spacer with X inserted at j with
    exactly its paired mismatches, so the 4 insertions x allowed positions cover every DNA bulge; the
    deletions at the allowed positions cover every RNA bulge (`bulge_positions`). Equal sequences (insertions
    or deletions inside a homopolymer run) are the same alignment, so the lowest position is kept, as
    `search_guides` reports it.
    """
    L = len(spacer)
    seen: set[str] = set()
    out: list[BulgeVariant] = []
    for j in bulge_positions(L, "DNA", pam_side, bulge_ends):
        for x in "ACGT":
            v = spacer[:j] + x + spacer[j:]
            if v not in seen:
                seen.add(v)
                out.append(BulgeVariant(query_index, "DNA", j, v))
    for i in bulge_positions(L, "RNA", pam_side, bulge_ends):
        v = spacer[:i] + spacer[i + 1 :]
        if v not in seen:
            seen.add(v)
            out.append(BulgeVariant(query_index, "RNA", i, v))
    return out


def _bulge_alignment(spacer: str, proto: str, kind: str, pos: int) -> tuple[int, ...]:
    """Mismatching spacer indices of a bulged alignment (the unpaired base excluded)."""
    if kind == "DNA":  # proto has the extra base at index pos
        pairs = [(k if k < pos else k - 1, k) for k in range(len(proto)) if k != pos]
    else:  # spacer base pos is unpaired
        pairs = [(si, si if si < pos else si - 1) for si in range(len(spacer)) if si != pos]
    return tuple(si for si, k in pairs if spacer[si] != proto[k])


def _search_bulged(idx: GenomeIndex, clean: list[str], pams: Sequence[str], max_mm: int, pam_side: str,
                   workers: int | None, bulge_ends: str = "interior") -> list[OffTargetHit]:
    """One-bulge sites of every spacer: search all bulge variants as plain spacers, map back, de-duplicate."""
    plen = len(pams[0].strip())
    for i, q in enumerate(clean):
        if len(q) + 1 + plen > MAX_SITE_LEN:
            raise InputError(f"spacer {i + 1}: a DNA-bulged site ({len(q) + 1} nt + {plen} nt PAM) is longer "
                             f"than the {MAX_SITE_LEN} nt supported", field="spacer")
    variants = [v for gi, q in enumerate(clean) for v in bulge_variants(q, gi, pam_side, bulge_ends)]
    if not variants:
        return []
    lengths = {len(q) for q in clean}
    held = all(_has_tables(idx, make_spec(L + d, pams, pam_side)) for L in lengths for d in (-1, 1))
    if held:  # L - 1 and L + 1 nt tables already in memory or in a `rarepath index --bulges` folder
        raw = _search_group(idx, [v.seq for v in variants], pams, max_mm, pam_side, workers,
                            qids=list(range(len(variants))))
    else:  # no second index: the spacer-length tables serve the bulge pass too
        raw = _search_bulged_shared(idx, clean, variants, pams, max_mm, pam_side, workers)
    best: dict[tuple, OffTargetHit] = {}
    for h in raw:
        v = variants[h.query_index]
        spacer = clean[v.query_index]
        proto = h.site[plen:] if pam_side == "5prime" else h.site[: len(h.site) - plen]
        mpos = _bulge_alignment(spacer, proto, v.kind, v.position)
        if len(mpos) > max_mm:
            continue
        key = (v.query_index, h.chrom, h.start, h.end, h.strand)
        old = best.get(key)
        if old is None or (len(mpos), v.position) < (old.mismatches, old.bulge_position):
            best[key] = OffTargetHit(v.query_index, h.chrom, h.start, h.end, h.strand, h.site, len(mpos), h.pam,
                                     mpos, v.kind, v.position)
    return list(best.values())


def _has_tables(idx: GenomeIndex, spec: SiteSpec) -> bool:
    """Whether site tables for spec (or a superset, as `site_tables` would use) are already held or loaded."""
    if spec in idx.tables:
        return True
    return any((s.spacer_len, s.pam_side, s.pam_len) == (spec.spacer_len, spec.pam_side, spec.pam_len)
               and _pam_set(s) >= _pam_set(spec) for s in idx.tables)


def _bulge_site(idx: GenomeIndex, h: OffTargetHit, kind: str, pam_side: str) -> tuple[int, int, str] | None:
    """(start, end, site) of the bulged site that an L-nt site hit `h` stands for: one genome base more at the
    PAM-distal end (DNA bulge; None where that base is missing or not A/C/G/T) or one less (RNA bulge)."""
    distal_left = (h.strand == "+") == (pam_side == "3prime")  # PAM-distal end on the + strand's left
    if kind == "RNA":
        site = h.site[1:] if pam_side == "3prime" else h.site[:-1]
        return (h.start + 1, h.end, site) if distal_left else (h.start, h.end - 1, site)
    ci = idx.chrom_index(h.chrom)
    pos = h.start - 1 if distal_left else h.end
    if pos < 0 or pos >= int(idx.lengths[ci]):
        return None
    base = idx.fetch(h.chrom, pos, pos + 1)
    if base not in ("A", "C", "G", "T"):
        return None
    if h.strand == "-":
        base = revcomp(base)
    site = base + h.site if pam_side == "3prime" else h.site + base
    return (pos, h.end, site) if distal_left else (h.start, pos + 1, site)


def _edge_windows(idx: GenomeIndex, w: int, pam_side: str) -> list[tuple[str, int, str]]:
    """(chrom, start, strand) of every all-ACGT w-nt window, per strand, whose base beyond its PAM-distal end is
    missing or not A/C/G/T: the RNA-bulged sites that no (w + 1)-nt site extends."""
    out = []
    for ci, chrom in enumerate(idx.names):
        off, n = int(idx.offsets[ci]), int(idx.lengths[ci])
        lo = np.searchsorted(idx.n_ends, off, side="right")
        hi = np.searchsorted(idx.n_starts, off + n, side="left")
        runs = [(max(int(s), off) - off, min(int(e), off + n) - off) for s, e in
                zip(idx.n_starts[lo:hi], idx.n_ends[lo:hi], strict=True)]
        right_of = [0] + [e for _, e in runs]  # windows starting here have nothing valid on their left
        left_of = [s for s, _ in runs] + [n]  # windows ending here have nothing valid on their right
        for strand in "+-":
            distal_left = (strand == "+") == (pam_side == "3prime")
            starts = right_of if distal_left else [e - w for e in left_of]
            for st in starts:
                if 0 <= st and st + w <= n:
                    out.append((chrom, st, strand))
    return sorted(set(out))


def _search_bulged_shared(idx: GenomeIndex, clean: list[str], variants: list[BulgeVariant], pams: Sequence[str],
                          max_mm: int, pam_side: str, workers: int | None) -> list[OffTargetHit]:
    """Bulge variants searched against the spacer-length tables themselves (no second index): a DNA variant
    (L + 1 nt) without its PAM-distal base, then that genome base checked; an RNA variant (L - 1 nt) with each
    of the 4 bases added at its PAM-distal end. RNA-bulged sites with no valid base beyond their distal end
    (chromosome ends, next to N) are compared directly. Returns (variant, hit) candidates as `OffTargetHit`s
    whose query_index is the variant's index; the caller keeps the best alignment per site."""
    queries: list[str] = []
    owner: list[int] = []
    for vi, v in enumerate(variants):
        if v.kind == "DNA":
            queries.append(v.seq[1:] if pam_side == "3prime" else v.seq[:-1])
            owner.append(vi)
        else:
            for x in "ACGT":
                queries.append(x + v.seq if pam_side == "3prime" else v.seq + x)
                owner.append(vi)
    plen = len(pams[0].strip())
    out: list[OffTargetHit] = []
    for h in _search_group(idx, queries, pams, max_mm, pam_side, workers, qids=list(range(len(queries)))):
        vi = owner[h.query_index]
        got = _bulge_site(idx, h, variants[vi].kind, pam_side)
        if got is not None:
            start, end, site = got
            pam = site[:plen] if pam_side == "5prime" else site[len(site) - plen:]
            out.append(OffTargetHit(vi, h.chrom, start, end, h.strand, site, 0, pam, ()))
    # RNA-bulged sites at an edge: few windows, compared directly
    rna = [vi for vi, v in enumerate(variants) if v.kind == "RNA"]
    allowed = set()
    for p in pams:
        allowed |= {"".join(c) for c in itertools.product(*(IUPAC[x] for x in p.strip().upper()))}
    by_len: dict[int, list[int]] = {}
    for vi in rna:
        by_len.setdefault(len(variants[vi].seq), []).append(vi)
    for Lv, vis in by_len.items():
        w = Lv + plen
        for chrom, st, strand in _edge_windows(idx, w, pam_side):
            seq = idx.fetch(chrom, st, st + w)
            site = revcomp(seq) if strand == "-" else seq
            if "N" in site:
                continue
            pam = site[:plen] if pam_side == "5prime" else site[Lv:]
            if pam not in allowed:
                continue
            proto = site[plen:] if pam_side == "5prime" else site[:Lv]
            for vi in vis:
                if sum(a != b for a, b in zip(proto, variants[vi].seq, strict=True)) <= max_mm:
                    out.append(OffTargetHit(vi, chrom, st, st + w, strand, site, 0, pam, ()))
    return out


def _search_group(idx: GenomeIndex, clean: list[str], pams: Sequence[str], max_mm: int, pam_side: str,
                  workers: int | None, qids: list[int] | None = None) -> list[OffTargetHit]:
    qids = list(range(len(clean))) if qids is None else qids
    hits: list[OffTargetHit] = []
    lengths = sorted({len(q) for q in clean})
    for L in lengths:
        spec = make_spec(L, pams, pam_side)
        sel = [(q, i) for q, i in zip(clean, qids, strict=True) if len(q) == L]
        tables = site_tables(idx, spec)
        allowed = None if tables.spec == spec else _pam_set(spec)
        raw = _search_spec(idx, tables.spec, [q for q, _ in sel], [i for _, i in sel], max_mm, workers)
        hits.extend(_sites_to_hits(idx, tables.spec, raw, dict((i, q) for q, i in sel), allowed))
    return hits


def search_sequences(idx: GenomeIndex, queries: Sequence[str], max_mismatches: int = 2,
                     workers: int | None = None) -> list[OffTargetHit]:
    """Every genome window, both strands, within max_mismatches of a query (no PAM; antisense oligos).

    A '+' hit means chrom[start:end] reads like the query; a '-' hit means its reverse complement does.
    `site` is the genome window read on the hit strand; `pam` is ''. Coordinates: 0-based half-open.
    """
    clean = _clean_queries(queries, "query")
    if max_mismatches < 0:
        raise InputError("max_mismatches must be >= 0", field="max_mismatches")
    hits: list[OffTargetHit] = []
    for L in sorted({len(q) for q in clean}):
        if L > MAX_SITE_LEN:
            raise InputError(f"queries longer than {MAX_SITE_LEN} nt are not supported", field="query")
        sel = [(q, i) for i, q in enumerate(clean) if len(q) == L]
        spec = SiteSpec(L, (), "3prime")
        raw = _search_spec(idx, spec, [q for q, _ in sel], [i for _, i in sel], max_mismatches, workers)
        hits.extend(_sites_to_hits(idx, spec, raw, dict((i, q) for q, i in sel), None))
    return _sort_hits(hits, idx)
