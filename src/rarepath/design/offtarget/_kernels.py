"""Numba kernels of the seed-index search (compiled once, cached on disk, GIL released).

A site is coded in a uint64 with 2 bits per base, the 5' base in the highest bits (A=0 C=1 G=2 T=3).
Mismatches between two codes: XOR, fold each 2-bit field to one bit, count the bits.
"""

from __future__ import annotations

import numpy as np
from numba import njit

U1 = np.uint64(1)
U2 = np.uint64(2)
M55 = np.uint64(0x5555555555555555)
M33 = np.uint64(0x3333333333333333)
M0F = np.uint64(0x0F0F0F0F0F0F0F0F)
H01 = np.uint64(0x0101010101010101)
S56 = np.uint64(56)


@njit(cache=True, inline="always")
def mismatches(x):
    """Number of differing bases in the XOR `x` of two 2-bit codes."""
    y = (x | (x >> U1)) & M55
    y = (y & M33) + ((y >> U2) & M33)
    y = (y + (y >> np.uint64(4))) & M0F
    return np.int64((y * H01) >> S56)


@njit(cache=True, nogil=True)
def scan_sites(seq, width, spacer_len, pam_first, pam_ok, fill, codes_out, pos_out):
    """Windows of `width` ACGT bases whose PAM is allowed; returns their count.

    With `fill`, writes each window's protospacer code and start into codes_out/pos_out.
    The PAM sits at the 5' end of the window when `pam_first`, else at its 3' end; `pam_ok[pam code]`.
    """
    plen = width - spacer_len
    wmask = (U1 << np.uint64(2 * width)) - U1 if width < 32 else np.uint64(0xFFFFFFFFFFFFFFFF)
    lmask = (U1 << np.uint64(2 * spacer_len)) - U1 if spacer_len < 32 else np.uint64(0xFFFFFFFFFFFFFFFF)
    pmask = (U1 << np.uint64(2 * plen)) - U1
    sh_l = np.uint64(2 * spacer_len)
    sh_p = np.uint64(2 * plen)
    roll = np.uint64(0)
    run = 0
    n = 0
    for q in range(seq.shape[0]):
        c = seq[q]
        if c > 3:
            run = 0
            roll = np.uint64(0)
            continue
        roll = ((roll << U2) | np.uint64(c)) & wmask
        run += 1
        if run < width:
            continue
        if pam_first:
            pam = roll >> sh_l
            proto = roll & lmask
        else:
            pam = roll & pmask
            proto = roll >> sh_p
        if not pam_ok[np.int64(pam)]:
            continue
        if fill:
            codes_out[n] = proto
            pos_out[n] = q - width + 1
        n += 1
    return n


@njit(cache=True, nogil=True)
def _push(buf_q, buf_j, buf_m, n, q, j, m):
    if n == buf_q.shape[0]:
        nq = np.empty(2 * n, np.int64)
        nj = np.empty(2 * n, np.int64)
        nm = np.empty(2 * n, np.int64)
        nq[:n] = buf_q
        nj[:n] = buf_j
        nm[:n] = buf_m
        buf_q, buf_j, buf_m = nq, nj, nm
    buf_q[n] = q
    buf_j[n] = j
    buf_m[n] = m
    return buf_q, buf_j, buf_m


@njit(cache=True, inline="always")
def _rest(code, sk, kbits):
    low = (U1 << sk) - U1
    return ((code >> (sk + kbits)) << sk) | (code & low)


@njit(cache=True, nogil=True)
def search_strand(gcodes, qids, max_mm, t, deltas, dmm, off_a, rest_a, off_b, rest_b, rbits,
                  kk, sk_a, sk_b, mask_a_in_b, use_b):
    """All sites of one strand within `max_mm` mismatches of each guide code.

    Pigeonhole over two disjoint key blocks A and B of `kk` bases: a site with <= max_mm mismatches has
    <= t = max_mm // 2 in one block. Table A (sites sorted by key A, then the rest of the code) is probed at
    every key within t of the guide's (the XOR `deltas`, with `dmm` mismatches each); table B likewise, keeping
    only sites whose A block has > t mismatches (the others were found through A) and mapping them back to
    table A rows by their full code. Returns (query id, table A row, mismatches) arrays.

    `rbits` < 0: the rows' code rests are a plain array (default layout); otherwise they are bit-packed words of
    `rbits` bits each (compact layout, `pack_bits`). Numba compiles one specialisation per layout.
    """
    kbits = np.uint64(2 * kk)
    kmask = (U1 << kbits) - U1
    sa = np.uint64(sk_a)
    sb = np.uint64(sk_b)
    lowb = (U1 << sb) - U1
    buf_q = np.empty(256, np.int64)
    buf_j = np.empty(256, np.int64)
    buf_m = np.empty(256, np.int64)
    n = 0
    for g in range(gcodes.shape[0]):
        code = gcodes[g]
        q = qids[g]
        key_a = (code >> sa) & kmask
        r_a = _rest(code, sa, kbits)
        for d in range(deltas.shape[0]):
            b = np.int64(key_a ^ deltas[d])
            base = dmm[d]
            for j in range(np.int64(off_a[b]), np.int64(off_a[b + 1])):
                m = base + mismatches(_row_rest(rest_a, j, rbits) ^ r_a)
                if m <= max_mm:
                    buf_q, buf_j, buf_m = _push(buf_q, buf_j, buf_m, n, q, j, m)
                    n += 1
        if not use_b:
            continue
        key_b = (code >> sb) & kmask
        r_b = _rest(code, sb, kbits)
        for d in range(deltas.shape[0]):
            kb = key_b ^ deltas[d]
            b = np.int64(kb)
            base = dmm[d]
            lo = np.int64(off_b[b])
            prev = np.uint64(0)
            for j in range(lo, np.int64(off_b[b + 1])):
                r = _row_rest(rest_b, j, rbits)
                if j > lo and r == prev:
                    continue  # same full code as the row before: already handled
                prev = r
                x = r ^ r_b
                m = base + mismatches(x)
                if m > max_mm or mismatches(x & mask_a_in_b) <= t:
                    continue
                full = ((r >> sb) << (sb + kbits)) | (kb << sb) | (r & lowb)
                ka2 = np.int64((full >> sa) & kmask)
                ra2 = _rest(full, sa, kbits)
                s0 = np.int64(off_a[ka2])
                s1 = np.int64(off_a[ka2 + 1])
                # binary search for the first row of table A's bucket holding this code
                while s0 < s1:
                    mid = (s0 + s1) // 2
                    if _row_rest(rest_a, mid, rbits) < ra2:
                        s0 = mid + 1
                    else:
                        s1 = mid
                e = np.int64(off_a[ka2 + 1])
                while s0 < e and _row_rest(rest_a, s0, rbits) == ra2:
                    buf_q, buf_j, buf_m = _push(buf_q, buf_j, buf_m, n, q, s0, m)
                    n += 1
                    s0 += 1
    return buf_q[:n], buf_j[:n], buf_m[:n]


