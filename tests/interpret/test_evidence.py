"""Mechanism from evidence on genes with no curated row: each class, abstention on conflict, the registry contract."""

from __future__ import annotations

import pytest

from conftest import shared_path
from rarepath.intake.describe import parse_variant
from rarepath.interpret.evidence import PROVIDERS, Vote
from rarepath.interpret.evidence.combine import CALL_THRESHOLD, combine
from rarepath.interpret.evidence.protein_class import matching_class
from rarepath.interpret.evidence.repeats import repeat_range
from rarepath.interpret.mechanism import NULL_KINDS, infer_mechanism
from rarepath.knowledge.context import KnowledgeContext, default_context
from rarepath.knowledge.curated import load_table
from rarepath.model import Case, Evidence, Mechanism, VariantKind, Zygosity


def _case(gene: str, description: str, zyg: Zygosity) -> Case:
    return Case(id="t", genes=(gene,), variants=(parse_variant(description, gene, zyg),))


def _rules(call) -> set[str]:
    return {e.rule for e in call.evidence}


@pytest.fixture(scope="module")
def kb_kc(tmp_path_factory) -> KnowledgeContext:
    from rarepath.knowledge.kb import import_directory

    db = tmp_path_factory.mktemp("kb") / "kb.sqlite"
    import_directory(shared_path(), db)
    return KnowledgeContext(kb_path=db)


# ---- dominant negative -----------------------------------------------------------------------------------
def test_glycine_substitution_in_collagen_triple_helix_is_dominant_negative():
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("COL1A1")
    call = infer_mechanism(_case("COL1A1", "c.3118G>A p.(Gly1040Ser)", Zygosity.HETEROZYGOUS), kc)
    assert call.call == Mechanism.DOMINANT_NEGATIVE and call.confidence >= CALL_THRESHOLD
    assert "dominant_negative_class" in _rules(call)


def test_glycine_phase_and_helix_bounds_decide_the_class():
    assert matching_class("COL1A1", "Gly", 1040) is not None  # Gly of a Gly-X-Y triplet (1040 % 3 == 2)
    assert matching_class("COL1A1", "Gly", 1041) is None  # X or Y position
    assert matching_class("COL1A1", "Gly", 20) is None  # signal peptide, outside the helix
    assert matching_class("COL1A1", "Arg", 1040) is None


def test_glycine_helix_read_from_clinvar_for_a_collagen_without_a_class_row():
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("COL6A1") and matching_class("COL6A1", "Gly", 290) is None
    call = infer_mechanism(_case("COL6A1", "p.(Gly290Arg)", Zygosity.HETEROZYGOUS), kc)  # 290 % 3 == 2, the phase
    assert call.call == Mechanism.DOMINANT_NEGATIVE and "clinvar_glycine_helix" in _rules(call)
    off_phase = infer_mechanism(_case("COL6A1", "p.(Gly291Arg)", Zygosity.HETEROZYGOUS), kc)
    assert "clinvar_glycine_helix" not in _rules(off_phase)


def test_keratin_missense_is_dominant_negative_by_protein_class():
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("KRT14")
    call = infer_mechanism(_case("KRT14", "p.(Arg125Cys)", Zygosity.HETEROZYGOUS), kc)
    assert call.call == Mechanism.DOMINANT_NEGATIVE and "dominant_negative_class" in _rules(call)


def test_every_dominant_negative_class_row_is_well_formed():
    for row in load_table("dominant_negative_classes"):
        assert row["mechanism"] == Mechanism.DOMINANT_NEGATIVE.value
        assert int(row["protein_start"]) <= int(row["protein_end"])
        assert row["ref_aa"] == "*" or len(row["ref_aa"]) == 3
        assert row["phase"] in ("", "0", "1", "2")


def test_glycine_substitution_in_a_biallelic_case_is_not_called_dominant_negative():
    kc = default_context()
    call = infer_mechanism(_case("COL1A1", "p.(Gly1040Ser)", Zygosity.HOMOZYGOUS), kc)
    assert "dominant_negative_class" not in _rules(call)


