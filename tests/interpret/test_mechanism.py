"""Mechanism inference: evidence-weighted calls, honest `unknown`, overrides, and the imported-KB path."""

from __future__ import annotations

import pytest

from conftest import shared_path
from rarepath.errors import InputError
from rarepath.interpret.mechanism import infer_mechanism, resolve_disease
from rarepath.knowledge.context import KnowledgeContext, default_context
from rarepath.model import Case, Mechanism, PatientFactors, Variant, VariantKind, Zygosity


def _case(gene: str, kind: VariantKind, zyg: Zygosity, desc: str = "x", **kw) -> Case:
    return Case(id="t", genes=(gene,), variants=(Variant(desc, gene, kind, zygosity=zyg, **kw),),
                patient=PatientFactors())


def test_uncurated_missense_with_a_mixed_clinvar_pattern_stays_unknown():
    kc = default_context()
    assert not kc.mechanisms_by_gene.get("DES")
    # desmin: 8 truncating and 37 missense P/LP variants in ClinVar, neither pattern decides
    case = _case("DES", VariantKind.MISSENSE, Zygosity.HETEROZYGOUS, "p.(Arg350Pro)", hgvs_p="p.(Arg350Pro)")
    call = infer_mechanism(case, kc)
    assert call.call == Mechanism.UNKNOWN and call.confidence == 0.0
    rules = {e.rule for e in call.evidence}
    assert "clinvar_pattern_mixed" in rules
    assert rules & {"insufficient_evidence", "conflicting_or_weak_evidence"}


def test_uncurated_dominant_null_allele_is_haploinsufficiency_from_inheritance():
    kc = default_context()
    call = infer_mechanism(_case("PAX6", VariantKind.NONSENSE, Zygosity.HETEROZYGOUS), kc)
    # one line of evidence (AD + heterozygous null) is not enough on its own: the call stays unknown
    assert call.call == Mechanism.UNKNOWN and call.confidence < 0.55
    assert any(e.rule == "dominant_null_allele" for e in call.evidence)


def test_recessive_biallelic_call_with_evidence():
    kc = default_context()
    call = infer_mechanism(_case("CBS", VariantKind.MISSENSE, Zygosity.HOMOZYGOUS), kc)
    assert call.call == Mechanism.LOSS_OF_FUNCTION and call.confidence > 0.8
    rules = {e.rule for e in call.evidence}
    assert {"curated_gene_mechanism", "recessive_biallelic"} <= rules
    assert all(e.source for e in call.evidence)


def test_null_alleles_do_not_select_a_gain_of_function_disease():
    kc = default_context()
    case = _case("F8", VariantKind.INVERSION, Zygosity.HEMIZYGOUS, "intron 22 inversion")
    disease = resolve_disease(case, kc)
    assert "haemophilia" in disease.disease_labels[0].lower() or "hemophilia" in disease.disease_labels[0].lower()
    assert infer_mechanism(case, kc, disease).call == Mechanism.LOSS_OF_FUNCTION


def test_hallmark_variant_pins_disease_and_mechanism():
    kc = default_context()
    case = _case("SCN2A", VariantKind.MISSENSE, Zygosity.HETEROZYGOUS, "p.(Arg1882Gln)", hgvs_p="p.(Arg1882Gln)")
    call = infer_mechanism(case, kc)
    assert call.call == Mechanism.GAIN_OF_FUNCTION
    assert any(e.rule == "hallmark_variant_mechanism" for e in call.evidence)


def test_override_wins_and_is_recorded():
    kc = default_context()
    case = Case(id="t", genes=("CBS",), mechanism_override="dominant_negative")
    call = infer_mechanism(case, kc)
    assert call.call == Mechanism.DOMINANT_NEGATIVE and call.overridden and call.evidence[0].rule == "user_override"
    with pytest.raises(InputError):
        infer_mechanism(Case(id="t", genes=("CBS",), mechanism_override="sideways"), kc)


@pytest.fixture(scope="module")
def kb_kc(tmp_path_factory) -> KnowledgeContext:
    from rarepath.knowledge.kb import import_directory

    db = tmp_path_factory.mktemp("kb") / "kb.sqlite"
    import_directory(shared_path(), db)
    return KnowledgeContext(kb_path=db)


def test_imported_kb_adds_constraint_and_dosage_evidence(kb_kc):
    call = infer_mechanism(_case("PAX6", VariantKind.NONSENSE, Zygosity.HETEROZYGOUS), kb_kc)
    rules = {e.rule for e in call.evidence}
    assert "knowledge_base_absent" not in rules
    assert rules & {"lof_intolerant", "clingen_haploinsufficiency", "g2p_mutation_consequence"}
    assert call.call == Mechanism.HAPLOINSUFFICIENCY
