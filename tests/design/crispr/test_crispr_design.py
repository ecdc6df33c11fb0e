"""End-to-end editing designs on real sequences (SMN1 region hg38, MECP2 RefSeqGene) and on a synthetic gene."""

from __future__ import annotations

import json

import pytest

from conftest import shared_path
from rarepath.cli import main
from rarepath.design.crispr.design import design_edit
from rarepath.design.crispr.edit import build_edit_context
from rarepath.design.crispr.nucleases import nucleases, pam_matches
from rarepath.design.crispr.prime_editing import PBS_RANGE, pbs_tm
from rarepath.design.crispr.scores import revcomp

SMN1 = ("sequences", "SMN1_region_hg38_chr5_70890000_71100000.fa")
OFFSET = 70890000  # index 0 of the region file = chr5:70,890,000


@pytest.fixture(scope="module")
def smn1_correct():
    return design_edit(shared_path(*SMN1), "chr5:70951946C>T", goal="correct",
                       nucleases="SpCas9,SaCas9,SpRY,AsCas12a", offtarget_search=lambda *a, **k: [])


def _cells(d, seq):
    """The cells' sequence for 'correct' (patient T at c.840)."""
    i = 70951946 - OFFSET
    return seq[:i] + "T" + seq[i + 1:]


def test_smn1_base_editing_is_abe_on_minus_strand(smn1_correct):
    d = smn1_correct
    assert d.change == "T>C" and d.ref == "C" and d.alt == "T"
    assert "ABE" in d.base_editing_note and "- strand" in d.base_editing_note
    assert d.base_editor_guides and all(g.editor == "ABE" and g.strand == "-" for g in d.base_editor_guides)
    spcas9 = [g for g in d.base_editor_guides if g.nuclease == "SpCas9"]
    assert [(g.spacer, g.pam, g.target_protospacer_position) for g in spcas9] == \
        [("ATTTTGTCTAAAACCCTGTA", "AGG", 10)]
    assert spcas9[0].target_weight == pytest.approx(0.163)
    best = max(d.base_editor_guides, key=lambda g: g.target_weight)
    assert best.target_weight == 1.0 and best.target_protospacer_position == 6


def test_smn1_guides_match_the_patient_sequence(smn1_correct):
    seq = shared_path(*SMN1).read_text().split("\n", 1)[1].replace("\n", "")
    cells = _cells(smn1_correct, seq)
    for g in smn1_correct.nuclease_guides + smn1_correct.base_editor_guides:
        nuc = nucleases()[g.nuclease]
        i = g.start_0based + 1 - OFFSET
        site = cells[i:i + nuc.site_length]
        if g.strand == "-":
            site = revcomp(site)
        expected = g.spacer + g.pam if nuc.pam_side == "3prime" else g.pam + g.spacer
        assert site == expected


def test_smn1_hdr_donor_carries_correction_and_blocks_pam(smn1_correct):
    spcas9 = [g for g in smn1_correct.nuclease_guides if g.nuclease == "SpCas9"]
    assert spcas9
    seq = shared_path(*SMN1).read_text().split("\n", 1)[1].replace("\n", "")
    i = 70951946 - OFFSET
    for g in spcas9:
        donor = g.donor
        plus = donor.sequence if donor.strand == "+" else revcomp(donor.sequence)
        assert donor.left_arm == 50 and donor.right_arm == 50 and len(plus) == 101
        assert plus[50] == "C"  # the corrected base at the centre
        assert g.ontarget_rs1 is not None and 0 < g.ontarget_rs1 < 1
        if donor.blocking is not None:
            assert "silence not checked" in donor.blocking.consequence
            j = donor.blocking.position_0based + 1 - OFFSET
            assert plus[j - i + 50] == donor.blocking.new_base != seq[j]


def test_smn1_pegrnas_are_consistent(smn1_correct):
    pegs = smn1_correct.pegrnas
    assert pegs
    seq = shared_path(*SMN1).read_text().split("\n", 1)[1].replace("\n", "")
    cells, fixed = _cells(smn1_correct, seq), seq
    for p in pegs:
        assert "TTTT" not in p.spacer
        assert p.extension == p.rtt + p.pbs and p.pbs_length in PBS_RANGE
        nick = p.nick_0based + 1 - OFFSET
        if p.strand == "+":
            pbs_template, rtt_template = cells[nick - p.pbs_length:nick], fixed[nick:nick + p.rtt_length]
        else:
            pbs_template = revcomp(cells[nick:nick + p.pbs_length])
            rtt_template = revcomp(fixed[nick - p.rtt_length:nick])
        assert revcomp(p.pbs) == pbs_template
        assert revcomp(p.rtt) == rtt_template
        best_len = min(PBS_RANGE, key=lambda n: abs(pbs_tm(cells[nick - n:nick] if p.strand == "+"
                                                            else revcomp(cells[nick:nick + n])) - 37.0))
        assert p.pbs_length == best_len
        assert not p.rtt.startswith("C") or "3' extension starts with C" in p.flags
    disrupted = [p.pam_disrupted for p in pegs]
    assert disrupted == sorted(disrupted, reverse=True) or any(p.flags for p in pegs)


def test_smn1_shortlist_ranks_with_reasons(smn1_correct):
    sl = smn1_correct.shortlist
    assert [o.rank for o in sl] == list(range(1, len(sl) + 1))
    assert sl[0].method == "base_editor" and "without a double-strand break" in sl[0].reason
    assert all(a.score >= b.score for a, b in zip(sl, sl[1:], strict=False))


