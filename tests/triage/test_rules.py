"""Generic triage rules on hand-built cases: knockouts only of dispensable genes, dosage-sensitive genes,
published modality outcomes, and honest verdicts where mechanism is unknown."""

from __future__ import annotations

from rarepath.intake.quick import case_from_options
from rarepath.model import Modality, Verdict
from rarepath.triage.engine import assess_case


def _opt(a, modality: Modality, target: str):
    return next(o for o in a.options if o.modality == modality and o.target == target)


def _rules(o) -> set[str]:
    return {r.rule for r in o.reasons}


def test_knockout_of_a_dispensable_liver_gene_is_possible():
    a = assess_case(case_from_options("TTR", "c.148G>A p.(Val50Met)", "heterozygous", "age=55; sex=male"))
    edit = _opt(a, Modality.GENOME_EDITING, "TTR")
    assert edit.verdict.rank >= Verdict.POSSIBLE.rank and "knockout_toxic_gene" in _rules(edit)


def test_knockout_of_a_gene_whose_loss_causes_disease_is_not_offered():
    a = assess_case(case_from_options("F8", "exon duplication of exons 1-5", "hemizygous", "age=30; sex=male",
                                      diseases=("OMIM:301071",)))
    assert a.mechanism.call.value == "gain_of_function"
    edit = _opt(a, Modality.GENOME_EDITING, "F8")
    silence = _opt(a, Modality.GENE_SILENCING, "F8")
    for o in (edit, silence):
        assert o.verdict.rank <= Verdict.NOT_SUITABLE.rank, [r.detail for r in o.reasons]
        assert "gene_loss_causes_disease" in _rules(o)
    assert not any(p.name == "valoctocogene roxaparvovec" for o in a.options for p in o.products)


def test_dosage_sensitive_gene_replacement_is_flagged_and_capped():
    a = assess_case(case_from_options("MECP2", "c.502C>T p.(Arg168Ter)", "heterozygous", "age=4; sex=female"))
    gr = _opt(a, Modality.GENE_REPLACEMENT, "MECP2")
    assert gr.verdict == Verdict.POSSIBLE and gr.score < 0.55
    assert "dosage_sensitive_gene" in _rules(gr)


def test_published_failure_caps_a_modality():
    a = assess_case(case_from_options("HMBS", "loss of function", "heterozygous", "age=30; sex=female"))
    gr = _opt(a, Modality.GENE_REPLACEMENT, "HMBS")
    assert gr.verdict == Verdict.NOT_SUITABLE and "published_modality_evidence" in _rules(gr)
    assert _opt(a, Modality.GENE_SILENCING, "ALAS1").verdict == Verdict.RECOMMENDED


def test_unknown_mechanism_never_recommends_gene_directed_options():
    # DES: no curated row; truncating and missense ClinVar P/LP variants mixed, so the pattern does not decide
    # (with the dominant myofibrillar myopathy diagnosed, so the person is affected, not a possible carrier)
    a = assess_case(case_from_options("DES", "missense", "heterozygous", "age=3; sex=male", diseases=("OMIM:601419",)))
    assert a.affected_status["status"] == "affected"
    assert a.mechanism.call.value == "unknown"
    for m in (Modality.GENE_REPLACEMENT, Modality.GENE_SILENCING, Modality.GENOME_EDITING):
        o = _opt(a, m, "DES")
        assert o.verdict.rank <= Verdict.NOT_SUITABLE.rank and "mechanism_unknown" in _rules(o)


def test_conditioning_not_tolerated_blocks_ex_vivo_options():
    a = assess_case(case_from_options("HBB", "c.20A>T p.(Glu7Val)", "homozygous",
                                      "age=15; sex=male; conditioning_tolerated=no"))
    for o in a.options:
        if o.delivery and o.delivery.mode == "ex_vivo" and o.modality != Modality.DRUG:
            assert o.verdict.rank <= Verdict.NOT_SUITABLE.rank, (o.modality, o.target)
    assert any(p.name == "hydroxyurea" for o in a.options if o.verdict == Verdict.RECOMMENDED for p in o.products)


def test_ambiguous_gene_is_not_resolved_to_its_famous_disease():
    """LMNA missense without a diagnosis is not progeria: no lonafarnib, no recommendation, the ambiguity is said."""
    a = assess_case(case_from_options("LMNA", "c.1580G>A p.(Arg527His)", "heterozygous", "age=10; sex=male"))
    assert a.diseases[0]["ambiguous"] and "progeria" not in " ".join(a.diseases[0]["labels"]).lower()
    assert not any(o.verdict == Verdict.RECOMMENDED for o in a.options)
    assert not any(p.name == "lonafarnib" and o.verdict.rank >= Verdict.POSSIBLE.rank
                   for o in a.options for p in o.products)
    assert any(e.rule == "disease_ambiguous" for e in a.mechanism.evidence)
    # with the diagnosis given, the disease-specific product is offered
    b = assess_case(case_from_options("LMNA", "c.1824C>T p.(Gly608Gly)", "heterozygous", "age=4; sex=male",
                                      diseases=("OMIM:176670",)))
    assert any(p.name == "lonafarnib" for o in b.options if o.verdict == Verdict.RECOMMENDED for p in o.products)


def test_reading_frame_decides_duchenne_or_becker():
    out_of_frame = assess_case(case_from_options("DMD", "deletion of exons 48-50", "hemizygous", "age=6; sex=male"))
    in_frame = assess_case(case_from_options("DMD", "deletion of exons 45-47", "hemizygous", "age=6; sex=male"))
    assert "duchenne" in out_of_frame.diseases[0]["labels"][0].lower()
    assert "becker" in in_frame.diseases[0]["labels"][0].lower()
    assert not any(p.name == "eteplirsen" and o.verdict.rank >= Verdict.POSSIBLE.rank
                   for o in in_frame.options for p in o.products)


def test_variant_class_selects_between_diseases_of_one_gene():
    dravet = assess_case(case_from_options("SCN1A", "p.(Arg1407Ter)", "heterozygous", "age=3; sex=male"))
    assert "dravet" in dravet.diseases[0]["labels"][0].lower()
    missense = assess_case(case_from_options("SCN1A", "missense", "heterozygous", "age=3; sex=male"))
    assert missense.diseases[0]["ambiguous"]
