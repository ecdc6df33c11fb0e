"""Exon structures of one transcript read from real annotation: LRG XML, GFF3 + FASTA, or GenBank.

Everything is turned to the transcript's sense strand, 0-based half-open coordinates on the region
sequence, exons numbered 1..N in transcript order, so frame arithmetic and oligo tiling need no strand logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rarepath.errors import InputError

_COMPLEMENT = str.maketrans("ACGTUNacgtun", "TGCAANtgcaan")


def reverse_complement(seq: str) -> str:
    return seq.translate(_COMPLEMENT)[::-1]


@dataclass(frozen=True)
class Exon:
    """One exon on the region's sense strand: [start, end) 0-based; cds_start/cds_end clip to the CDS."""

    number: int
    start: int
    end: int
    cds_start: int | None = None
    cds_end: int | None = None

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def cds_length(self) -> int:
        if self.cds_start is None or self.cds_end is None:
            return 0
        return self.cds_end - self.cds_start


@dataclass
class GeneRegion:
    """A gene's genomic sequence (sense strand) with the exons of one coding transcript."""

    gene: str
    transcript: str
    sequence: str
    exons: list[Exon]
    source: str
    cds: tuple[int, int] | None = None  # [start, end) on the region, stop codon included
    notes: list[str] = field(default_factory=list)

    @property
    def exon_lengths(self) -> list[int]:
        return [e.length for e in self.exons]

    def exon(self, number: int) -> Exon:
        if not 1 <= number <= len(self.exons):
            raise InputError(f"exon {number} does not exist ({self.gene} {self.transcript} has exons "
                             f"1-{len(self.exons)})", source=self.source, field="exon")
        return self.exons[number - 1]


def _clip_cds(exons: list[tuple[int, int]], cds: tuple[int, int] | None) -> list[Exon]:
    out = []
    for i, (s, e) in enumerate(exons, start=1):
        cs = ce = None
        if cds is not None and s < cds[1] and e > cds[0]:
            cs, ce = max(s, cds[0]), min(e, cds[1])
        out.append(Exon(i, s, e, cs, ce))
    return out


def _to_sense(seq: str, exons: list[tuple[int, int]], cds: tuple[int, int] | None,
              strand: int) -> tuple[str, list[tuple[int, int]], tuple[int, int] | None]:
    """Reverse-complement a minus-strand transcript so exon 1 comes first on the returned sequence."""
    if strand >= 0:
        return seq, sorted(exons), cds
    n = len(seq)
    flipped = sorted((n - e, n - s) for s, e in exons)
    fcds = (n - cds[1], n - cds[0]) if cds else None
    return reverse_complement(seq), flipped, fcds


