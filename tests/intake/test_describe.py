"""Variant descriptions: every canonical.tsv row, HGVS classes, and unparseable text."""

from __future__ import annotations

import csv

import pytest

from conftest import SHARED
from rarepath.errors import InputError
from rarepath.intake.describe import parse_exon_variant, parse_variant, parse_variants, variant_flags
from rarepath.intake.patient import parse_patient
from rarepath.intake.quick import parse_zygosity
from rarepath.model.types import VariantKind as K
from rarepath.model.types import Zygosity

CANONICAL = SHARED / "cases" / "canonical.tsv"

#: id -> expected kinds of the variants column (in order)
EXPECTED = {
    "sma_smn1": [K.EXON_DELETION], "sma_smn1_aav9_antibodies": [K.EXON_DELETION],
    "dmd_del48_50": [K.EXON_DELETION], "dmd_del52": [K.EXON_DELETION], "dmd_del46_47": [K.EXON_DELETION],
    "ttr_v50m": [K.MISSENSE], "sod1_a5v": [K.MISSENSE], "f9_hemophilia_b": [K.MISSENSE],
    "f8_hemophilia_a": [K.INVERSION], "f8_aav5_antibodies": [K.INVERSION], "scd_hbb": [K.MISSENSE],
    "scd_hbb_no_conditioning": [K.MISSENSE], "tdt_hbb_b0": [K.NONSENSE], "rpe65": [K.LOSS_OF_FUNCTION],
    "cf_f508del": [K.INFRAME_INDEL], "cf_g551d": [K.MISSENSE, K.INFRAME_INDEL],
    "cald_abcd1": [K.LOSS_OF_FUNCTION], "mld_arsa": [K.LOSS_OF_FUNCTION], "ada_scid": [K.LOSS_OF_FUNCTION],
    "aadc_ddc": [K.LOSS_OF_FUNCTION], "dravet_scn1a": [K.NONSENSE], "scn2a_gof": [K.MISSENSE],
    "hd_htt": [K.REPEAT_EXPANSION], "rett_mecp2": [K.NONSENSE], "adpkd_pkd1": [K.TRUNCATING],
    "cln7_mfsd8": [K.DEEP_INTRONIC, K.UNKNOWN], "rdeb_col7a1": [K.LOSS_OF_FUNCTION],
    "cln2_tpp1": [K.LOSS_OF_FUNCTION], "pompe_gaa": [K.LOSS_OF_FUNCTION], "ahp_hmbs": [K.LOSS_OF_FUNCTION],
    "ph1_agxt": [K.LOSS_OF_FUNCTION], "lca10_cep290": [K.DEEP_INTRONIC], "achondroplasia_fgfr3": [K.MISSENSE],
    "fop_acvr1": [K.MISSENSE], "fa_fxn": [K.REPEAT_EXPANSION], "nf1": [K.TRUNCATING],
    "pku_pah": [K.LOSS_OF_FUNCTION], "fabry_gla": [K.MISSENSE],
}


def canonical_rows() -> list[dict[str, str]]:
    if not CANONICAL.exists():
        pytest.skip(f"shared cases not available: {CANONICAL}")
    with CANONICAL.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_every_canonical_row_parses_to_the_expected_kinds():
    rows = canonical_rows()
    assert len(rows) == 38
    assert {r["id"] for r in rows} == set(EXPECTED), "a new canonical row needs an expected kind here"
    for r in rows:
        zyg = parse_zygosity(r["zygosity"], source="canonical.tsv")
        vs = parse_variants(r["variants"], r["gene"], zyg)
        assert [v.kind for v in vs] == EXPECTED[r["id"]], r["id"]
        assert all(v.zygosity == zyg and v.gene == r["gene"] for v in vs)


def test_every_canonical_patient_parses():
    for r in canonical_rows():
        p = parse_patient(r["patient"], source="canonical.tsv")
        assert p.age_years is not None and p.sex in ("male", "female"), r["id"]


