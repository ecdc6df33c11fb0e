"""A simulated two-genotype rescue screen (for the README example and tests): plates, map and library files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rarepath.screens.plates import FORMATS, well_name

# id, name, modality, target gene, indication, true max rescue %, EC50 uM, isogenic toxicity at top dose %
TREATMENTS = [
    ("D001", "ataluren", "drug", "CFTR", "nonsense-mediated DMD", 80.0, 0.5, 5.0),
    ("D002", "doxorubicin", "drug", "TOP2A", "cancers", 10.0, 1.0, 70.0),
    ("D003", "metformin", "drug", "PRKAB1", "type 2 diabetes", 0.0, 1.0, 0.0),
    ("A001", "ASO-ex51", "aso", "DMD", "", 60.0, 0.05, 10.0),
    ("C001", "AAV9-CLN3", "construct", "CLN3", "", 90.0, 0.2, 0.0),
]
DOSES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def write_example_screen(out: str | Path, *, seed: int = 7, noise: float = 4.0) -> dict[str, Path]:
    """Write plates/ (two 384-well matrix CSVs = 2 replicates), plate_map.csv, library.csv under `out`."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    (out / "plates").mkdir(parents=True, exist_ok=True)
    nr, nc = FORMATS[384]
    untreated, iso = 1000.0, 3000.0  # patient cells low signal, isogenic high
    layout = []  # (row, col, role, genotype, treatment, dose)
    for r in range(nr):
        layout.append((r, 0, "negative", "patient", "", ""))
        layout.append((r, 1, "positive", "isogenic", "", ""))
    col = 2
    row = 0
    for t in TREATMENTS:
        for geno in ("patient", "isogenic"):
            for d in DOSES:
                layout.append((row, col, "sample", geno, t[0], d))
                row += 1
                if row == nr:
                    row, col = 0, col + 1
    map_lines = ["well,role,genotype,treatment,modality,dose,unit,replicate"]
    for r, c, role, geno, tid, d in layout:
        mod = next((t[2] for t in TREATMENTS if t[0] == tid), "")
        map_lines.append(f"{well_name(r, c)},{role},{geno},{tid},{mod},{d},{'uM' if tid else ''},")
    (out / "plate_map.csv").write_text("\n".join(map_lines) + "\n")
    lib = ["id,name,modality,target_gene,indication"] + [f"{t[0]},{t[1]},{t[2]},{t[3]},{t[4]}" for t in TREATMENTS]
    (out / "library.csv").write_text("\n".join(lib) + "\n")
    info = {t[0]: t for t in TREATMENTS}
    for rep in (1, 2):
        v = np.full((nr, nc), np.nan)
        for r, c, role, geno, tid, d in layout:
            if role == "negative":
                mu = untreated
            elif role == "positive":
                mu = iso
            elif geno == "patient":
                _, _, _, _, _, rmax, ec50, _ = info[tid]
                frac = rmax / 100 / (1 + (ec50 / d) ** 1.5)
                mu = untreated + frac * (iso - untreated)
            else:
                tox = info[tid][7] / 100 * (d / DOSES[-1]) ** 0.7
                mu = iso * (1 - tox)
            v[r, c] = mu * (1 + rng.normal(0, noise / 100))
        lines = ["," + ",".join(f"{c + 1:02d}" for c in range(nc))]
        for r in range(nr):
            cells = ["" if not np.isfinite(x) else f"{x:.1f}" for x in v[r]]
            lines.append(chr(65 + r) + "," + ",".join(cells))
        (out / "plates" / f"plate_rep{rep}.csv").write_text("\n".join(lines) + "\n")
    return {"plates": out / "plates", "map": out / "plate_map.csv", "library": out / "library.csv"}
