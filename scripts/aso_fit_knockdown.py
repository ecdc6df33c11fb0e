"""Fit the gapmer knockdown ridge model on openASO and write src/rarepath/design/aso/data/knockdown_model.tsv.

Usage: .venv/bin/python scripts/aso_fit_knockdown.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from rarepath.design.aso.features import KNOCKDOWN_FEATURES
from rarepath.design.aso.knockdown import RIDGE_LAMBDA, feature_matrix, fit, per_gene_spearman, read_openaso

OUT = Path(__file__).resolve().parents[1] / "src/rarepath/design/aso/data/knockdown_model.tsv"


def main(shared: Path) -> None:
    path = shared / "aso" / "openaso_9-20-21_cleandata.csv"
    oligos, y, groups = read_openaso(path)
    x = feature_matrix(oligos)
    mean, sd, w = fit(x, y, groups)
    logo_score = np.zeros(len(y))
    for g in np.unique(groups):
        m = groups == g
        mu, s, ww = fit(x[~m], y[~m], groups[~m])
        logo_score[m] = ((x[m] - mu) / s) @ ww
    logo = float(np.median(list(per_gene_spearman(logo_score, y, groups).values())))
    src = (f"fitted by scripts/aso_fit_knockdown.py: ridge (lambda {RIDGE_LAMBDA:g}) on within-gene efficacy rank, "
           f"openASO 9-20-21 clean data ({len(y)} ASOs, {len(np.unique(groups))} transcripts; BSD-3); "
           f"leave-gene-out median Spearman {logo:.3f}")
    lines = ["# Gapmer knockdown model (rarepath.design.aso.knockdown). score = sum(weight * (x - mean) / sd).",
             "# version: 1", "feature\tmean\tsd\tweight\tsource"]
    for name, a, b, c in zip(KNOCKDOWN_FEATURES, mean, sd, w, strict=True):
        lines.append(f"{name}\t{a:.6g}\t{b:.6g}\t{c:.6g}\t{src}")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}; leave-gene-out median Spearman {logo:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data")