# ---- gain of function ------------------------------------------------------------------------------------
def test_whole_gene_duplication_of_a_triplosensitive_gene_is_gain_of_function(kb_kc):
    assert not kb_kc.mechanisms_by_gene.get("LMNB1")
    assert kb_kc.kb.dosage("LMNB1").ts_score == 3
    case = _case("LMNB1", "whole gene duplication", Zygosity.HETEROZYGOUS)
    assert case.variants[0].kind == VariantKind.GENE_DUPLICATION
    call = infer_mechanism(case, kb_kc, withhold={"g2p"})
    assert call.call == Mechanism.GAIN_OF_FUNCTION
    assert "clingen_triplosensitivity" in _rules(call) and "evidence_withheld" in _rules(call)


def test_missense_at_an_activating_hotspot_gene_is_gain_of_function():
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("KRAS")
    call = infer_mechanism(_case("KRAS", "c.35G>A p.(Gly12Asp)", Zygosity.HETEROZYGOUS), kc)
    assert call.call == Mechanism.GAIN_OF_FUNCTION
    assert {"clinvar_missense_hotspots", "clinvar_recurrent_residue"} <= _rules(call)


# ---- repeats: the count decides ------------------------------------------------------------------------------
@pytest.mark.parametrize(("description", "zyg", "want", "rule"), [
    ("300 CGG repeats", Zygosity.HEMIZYGOUS, Mechanism.LOSS_OF_FUNCTION, "repeat_full_mutation"),
    ("NM_002024.6:c.-129CGG[300]", Zygosity.HEMIZYGOUS, Mechanism.LOSS_OF_FUNCTION, "repeat_full_mutation"),
    ("FMR1 full mutation", Zygosity.HEMIZYGOUS, Mechanism.LOSS_OF_FUNCTION, "repeat_full_mutation"),
    ("CGG premutation, 90 repeats", Zygosity.HEMIZYGOUS, Mechanism.GAIN_OF_FUNCTION, "repeat_premutation"),
    ("30 CGG repeats", Zygosity.HEMIZYGOUS, Mechanism.UNKNOWN, "repeat_normal_range"),
    ("50 CGG repeats", Zygosity.HEMIZYGOUS, Mechanism.UNKNOWN, "repeat_intermediate_range"),
])
def test_fmr1_repeat_count_decides_the_mechanism(description, zyg, want, rule):
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("FMR1")
    call = infer_mechanism(_case("FMR1", description, zyg), kc)
    assert call.call == want and rule in _rules(call)


def test_huntingtin_cag_expansion_is_gain_of_function_from_repeat_biology_alone():
    kc = default_context()
    case = _case("HTT", "c.52CAG[45]", Zygosity.HETEROZYGOUS)
    call = infer_mechanism(case, kc, withhold={"curated", "hallmark"})
    assert call.call == Mechanism.GAIN_OF_FUNCTION and "repeat_full_mutation" in _rules(call)
    # a normal-range allele is not a disease allele: no call even though HTT's curated disease is gain of function
    normal = infer_mechanism(_case("HTT", "c.52CAG[20]", Zygosity.HETEROZYGOUS), kc)
    assert normal.call == Mechanism.UNKNOWN and {"repeat_normal_range", "not_a_disease_allele"} <= _rules(normal)


def test_uncurated_polyglutamine_locus_and_unit_mismatch():
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("ATXN3")
    assert infer_mechanism(_case("ATXN3", "CAG repeat expansion of 72", Zygosity.HETEROZYGOUS), kc).call == \
        Mechanism.GAIN_OF_FUNCTION
    wrong = infer_mechanism(_case("ATXN3", "300 CGG repeats", Zygosity.HETEROZYGOUS), kc)
    assert wrong.call == Mechanism.UNKNOWN and "repeat_unit_mismatch" in _rules(wrong)


def test_biallelic_repeat_locus_needs_both_alleles():
    kc = default_context()
    carrier = infer_mechanism(_case("FXN", "GAA repeat expansion", Zygosity.HETEROZYGOUS), kc, withhold={"curated"})
    assert carrier.call == Mechanism.UNKNOWN and "repeat_carrier" in _rules(carrier)
    affected = infer_mechanism(_case("FXN", "900 GAA repeats", Zygosity.HOMOZYGOUS), kc, withhold={"curated"})
    assert affected.call == Mechanism.LOSS_OF_FUNCTION and "repeat_full_mutation" in _rules(affected)


