"""Derive src/rarepath/knowledge/data/exon_structures.tsv from real annotation files.

Usage: .venv/bin/python scripts/aso_exon_structures.py [SHARED_DATA_DIR]
Writes numbers only (exon coordinates, lengths, coding lengths, start phase) with the file they came from;
no sequence is copied. Re-run it whenever the source annotation changes; tests check the table against it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rarepath.design.aso.regions import GeneRegion, load_region

OUT = Path(__file__).resolve().parents[1] / "src/rarepath/knowledge/data/exon_structures.tsv"

# (file under sequences/, transcript, reference accession, gene symbol when the file does not say)
SOURCES = [
    ("DMD_LRG_199.xml", "t1", "LRG_199 t1 = NM_004006.2 (Dp427m); genomic NG_012232.1", "DMD"),
    ("USH2A_NG_009497.1.gff3", "NM_206933.2", "NG_009497.1 RefSeqGene", "USH2A"),
    ("MECP2_NG_007107.2.gff3", None, "NG_007107.2 RefSeqGene", "MECP2"),
    ("KIF1A_NG_029724.1.gff3", None, "NG_029724.1 RefSeqGene", "KIF1A"),
    ("PCCB_NG_008939.1.gff3", None, "NG_008939.1 RefSeqGene", "PCCB"),
    ("NR2E3_NG_009113.2.gff3", None, "NG_009113.2 RefSeqGene", "NR2E3"),
    ("SELENON_NG_009930.1.gff3", None, "NG_009930.1 RefSeqGene", "SELENON"),
]

COLUMNS = ["gene", "transcript", "exon", "ref_start", "ref_end", "length_nt", "cds_nt", "start_phase",
           "reference", "source"]


def rows_for(region: GeneRegion, gene: str, reference: str, source: str) -> list[list[str]]:
    """One row per exon; start_phase = coding nt before the exon mod 3 (-1 when the exon has no CDS)."""
    rows, coding_before = [], 0
    for ex in region.exons:
        phase = coding_before % 3 if ex.cds_length else -1
        rows.append([gene, region.transcript, str(ex.number), str(ex.start + 1), str(ex.end),
                     str(ex.length), str(ex.cds_length), str(phase), reference, source])
        coding_before += ex.cds_length
    return rows


def main(shared: Path) -> None:
    lines = ["# Exon structures of coding transcripts, derived by scripts/aso_exon_structures.py from the files in",
             "# `source` (shared/data/sequences; provenance in shared/data/SOURCES.md). ref_start/ref_end: 1-based",
             "# inclusive on the reference sequence's transcript strand (sense-oriented); cds_nt: coding nt in the",
             "# exon (stop codon included); start_phase: coding nt before the exon mod 3, -1 = non-coding exon.",
             "# version: 1",
             "\t".join(COLUMNS)]
    for fname, tx, ref, gene in SOURCES:
        path = shared / "sequences" / fname
        region = load_region(path, tx)
        for r in rows_for(region, gene, ref, f"shared/data/sequences/{fname}"):
            lines.append("\t".join(r))
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT} ({len(lines) - 6} exons)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data")
