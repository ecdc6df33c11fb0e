"""Every proposed guide carries off-targets (same engine), annotated sites, genotyping primers, U6 flags; one
coordinate convention (0-based half-open, BED) across `design edit` and `design offtargets`."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.cli import main
from rarepath.design.crispr.design import design_edit
from rarepath.design.crispr.expression import expression_flags
from rarepath.design.crispr.primers import design_genotyping_primers
from rarepath.design.crispr.scores import revcomp
from rarepath.design.offtarget import GenomeIndex

SMN1 = ("sequences", "SMN1_region_hg38_chr5_70890000_71100000.fa")
MANE = ("annotation", "MANE.GRCh38.v0.93.summary.txt")
DUP = (300, 400)  # the locus segment copied elsewhere (0-based on chrD)
COPY_AT = 1200  # where the copy sits


def _genome(tmp_path: Path) -> tuple[Path, Path, str]:
    """chrD: random sequence whose [300, 400) is duplicated at 1200; a GTF putting the copy in exon 2 of DUPG."""
    rng = random.Random(11)
    seq = [rng.choice("ACGT") for _ in range(2000)]
    seq[COPY_AT:COPY_AT + DUP[1] - DUP[0]] = seq[DUP[0]:DUP[1]]
    text = "".join(seq)
    fa = tmp_path / "chrD.fa"
    fa.write_text(">chrD\n" + "\n".join(text[i:i + 60] for i in range(0, len(text), 60)) + "\n")
    gtf = tmp_path / "small.gtf"  # written for this test: 1-based inclusive, as GTF is
    attrs = 'gene_id "G1"; gene_name "DUPG"; transcript_id "TX1";'
    gtf.write_text("\n".join([
        'chrD\ttest\tgene\t1001\t1700\t.\t+\t.\tgene_id "G1"; gene_name "DUPG";',
        f"chrD\ttest\ttranscript\t1001\t1700\t.\t+\t.\t{attrs}",
        f'chrD\ttest\texon\t1001\t1100\t.\t+\t.\t{attrs} exon_number "1";',
        f'chrD\ttest\texon\t1181\t1320\t.\t+\t.\t{attrs} exon_number "2";',
        f'chrD\ttest\texon\t1601\t1700\t.\t+\t.\t{attrs} exon_number "3";']) + "\n")
    return fa, gtf, text


def _transition(b: str) -> str:
    return {"A": "G", "G": "A", "C": "T", "T": "C"}[b]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("planted")
    fa, gtf, text = _genome(tmp)
    pos1 = 351  # 1-based, inside the duplicated segment
    d = design_edit(fa, f"chrD:{pos1}{text[pos1 - 1]}>{_transition(text[pos1 - 1])}", goal="introduce",
                    nucleases="SpCas9,SpRY", offtarget_index=GenomeIndex.from_fasta(fa), max_mismatches=2,
                    site_annotation=gtf)
    return d, fa, gtf, text


def test_every_guide_kind_carries_its_offtarget_summary(planted):
    d, _, _, _ = planted
    assert d.base_editor_guides and d.pegrnas and d.nuclease_guides
    for g in d.base_editor_guides + d.pegrnas + d.nuclease_guides:
        o = g.offtargets
        assert o is not None and o.own_site_found, g
        inside = DUP[0] <= g.start_0based and g.start_0based + len(g.spacer) + len(g.pam) <= DUP[1]
        if inside:  # the copy is a perfect off-target of every guide lying in the duplicated segment
            assert o.counts_by_mismatch[0] >= 1
            assert o.genes == ("DUPG",) and "DUPG TX1 exon 2" in o.exons
            assert o.annotation.endswith("small.gtf")


def test_every_guide_has_primers_around_its_site(planted):
    d, _, _, text = planted
    for g in d.base_editor_guides + d.pegrnas + d.nuclease_guides:
        p = g.primers
        assert p is not None, g
        end = g.start_0based + len(g.spacer) + len(g.pam)
        assert p.left_start_0based <= g.start_0based - 50 and p.right_end_0based_excl >= end + 50
        assert text[p.left_start_0based:p.left_start_0based + len(p.left)] == p.left
        assert revcomp(text[p.right_end_0based_excl - len(p.right):p.right_end_0based_excl]) == p.right
        assert p.product_size == p.right_end_0based_excl - p.left_start_0based
        assert 57 <= p.left_tm <= 63 and 57 <= p.right_tm <= 63


def test_primers_for_a_guide_on_the_smn1_region():
    seq = shared_path(*SMN1).read_text().split("\n", 1)[1].replace("\n", "")
    site = 61946 - 10  # a 23-nt window around SMN1 c.840 (exon 7), index 0 = chr5:70,890,000
    p = design_genotyping_primers(seq, site, site + 23, genome_offset0=70889999)
    assert p is not None and 250 <= p.product_size <= 600
    off = 70889999
    assert seq[p.left_start_0based - off:][:len(p.left)] == p.left
    assert revcomp(seq[p.right_end_0based_excl - off - len(p.right):p.right_end_0based_excl - off]) == p.right
    assert p.left_start_0based <= off + site - 50 and p.right_end_0based_excl >= off + site + 23 + 50


def test_smn1_design_edit_guides_have_primers_and_genomic_coordinates():
    d = design_edit(shared_path(*SMN1), "chr5:70951946C>T", goal="correct", nucleases="SpCas9",
                    offtarget_search=lambda *a, **k: [])
    seq = shared_path(*SMN1).read_text().split("\n", 1)[1].replace("\n", "")
    assert d.variant_start_0based == 70951945 and seq[d.variant_start_0based - 70889999] == "C"
    for g in d.nuclease_guides:
        assert g.primers is not None
        assert g.primers.left_start_0based < g.cut_0based < g.primers.right_end_0based_excl


def test_site_annotation_from_mane_spans(tmp_path):
    from rarepath.design.offtarget.annotate import genomic_position, load_site_annotation

    mane = load_site_annotation(shared_path(*MANE))
    assert not mane.has_exons
    # SMN1 exon 7 base c.840 in the region file -> chr5 genomic, inside the MANE SMN1 span (70,925,087-70,953,015)
    chrom, start = genomic_position("chr5_70890000_71100000", 61945)
    assert (chrom, start) == ("chr5", 70951944)
    assert mane.annotate(chrom, start, start + 23) == ("SMN1", "")
    assert mane.annotate("5", 70925086, 70925087)[0] == "SMN1"  # first base of the span (1-based 70,925,087)
    assert mane.annotate("chr5", 70925085, 70925086)[0] != "SMN1"
    assert mane.annotate("chrX", 32000000, 32000023)[0] == "DMD"  # MANE DMD span X:31,119,222-33,211,549


def test_site_annotation_from_a_small_gtf(tmp_path):
    from rarepath.design.offtarget.annotate import load_site_annotation

    _, gtf, _ = _genome(tmp_path)
    ann = load_site_annotation(gtf)
    assert ann.annotate("chrD", 1180, 1203) == ("DUPG", "DUPG TX1 exon 2")
    assert ann.annotate("chrD", 1150, 1170) == ("DUPG", "")  # intron
    assert ann.annotate("chrD", 100, 123) == ("", "")
    assert ann.annotate("D", 1000, 1001) == ("DUPG", "DUPG TX1 exon 1")


def test_bad_annotation_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.gtf"
    bad.write_text("this is not a GTF\n")
    fa, _, text = _genome(tmp_path)
    assert main(["design", "offtargets", "-r", str(fa), "--guides", text[300:320], "--annotation",
                 str(tmp_path / "missing.gtf")]) == 2
    assert main(["design", "offtargets", "-r", str(fa), "--guides", text[300:320], "--annotation", str(bad)]) == 2


def _tsv(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_edit_and_offtarget_outputs_join_without_offset(tmp_path):
    """A region file's guides: `design edit` and `design offtargets` report the same genomic BED coordinates."""
    fa, gtf, text = _genome(tmp_path)
    region = tmp_path / "chrD_1001_3000.fa"  # the same sequence as a region file: index 0 = chrD:1001 (1-based)
    region.write_text(">chrD_1001_3000\n" + text + "\n")
    edit_tsv, sites_tsv = tmp_path / "edit.tsv", tmp_path / "sites.tsv"
    pos1 = 1000 + 351
    ref = text[350]
    assert main(["design", "edit", "-r", str(region), "-v", f"chrD:{pos1}{ref}>{_transition(ref)}", "--goal",
                 "introduce", "--nucleases", "SpCas9", "--max-mismatches", "1", "--no-primers",
                 "--tsv", str(edit_tsv)]) == 0
    rows = [r for r in _tsv(edit_tsv) if r["method"] == "nuclease_hdr"]
    assert rows and all(r["chrom"] == "chrD" for r in rows)
    guides = sorted({r["spacer"] for r in rows})
    assert main(["design", "offtargets", "-r", str(region), "--guides", ",".join(guides), "--max-mismatches", "0",
                 "--tsv", str(sites_tsv)]) == 0
    sites = {(s["guide"], s["chrom"], s["start_0based"], s["end_0based_excl"], s["strand"])
             for s in _tsv(sites_tsv)}
    for r in rows:
        assert (r["spacer"], r["chrom"], r["start_0based"], r["end_0based_excl"], r["strand"]) in sites
        i = int(r["start_0based"]) - 1000  # back to the region index
        plus = text[i:int(r["end_0based_excl"]) - 1000]
        assert (plus if r["strand"] == "+" else revcomp(plus)) == r["spacer"] + r["pam"]


