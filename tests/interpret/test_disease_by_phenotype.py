"""Phenotypes choose between a gene's diseases when no diagnosis is given (never a silent guess otherwise)."""

from __future__ import annotations

from rarepath.intake.quick import case_from_options
from rarepath.interpret.mechanism import resolve_disease
from rarepath.knowledge.context import default_context
from rarepath.model import Modality, Verdict
from rarepath.triage.engine import assess_case


def test_bleeding_phenotype_resolves_f9_to_haemophilia_b():
    case = case_from_options("F9", "c.1025C>T", "hemizygous", "age=30; sex=male", hpo=("HP:0001892",))
    d = resolve_disease(case, default_context())
    assert not d.ambiguous and "OMIM:306900" in d.disease_ids
    assert any(e.rule == "disease_chosen_by_phenotype" for e in d.evidence)
    a = assess_case(case)
    gr = next(o for o in a.options if o.modality == Modality.GENE_REPLACEMENT and o.target == "F9")
    assert gr.verdict.rank >= Verdict.POSSIBLE.rank and gr.products


def test_thrombosis_phenotype_points_the_other_way():
    case = case_from_options("F9", "c.1157G>T", "hemizygous", "age=30; sex=male", hpo=("HP:0001907",))
    d = resolve_disease(case, default_context())
    assert "OMIM:306900" not in d.disease_ids  # not haemophilia B


def test_without_phenotype_the_disease_stays_ambiguous():
    case = case_from_options("F9", "c.1025C>T", "hemizygous", "age=30; sex=male")
    d = resolve_disease(case, default_context())
    assert d.ambiguous and not d.disease_ids