def test_mecp2_hgvs_with_frame_gives_consequences_and_synonymous_block():
    fa = shared_path("sequences", "MECP2_NG_007107.2.fasta")
    gff = shared_path("sequences", "MECP2_NG_007107.2.gff3")
    d = design_edit(fa, "NM_004992.3:c.473C>T", annotation=gff, goal="correct", nucleases="SpCas9,SpRY",
                    offtarget_search=lambda *a, **k: [])
    assert (d.chrom, d.variant_start_0based, d.ref, d.alt) == ("NG_007107.2", 110772, "C", "T")
    assert d.intended_consequence == "p.Met158Thr"  # correcting Rett T158M
    cons = {b.consequence for g in d.base_editor_guides for b in g.bystanders}
    assert "p.Phe157Ser" in cons and "frame unknown" not in cons
    blocks = [g.donor.blocking for g in d.nuclease_guides if g.donor.blocking is not None]
    assert blocks and all(b.consequence.startswith("synonymous p.") or b.consequence.startswith("non-coding")
                          for b in blocks)


def _synthetic(tmp_path):
    """A 300-nt record with a + strand CDS at 100..189 (30 codons)."""
    import random

    rng = random.Random(3)
    seq = "".join(rng.choice("ACGT") for _ in range(300))
    fa = tmp_path / "toy.fa"
    fa.write_text(">toy\n" + seq + "\n")
    gff = tmp_path / "toy.gff3"
    gff.write_text("##gff-version 3\n"
                   "toy\tx\tmRNA\t101\t190\t.\t+\t.\tID=rna-T1;transcript_id=T1\n"
                   "toy\tx\texon\t101\t190\t.\t+\t.\tParent=rna-T1\n"
                   "toy\tx\tCDS\t101\t190\t.\t+\t0\tParent=rna-T1\n")
    return seq, fa, gff


def test_insertion_and_deletion_go_to_prime_editing_not_base_editing(tmp_path):
    seq, fa, gff = _synthetic(tmp_path)
    pos = 150
    ref = seq[pos - 1:pos + 2]
    d = design_edit(fa, f"toy:{pos}{ref}>{ref[0]}", goal="introduce", nucleases="SpCas9,SpRY",
                    annotation=gff, offtarget_search=lambda *a, **k: [])
    assert not d.base_editor_guides and "not a single-base change" in d.base_editing_note
    assert d.pegrnas
    for p in d.pegrnas:
        assert p.rtt_length >= p.nick_to_edit + 14  # homology for a 3-nt edit


def test_transversion_has_no_base_editor(tmp_path):
    seq, fa, _ = _synthetic(tmp_path)
    b = seq[199]
    alt = {"A": "T", "T": "A", "C": "G", "G": "C"}[b]
    d = design_edit(fa, f"toy:200{b}>{alt}", goal="introduce", offtarget_search=lambda *a, **k: [])
    assert "transversion" in d.base_editing_note and not d.base_editor_guides


def test_edit_context_introduce_vs_correct(tmp_path):
    from rarepath.design.crispr.design import resolve_variant

    seq, fa, _ = _synthetic(tmp_path)
    locus, var = resolve_variant(fa, f"toy:120{seq[119]}>{'A' if seq[119] != 'A' else 'C'}")
    a = build_edit_context(locus, var, "introduce")
    b = build_edit_context(locus, var, "correct")
    assert a.before == b.after and a.after == b.before
    assert a.position(a.edit_start) == 120


def test_cli_writes_tsv_and_json(tmp_path, capsys):
    out_tsv, out_json = tmp_path / "d.tsv", tmp_path / "d.json"
    rc = main(["design", "edit", "--reference", str(shared_path(*SMN1)), "--variant", "chr5:70951946C>T",
               "--nucleases", "SpCas9,SpRY", "--no-offtargets", "--tsv", str(out_tsv), "--json", str(out_json)])
    assert rc == 0
    lines = out_tsv.read_text().splitlines()
    assert lines[0].startswith("# rarepath design edit") and lines[1].startswith("method\trank")
    first = dict(zip(lines[1].split("\t"), lines[2].split("\t"), strict=True))
    assert first["rank"] == "1" and first["method"] == "base_editor"
    data = json.loads(out_json.read_text())
    assert data["change"] == "T>C" and data["shortlist"][0]["rank"] == 1
    assert "Ranked editing options" in capsys.readouterr().out


@pytest.mark.parametrize("variant, message", [
    ("chr5:70951946G>T", "reference allele mismatch"),
    ("chr5:99999999C>T", "outside the reference"),
    ("chr9:100C>T", "not in the reference"),
    ("chr5-70951946", "cannot parse variant"),
])
def test_cli_bad_variant_exit_2(variant, message, capsys):
    rc = main(["design", "edit", "--reference", str(shared_path(*SMN1)), "--variant", variant, "--no-offtargets"])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1


def test_cli_empty_fasta_and_bad_nuclease_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.fa"
    empty.write_text("")
    assert main(["design", "edit", "--reference", str(empty), "--variant", "chr1:5A>G"]) == 2
    assert "empty FASTA" in capsys.readouterr().err
    rc = main(["design", "edit", "--reference", str(shared_path(*SMN1)), "--variant", "chr5:70951946C>T",
               "--nucleases", "SpCas9,Cas99", "--no-offtargets"])
    assert rc == 2 and "unknown nuclease 'Cas99'" in capsys.readouterr().err


def test_pam_matches_iupac():
    assert pam_matches("NGG", "AGG") and not pam_matches("NGG", "AGA")
    assert pam_matches("NNGRRT", "ACGAGT") and pam_matches("TTTV", "TTTA") and not pam_matches("TTTV", "TTTT")
