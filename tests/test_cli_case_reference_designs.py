"""Editing designs for the SMN1 and DMD regions in ../shared/data/sequences appear in the report of a case whose
variant lies there (`rarepath assess ... --reference REGION.fa`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.cli import main


@pytest.mark.parametrize("gene,variant,zygosity,region", [
    ("SMN1", "chr5:70951946C>T", "heterozygous", "SMN1_region_hg38_chr5_70890000_71100000.fa"),
    ("DMD", "LRG_199:g.1570420C>T", "hemizygous", "DMD_LRG_199.genomic.fa"),
])
def test_designs_for_variant_in_region(tmp_path: Path, gene, variant, zygosity, region):
    ref = shared_path("sequences", region)
    out = tmp_path / "a.json"
    code = main(["assess", "--gene", gene, "--variant", variant, "--zygosity", zygosity, "--patient",
                 "age=5; sex=male", "--reference", str(ref), "--json", str(out), "--html", str(tmp_path), "--quiet"])
    assert code == 0
    designs = json.loads(out.read_text())["designs"]
    assert len(designs) == 1 and designs[0]["kind"] == "genome_editing"
    d = designs[0]
    assert d["variant"].endswith("C>T") and d["change"] == "T>C"  # correcting C>T means making T>C (an ABE edit)
    assert d["shortlist"] and d["counts"]["nuclease_guides"] > 0
    assert "exhaustive" in d["offtarget_scope"]
    html = (tmp_path / f"{gene}-case.clinician.html").read_text()
    assert "Reagent designs" in html and d["shortlist"][0]["guide"] in html


def test_variant_outside_reference_is_one_line_error(tmp_path: Path, capsys):
    ref = shared_path("sequences", "SMN1_region_hg38_chr5_70890000_71100000.fa")
    code = main(["assess", "--gene", "SMN1", "--variant", "chr5:10C>T", "--zygosity", "heterozygous",
                 "--reference", str(ref), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--reference" in err
