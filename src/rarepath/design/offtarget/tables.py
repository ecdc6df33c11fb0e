"""Site specs and the two-block seed tables an off-target search probes: which genome windows are sites, how
they are keyed, sorted and stored (default or compact layout), saved and loaded.

`search.py` probes these tables; `genome.py` writes and loads them with an index folder. Keeping them here lets
both import this module without importing each other.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from rarepath.errors import InputError

from . import _kernels as K


class Genome(Protocol):
    """What the tables need of a genome (`genome.GenomeIndex` is one): its records, their concatenated offsets,
    each record's base codes and the tables already built for it (`compact` chooses the layout)."""

    names: list[str]
    offsets: np.ndarray
    tables: dict
    compact: bool

    @property
    def total_length(self) -> int: ...

    def chrom_codes(self, i: int) -> np.ndarray: ...


IUPAC = {
    "A": "A", "C": "C", "G": "G", "T": "T", "U": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT",
    "K": "GT", "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}  # fmt: skip
_COMP = str.maketrans("ACGTN", "TGCAN")
MAX_SITE_LEN = 32  # spacer + PAM must fit one 64-bit word


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


@dataclass(frozen=True)
class SiteSpec:
    """What counts as a site: spacer length, allowed PAMs (IUPAC, all one length) and PAM side."""

    spacer_len: int
    pams: tuple[str, ...]
    pam_side: str = "3prime"

    @property
    def pam_len(self) -> int:
        return len(self.pams[0]) if self.pams else 0

    @property
    def width(self) -> int:
        return self.spacer_len + self.pam_len

    def as_json(self) -> tuple:
        return (self.spacer_len, list(self.pams), self.pam_side)

    def pam_table(self) -> np.ndarray:
        """pam_ok[code] for every PAM code (2 bits per base, 5' base highest)."""
        p = self.pam_len
        ok = np.zeros(4**p, dtype=np.bool_)
        if p == 0:
            ok[0] = True
            return ok
        for pat in self.pams:
            for combo in itertools.product(*(IUPAC[c] for c in pat)):
                ok[int("".join(str("ACGT".index(b)) for b in combo), 4)] = True
        return ok


DEFAULT_SPEC = SiteSpec(20, ("NAG", "NGA", "NGG"), "3prime")


def make_spec(spacer_len: int, pams: Sequence[str], pam_side: str) -> SiteSpec:
    if pam_side not in ("3prime", "5prime"):
        raise InputError(f"pam_side must be '3prime' or '5prime', not {pam_side!r}", field="pam_side")
    clean = []
    for pam in pams:
        p = pam.strip().upper()
        if not p or any(c not in IUPAC for c in p):
            raise InputError(f"PAM {pam!r} is not an IUPAC DNA pattern", field="pam")
        clean.append(p.replace("U", "T"))
    if len({len(p) for p in clean}) > 1:
        raise InputError("PAMs of one search must have one length", field="pam")
    spec = SiteSpec(spacer_len, tuple(sorted(set(clean))), pam_side)
    if spec.width > MAX_SITE_LEN:
        raise InputError(f"spacer + PAM of {spec.width} nt is longer than the {MAX_SITE_LEN} nt supported",
                         field="spacer")
    return spec


# ---------------------------------------------------------------------------- the seed index


@dataclass
class StrandTable:
    """One strand's two seed tables. Default layout: plain arrays (pos_a int32/int64, rest_a/rest_b uint32 or
    uint64). Compact layout: pos_a, rest_a and rest_b are bit-packed uint64 words (`_kernels.pack_bits`) at
    the widths recorded on the SiteTables; off_a/off_b are the same bucket offsets in both layouts."""

    off_a: np.ndarray
    pos_a: np.ndarray  # concatenated start (leftmost + strand base) of each site, sorted by (key A, rest)
    rest_a: np.ndarray
    off_b: np.ndarray
    rest_b: np.ndarray

    def arrays(self) -> dict[str, np.ndarray]:
        return {"off_a": self.off_a, "pos_a": self.pos_a, "rest_a": self.rest_a, "off_b": self.off_b,
                "rest_b": self.rest_b}


@dataclass
class SiteTables:
    """Both strands' seed tables for one SiteSpec; `pos_bits` > 0 marks the compact (bit-packed) layout,
    whose rows keep `pos_bits` bits of start and `rest_bits` bits of code rest (0 and 0: default layout)."""

    spec: SiteSpec
    kk: int
    sk_a: int
    sk_b: int
    strands: tuple[StrandTable, StrandTable]  # '+', '-'
    pos_bits: int = 0
    rest_bits: int = 0

    @property
    def compact(self) -> bool:
        """Whether these tables are in the compact layout (`GenomeIndex.compact`)."""
        return self.pos_bits > 0

    @property
    def n_sites(self) -> int:
        return sum(int(s.off_a[-1]) for s in self.strands)

    def nbytes(self) -> int:
        return sum(a.nbytes for s in self.strands for a in s.arrays().values())

    def save(self, d: Path) -> None:
        d.mkdir(parents=True, exist_ok=True)
        for name, st in zip("+-", self.strands, strict=True):
            tag = "plus" if name == "+" else "minus"
            for key, arr in st.arrays().items():
                np.save(d / f"{tag}_{key}.npy", arr)
        meta = {"spec": self.spec.as_json(), "kk": self.kk, "sk_a": self.sk_a, "sk_b": self.sk_b,
                "pos_bits": self.pos_bits, "rest_bits": self.rest_bits}
        (d / "tables.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, d: Path) -> SiteTables:
        meta = json.loads((d / "tables.json").read_text())
        L, pams, side = meta["spec"]
        strands = []
        for tag in ("plus", "minus"):
            arrs = {k: np.asarray(np.load(d / f"{tag}_{k}.npy", mmap_mode="r"))
                    for k in ("off_a", "pos_a", "rest_a", "off_b", "rest_b")}
            strands.append(StrandTable(**arrs))
        if len(strands[0].off_b) == 0:
            raise InputError("site tables without table B (an early compact layout): rebuild the index with "
                             "`rarepath index --compact`", source=str(d))
        return cls(SiteSpec(L, tuple(pams), side), meta["kk"], meta["sk_a"], meta["sk_b"], tuple(strands),
                   int(meta.get("pos_bits", 0)), int(meta.get("rest_bits", 0)))


def _key_layout(spacer_len: int, n_sites_strand: int, kk: int | None = None) -> tuple[int, int, int]:
    """(kk, sk_a, sk_b): key blocks [h-kk, h) and [h, h+kk) of the spacer, h = spacer_len // 2.

    kk (unless given) is about log4 of the sites per strand (one site per bucket on average), at most 12
    (16 M buckets)."""
    h = spacer_len // 2
    if kk is None:
        want = max(1, round(math.log(max(n_sites_strand, 1), 4)))
        kk = max(1, min(want, 12, h, spacer_len - h))
    sk_a = 2 * (spacer_len - h)  # block A ends at base h
    sk_b = 2 * (spacer_len - h - kk)
    return kk, sk_a, sk_b


COMPACT_TABLE_BUDGET = 3.5  # bytes per genome base for one spec's compact tables (+ 0.25 for the 2-bit genome)


def _compact_key(spacer_len: int, counts: Sequence[int], pos_bits: int, bases: int, kk_fast: int) -> int:
    """Key length of compact tables: the longest key up to the default one (longer keys probe fewer sites per
    bucket, but cost 4 bytes per bucket and table in offsets) whose tables fit COMPACT_TABLE_BUDGET bytes per
    base; where none fits (a small genome, a PAM-less spec), the key giving the fewest bytes."""
    def nbytes(kk: int) -> int:
        rest_bits = 2 * (spacer_len - kk)
        rows = sum(8 * ((n * pos_bits + 63) // 64 + 1) + 2 * 8 * ((n * rest_bits + 63) // 64 + 1) for n in counts)
        return rows + len(counts) * 2 * 4 * (4**kk + 1)

    sizes = {kk: nbytes(kk) for kk in range(1, kk_fast + 1)}
    fits = [kk for kk, b in sizes.items() if b <= COMPACT_TABLE_BUDGET * bases]
    return max(fits) if fits else min(sizes, key=lambda kk: (sizes[kk], -kk))


def _strand_scan(idx: Genome, spec: SiteSpec, minus: bool, i: int, codes_out: np.ndarray | None
                 ) -> tuple[int, np.ndarray | None]:
    """Sites of one strand of chromosome i: their count, or (with `codes_out`) their codes written there and
    their concatenated leftmost starts returned (int64)."""
    pam_ok = spec.pam_table()
    pam_first = spec.pam_side == "5prime" and spec.pam_len > 0
    w, L = spec.width, spec.spacer_len
    seq = idx.chrom_codes(i)
    n = len(seq)
    if minus:
        seq = np.where(seq < 4, 3 - seq, 4).astype(np.uint8)[::-1].copy()
    if codes_out is None:
        return K.scan_sites(seq, w, L, pam_first, pam_ok, False, np.zeros(0, np.uint64), np.zeros(0, np.int64)), None
    pos = np.empty(len(codes_out), np.int64)
    cnt = K.scan_sites(seq, w, L, pam_first, pam_ok, True, codes_out, pos)
    if minus:
        pos = n - (pos + w)  # leftmost + strand base of the window
    return cnt, pos + int(idx.offsets[i])


def _strand_sites(idx: Genome, spec: SiteSpec, minus: bool, pos_dtype=np.int64,
                  counts: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(protospacer codes, concatenated leftmost starts) of every site on one strand, written straight into
    arrays of the final size (`counts`: sites per chromosome, counted here when not given)."""
    if counts is None:
        counts = [_strand_scan(idx, spec, minus, i, None)[0] for i in range(len(idx.names))]
    total = int(sum(counts))
    codes = np.empty(total, np.uint64)
    pos = np.empty(total, pos_dtype)
    at = 0
    for i, cnt in enumerate(counts):
        _, p = _strand_scan(idx, spec, minus, i, codes[at : at + cnt])
        pos[at : at + cnt] = p
        at += cnt
    return codes, pos


def _build_strand(codes: np.ndarray, pos: np.ndarray, L: int, kk: int, sk_a: int, sk_b: int,
                  pos_dtype, pos_bits: int = 0) -> StrandTable:
    """Both seed tables of one strand; with `pos_bits` > 0 in the compact layout (fields bit-packed).

    Each table is one stable sort of the sites by (key, rest of the code), held as a single uint64 per site
    (the key above the rest), so that building needs few temporary arrays of the site count."""
    rest_bits = 2 * (L - kk)
    rest_dtype = np.uint32 if rest_bits <= 32 else np.uint64
    rest_mask = np.uint64((1 << rest_bits) - 1)
    nb = 4**kk
    out = {}
    for tag, sk in (("a", sk_a), ("b", sk_b)):
        sort_key = K.seed_sort_keys(codes, sk, kk, rest_bits)
        order = np.argsort(sort_key, kind="stable")
        sorted_keys = sort_key[order]
        del sort_key
        out[f"off_{tag}"] = K.bucket_offsets_shifted(sorted_keys, rest_bits, nb)
        np.bitwise_and(sorted_keys, rest_mask, out=sorted_keys)  # now the rests, in table order
        out[f"rest_{tag}"] = K.pack_bits(sorted_keys, rest_bits) if pos_bits else sorted_keys.astype(rest_dtype)
        del sorted_keys
        if tag == "a":
            p = pos[order]
            out["pos_a"] = K.pack_bits(p.astype(np.uint64), pos_bits) if pos_bits else p.astype(pos_dtype)
            del p
        del order
    off_dtype = np.uint32 if len(codes) < 2**32 else np.int64
    return StrandTable(out["off_a"].astype(off_dtype), out["pos_a"], out["rest_a"],
                       out["off_b"].astype(off_dtype), out["rest_b"])


def build_tables(idx: Genome, spec: SiteSpec, compact: bool = False) -> SiteTables:
    """Scan the genome and sort its sites into the two seed tables, one strand after the other (the key length
    depends on both strands' site counts, which are counted first), so that building holds one strand's sites.

    `compact`: the same tables with every row field bit-packed to the bits it needs (start: bits of the genome
    length; code rest: 2 bits per base outside the key), so the same probes run on ~9 instead of 12 bytes per
    site."""
    pos_dtype = np.uint32 if idx.total_length < 2**32 else np.int64
    counts = [[_strand_scan(idx, spec, minus, i, None)[0] for i in range(len(idx.names))] for minus in (False, True)]
    kk, sk_a, sk_b = _key_layout(spec.spacer_len, max(sum(c) for c in counts))
    pos_bits = max(1, int(idx.total_length - 1).bit_length()) if compact else 0
    if compact:
        kk = _compact_key(spec.spacer_len, [sum(c) for c in counts], pos_bits, idx.total_length, kk)
        kk, sk_a, sk_b = _key_layout(spec.spacer_len, 0, kk)
    rest_bits = 2 * (spec.spacer_len - kk) if compact else 0
    strands = []
    for minus in (False, True):
        c, p = _strand_sites(idx, spec, minus, pos_dtype, counts[minus])
        strands.append(_build_strand(c, p, spec.spacer_len, kk, sk_a, sk_b, pos_dtype, pos_bits))
        del c, p
    return SiteTables(spec, kk, sk_a, sk_b, tuple(strands), pos_bits, rest_bits)  # type: ignore[arg-type]


def site_tables(idx: Genome, spec: SiteSpec) -> SiteTables:
    """Cached tables for spec, or a cached superset (same length/side/PAM length, more PAMs), else built."""
    if spec in idx.tables:
        return idx.tables[spec]
    for s, t in idx.tables.items():
        if (s.spacer_len, s.pam_side, s.pam_len) == (spec.spacer_len, spec.pam_side, spec.pam_len):
            if _pam_set(s) >= _pam_set(spec):
                return t
    idx.tables[spec] = build_tables(idx, spec, compact=getattr(idx, "compact", False))
    return idx.tables[spec]


def _pam_set(spec: SiteSpec) -> set[str]:
    return {"".join(c) for p in spec.pams for c in itertools.product(*(IUPAC[x] for x in p))}
