"""Build `knowledge/data/clinvar_gene_patterns.tsv`: where each gene's pathogenic ClinVar variants sit.

The statistics are computed by `rarepath.knowledge.clinvar_patterns` (see there, after Gerasimavicius et al.,
Nat Commun 2022); this script reads the flat table of `macarthur-lab/clinvar` (ClinVar release 2016-05-05,
public domain; columns `symbol hgvs_c hgvs_p pathogenic conflicted`) and protein lengths from the ExAC r0.3
CDS-length table, and writes the shipped table. A current ClinVar goes in through `rarepath kb import`
(`variant_summary.txt.gz`) instead.

    PYTHONPATH=src python scripts/build_clinvar_patterns.py ../shared/data/clinvar/clinvar.tsv.gz \
        --cds ../shared/data/exac_cds_length/exac_r03_cds_length.tsv \
        --out src/rarepath/knowledge/data/clinvar_gene_patterns.tsv
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
from collections.abc import Iterator
from pathlib import Path

from rarepath.knowledge.clinvar_patterns import COLUMNS, WINDOW_FRACTION, gene_pattern_rows

SOURCE = ("ClinVar release 2016-05-05 (public domain) via macarthur-lab/clinvar 9c409ea; "
          "derived by scripts/build_clinvar_patterns.py (Gerasimavicius et al., Nat Commun 2022)")


def read_lengths(path: Path | None) -> dict[str, int]:
    if path is None:
        return {}
    out: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            try:
                out[row["gene"].upper()] = int(row["cds_length_bp"]) // 3 - 1
            except (KeyError, ValueError):
                continue
    return out


def pathogenic_variants(clinvar: Path) -> Iterator[tuple[str, str, str]]:
    """(gene, hgvs_c, hgvs_p) of every P/LP, non-conflicted variant of the 2016 flat table."""
    csv.field_size_limit(1 << 24)  # all_submitters/all_traits cells can be long
    with gzip.open(clinvar, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("pathogenic") != "1" or row.get("conflicted") == "1" or row.get("symbol") in ("", "-", None):
                continue
            yield row["symbol"], row.get("hgvs_c") or "", row.get("hgvs_p") or ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clinvar", type=Path)
    ap.add_argument("--cds", type=Path, default=None, help="ExAC r0.3 CDS-length table (gene, cds_length_bp)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    rows = gene_pattern_rows(pathogenic_variants(args.clinvar), read_lengths(args.cds))
    header = ("# version: clinvar-2016-05-05\n"
              "# Per-gene pattern of pathogenic/likely pathogenic ClinVar variants (derived, see "
              "scripts/build_clinvar_patterns.py).\n"
              "# missense_dispersion: 1 - mean pairwise residue distance / (protein length / 3); 0 = spread "
              "uniformly, 1 = one residue.\n"
              f"# missense_window_fraction: largest fraction of missense P/LP in a window of "
              f"{WINDOW_FRACTION:g} x protein length. recurrent: residues with >= 2 P/LP missense variants.\n"
              "# glycine_fraction: share of missense P/LP replacing a glycine; glycine_phase: commonest position mod 3 "
              "of those glycines, glycine_phase_fraction: their share in it (a Gly-X-Y helix puts them all in one).\n"
              "# truncating_residues: first residue altered by each truncating P/LP change (nonsense, frameshift).\n")
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        w = csv.DictWriter(fh, fieldnames=[*COLUMNS, "source"], delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows({**r, "source": SOURCE} for r in rows)
    print(f"{len(rows)} genes -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