def test_repeat_table_ranges_are_ordered():
    for row in load_table("repeat_loci"):
        full, normal = int(row["full_min"]), int(row["normal_max"])
        assert normal < full, row["gene"]
        for col in ("intermediate_max", "premutation_min", "premutation_max"):
            if row[col]:
                assert normal < int(row[col]) < full, (row["gene"], col)
        assert row["full_effect"] in {m.value for m in Mechanism}
        assert repeat_range(row, full) == "full" and repeat_range(row, normal) == "normal"


# ---- loss of function ---------------------------------------------------------------------------------------
def test_heterozygous_truncating_variant_in_a_constrained_haploinsufficient_gene(kb_kc):
    assert not kb_kc.mechanisms_by_gene.get("SYNGAP1")
    assert kb_kc.kb.constraint("SYNGAP1").loeuf < 0.35 and kb_kc.kb.dosage("SYNGAP1").hi_score == 3
    call = infer_mechanism(_case("SYNGAP1", "c.1735C>T p.(Arg579Ter)", Zygosity.HETEROZYGOUS), kb_kc,
                           withhold={"g2p"})
    assert call.call == Mechanism.HAPLOINSUFFICIENCY
    assert {"lof_intolerant", "clingen_haploinsufficiency"} <= _rules(call)


def test_missense_in_a_gene_whose_pathogenic_variants_are_truncating_is_loss():
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("PAX6")
    call = infer_mechanism(_case("PAX6", "p.(Arg26Gly)", Zygosity.HETEROZYGOUS), kc)
    assert call.call == Mechanism.HAPLOINSUFFICIENCY and "clinvar_truncating_gene" in _rules(call)


def test_few_truncating_variants_favour_loss_without_calling_it():
    """Two truncating among six P/LP variants (CASP10 in ClinVar 2016) is not yet a pattern: the 80% Wilson interval
    of the truncating fraction reaches below the threshold, so the line counts less and cannot call alone."""
    from rarepath.interpret.evidence import clinvar as cv

    kc = default_context()
    assert not kc.mechanisms_by_gene.get("CASP10")
    call = infer_mechanism(_case("CASP10", "p.(Ala414Val)", Zygosity.HETEROZYGOUS), kc)
    assert call.call == Mechanism.UNKNOWN and "clinvar_truncating_gene_few" in _rules(call)
    row = {"truncating_plp": "2", "missense_plp": "4", "truncating_fraction": "0.333", "recurrent_fraction": "0",
           "recurrent_residues": "", "glycine_phase": "", "source": "s"}
    (few,) = cv.pattern_votes("G", row)
    many = cv.pattern_votes("G", {**row, "truncating_plp": "20", "missense_plp": "40"})
    assert few.weight == cv.W_LOSS_FEW < CALL_THRESHOLD and many[0].weight == cv.W_LOSS
    assert cv.truncating_lower_bound(2, 6) < cv.TRUNCATING_LOSS <= cv.truncating_lower_bound(20, 60)


def test_truncations_clustered_at_the_c_terminus_are_not_read_as_haploinsufficiency():
    """CXCR4 (WHIM syndrome): every pathogenic truncation in ClinVar sits in the last 25 residues and escapes decay;
    a heterozygous truncation there is altered function, not half dose, so the dominant-null reading is opposed and
    the call abstains rather than recommending gene addition. A truncation far upstream is an ordinary null."""
    from rarepath.interpret.evidence import clinvar as cv

    kc = default_context()
    assert not kc.mechanisms_by_gene.get("CXCR4")
    tail = infer_mechanism(_case("CXCR4", "c.1000C>T p.(Arg334Ter)", Zygosity.HETEROZYGOUS), kc)
    assert tail.call in (Mechanism.UNKNOWN, Mechanism.DOMINANT_NEGATIVE, Mechanism.GAIN_OF_FUNCTION)
    assert "clinvar_c_terminal_truncations" in _rules(tail)
    upstream = infer_mechanism(_case("CXCR4", "c.100C>T p.(Arg34Ter)", Zygosity.HETEROZYGOUS), kc)
    assert "clinvar_truncation_outside_cluster" in _rules(upstream)
    assert "clinvar_c_terminal_truncations" not in _rules(upstream)
    spread = {"truncating_residues": "100;900;1700", "protein_length": "2000"}
    assert cv.c_terminal_truncations(spread) is None
    assert cv.c_terminal_truncations({"truncating_residues": "1800;1850;1900", "protein_length": "2000"}) == (1800,
                                                                                                              1900)
    assert cv.c_terminal_truncations({"truncating_residues": "1800;1900", "protein_length": "2000"}) is None


