"""A genome held 2-bit packed (4 bases per byte) with its non-ACGT runs kept aside.

Coordinates everywhere in this package are 0-based, half-open, on the + strand of the FASTA record:
`start` is the leftmost base, `end` is one past the rightmost base, so `end - start` is the site length.
Internally chromosomes are laid end to end ("concatenated coordinates": chromosome offset + position).
Any letter other than A/C/G/T (N and the IUPAC ambiguity codes, which stand for unknown bases) is kept as
code 4 and never matches a guide base, so no site overlapping it is ever reported.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rarepath.design.offtarget.tables import DEFAULT_SPEC, SiteTables, site_tables
from rarepath.errors import InputError

#: byte -> base code (A=0, C=1, G=2, T=3, anything else 4); lower case (soft-masked) reads as upper case.
_CODE = np.full(256, 4, dtype=np.uint8)
for _i, _b in enumerate("ACGT"):
    _CODE[ord(_b)] = _i
    _CODE[ord(_b.lower())] = _i
_CODE[ord("U")] = _CODE[ord("u")] = 3
_LETTERS = np.frombuffer(b"ACGTN", dtype=np.uint8)

FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".fa.gz", ".fasta.gz", ".fna.gz")
INDEX_FORMAT = "rarepath-offtarget-index/1"


def encode(seq: str | bytes) -> np.ndarray:
    """Base codes (uint8, 0-3 for ACGT, 4 for anything else) of a sequence."""
    raw = seq.encode("ascii", "replace") if isinstance(seq, str) else seq
    return _CODE[np.frombuffer(raw, dtype=np.uint8)]


def decode(codes: np.ndarray) -> str:
    """Letters of base codes (4 becomes N)."""
    return _LETTERS[np.minimum(codes, 4)].tobytes().decode("ascii")


def fasta_files(path_or_paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The FASTA files named: one file, several, or every FASTA file inside a folder (sorted by name)."""
    items = [path_or_paths] if isinstance(path_or_paths, str | Path) else list(path_or_paths)
    files: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.name.lower().endswith(FASTA_SUFFIXES))
            if not found:
                raise InputError("folder holds no FASTA file (.fa, .fasta, .fna, optionally .gz)", source=str(p))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise InputError("genome FASTA not found", source=str(p))
    if not files:
        raise InputError("no genome FASTA given", source="--reference")
    return files


def read_fasta(path: Path) -> Iterator[tuple[str, np.ndarray]]:
    """(name, base codes) of every record of a (optionally gzipped) multi-FASTA file."""
    opener = gzip.open if path.name.endswith(".gz") else open
    name: str | None = None
    chunks: list[bytes] = []
    with opener(path, "rb") as fh:
        for line_no, line in enumerate(fh, 1):
            if line.startswith(b">"):
                if name is not None:
                    yield name, encode(b"".join(chunks))
                parts = line[1:].split()
                if not parts:
                    raise InputError(f"FASTA header without a name on line {line_no}", source=str(path))
                name = parts[0].decode("ascii", "replace")
                chunks = []
            elif line.strip():
                if name is None:
                    raise InputError("sequence before the first '>' header: not a FASTA file", source=str(path))
                chunks.append(line.strip())
    if name is None:
        raise InputError("FASTA file holds no sequence record", source=str(path))
    yield name, encode(b"".join(chunks))


def pack_2bit(codes: np.ndarray) -> np.ndarray:
    """4 bases per byte, first base in the two high bits; codes >= 4 are stored as A (their runs are kept apart)."""
    c = np.where(codes < 4, codes, 0).astype(np.uint8)
    pad = (-len(c)) % 4
    if pad:
        c = np.concatenate([c, np.zeros(pad, dtype=np.uint8)])
    c = c.reshape(-1, 4)
    return (c[:, 0] << 6) | (c[:, 1] << 4) | (c[:, 2] << 2) | c[:, 3]