def test_sites_tsv_names_gene_and_exon(tmp_path):
    fa, gtf, text = _genome(tmp_path)
    out, summ = tmp_path / "s.tsv", tmp_path / "m.tsv"
    guide = next(text[i:i + 20] for i in range(300, 377) if text[i + 21:i + 23] == "GG")
    assert main(["design", "offtargets", "-r", str(fa), "--guides", guide, "--max-mismatches", "0",
                 "--annotation", str(gtf), "--tsv", str(out), "--summary", str(summ)]) == 0
    rows = _tsv(out)
    assert {(r["start_0based"], r["gene"]) for r in rows} >= {(str(text.index(guide)), "")}
    copy = [r for r in rows if int(r["start_0based"]) >= COPY_AT]
    assert copy and copy[0]["gene"] == "DUPG" and copy[0]["exon"] == "DUPG TX1 exon 2"
    (s,) = _tsv(summ)
    assert s["genes_hit"] == "DUPG" and s["sites_0mm"] == "1"


@pytest.mark.parametrize(("spacer", "extension", "want"), [
    ("GACGTTTTACGGACGTACGA", "", ["TTTT in spacer"]),
    ("ACGTACGGACGTACGTACGA", "", ["no 5' G"]),
    ("GACGTACGGACGTACGTACG", "AATTTTC", ["TTTT in 3' extension"]),
    ("GAAAAATAAATAAAAATAAA", "", ["spacer GC"]),
    ("GACGTACGGACGTACGTACG", "", []),
])
def test_expression_flags(spacer, extension, want):
    flags = expression_flags(spacer, extension)
    assert len(flags) == len(want) and all(f.startswith(w) for f, w in zip(flags, want, strict=True))
