"""Five-level ASO amenability calls per strategy, with reasons."""

from __future__ import annotations

import pytest

from rarepath.interpret.amenability import LEVELS, STRATEGIES, assess_amenability, parse_c_position
from rarepath.knowledge.exons import exon_of_coding_position
from rarepath.model.types import Mechanism, Variant, VariantKind, Zygosity


def _calls(gene, variant, mech, zyg):
    calls = assess_amenability(gene, variant, mech, zyg)
    assert [c.strategy for c in calls] == list(STRATEGIES)
    assert all(c.level in LEVELS and c.reasons for c in calls)
    return {c.strategy: c for c in calls}


def test_dmd_deletion_exon_skipping_eligible_and_knockdown_not():
    v = Variant("deletion of exons 48-50", "DMD", VariantKind.EXON_DELETION, exons=(48, 50))
    c = _calls("DMD", v, Mechanism.LOSS_OF_FUNCTION, Zygosity.HEMIZYGOUS)
    assert c["exon_skipping"].level == "eligible"
    assert c["exon_skipping"].extra["frame_analysis"]["single_skips"] == [51]
    assert any("51" in r.detail for r in c["exon_skipping"].reasons)
    assert c["knockdown"].level == "not_eligible"
    assert c["allele_selective_knockdown"].level == "not_eligible"
    assert c["splice_correction"].level == "not_eligible"


def test_nonsense_in_in_frame_rod_exon_likely_eligible():
    # c.7000 lies in exon 48 (186 nt, in frame, rod domain) by cumulative coding lengths
    assert exon_of_coding_position("DMD", 7000) == 48
    v = Variant("c.7000C>T", "DMD", VariantKind.NONSENSE, hgvs_c="c.7000C>T")
    call = _calls("DMD", v, Mechanism.LOSS_OF_FUNCTION, Zygosity.HEMIZYGOUS)["exon_skipping"]
    assert call.level == "likely_eligible" and call.extra["variant_exon"] == 48
    # exon 51 (233 nt) is out of frame: skipping it alone cannot remove a nonsense variant safely
    c51 = exon_of_coding_position("DMD", 7400)
    assert c51 == 51
    v51 = Variant("c.7400C>T", "DMD", VariantKind.NONSENSE, hgvs_c="c.7400C>T")
    assert _calls("DMD", v51, Mechanism.LOSS_OF_FUNCTION, Zygosity.HEMIZYGOUS)["exon_skipping"].level == "not_eligible"


def test_gain_of_function_heterozygous_snv_knockdown():
    v = Variant("c.272A>C", "SOD1", VariantKind.MISSENSE, hgvs_c="c.272A>C")
    c = _calls("SOD1", v, Mechanism.GAIN_OF_FUNCTION, Zygosity.HETEROZYGOUS)
    assert c["knockdown"].level == "likely_eligible"
    assert c["allele_selective_knockdown"].level == "likely_eligible"
    assert c["upregulation"].level == "not_eligible"
    homo = _calls("SOD1", v, Mechanism.GAIN_OF_FUNCTION, Zygosity.HOMOZYGOUS)
    assert homo["allele_selective_knockdown"].level == "not_eligible"


def test_dominant_negative_prefers_allele_selective():
    v = Variant("c.100G>A", "COL1A1", VariantKind.MISSENSE, hgvs_c="c.100G>A")
    c = _calls("COL1A1", v, Mechanism.DOMINANT_NEGATIVE, Zygosity.HETEROZYGOUS)
    assert c["knockdown"].level == "unlikely_eligible"
    assert c["allele_selective_knockdown"].level == "likely_eligible"