@njit(cache=True, nogil=True)
def seed_sort_keys(codes, sk, kk, rest_bits):
    """Per site, its key block (kk bases at bit shift sk) moved above the rest of its code (`rest_bits` bits):
    sorting these sorts the sites by (key, rest); `>> rest_bits` and the low `rest_bits` give key and rest."""
    kbits = np.uint64(2 * kk)
    s = np.uint64(sk)
    rb = np.uint64(rest_bits)
    kmask = (U1 << kbits) - U1
    out = np.empty(codes.shape[0], np.uint64)
    for i in range(codes.shape[0]):
        c = codes[i]
        out[i] = (((c >> s) & kmask) << rb) | _rest(c, s, kbits)
    return out


@njit(cache=True, nogil=True)
def bucket_offsets_shifted(keys_sorted, shift, nbuckets):
    """`bucket_offsets` of `keys_sorted >> shift` (sorted ascending), without that array."""
    off = np.empty(nbuckets + 1, np.int64)
    sh = np.uint64(shift)
    j = 0
    n = keys_sorted.shape[0]
    for b in range(nbuckets + 1):
        while j < n and np.int64(keys_sorted[j] >> sh) < b:
            j += 1
        off[b] = j
    return off


@njit(cache=True, nogil=True)
def bucket_offsets(keys_sorted, nbuckets):
    """offsets[b] = first row whose key is >= b, for keys sorted ascending; offsets[nbuckets] = len."""
    off = np.empty(nbuckets + 1, np.int64)
    j = 0
    n = keys_sorted.shape[0]
    for b in range(nbuckets + 1):
        while j < n and np.int64(keys_sorted[j]) < b:
            j += 1
        off[b] = j
    return off


# ---------------------------------------------------------------------------- compact layout: bit-packed fields
# A field array of width w bits keeps value j at bits [j*w, (j+1)*w) of a uint64 word array (low bits first),
# with one spare word at the end so that a read never needs a bounds check.


@njit(cache=True, nogil=True)
def pack_bits(values, w):
    """Bit-packed words of `values` (each < 2**w, 0 <= w < 64)."""
    n = values.shape[0]
    words = np.zeros((n * w + 63) // 64 + 1, np.uint64)
    if w == 0:
        return words
    for j in range(n):
        bit = j * w
        wi = bit >> 6
        off = bit & 63
        v = np.uint64(values[j])
        words[wi] |= v << np.uint64(off)
        if off + w > 64:
            words[wi + 1] |= v >> np.uint64(64 - off)
    return words


@njit(cache=True, inline="always")
def get_bits(words, j, w):
    """Value j of a bit-packed field array of width w (0 < w < 64). Branch-free: the next word is always read
    (the spare word makes that safe) and shifted in by (64 - off) in two steps, which gives 0 when off is 0."""
    bit = j * w
    wi = bit >> 6
    off = np.uint64(bit & 63)
    v = (words[wi] >> off) | ((words[wi + 1] << U1) << (np.uint64(63) - off))
    return v & ((U1 << np.uint64(w)) - U1)


@njit(cache=True, inline="always")
def _row_rest(rest, j, w):
    """Row j's code rest: a plain array element (w < 0), a bit-packed field of w bits (w > 0), or 0 (w == 0: the
    key covers the whole code)."""
    if w < 0:
        return np.uint64(rest[j])
    return get_bits(rest, j, w) if w > 0 else np.uint64(0)


@njit(cache=True, nogil=True)
def unpack_rows(words, rows, w):
    """Values at `rows` of a bit-packed field array (int64)."""
    out = np.empty(rows.shape[0], np.int64)
    for i in range(rows.shape[0]):
        out[i] = np.int64(get_bits(words, np.int64(rows[i]), w)) if w > 0 else 0
    return out
