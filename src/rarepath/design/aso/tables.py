"""The oligo-design data shipped with `rarepath.design.aso` (data/*.tsv): approved ASO sequences, splicing
k-mers, ESEfinder matrices, the knockdown model. Facts the interpretation also reads (exon structures and
domains, ASO tissue delivery, upregulation targets) are curated tables in `rarepath.knowledge`."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

DATA = Path(str(resources.files("rarepath.design.aso") / "data"))


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of data/<name> as dicts with stripped values; `#` lines are comments."""
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(lines, delimiter="\t")]