def parse_lrg(path: Path, transcript: str = "t1") -> GeneRegion:
    """LRG XML fixed annotation: genomic sequence, exons and coding region of one transcript (1-based inclusive)."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise InputError(f"not valid LRG XML ({err})", source=str(path)) from None
    fixed = root.find("fixed_annotation")
    if fixed is None:
        raise InputError("no <fixed_annotation> in LRG XML", source=str(path))
    lrg_id = (fixed.findtext("id") or path.stem).strip()
    seq = "".join((fixed.findtext("sequence") or "").split()).upper()
    gene = lrg_id
    for sym in root.iter("symbol"):
        if sym.get("name"):
            gene = sym.get("name")
            break
    for tx in fixed.findall("transcript"):
        if tx.get("name") != transcript:
            continue
        exons = []
        for ex in tx.findall("exon"):
            for c in ex.findall("coordinates"):
                if c.get("coord_system") == lrg_id:
                    exons.append((int(c.get("start")) - 1, int(c.get("end"))))
        cds = None
        cr = tx.find("coding_region/coordinates")
        if cr is not None:
            cds = (int(cr.get("start")) - 1, int(cr.get("end")))
        if not exons:
            raise InputError(f"transcript {transcript} has no exons", source=str(path), field="exon")
        # LRG transcripts are on the LRG sequence's + strand by construction.
        return GeneRegion(gene, f"{lrg_id}{transcript}", seq, _clip_cds(sorted(exons), cds), str(path), cds)
    raise InputError(f"transcript {transcript!r} not found in LRG", source=str(path), field="transcript")


def _read_fasta(path: Path) -> dict[str, str]:
    seqs: dict[str, list[str]] = {}
    name = None
    with path.open() as fh:
        for line in fh:
            line = line.strip()
            if line.startswith(">"):
                name = line[1:].split()[0]
                seqs[name] = []
            elif line and name is not None:
                seqs[name].append(line.upper())
    if not seqs:
        raise InputError("no FASTA records", source=str(path))
    return {k: "".join(v) for k, v in seqs.items()}


def parse_gff3(gff: Path, fasta: Path | None = None, transcript: str | None = None) -> GeneRegion:
    """GFF3 exons and CDS of one mRNA (the first coding one unless named) over the FASTA it annotates."""
    if fasta is None:
        for ext in (".fasta", ".fa", ".fna"):
            cand = gff.with_suffix(ext)
            if cand.exists():
                fasta = cand
                break
    if fasta is None or not fasta.exists():
        raise InputError("GFF3 needs the FASTA it annotates (same name, .fasta/.fa)", source=str(gff))
    seqs = _read_fasta(fasta)
    mrnas: dict[str, dict] = {}
    exons: dict[str, list[tuple[int, int]]] = {}
    cds: dict[str, list[tuple[int, int]]] = {}
    with gff.open() as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 9:
                continue
            attrs = dict(kv.split("=", 1) for kv in cols[8].split(";") if "=" in kv)
            s, e = int(cols[3]) - 1, int(cols[4])
            if cols[2] == "mRNA":
                mrnas[attrs.get("ID", "")] = {"seqid": cols[0], "strand": -1 if cols[6] == "-" else 1,
                                              "name": attrs.get("transcript_id", attrs.get("Name", "")),
                                              "gene": attrs.get("gene", "")}
            elif cols[2] == "exon":
                exons.setdefault(attrs.get("Parent", ""), []).append((s, e))
            elif cols[2] == "CDS":
                cds.setdefault(attrs.get("Parent", ""), []).append((s, e))
    chosen = None
    for mid, info in mrnas.items():
        if mid in exons and mid in cds and (transcript is None or transcript in (info["name"], mid)):
            chosen = mid
            break
    if chosen is None:
        raise InputError("no coding mRNA with exons in GFF3" + (f" named {transcript}" if transcript else ""),
                         source=str(gff), field="exon")
    info = mrnas[chosen]
    seq = seqs.get(info["seqid"]) or next(iter(seqs.values()))
    cds_span = (min(s for s, _ in cds[chosen]), max(e for _, e in cds[chosen]))
    sseq, sex, scds = _to_sense(seq, exons[chosen], cds_span, info["strand"])
    return GeneRegion(info["gene"] or gff.stem, info["name"], sseq, _clip_cds(sex, scds), str(gff), scds)


def parse_genbank(path: Path, transcript: str | None = None) -> GeneRegion:
    """GenBank record (Biopython): mRNA/exon features of the first coding transcript."""
    from Bio import SeqIO

    try:
        rec = next(SeqIO.parse(str(path), "genbank"))
    except (StopIteration, ValueError) as err:
        raise InputError(f"not a GenBank record ({err})", source=str(path)) from None
    seq = str(rec.seq).upper()
    mrna = [f for f in rec.features if f.type == "mRNA"]
    cdsf = [f for f in rec.features if f.type == "CDS"]
    if transcript:
        mrna = [f for f in mrna if transcript in f.qualifiers.get("transcript_id", [""])[0]] or mrna
    if mrna:
        parts = [(int(p.start), int(p.end)) for p in mrna[0].location.parts]
        strand = mrna[0].location.strand or 1
        gene = mrna[0].qualifiers.get("gene", [rec.name])[0]
        tx = mrna[0].qualifiers.get("transcript_id", [rec.id])[0]
    else:
        ex = [f for f in rec.features if f.type == "exon"]
        if not ex:
            raise InputError("GenBank record has no mRNA or exon features", source=str(path), field="exon")
        parts = [(int(f.location.start), int(f.location.end)) for f in ex]
        strand = ex[0].location.strand or 1
        gene = ex[0].qualifiers.get("gene", [rec.name])[0]
        tx = rec.id
    cds_span = (int(cdsf[0].location.start), int(cdsf[0].location.end)) if cdsf else None
    sseq, sex, scds = _to_sense(seq, parts, cds_span, strand)
    return GeneRegion(gene, tx, sseq, _clip_cds(sex, scds), str(path), scds)


def load_region(path: str | Path, transcript: str | None = None) -> GeneRegion:
    """Pick the parser from the file's extension; a region without exons is bad input."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", source=str(p))
    suf = p.suffix.lower()
    if suf == ".xml":
        region = parse_lrg(p, transcript or "t1")
    elif suf in (".gff3", ".gff"):
        region = parse_gff3(p, transcript=transcript)
    elif suf in (".gb", ".gbk", ".genbank", ".gbff"):
        region = parse_genbank(p, transcript)
    elif suf in (".fa", ".fasta", ".fna"):
        gff = next((p.with_suffix(x) for x in (".gff3", ".gff") if p.with_suffix(x).exists()), None)
        if gff is None:
            raise InputError("region file has no exons (plain FASTA; give LRG XML, GFF3 or GenBank)",
                             source=str(p), field="exon")
        region = parse_gff3(gff, p, transcript)
    else:
        raise InputError("unknown region format (use .xml LRG, .gff3 with FASTA, or .gb GenBank)", source=str(p))
    if not region.exons:
        raise InputError("region file has no exons", source=str(p), field="exon")
    return region