def test_hotspots_support_the_altered_function_a_protein_class_names():
    """KRT9's recurrent missense residues read as activation by default, but a keratin chain acts dominant-negatively:
    the cluster then supports the class the protein names instead of opposing it."""
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("KRT9")
    call = infer_mechanism(_case("KRT9", "p.(Asn161Tyr)", Zygosity.HETEROZYGOUS), kc)
    assert call.call == Mechanism.DOMINANT_NEGATIVE
    hotspot = [e for e in call.evidence if e.rule == "clinvar_missense_hotspots"]
    assert hotspot and "dominant negative" in hotspot[0].detail


# ---- conflict and contract ---------------------------------------------------------------------------------
def test_conflicting_evidence_abstains():
    votes = [Vote(Mechanism.DOMINANT_NEGATIVE, 0.8, Evidence("dominant_negative_class", "s", "d")),
             Vote(Mechanism.HAPLOINSUFFICIENCY, 0.75, Evidence("clinvar_truncating_gene", "s", "d"))]
    result = combine(votes)
    assert result.call == Mechanism.UNKNOWN and result.confidence == 0.0
    assert result.evidence[-1].rule == "conflicting_evidence"
    # the same lines without the contradiction make a call
    assert combine(votes[:1]).call == Mechanism.DOMINANT_NEGATIVE


def test_conflicting_real_evidence_abstains(kb_kc):
    """A glycine substitution in the COL1A1 helix (dominant negative) that the report also calls a loss of function,
    in a haploinsufficient, LoF-constrained gene: the lines disagree, so no call."""
    case = _case("COL1A1", "p.(Gly1040Ser), loss of function", Zygosity.HETEROZYGOUS)
    call = infer_mechanism(case, kb_kc, withhold={"g2p"})
    assert {"dominant_negative_class", "dominant_null_allele", "clingen_haploinsufficiency"} <= _rules(call)
    assert call.call == Mechanism.UNKNOWN and "conflicting_evidence" in _rules(call)


def test_withholding_an_unknown_line_is_an_error():
    with pytest.raises(ValueError, match="no line of evidence named"):
        infer_mechanism(_case("PAX6", "p.(Arg26Gly)", Zygosity.HETEROZYGOUS), default_context(), withhold={"x"})


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_every_provider_returns_sourced_votes(name, kb_kc):
    from rarepath.interpret.mechanism import resolve_disease

    for gene, desc, zyg in (("COL1A1", "p.(Gly1040Ser)", Zygosity.HETEROZYGOUS),
                            ("LMNB1", "whole gene duplication", Zygosity.HETEROZYGOUS),
                            ("FMR1", "300 CGG repeats", Zygosity.HEMIZYGOUS),
                            ("CBS", "p.(Ile278Thr)", Zygosity.HOMOZYGOUS)):
        case = _case(gene, desc, zyg)
        for vote in PROVIDERS[name](case, gene, resolve_disease(case, kb_kc), kb_kc):
            assert isinstance(vote, Vote) and 0.0 <= vote.weight <= 1.0
            assert vote.evidence.rule and vote.evidence.source and vote.evidence.detail
            assert vote.weight == 0.0 or vote.mechanism != Mechanism.UNKNOWN


def test_null_allele_has_one_definition():
    assert frozenset(k for k in VariantKind if k.is_null) == NULL_KINDS
    assert VariantKind.INVERSION.is_null and not VariantKind.MISSENSE.is_null
    from rarepath.triage import engine  # triage imports NULL_KINDS from the mechanism module

    assert engine.NULL_KINDS is NULL_KINDS