def test_exon_ranges_and_repeats():
    assert parse_variant("deletion of exons 48-50", "DMD").exons == (48, 50)
    assert parse_variant("deletion of exon 52", "DMD").exons == (52, 52)
    v = parse_variant("duplication of exon 2", "DMD")
    assert (v.kind, v.exons) == (K.EXON_DUPLICATION, (2, 2))
    assert parse_variant("DEL exon1-7", "CYP21A2").exons == (1, 7)
    hd = parse_variant("CAG repeat expansion (44 repeats)", "HTT")
    assert (hd.kind, hd.repeat_unit, hd.repeat_count) == (K.REPEAT_EXPANSION, "CAG", 44)
    fa = parse_variant("GAA repeat expansion", "FXN")
    assert (fa.repeat_unit, fa.repeat_count) == ("GAA", None)
    assert parse_variant("whole gene deletion", "SMN1").kind == K.GENE_DELETION


@pytest.mark.parametrize(
    "text,kind",
    [
        ("c.148G>A p.(Val50Met)", K.MISSENSE),
        ("p.(Arg1407Ter)", K.NONSENSE),
        ("p.R168*", K.NONSENSE),
        ("c.2991+1655A>G", K.DEEP_INTRONIC),
        ("c.100+1G>A", K.SPLICE),
        ("c.100-2A>G", K.SPLICE),
        ("c.1521_1523del", K.INFRAME_INDEL),
        ("c.100_101insA", K.FRAMESHIFT),
        ("c.100dup", K.FRAMESHIFT),
        ("p.(Arg12Glyfs*5)", K.FRAMESHIFT),
        ("p.(Leu5=)", K.SYNONYMOUS),
        ("c.1A>G p.(Met1?)", K.START_LOSS),
        ("p.Met1Val", K.START_LOSS),
        ("p.(Ter100Glnext*10)", K.STOP_LOSS),
        ("NM_000071.3:c.1330G>A NP_000062.1:p.(Asp444Asn)", K.MISSENSE),
        ("c.1330G>A", K.UNKNOWN),  # a coding substitution without p. is not guessed
        ("c.100_200inv", K.INVERSION),
    ],
)
def test_hgvs_classes(text, kind):
    assert parse_variant(text, "GENE").kind == kind


def test_hgvs_fields_are_kept():
    v = parse_variant("NM_000071.3:c.1330G>A NP_000062.1:p.(Asp444Asn)", "CBS", Zygosity.HOMOZYGOUS)
    assert v.hgvs_c == "NM_000071.3:c.1330G>A"
    assert v.hgvs_p == "NP_000062.1:p.(Asp444Asn)"
    assert v.zygosity == Zygosity.HOMOZYGOUS


def test_flags_from_plain_words():
    cln7 = parse_variants(
        "intronic SVA retrotransposon insertion causing mis-splicing; second pathogenic allele", "MFSD8"
    )
    assert {"splice_altering", "insertion", "retrotransposon"} <= variant_flags(cln7[0])
    assert "unspecified_allele" in variant_flags(cln7[1])
    f9 = parse_variant("severe hemophilia B, missense loss of function", "F9")
    assert f9.kind == K.MISSENSE and "loss_of_function" in variant_flags(f9)
    assert "biallelic" in variant_flags(parse_variant("biallelic loss of function", "PAH"))
    assert "gain_of_function" in variant_flags("gain of function missense")


@pytest.mark.parametrize("text", ["banana", "c.148G>X", "p.(Xyz12Abc)", "   "])
def test_unparseable_variant_is_an_input_error(text):
    with pytest.raises(InputError) as err:
        parse_variant(text, "TTR", source="--variant")
    msg = err.value.one_line()
    assert msg.startswith("--variant: variant:") and "\n" not in msg


def test_parse_exon_variant():
    assert parse_exon_variant("deletion of exons 48-50") == ("deletion", 48, 50)
    assert parse_exon_variant("exon 52 deletion") == ("deletion", 52, 52)
    assert parse_exon_variant("dup exons 3 to 7") == ("duplication", 3, 7)
    assert parse_exon_variant("del ex 3_5") == ("deletion", 3, 5)
    with pytest.raises(InputError):
        parse_exon_variant("c.123A>G")
    with pytest.raises(InputError, match="reversed"):
        parse_exon_variant("deletion of exons 50-48")
