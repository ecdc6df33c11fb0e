"""Reference sequence, variant and coding-frame input for editing design.

Coordinates: a :class:`Locus` holds a stretch of reference sequence and the 1-based position of its first base
(``offset``), so reference index ``i`` (0-based) is genomic position ``offset + i``. Region files named like
``chr5_70890000_71100000`` (or ``chr5:70890000-71100000``) map index 0 to the first number.
Variants: ``CHROM:POS REF>ALT`` (1-based POS of the first REF base; ``-`` for an empty allele), or HGVS ``c.``
on a transcript whose exons/CDS come from a GFF3 or GenBank file given next to the FASTA.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rarepath.errors import InputError

from .scores import revcomp

_REGION_NAME = re.compile(r"^(?P<chrom>[^:_\s]+(?:_[A-Za-z][^:_\s]*)*)[_:](?P<start>\d+)[-_](?P<end>\d+)$")
_VARIANT = re.compile(r"^(?P<chrom>[^:\s]+):(?:g\.)?(?P<pos>\d+)[:\s]*(?P<ref>[ACGTNacgtn-]+)\s*(?:>|:)\s*"
                      r"(?P<alt>[ACGTNacgtn-]+)$")
_HGVS_C = re.compile(r"^(?:(?P<tx>[^:\s]+):)?c\.(?P<p1>-?\*?\d+)(?P<o1>[+-]\d+)?"
                     r"(?:_(?P<p2>-?\*?\d+)(?P<o2>[+-]\d+)?)?(?P<rest>.+)$")
_CODON = {a + b + c: aa for (a, b, c), aa in zip(
    [(x, y, z) for x in "TCAG" for y in "TCAG" for z in "TCAG"],
    "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG", strict=True)}
_THREE = {"A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly",
          "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser",
          "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter", "X": "Xaa"}


def translate_codon(codon: str) -> str:
    """One-letter amino acid of a DNA codon ('X' when it holds a non-ACGT letter)."""
    return _CODON.get(codon.upper(), "X")


def three_letter(aa: str) -> str:
    return _THREE.get(aa, "Xaa")


@dataclass(frozen=True)
class FastaRecord:
    name: str
    description: str
    sequence: str


def read_fasta(path: Path) -> Iterator[FastaRecord]:
    """Records of a (multi-)FASTA file, sequence upper-cased; raises InputError for an empty or bad file."""
    p = Path(path)
    if not p.is_file():
        raise InputError("reference FASTA not found", source=str(p))
    name, desc, chunks, seen = None, "", [], False
    with open(p, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            if line.startswith(">"):
                if name is not None:
                    yield FastaRecord(name, desc, "".join(chunks).upper())
                    seen = True
                desc = line[1:].strip()
                name = desc.split()[0] if desc else ""
                chunks = []
            elif name is None:
                raise InputError("not a FASTA file (no '>' header before sequence)", source=str(p))
            else:
                chunks.append(line)
    if name is not None:
        yield FastaRecord(name, desc, "".join(chunks).upper())
        seen = True
    if not seen:
        raise InputError("empty FASTA (no sequence records)", source=str(p))


@dataclass(frozen=True)
class CodingFrame:
    """A transcript's CDS on a reference record: segments are 0-based half-open, in transcript order."""

    transcript: str
    strand: str  # "+" or "-"
    cds_segments: tuple[tuple[int, int], ...]
    exon_segments: tuple[tuple[int, int], ...] = ()

    def cds_index(self, ref_index: int) -> int | None:
        """0-based position in the CDS of a reference base (None outside the CDS)."""
        n = 0
        for s, e in self.cds_segments:
            if s <= ref_index < e:
                return n + (ref_index - s if self.strand == "+" else e - 1 - ref_index)
            n += e - s
        return None

    def ref_index_of_cds(self, cds_pos: int) -> int:
        """Reference index of a 0-based CDS position (raises for positions past the CDS)."""
        n = 0
        for s, e in self.cds_segments:
            length = e - s
            if cds_pos < n + length:
                k = cds_pos - n
                return s + k if self.strand == "+" else e - 1 - k
            n += length
        raise InputError(f"c.{cds_pos + 1} lies beyond the CDS of {self.transcript}", field="variant")

    def codon_indices(self, ref_index: int) -> tuple[int, tuple[int, int, int]] | None:
        """(codon number 1-based, reference indices of its three bases in codon order) for a CDS base."""
        c = self.cds_index(ref_index)
        if c is None:
            return None
        first = c - c % 3
        try:
            idx = tuple(self.ref_index_of_cds(first + k) for k in range(3))
        except InputError:
            return None
        return first // 3 + 1, idx  # type: ignore[return-value]

    def splice_distance(self, ref_index: int) -> int | None:
        """Distance in nt to the nearest exon boundary (None when exons are unknown)."""
        segs = self.exon_segments or self.cds_segments
        if not segs:
            return None
        return min(min(abs(ref_index - s), abs(ref_index - (e - 1))) for s, e in segs)


