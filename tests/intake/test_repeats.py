"""Repeat expansions at intake: HGVS repeat notation and plain wording keep the unit and the count."""

from __future__ import annotations

import pytest

from rarepath.errors import InputError
from rarepath.intake.describe import parse_variant
from rarepath.model import VariantKind, Zygosity


@pytest.mark.parametrize(("text", "unit", "count", "hgvs_c"), [
    ("c.52CAG[45]", "CAG", 45, "c.52CAG[45]"),
    ("NM_002024.6:c.-129CGG[300]", "CGG", 300, "NM_002024.6:c.-129CGG[300]"),
    ("c.52_54CAG[45]", "CAG", 45, "c.52_54CAG[45]"),
    ("CAG repeat expansion of 45", "CAG", 45, None),
    ("CAG repeat expansion (44 repeats)", "CAG", 44, None),
    ("300 CGG repeats", "CGG", 300, None),
    ("expansion of 200 CGG repeats", "CGG", 200, None),
    ("(CAG)45", "CAG", 45, None),
    ("CAG x 45", "CAG", 45, None),
    ("GAA repeat expansion", "GAA", None, None),
])
def test_repeat_unit_and_count(text, unit, count, hgvs_c):
    v = parse_variant(text, "HTT", Zygosity.HETEROZYGOUS)
    assert v.kind == VariantKind.REPEAT_EXPANSION
    assert (v.repeat_unit, v.repeat_count, v.hgvs_c) == (unit, count, hgvs_c)


@pytest.mark.parametrize(("text", "flag", "unit", "count"), [
    ("FMR1 full mutation", "full_mutation", None, None),
    ("CGG premutation, 90 repeats", "premutation", "CGG", 90),
])
def test_stage_words(text, flag, unit, count):
    v = parse_variant(text, "FMR1", Zygosity.HEMIZYGOUS)
    assert v.kind == VariantKind.REPEAT_EXPANSION and flag in v.flags
    assert (v.repeat_unit, v.repeat_count) == (unit, count)


def test_other_hgvs_still_goes_through_the_grammar():
    assert parse_variant("c.148G>A p.(Val50Met)", "TTR").kind == VariantKind.MISSENSE
    with pytest.raises(InputError, match="cannot parse HGVS"):
        parse_variant("c.52CAG[x]", "HTT")
