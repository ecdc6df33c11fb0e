"""Affected status before anything else: carriers and possible carriers are never offered a treatment.

Carriers are built from every recessive row of ../shared/cases/canonical.tsv (one heterozygous copy of the
row's first variant), so the rule is checked on cases it was not written for.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.intake.quick import case_from_options
from rarepath.model import Verdict
from rarepath.triage.engine import assess_case, check_reasons_agree


def _canonical_rows() -> list[dict[str, str]]:
    path = shared_path("..", "cases", "canonical.tsv")
    with Path(path).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _best(a) -> Verdict:
    return max((o.verdict for o in a.options), key=lambda v: v.rank)


def _recessive_rows() -> list[dict[str, str]]:
    return [r for r in _canonical_rows() if r["zygosity"] in ("homozygous", "compound heterozygous")]


def test_there_are_recessive_canonical_cases():
    assert len(_recessive_rows()) >= 10


@pytest.mark.parametrize("row", _recessive_rows() if shared_path.__module__ else [], ids=lambda r: r["id"])
def test_a_carrier_of_every_recessive_canonical_disease_gets_no_option(row):
    first = row["variants"].split(";")[0].strip()
    case = case_from_options(row["gene"], first, "heterozygous", row["patient"])
    a = assess_case(case)
    assert a.affected_status["status"] in ("carrier", "possible_carrier"), a.affected_status
    assert _best(a).rank <= Verdict.NOT_SUITABLE.rank, [(o.modality, o.target, o.verdict) for o in a.options]
    assert not any(o.products for o in a.options)
    assert a.affected_status["counselling"] and a.affected_status["would_change_conclusion"]
    assert not check_reasons_agree(a)


def test_the_issue_examples_of_carriers():
    cases = [("SMN1", "deletion of exons 7-8", "age=30; sex=female"),
             ("HBB", "c.20A>T p.(Glu7Val)", "age=20; sex=male"),
             ("CFTR", "c.1521_1523del p.(Phe508del)", "age=30; sex=male")]
    for gene, variant, patient in cases:
        a = assess_case(case_from_options(gene, variant, "heterozygous", patient))
        assert a.affected_status["status"] == "carrier", (gene, a.affected_status)
        assert _best(a) == Verdict.NOT_SUITABLE
        assert "carrier" in a.options[0].reasons[0].detail


def test_no_genotype_gives_no_product_level_recommendation():
    a = assess_case(case_from_options("SMN1", None, None, None))
    assert a.affected_status["status"] == "no_genotype"
    assert _best(a).rank <= Verdict.POSSIBLE.rank
    assert not check_reasons_agree(a)


def test_x_linked_heterozygous_female_without_phenotype_is_a_possible_carrier():
    a = assess_case(case_from_options("DMD", "deletion of exons 48-50", "heterozygous", "age=30; sex=female"))
    assert a.affected_status["status"] == "possible_carrier"
    assert _best(a) == Verdict.NOT_SUITABLE


def test_x_linked_heterozygous_female_with_matching_phenotype_is_affected():
    # haemophilia B in a woman with a bleeding phenotype (manifesting heterozygote)
    a = assess_case(case_from_options("F9", "missense loss of function", "heterozygous", "age=30; sex=female",
                                      hpo=("HP:0001892", "HP:0000978")))
    assert a.affected_status["status"] == "affected", a.affected_status


def test_x_linked_heterozygous_male_is_read_as_hemizygous():
    a = assess_case(case_from_options("DMD", "deletion of exons 48-50", "heterozygous", "age=6; sex=male"))
    assert a.affected_status["status"] == "affected"
    assert _best(a).rank >= Verdict.POSSIBLE.rank


def test_dominant_disease_heterozygote_is_affected():
    a = assess_case(case_from_options("TTR", "c.148G>A p.(Val50Met)", "heterozygous", "age=55; sex=male"))
    assert a.affected_status["status"] == "affected"
    assert _best(a) == Verdict.RECOMMENDED


def test_already_dosed_child_is_not_offered_the_same_product_or_serotype_again():
    a = assess_case(case_from_options("SMN1", "deletion of exons 7-8", "homozygous",
                                      "age=0.5; sex=female; anti_AAV9_titre=1:25; "
                                      "prior_treatments=onasemnogene abeparvovec"))
    gr = next(o for o in a.options if o.modality.value == "gene_replacement" and o.target == "SMN1")
    assert gr.verdict.rank <= Verdict.NOT_SUITABLE.rank
    assert not gr.products
    assert any(r.rule in ("aav_redosing", "product_already_given") for r in gr.reasons)
    assert not check_reasons_agree(a)


def test_x_linked_heterozygote_of_unrecorded_sex_with_a_matching_phenotype_is_undetermined_not_a_carrier():
    a = assess_case(case_from_options("WAS", "c.223G>A", "heterozygous", "age=2",
                                      hpo=("HP:0001873", "HP:0005537", "HP:0000967"), diseases=("OMIM:301000",)))
    assert a.affected_status["status"] == "undetermined"
    assert "record the sex" in a.affected_status["evidence"][0]["detail"]
    assert _best(a).rank <= Verdict.POSSIBLE.rank