def amino_acid_change(frame: CodingFrame, sequence: str, changes: dict[int, str]) -> str:
    """Consequence of base changes (reference index -> new + strand base) on ``sequence``, HGVS-p style.

    Returns e.g. ``p.Gly12Asp``, ``p.Gly12=`` (synonymous), ``p.Gly12Ter`` or ``non-coding (intronic, 5 nt from an
    exon boundary)``. Changes in several codons are joined with ``;``.
    """
    codons: dict[int, tuple[int, int, int]] = {}
    outside = []
    for i in sorted(changes):
        ci = frame.codon_indices(i)
        if ci is None:
            outside.append(i)
        else:
            codons[ci[0]] = ci[1]
    parts = []
    for num, idx in sorted(codons.items()):
        old = "".join(sequence[i] for i in idx)
        new = "".join(changes.get(i, sequence[i]) for i in idx)
        if frame.strand == "-":
            old, new = revcomp(old), revcomp(new)
        a, b = translate_codon(old), translate_codon(new)
        parts.append(f"p.{three_letter(a)}{num}=" if a == b else f"p.{three_letter(a)}{num}{three_letter(b)}")
    for i in outside:
        d = frame.splice_distance(i)
        where = "UTR/intronic" if d is None else f"outside CDS, {d} nt from an exon boundary"
        parts.append(f"non-coding ({where})")
    return ";".join(parts)


def parse_gff3_frames(path: Path, record: str) -> dict[str, CodingFrame]:
    """CDS frames per transcript (mRNA ID and transcript_id both work as keys) from a GFF3 file."""
    cds: dict[str, list[tuple[int, int, str]]] = {}
    exons: dict[str, list[tuple[int, int]]] = {}
    names: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 9 or cols[0].split()[0] != record.split()[0]:
                continue
            attrs = dict(kv.split("=", 1) for kv in cols[8].split(";") if "=" in kv)
            start, end, strand = int(cols[3]) - 1, int(cols[4]), cols[6]
            if cols[2] in ("mRNA", "transcript"):
                tid = attrs.get("transcript_id") or attrs.get("Name") or attrs.get("ID", "")
                names[attrs.get("ID", tid)] = tid
            elif cols[2] == "CDS" and "Parent" in attrs:
                cds.setdefault(attrs["Parent"], []).append((start, end, strand))
            elif cols[2] == "exon" and "Parent" in attrs:
                exons.setdefault(attrs["Parent"], []).append((start, end))
    frames: dict[str, CodingFrame] = {}
    for parent, segs in cds.items():
        strand = segs[0][2]
        ordered = sorted(((s, e) for s, e, _ in segs), reverse=(strand == "-"))
        ex = tuple(sorted(exons.get(parent, [])))
        frame = CodingFrame(names.get(parent, parent), strand, tuple(ordered), ex)
        for key in {parent, names.get(parent, parent), parent.removeprefix("rna-")}:
            frames[key] = frame
    return frames


