"""Build `knowledge/data/clinvar_gene_patterns.tsv`: where each gene's pathogenic ClinVar variants sit.

Gerasimavicius et al. (Nat Commun 13:3895, 2022) showed that dominant-negative and gain-of-function missense
variants cluster in a few regions of the protein, while loss-of-function missense variants spread along it with
truncating variants beside them. This script condenses a ClinVar table into the per-gene facts the mechanism
rules read: counts of pathogenic/likely pathogenic (P/LP) truncating and missense variants, two clustering
statistics of the missense residues along the protein, and the residues that carry a P/LP missense variant.

Input: the flat table of `macarthur-lab/clinvar` (ClinVar release 2016-05-05, public domain), columns
`symbol hgvs_c hgvs_p pathogenic conflicted`; optional protein lengths from the ExAC r0.3 CDS-length table.

    python scripts/build_clinvar_patterns.py ../shared/data/clinvar/clinvar.tsv.gz \
        --cds ../shared/data/exac_cds_length/exac_r03_cds_length.tsv \
        --out src/rarepath/knowledge/data/clinvar_gene_patterns.tsv
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
from collections import defaultdict
from pathlib import Path

MISSENSE = re.compile(r"p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2})\)?$")
TRUNCATING_P = re.compile(r"p\.\(?[A-Z][a-z]{2}\d+(?:Ter|\*)\)?$|fs")
CANONICAL_SPLICE = re.compile(r"c\.[-*]?\d+[+-][12](?!\d)")
#: Window for the local-density statistic, as a fraction of the protein length.
WINDOW_FRACTION = 0.1
#: Fewest P/LP variants (truncating + missense) for which a gene's pattern is written.
MIN_VARIANTS = 3
SOURCE = ("ClinVar release 2016-05-05 (public domain) via macarthur-lab/clinvar 9c409ea; "
          "derived by scripts/build_clinvar_patterns.py (Gerasimavicius et al., Nat Commun 2022)")


def classify(hgvs_c: str, hgvs_p: str) -> tuple[str, int | None]:
    """('truncating' | 'missense' | 'other', residue of a missense change)."""
    kind, pos, _ = classify_residue(hgvs_c, hgvs_p)
    return kind, pos


def classify_residue(hgvs_c: str, hgvs_p: str) -> tuple[str, int | None, str | None]:
    """As `classify`, with the reference amino acid of a missense change."""
    p = hgvs_p.split(":", 1)[-1]
    m = MISSENSE.search(p)
    if m and m.group(3) not in ("Ter", "Xaa") and m.group(1) != m.group(3) and m.group(1) != "Ter":
        return "missense", int(m.group(2)), m.group(1)
    if p and TRUNCATING_P.search(p):
        return "truncating", None, None
    if not p and CANONICAL_SPLICE.search(hgvs_c.split(":", 1)[-1]):
        return "truncating", None, None
    return "other", None, None


def glycine_pattern(glycines: list[int], n_missense: int) -> tuple[float, int | str, float]:
    """Share of missense P/LP that replace a glycine, the commonest Gly position mod 3 and the share in it: a
    collagen Gly-X-Y triple helix shows as many glycine substitutions all in one phase."""
    if not glycines or not n_missense:
        return 0.0, "", 0.0
    phases: dict[int, int] = defaultdict(int)
    for pos in glycines:
        phases[pos % 3] += 1
    phase, count = max(phases.items(), key=lambda kv: kv[1])
    return round(len(glycines) / n_missense, 3), phase, round(count / len(glycines), 3)


def dispersion(positions: list[int], length: int) -> float:
    """1 - mean pairwise distance / its expectation under a uniform spread (L/3): 0 spread, 1 one residue."""
    n = len(positions)
    if n < 2 or length <= 1:
        return 0.0
    xs = sorted(positions)
    # sum of pairwise distances in O(n) over sorted positions
    total = sum(x * (2 * i - n + 1) for i, x in enumerate(xs))
    mean = total / (n * (n - 1) / 2)
    return round(max(0.0, 1 - mean / (length / 3)), 3)


def window_fraction(positions: list[int], length: int) -> float:
    """Largest fraction of the missense variants inside one window of WINDOW_FRACTION x the protein length."""
    if not positions:
        return 0.0
    xs = sorted(positions)
    width = max(1.0, WINDOW_FRACTION * length)
    best, j = 0, 0
    for i, x in enumerate(xs):
        while xs[j] < x - width:
            j += 1
        best = max(best, i - j + 1)
    return round(best / len(xs), 3)


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


def build(clinvar: Path, lengths: dict[str, int]) -> list[dict[str, object]]:
    trunc: dict[str, int] = defaultdict(int)
    residues: dict[str, list[int]] = defaultdict(list)
    glycines: dict[str, list[int]] = defaultdict(list)
    csv.field_size_limit(1 << 24)  # all_submitters/all_traits cells can be long
    with gzip.open(clinvar, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("pathogenic") != "1" or row.get("conflicted") == "1" or row.get("symbol") in ("", "-", None):
                continue
            kind, pos, ref = classify_residue(row.get("hgvs_c") or "", row.get("hgvs_p") or "")
            gene = row["symbol"].upper()
            if kind == "truncating":
                trunc[gene] += 1
            elif kind == "missense" and pos is not None:
                residues[gene].append(pos)
                if ref == "Gly":
                    glycines[gene].append(pos)
    rows = []
    for gene in sorted(set(trunc) | set(residues)):
        pos = residues.get(gene, [])
        n_t, n_m = trunc.get(gene, 0), len(pos)
        if n_t + n_m < MIN_VARIANTS:
            continue
        length = max(lengths.get(gene, 0), max(pos, default=0))
        counts: dict[int, int] = defaultdict(int)
        for p in pos:
            counts[p] += 1
        recurrent = sorted(p for p, c in counts.items() if c >= 2)
        gly_fraction, gly_phase, gly_phase_fraction = glycine_pattern(glycines.get(gene, []), n_m)
        rows.append({
            "gene": gene,
            "protein_length": length or "",
            "truncating_plp": n_t,
            "missense_plp": n_m,
            "truncating_fraction": round(n_t / (n_t + n_m), 3),
            "missense_dispersion": dispersion(pos, length) if length else "",
            "missense_window_fraction": window_fraction(pos, length) if length else "",
            "recurrent_fraction": round(sum(counts[p] for p in recurrent) / n_m, 3) if n_m else 0,
            "glycine_fraction": gly_fraction,
            "glycine_phase": gly_phase,
            "glycine_phase_fraction": gly_phase_fraction,
            "recurrent_residues": ";".join(map(str, recurrent)),
            "missense_residues": ";".join(map(str, sorted(counts))),
            "source": SOURCE,
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clinvar", type=Path)
    ap.add_argument("--cds", type=Path, default=None, help="ExAC r0.3 CDS-length table (gene, cds_length_bp)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    rows = build(args.clinvar, read_lengths(args.cds))
    header = ("# version: clinvar-2016-05-05\n"
              "# Per-gene pattern of pathogenic/likely pathogenic ClinVar variants (derived, see "
              "scripts/build_clinvar_patterns.py).\n"
              "# missense_dispersion: 1 - mean pairwise residue distance / (protein length / 3); 0 = spread "
              "uniformly, 1 = one residue.\n"
              f"# missense_window_fraction: largest fraction of missense P/LP in a window of "
              f"{WINDOW_FRACTION:g} x protein length. recurrent: residues with >= 2 P/LP missense variants.\n"
              "# glycine_fraction: share of missense P/LP replacing a glycine; glycine_phase: commonest position mod 3 "
              "of those glycines, glycine_phase_fraction: their share in it (a Gly-X-Y helix puts them all in one).\n")
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} genes -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
