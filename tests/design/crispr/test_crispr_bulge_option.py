"""`design edit --bulges 1` counts bulged off-target sites separately from the mismatch-only summary."""

from __future__ import annotations

from pathlib import Path

from rarepath.design.crispr.design import design_edit
from rarepath.design.offtarget import GenomeIndex

GUIDE_SITE = "GATTACAGATTACAGGCTAGCTGG"  # 20-nt protospacer + PAM placed in the middle of the reference


def _reference(tmp_path: Path) -> Path:
    import random

    rng = random.Random(3)
    left = "".join(rng.choice("ACGT") for _ in range(400))
    right = "".join(rng.choice("ACGT") for _ in range(400))
    spacer = "ACGTTGCAACGGTACCATGA"
    # an exact copy of the spacer with one extra base (a DNA bulge) elsewhere in the genome, followed by NGG
    bulged = spacer[:9] + "T" + spacer[9:] + "AGG"
    seq = left + spacer + "CGG" + right[:150] + bulged + right[150:]
    fa = tmp_path / "ref.fa"
    fa.write_text(">chrT\n" + "\n".join(seq[i:i + 60] for i in range(0, len(seq), 60)) + "\n")
    return fa


def test_bulge_option_reports_bulged_sites(tmp_path: Path):
    fa = _reference(tmp_path)
    pos = 400 + 10 + 1  # a base inside the spacer, 1-based
    seq = "".join(fa.read_text().splitlines()[1:])
    ref = seq[pos - 1]
    alt = "A" if ref != "A" else "C"
    idx = GenomeIndex.from_fasta(fa)
    plain = design_edit(fa, f"chrT:{pos}{ref}>{alt}", goal="introduce", nucleases="SpCas9", offtarget_index=idx)
    bulged = design_edit(fa, f"chrT:{pos}{ref}>{alt}", goal="introduce", nucleases="SpCas9", offtarget_index=idx,
                         bulges=1)
    by_plain = {g.spacer: g.offtargets for g in plain.nuclease_guides}
    by_bulge = {g.spacer: g.offtargets for g in bulged.nuclease_guides}
    spacer = "ACGTTGCAACGGTACCATGA"
    assert spacer in by_plain and by_plain[spacer].bulged == 0
    assert by_bulge[spacer].bulged >= 1
    assert by_bulge[spacer].counts_by_mismatch == by_plain[spacer].counts_by_mismatch
    assert "bulge" in bulged.offtarget_scope