def parse_genbank_frames(path: Path) -> dict[str, CodingFrame]:
    """CDS frames from a GenBank file (keyed by transcript_id / protein_id / locus tag / gene)."""
    from Bio import SeqIO

    frames: dict[str, CodingFrame] = {}
    for rec in SeqIO.parse(str(path), "genbank"):
        for feat in rec.features:
            if feat.type != "CDS":
                continue
            parts = feat.location.parts
            strand = "-" if feat.location.strand == -1 else "+"
            segs = tuple((int(p.start), int(p.end)) for p in parts)
            q = feat.qualifiers
            keys = [k for f in ("transcript_id", "protein_id", "locus_tag", "gene") for k in q.get(f, [])]
            frame = CodingFrame(keys[0] if keys else rec.id, strand, segs)
            for k in keys or [rec.id]:
                frames.setdefault(k, frame)
    return frames


@dataclass(frozen=True)
class Locus:
    """A reference record (or region) holding the variant, with the genomic offset of its first base."""

    chrom: str
    offset: int  # 1-based genomic position of index 0
    sequence: str
    source: str
    record_name: str = ""
    frame: CodingFrame | None = None

    def index_of(self, pos1: int) -> int:
        return pos1 - self.offset

    def position_of(self, index: int) -> int:
        return index + self.offset


@dataclass(frozen=True)
class Variant:
    """A normalised change on a :class:`Locus`: reference index of the first REF base, REF and ALT alleles."""

    chrom: str
    position: int  # 1-based, first base of ref (for a pure insertion: the base after the insertion point)
    ref: str
    alt: str
    index: int  # 0-based index in the locus sequence
    label: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def is_snv(self) -> bool:
        return len(self.ref) == 1 and len(self.alt) == 1


def _region_of(name: str) -> tuple[str, int] | None:
    m = _REGION_NAME.match(name)
    if m and int(m["end"]) > int(m["start"]):
        return m["chrom"], int(m["start"])
    return None


def load_locus(reference: Path, chrom: str | None, *, annotation: Path | None = None,
               transcript: str | None = None) -> Locus:
    """The record of ``reference`` holding ``chrom`` (by name or region-file name); frame from ``annotation``."""
    chosen = None
    records = list(read_fasta(reference))
    for rec in records:
        region = _region_of(rec.name)
        if chrom is None or rec.name == chrom:
            chosen = (rec, rec.name, 1)
            break
        if region and region[0] == chrom:
            chosen = (rec, region[0], region[1])
            break
    if chosen is None:
        names = ", ".join(r.name for r in records[:5])
        raise InputError(f"sequence {chrom!r} is not in the reference (records: {names})", source=str(reference),
                         field="variant")
    rec, name, offset = chosen
    frame = None
    if annotation is not None:
        frames = (parse_genbank_frames(annotation) if annotation.suffix.lower() in (".gb", ".gbk", ".genbank")
                  else parse_gff3_frames(annotation, rec.name))
        if transcript:
            frame = frames.get(transcript) or frames.get(transcript.split(".")[0])
            if frame is None:
                for k, f in frames.items():
                    if k.split(".")[0] == transcript.split(".")[0]:
                        frame = f
                        break
            if frame is None:
                raise InputError(f"transcript {transcript!r} has no CDS in the annotation", source=str(annotation),
                                 field="transcript")
        elif frames:
            frame = next(iter(frames.values()))
    return Locus(name, offset, rec.sequence, str(reference), rec.name, frame)


def _clean_allele(a: str) -> str:
    return "" if a == "-" else a.upper()