def unpack_2bit(packed: np.ndarray, start: int, end: int) -> np.ndarray:
    """Base codes of concatenated positions [start, end) from a 2-bit packed array."""
    b0, b1 = start // 4, (end + 3) // 4
    chunk = np.asarray(packed[b0:b1])
    out = np.empty((len(chunk), 4), dtype=np.uint8)
    out[:, 0] = chunk >> 6
    out[:, 1] = (chunk >> 4) & 3
    out[:, 2] = (chunk >> 2) & 3
    out[:, 3] = chunk & 3
    flat = out.reshape(-1)
    return flat[start - 4 * b0 : end - 4 * b0]


def non_acgt_runs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-open [start, end) runs of codes >= 4."""
    bad = np.concatenate([[False], codes >= 4, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(bad))
    return edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)


def _check_layout(bulge: bool, compact: bool) -> None:
    """A compact index is meant to stay small: it takes no 19/21-nt bulge tables (checked before any work)."""
    if compact and bulge:
        raise InputError("a compact index takes no 19/21-nt bulge tables (its bulge searches run on the "
                         "20-nt tables); drop --bulges or --compact", field="--bulges")


@dataclass
class GenomeIndex:
    """A genome ready for exhaustive off-target search.

    `packed` holds the whole genome 2-bit packed in concatenated coordinates (chromosome `i` starts at
    `offsets[i]`); `n_starts`/`n_ends` are the concatenated half-open runs of non-ACGT letters.
    Site tables (the seed index for one spacer length and PAM set) are built on first use and cached in
    `tables`; `GenomeIndex.build` writes the default SpCas9 tables to disk so that `load` needs no build.
    `compact` (set before the first search, or restored by `load` from an index written with
    `build(..., compact=True)` / `rarepath index --compact`): tables built from now on keep every row field
    bit-packed to the bits it needs (start: bits of the genome length; code rest: 2 bits per base outside the
    seed key) instead of 4/8-byte words: ~9 instead of 12 bytes per site, ~3.6 instead of ~4.8 bytes/base for
    SpCas9 NGG/NAG/NGA on a human genome, bulge searches included (they use the same tables). The probes are
    the same, so the search stays exhaustive and its results identical; each row read unpacks its fields.
    """

    names: list[str]
    lengths: np.ndarray
    offsets: np.ndarray
    packed: np.ndarray
    n_starts: np.ndarray
    n_ends: np.ndarray
    tables: dict = field(default_factory=dict, repr=False)
    path: Path | None = None
    compact: bool = False

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_fasta(cls, path_or_paths: str | Path | Iterable[str | Path]) -> GenomeIndex:
        """Read one or more (multi-)FASTA files, or a folder of them, into memory, 2-bit packed."""
        names: list[str] = []
        lengths: list[int] = []
        packed_parts: list[np.ndarray] = []
        n_s: list[np.ndarray] = []
        n_e: list[np.ndarray] = []
        total = 0
        carry = np.zeros(0, dtype=np.uint8)  # bases not yet forming a whole byte
        for f in fasta_files(path_or_paths):
            for name, codes in read_fasta(f):
                if name in names:
                    raise InputError(f"sequence name {name!r} occurs twice", source=str(f))
                names.append(name)
                lengths.append(len(codes))
                s, e = non_acgt_runs(codes)
                n_s.append(s + total)
                n_e.append(e + total)
                total += len(codes)
                joined = np.concatenate([carry, codes]) if len(carry) else codes
                whole = len(joined) - len(joined) % 4
                packed_parts.append(pack_2bit(joined[:whole]))
                carry = joined[whole:].copy()
        if len(carry):
            packed_parts.append(pack_2bit(carry))
        if total == 0:
            raise InputError("genome FASTA holds no bases", source=str(path_or_paths))
        lengths_a = np.array(lengths, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths_a)]).astype(np.int64)
        return cls(
            names=names,
            lengths=lengths_a,
            offsets=offsets,
            packed=np.concatenate(packed_parts) if packed_parts else np.zeros(0, np.uint8),
            n_starts=np.concatenate(n_s) if n_s else np.zeros(0, np.int64),
            n_ends=np.concatenate(n_e) if n_e else np.zeros(0, np.int64),
        )

    @classmethod
    def from_codes(cls, records: dict[str, np.ndarray]) -> GenomeIndex:
        """In-memory genome from {name: base codes (uint8, 0-3 ACGT, 4 unknown)} (benchmarks, synthetic data)."""
        names = list(records)
        lengths = np.array([len(records[n]) for n in names], dtype=np.int64)
        allc = np.concatenate([np.asarray(records[n], dtype=np.uint8) for n in names])
        s, e = non_acgt_runs(allc)
        return cls(names, lengths, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), pack_2bit(allc), s, e)

    @classmethod
    def from_sequences(cls, records: dict[str, str]) -> GenomeIndex:
        """In-memory genome from {name: sequence} (tests, small regions)."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "genome.fa"
            p.write_text("".join(f">{n}\n{s}\n" for n, s in records.items()))
            return cls.from_fasta(p)

    @classmethod
    def build(cls, fasta: str | Path | Iterable[str | Path], out_dir: str | Path,
              bulge: bool = False, compact: bool = False) -> GenomeIndex:
        """Index a genome on disk: packed sequence plus the default SpCas9 seed tables (NGG/NAG/NGA, 20 nt).

        With `bulge`, also the 19-nt and 21-nt tables in which a one-bulge search of 20-nt spacers then
        searches its RNA and DNA bulge variants directly (without them it runs on the 20-nt tables alone, with
        more searches and no more memory); either way `search_guides(..., bulge=1)` builds nothing.

        With `compact`, the tables are written in the compact layout (see the class docstring; recorded in
        index.json, so that `load` restores it and tables built later for other specs are compact too). A
        compact index is meant to stay small, so it takes no 19/21-nt tables (`bulge` must be False)."""
        _check_layout(bulge, compact)
        idx = cls.from_fasta(fasta)
        idx.compact = compact
        idx.write(out_dir, bulge)
        return idx

    @classmethod
    def build_per_record(cls, fasta: str | Path | Iterable[str | Path], out_dir: str | Path,
                         bulge: bool = False, compact: bool = False) -> list[GenomeIndex]:
        """One index folder per FASTA record, `out_dir/00001_NAME` ... in genome order (empty records left out).

        Building holds one record at a time (the largest human chromosome rather than the genome), and a search
        of `out_dir` (`scaleout.search_guides_scaled`, `design offtargets -r out_dir`) memory-maps one shard at
        a time; its results equal those of the whole-genome index. `out_dir` must be new or empty, so that no
        shard of another genome is mixed in. Returns the written indexes (memory-mapped again from disk)."""
        _check_layout(bulge, compact)
        out = Path(out_dir)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise InputError("index output folder exists and is not empty (per-chromosome shards need a new "
                             "folder)", source=str(out), field="--out")
        files = fasta_files(fasta)
        seen: set[str] = set()
        written: list[GenomeIndex] = []
        for f in files:
            for name, codes in read_fasta(f):
                if name in seen:
                    raise InputError(f"sequence name {name!r} occurs twice", source=str(f))
                seen.add(name)
                if not len(codes):
                    continue
                idx = cls.from_codes({name: codes})
                idx.compact = compact
                shard = out / f"{len(written) + 1:05d}_{re.sub(r'[^A-Za-z0-9._-]', '_', name)}"
                idx.write(shard, bulge)
                del idx
                written.append(cls.load(shard))
        if not written:
            raise InputError("genome FASTA holds no bases", source=str(files[0]))
        return written

    def write(self, out_dir: str | Path, bulge: bool = False) -> None:
        """Save this genome and its default SpCas9 seed tables (plus 19/21-nt ones with `bulge`) as an index
        folder that `load` memory-maps; tables are built here if not held yet, in this index's layout."""
        from dataclasses import replace

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        idx = self
        np.save(out / "packed.npy", idx.packed)
        np.save(out / "n_starts.npy", idx.n_starts)
        np.save(out / "n_ends.npy", idx.n_ends)
        specs = {"default": DEFAULT_SPEC}
        if bulge:
            specs["bulge_rna"] = replace(DEFAULT_SPEC, spacer_len=DEFAULT_SPEC.spacer_len - 1)
            specs["bulge_dna"] = replace(DEFAULT_SPEC, spacer_len=DEFAULT_SPEC.spacer_len + 1)
        for name, spec in specs.items():
            site_tables(idx, spec).save(out / f"sites_{name}")
        meta = {
            "format": INDEX_FORMAT,
            "names": idx.names,
            "lengths": [int(x) for x in idx.lengths],
            "specs": {name: list(spec.as_json()) for name, spec in specs.items()},
            "compact": bool(idx.compact),
        }
        (out / "index.json").write_text(json.dumps(meta, indent=1))
        idx.path = out

    @classmethod
    def load(cls, index_dir: str | Path) -> GenomeIndex:
        """Open an index written by `build` (arrays are memory-mapped, so loading is instant)."""
        d = Path(index_dir)
        meta_path = d / "index.json"
        if not meta_path.is_file():
            if d.is_dir() and any((sub / "index.json").is_file() for sub in d.iterdir() if sub.is_dir()):
                raise InputError("a folder of index shards (`rarepath index --per-chromosome`): searched as a whole "
                                 "by `design offtargets` only; give one index folder here", source=str(d))
            raise InputError("not an off-target index folder (no index.json); run `rarepath index`", source=str(d))
        try:
            meta = json.loads(meta_path.read_text())
        except json.JSONDecodeError as err:
            raise InputError(f"index.json is not valid JSON ({err.msg})", source=str(meta_path)) from None
        if meta.get("format") != INDEX_FORMAT:
            raise InputError(f"unsupported index format {meta.get('format')!r}", source=str(meta_path))
        lengths = np.array(meta["lengths"], dtype=np.int64)
        idx = cls(
            names=list(meta["names"]),
            lengths=lengths,
            offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            packed=np.load(d / "packed.npy", mmap_mode="r"),
            n_starts=np.load(d / "n_starts.npy"),
            n_ends=np.load(d / "n_ends.npy"),
            path=d,
            compact=bool(meta.get("compact", False)),
        )
        for name in meta.get("specs", {}):
            if (d / f"sites_{name}").is_dir():
                tables = SiteTables.load(d / f"sites_{name}")
                idx.tables[tables.spec] = tables
        return idx

    # ------------------------------------------------------------------ access
    @property
    def total_length(self) -> int:
        return int(self.offsets[-1])

    def chrom_codes(self, i: int) -> np.ndarray:
        """Base codes (4 = not ACGT) of chromosome number `i`."""
        return self.codes(int(self.offsets[i]), int(self.offsets[i + 1]))

    def codes(self, start: int, end: int) -> np.ndarray:
        """Base codes of concatenated positions [start, end), with 4 on non-ACGT runs."""
        out = unpack_2bit(self.packed, start, end).copy()
        lo = np.searchsorted(self.n_ends, start, side="right")
        hi = np.searchsorted(self.n_starts, end, side="left")
        for s, e in zip(self.n_starts[lo:hi], self.n_ends[lo:hi], strict=True):
            out[max(s, start) - start : min(e, end) - start] = 4
        return out

    def chrom_index(self, chrom: str) -> int:
        try:
            return self.names.index(chrom)
        except ValueError:
            raise InputError(f"sequence {chrom!r} is not in the genome", field="chrom") from None

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """+ strand letters of chrom[start:end] (0-based, half-open); non-ACGT letters read as N."""
        i = self.chrom_index(chrom)
        if not 0 <= start <= end <= self.lengths[i]:
            raise InputError(f"{chrom}:{start}-{end} lies outside the sequence (length {self.lengths[i]})")
        off = int(self.offsets[i])
        return decode(self.codes(off + start, off + end))

    def sequence(self, chrom: str) -> str:
        return self.fetch(chrom, 0, int(self.lengths[self.chrom_index(chrom)]))

    def nbytes(self) -> int:
        """Bytes of the packed genome plus every cached site table (what a search holds in memory)."""
        n = self.packed.nbytes + self.n_starts.nbytes + self.n_ends.nbytes
        return n + sum(t.nbytes() for t in self.tables.values())
