"""A simulated two-genotype rescue screen for the bundled DMD case (README example and tests).

The case (`examples/dmd_boy.yaml`) is a boy with Duchenne muscular dystrophy from a deletion of DMD exons
48-50, which puts the reading frame out of phase; skipping exon 51 restores it. The simulated model is patient
iPSC-derived myotubes and their CRISPR-corrected isogenic control, read out by a membrane-integrity assay
(dye exclusion after a hypo-osmotic challenge: low in dystrophin-deficient cells, high in corrected cells).
So the treatments behave as their biology says, not as a generic drug screen:

* eteplirsen (exon 51 skipping PMO): restores an in-frame transcript -> partial rescue at micromolar doses;
* golodirsen (exon 53 skipping PMO): right gene, wrong exon for this deletion (48-50 + 53 stays out of
  frame) -> no rescue; a specificity control for the ASO class;
* AAV micro-dystrophin construct (as delandistrogene moxeparvovec, MHCK7 promoter), dosed in vector genomes
  per cell: the strongest rescue, independent of the deletion;
* vamorolone (dissociative corticosteroid, NR3C1) and givinostat (class I/II HDAC inhibitor): modest
  membrane-stabilising / anti-fibrotic effects, givinostat cytotoxic at high micromolar doses;
* ataluren (read-through of premature stop codons in DMD): no effect on a deletion -> no rescue;
* doxorubicin (TOP2A, anthracycline): cytotoxic control, kills both genotypes.

Effect sizes and potencies are illustrative (simulated), not measured values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rarepath.screens.plates import FORMATS, well_name

UM = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]  # micromolar (drugs)
ASO_UM = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]  # micromolar (gymnotic PMO uptake needs uM)
VG = [1e2, 3e2, 1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6]  # vector genomes per cell (AAV)

# id, name, modality, target gene, indication / mechanism, unit, doses,
# true max rescue %, EC50, Hill slope, max cytotoxicity % (both genotypes), TC50
TREATMENTS = [
    ("A001", "eteplirsen", "aso", "DMD", "DMD amenable to exon 51 skipping (PMO)", "uM", ASO_UM,
     55.0, 3.0, 1.2, 10.0, 300.0),
    ("A002", "golodirsen", "aso", "DMD", "DMD amenable to exon 53 skipping (PMO); wrong exon for del 48-50", "uM",
     ASO_UM, 0.0, 3.0, 1.2, 10.0, 300.0),
    ("C001", "AAVrh74-MHCK7-microdystrophin", "construct", "DMD",
     "micro-dystrophin gene transfer (as delandistrogene moxeparvovec)", "vg/cell", VG, 75.0, 1e4, 1.0, 0.0, 1e9),
    ("D001", "vamorolone", "drug", "NR3C1", "DMD; dissociative corticosteroid", "uM", UM, 35.0, 0.1, 1.2, 5.0, 100.0),
    ("D002", "givinostat", "drug", "HDAC1", "DMD; class I/II HDAC inhibitor", "uM", UM, 40.0, 0.03, 1.5, 50.0, 30.0),
    ("D003", "ataluren", "drug", "DMD", "nonsense-mutation DMD (stop-codon read-through); no effect on a deletion",
     "uM", UM, 0.0, 1.0, 1.0, 0.0, 1e9),
    ("D004", "doxorubicin", "drug", "TOP2A", "cytotoxic control (anthracycline)", "uM", UM, 0.0, 1.0, 1.0, 90.0, 0.3),
]


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
            for d in t[6]:
                layout.append((row, col, "sample", geno, t[0], d))
                row += 1
                if row == nr:
                    row, col = 0, col + 1
    info = {t[0]: t for t in TREATMENTS}
    map_lines = ["well,role,genotype,treatment,modality,dose,unit,replicate"]
    for r, c, role, geno, tid, d in layout:
        mod, unit = (info[tid][2], info[tid][5]) if tid else ("", "")
        map_lines.append(f"{well_name(r, c)},{role},{geno},{tid},{mod},{d},{unit},")
    (out / "plate_map.csv").write_text("\n".join(map_lines) + "\n")
    lib = ["id,name,modality,target_gene,indication"] + [f'{t[0]},{t[1]},{t[2]},{t[3]},"{t[4]}"' for t in TREATMENTS]
    (out / "library.csv").write_text("\n".join(lib) + "\n")
    for rep in (1, 2):
        v = np.full((nr, nc), np.nan)
        for r, c, role, geno, tid, d in layout:
            if role == "negative":
                mu = untreated
            elif role == "positive":
                mu = iso
            else:
                *_, rmax, ec50, hill, tox_max, tc50 = info[tid]
                alive = 1.0 - tox_max / 100.0 / (1.0 + (tc50 / d) ** 1.5)  # cytotoxicity hits both genotypes
                if geno == "patient":
                    frac = rmax / 100.0 / (1.0 + (ec50 / d) ** hill)
                    mu = (untreated + frac * (iso - untreated)) * alive
                else:
                    mu = iso * alive
            v[r, c] = mu * (1 + rng.normal(0, noise / 100))
        lines = ["," + ",".join(f"{c + 1:02d}" for c in range(nc))]
        for r in range(nr):
            cells = ["" if not np.isfinite(x) else f"{x:.1f}" for x in v[r]]
            lines.append(chr(65 + r) + "," + ",".join(cells))
        (out / "plates" / f"plate_rep{rep}.csv").write_text("\n".join(lines) + "\n")
    return {"plates": out / "plates", "map": out / "plate_map.csv", "library": out / "library.csv"}
