"""`case_from_inputs`: the one intake `rarepath assess` and `rarepath cohort assess` share."""

from __future__ import annotations

import pytest

from conftest import REPO
from rarepath.errors import InputError
from rarepath.intake import case_from_inputs, load_case
from rarepath.intake.quick import case_from_options


def test_file_with_overrides_is_load_case():
    path = REPO / "tests/data/intake/dmd_boy.yaml"
    assert case_from_inputs(path, patient="age=9", hpo=(), diseases=None) == load_case(path, patient="age=9")


def test_options_alone_are_the_quick_case():
    kw = dict(variant="deletion of exons 7-8", zygosity="homozygous", patient="age=0.5; sex=female")
    assert case_from_inputs(gene="SMN1", case_id="x", **kw) == case_from_options(
        "SMN1", kw["variant"], kw["zygosity"], kw["patient"], case_id="x")


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({}, "give a case file or --gene"),
    ({"gene": "SMN1", "sample": "BOY"}, "--sample selects a VCF column"),
])
def test_missing_or_misplaced_options(kwargs, problem):
    with pytest.raises(InputError, match=problem):
        case_from_inputs(None, **kwargs)


def test_unknown_option_is_a_programming_error():
    with pytest.raises(TypeError, match="colour"):
        case_from_inputs(None, gene="SMN1", colour="red")