def parse_genomic_variant(text: str, locus_loader) -> tuple[Locus, Variant]:
    """``chr5:70951946C>T`` style; ``locus_loader(chrom)`` returns the Locus holding that chromosome."""
    m = _VARIANT.match(text.strip())
    if not m:
        raise InputError(f"cannot parse variant {text!r} (expected e.g. chr5:70951946C>T or NM_x:c.840C>T)",
                         field="variant")
    locus = locus_loader(m["chrom"])
    ref, alt, pos = _clean_allele(m["ref"]), _clean_allele(m["alt"]), int(m["pos"])
    return locus, _checked_variant(locus, pos, ref, alt, text)


def _checked_variant(locus: Locus, pos: int, ref: str, alt: str, label: str) -> Variant:
    if ref == alt:
        raise InputError(f"variant {label!r} changes nothing (REF equals ALT)", field="variant")
    idx = locus.index_of(pos)
    if idx < 0 or idx + len(ref) > len(locus.sequence):
        end = locus.position_of(len(locus.sequence) - 1)
        raise InputError(f"variant position {pos} lies outside the reference {locus.chrom}:{locus.offset}-{end}",
                         source=locus.source, field="variant")
    found = locus.sequence[idx: idx + len(ref)]
    if found != ref:
        raise InputError(f"reference allele mismatch at {locus.chrom}:{pos}: variant says {ref!r}, "
                         f"reference has {found!r}", source=locus.source, field="variant")
    return Variant(locus.chrom, pos, ref, alt, idx, label)


def _c_to_index(frame: CodingFrame, p: str, off: str | None) -> int:
    if p.startswith("*") or p.startswith("-"):
        raise InputError("UTR positions (c.-N / c.*N) are not supported; give a genomic variant", field="variant")
    base = frame.ref_index_of_cds(int(p) - 1)
    k = int(off) if off else 0
    return base + k if frame.strand == "+" else base - k


def parse_hgvs_c(text: str, locus: Locus) -> Variant:
    """Map ``[TX:]c.`` substitutions, deletions, duplications, insertions and delins onto the locus."""
    m = _HGVS_C.match(text.strip())
    if not m or locus.frame is None:
        raise InputError(f"cannot map {text!r}: HGVS c. needs a transcript with CDS in --annotation",
                         field="variant")
    f = locus.frame
    i1 = _c_to_index(f, m["p1"], m["o1"])
    i2 = _c_to_index(f, m["p2"], m["o2"]) if m["p2"] else i1
    lo, hi = min(i1, i2), max(i1, i2)
    rest = m["rest"]
    plus = (lambda s: s) if f.strand == "+" else revcomp
    if mm := re.fullmatch(r"([ACGT])>([ACGT])", rest):
        ref, alt = plus(mm[1]), plus(mm[2])
        start = lo
    elif mm := re.fullmatch(r"del([ACGT]*)ins([ACGT]+)", rest):
        start, ref, alt = lo, locus.sequence[lo:hi + 1], plus(mm[2])
    elif mm := re.fullmatch(r"del([ACGT]*)", rest):
        start, ref, alt = lo, locus.sequence[lo:hi + 1], ""
    elif mm := re.fullmatch(r"dup([ACGT]*)", rest):
        dup = locus.sequence[lo:hi + 1]
        if f.strand == "+":  # insert after the duplicated stretch
            start, ref, alt = hi + 1, "", dup
        else:
            start, ref, alt = lo, "", dup
    elif mm := re.fullmatch(r"ins([ACGT]+)", rest):
        start, ref, alt = hi if f.strand == "+" else lo + 1, "", plus(mm[1])
    else:
        raise InputError(f"unsupported HGVS change {rest!r} in {text!r}", field="variant")
    if rest.startswith("del") and mm[1] and plus(mm[1]) != ref:
        raise InputError(f"reference allele mismatch for {text}: reference has {plus(ref)!r}",
                         source=locus.source, field="variant")
    if ref == "" and alt == "":
        raise InputError(f"variant {text!r} changes nothing", field="variant")
    return _checked_variant(locus, locus.position_of(start), ref, alt, text)
