"""Which gene (and exon) an off-target site falls in, and the one coordinate convention of site outputs.

Coordinates: every site output of `design offtargets` and `design edit` is 0-based half-open on the genome
(as BED), and the column headers say so (`start_0based`, `end_0based_excl`). A reference record named as a
region (``chr5_70890000_71100000`` or ``chr5:70890000-71100000``, first base = the 1-based genomic position in
the name) is mapped back to its chromosome, so sites from a region file and from the whole genome join
without an offset or an off-by-one.

Annotations: the MANE summary table (NCBI/EMBL-EBI, gene spans on GRCh38, no exons; e.g.
``../shared/data/annotation/MANE.GRCh38.v0.93.summary.txt``) or a user's GTF/GFF3 parsed with gffutils
(genes and, where the file has them, exons with their number in the transcript).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rarepath.errors import InputError

__all__ = ["SiteAnnotation", "genomic_position", "load_site_annotation"]

_REGION = re.compile(r"^(?P<chrom>[^:_\s]+(?:_[A-Za-z][^:_\s]*)*)[_:](?P<start>\d+)[-_](?P<end>\d+)$")


def genomic_position(record: str, start0: int) -> tuple[str, int]:
    """(chromosome, 0-based genomic start) of a 0-based position on a reference record."""
    m = _REGION.match(record)
    if m and int(m["end"]) > int(m["start"]):
        return m["chrom"], int(m["start"]) - 1 + start0
    return record, start0


def _chrom_key(name: str) -> str:
    """Chromosome names compared without a `chr` prefix (MANE writes 5, UCSC chr5)."""
    return name[3:] if name.lower().startswith("chr") else name


@dataclass
class _Intervals:
    starts: np.ndarray
    ends: np.ndarray
    labels: list[str]

    def overlapping(self, start: int, end: int) -> list[str]:
        hit = (self.starts < end) & (self.ends > start)
        return [self.labels[i] for i in np.flatnonzero(hit)]


@dataclass
class SiteAnnotation:
    """Gene spans and exons by chromosome; `annotate` takes 0-based half-open genomic intervals."""

    source: str
    genes: dict[str, _Intervals] = field(default_factory=dict)
    exons: dict[str, _Intervals] = field(default_factory=dict)

    @property
    def has_exons(self) -> bool:
        return bool(self.exons)

    def annotate(self, chrom: str, start: int, end: int) -> tuple[str, str]:
        """(genes, exons) overlapping [start, end) as ';'-joined text ('' when none)."""
        key = _chrom_key(chrom)
        g = self.genes.get(key)
        x = self.exons.get(key)
        genes = sorted(set(g.overlapping(start, end))) if g is not None else []
        exons = sorted(set(x.overlapping(start, end))) if x is not None else []
        return ";".join(genes), ";".join(exons)


def _freeze(spans: dict[str, list[tuple[int, int, str]]]) -> dict[str, _Intervals]:
    out = {}
    for chrom, rows in spans.items():
        rows.sort()
        out[chrom] = _Intervals(np.array([r[0] for r in rows], dtype=np.int64),
                                np.array([r[1] for r in rows], dtype=np.int64), [r[2] for r in rows])
    return out


def load_mane_summary(path: Path) -> SiteAnnotation:
    """Gene spans from a MANE summary table (1-based inclusive chr_start/chr_end -> 0-based half-open)."""
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().lstrip("#").rstrip("\n").split("\t")
        need = ("symbol", "GRCh38_chr", "chr_start", "chr_end")
        missing = [c for c in need if c not in header]
        if missing:
            raise InputError(f"MANE summary lacks column(s) {', '.join(missing)}", source=str(path))
        col = {c: header.index(c) for c in need}
        for n, line in enumerate(fh, 2):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < len(header):
                continue
            try:
                s, e = int(parts[col["chr_start"]]), int(parts[col["chr_end"]])
            except ValueError:
                raise InputError(f"line {n}: chr_start/chr_end are not integers", source=str(path)) from None
            spans[_chrom_key(parts[col["GRCh38_chr"]])].append((s - 1, e, parts[col["symbol"]]))
    return SiteAnnotation(str(path), _freeze(spans), {})


def _attr(feature, *names: str) -> str:
    for n in names:
        v = feature.attributes.get(n)
        if v:
            return v[0]
    return ""


def load_gtf_gff(path: Path) -> SiteAnnotation:
    """Genes and numbered exons from a GTF or GFF3 file (gffutils, in-memory database)."""
    import gffutils

    try:
        db = gffutils.create_db(str(path), ":memory:", merge_strategy="create_unique", keep_order=False,
                                disable_infer_genes=True, disable_infer_transcripts=True)
    except (ValueError, IndexError, gffutils.exceptions.EmptyInputError) as err:
        raise InputError(f"not a readable GTF/GFF3 ({err})", source=str(path)) from None
    gene_name: dict[str, str] = {}
    genes: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for g in db.features_of_type("gene"):
        name = _attr(g, "gene_name", "Name", "gene", "gene_id") or g.id
        gene_name[g.id] = name
        genes[_chrom_key(g.seqid)].append((g.start - 1, g.end, name))
    tx_gene: dict[str, str] = {}
    for kind in ("transcript", "mRNA", "ncRNA", "lnc_RNA", "primary_transcript"):
        for t in db.features_of_type(kind):
            parent = _attr(t, "Parent")
            tx_gene[t.id] = gene_name.get(parent, "") or _attr(t, "gene_name", "gene", "gene_id")
    by_tx: dict[str, list] = defaultdict(list)
    for x in db.features_of_type("exon"):
        by_tx[f"{x.seqid}\t{_attr(x, 'transcript_id', 'Parent')}"].append(x)
    exons: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    derived: dict[str, list[int]] = defaultdict(lambda: [1 << 62, -1])
    for key, xs in by_tx.items():
        tx = key.split("\t", 1)[1]
        xs.sort(key=lambda f: f.start, reverse=xs[0].strand == "-")
        for i, x in enumerate(xs, 1):
            gene = (tx_gene.get(tx) or _attr(x, "gene_name", "gene", "gene_id")
                    or gene_name.get(_attr(x, "Parent"), ""))
            number = _attr(x, "exon_number") or str(i)
            label = f"{tx} exon {number}" if gene in ("", tx) else f"{gene} {tx} exon {number}"
            exons[_chrom_key(x.seqid)].append((x.start - 1, x.end, label))
            if gene:
                span = derived[f"{_chrom_key(x.seqid)}\t{gene}"]
                span[0], span[1] = min(span[0], x.start - 1), max(span[1], x.end)
    if not genes:  # GTFs without gene lines: spans from the exons of each gene
        for key, (s, e) in derived.items():
            chrom, gene = key.split("\t")
            genes[chrom].append((s, e, gene))
    if not genes and not exons:
        raise InputError("no gene or exon features", source=str(path))
    return SiteAnnotation(str(path), _freeze(genes), _freeze(exons))


def load_site_annotation(path: Path) -> SiteAnnotation:
    """A MANE summary table (by its header) or a GTF/GFF3 file."""
    p = Path(path)
    if not p.is_file():
        raise InputError("annotation file not found", source=str(p), field="--annotation")
    with open(p, encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    if first.startswith("#NCBI_GeneID") or "MANE_status" in first:
        return load_mane_summary(p)
    return load_gtf_gff(p)