@pytest.mark.parametrize(
    ("variant", "mechanism", "zygosity", "strategy", "level", "reason"),
    [
        pytest.param(Variant("del 45-47", "DMD", VariantKind.EXON_DELETION, exons=(45, 47)),
                     Mechanism.LOSS_OF_FUNCTION, Zygosity.HEMIZYGOUS, "exon_skipping", "not_eligible", None,
                     id="in_frame_deletion_not_eligible_for_skipping"),
        # upregulation targets come from the curated table
        pytest.param(Variant("c.100C>T", "SCN1A", VariantKind.NONSENSE, hgvs_c="c.100C>T"),
                     Mechanism.HAPLOINSUFFICIENCY, Zygosity.HETEROZYGOUS, "upregulation", "likely_eligible", "20N",
                     id="upregulation_scn1a"),
        pytest.param(Variant("SMN1 deletion", "SMN1", VariantKind.GENE_DELETION),  # SMN2 paralogue, nusinersen
                     Mechanism.LOSS_OF_FUNCTION, Zygosity.HOMOZYGOUS, "upregulation", "eligible", "nusinersen",
                     id="upregulation_smn1"),
        pytest.param(Variant("x", "PCCB", VariantKind.NONSENSE, hgvs_c="c.10C>T"),
                     Mechanism.LOSS_OF_FUNCTION, Zygosity.HOMOZYGOUS, "upregulation", "unable_to_assess", None,
                     id="upregulation_not_in_table"),
        pytest.param(Variant("deep", "MFSD8", VariantKind.DEEP_INTRONIC, hgvs_c="c.1102+2000A>G"),
                     Mechanism.LOSS_OF_FUNCTION, Zygosity.COMPOUND_HETEROZYGOUS, "splice_correction",
                     "likely_eligible", "intrathecal", id="splice_deep_intronic"),
        pytest.param(Variant("canon", "MFSD8", VariantKind.SPLICE, hgvs_c="c.1102+1G>A"),
                     Mechanism.LOSS_OF_FUNCTION, Zygosity.HOMOZYGOUS, "splice_correction", "unlikely_eligible", None,
                     id="splice_canonical"),
    ],
)
def test_one_strategy_level_and_reason(variant, mechanism, zygosity, strategy, level, reason):
    call = _calls(variant.gene, variant, mechanism, zygosity)[strategy]
    assert call.level == level
    if reason is not None:
        assert any(reason in r.detail for r in call.reasons)


def test_parse_c_position_intronic_offset():
    assert parse_c_position("c.1102+5G>A") == (1102, 5, "")


def test_unknown_structure_and_mechanism():
    v = Variant("del ex 3", "ZZZ1", VariantKind.EXON_DELETION, exons=(3, 3))
    c = _calls("ZZZ1", v, Mechanism.UNKNOWN, Zygosity.UNKNOWN)
    assert c["exon_skipping"].level == "unable_to_assess"
    assert c["knockdown"].level == "unable_to_assess"


def test_oligo_reach_is_read_from_the_tissues_table_only():
    """One place for which tissues oligonucleotides reach: the tissues table, read by triage and by amenability.
    The disease's tissue decides; an unknown tissue leaves reachability unknown, which only lowers a level."""
    from rarepath.knowledge.context import default_context

    kc = default_context()
    v = Variant("c.100C>T", "G", VariantKind.NONSENSE, hgvs_c="c.100C>T")
    for tissue in kc.tissues:
        (deliv,) = {r.detail for c in assess_amenability("G", v, Mechanism.LOSS_OF_FUNCTION, Zygosity.HOMOZYGOUS,
                                                         kc, tissue=tissue) for r in c.reasons
                    if r.rule == "aso.delivery"}
        reached = kc.oligo_reach(tissue)
        assert (reached is not None) == deliv.startswith(f"{tissue}: reached"), (tissue, deliv)
    unknown = assess_amenability("NOT_A_GENE", v, Mechanism.LOSS_OF_FUNCTION, Zygosity.HOMOZYGOUS, kc)
    assert all(c.level != "eligible" for c in unknown)
    assert any("reachability unknown" in r.detail for c in unknown for r in c.reasons)
    # a tissue without an established oligonucleotide route (haematopoietic stem cells) lowers eligible levels
    hsc = assess_amenability("HBB", v, Mechanism.LOSS_OF_FUNCTION, Zygosity.HOMOZYGOUS, kc)
    assert kc.gene_tissue("HBB") == "hsc" and kc.oligo_reach("hsc") is None
    assert all(c.level not in ("eligible", "likely_eligible") for c in hsc)
