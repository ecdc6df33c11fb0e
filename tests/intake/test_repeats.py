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


EH_HEADER = """##fileformat=VCFv4.1
##contig=<ID=chr4,length=190214555>
##contig=<ID=chrX,length=156040895>
##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">
##INFO=<ID=REF,Number=1,Type=Integer,Description="Reference copy number">
##INFO=<ID=RL,Number=1,Type=Integer,Description="Reference length in bp">
##INFO=<ID=RU,Number=1,Type=String,Description="Repeat unit in the reference orientation">
##INFO=<ID=VARID,Number=1,Type=String,Description="Variant identifier as specified in the variant catalog">
##INFO=<ID=REPID,Number=1,Type=String,Description="Repeat identifier as specified in the variant catalog">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=SO,Number=1,Type=String,Description="Type of reads that support the allele">
##FORMAT=<ID=REPCN,Number=1,Type=String,Description="Number of repeat units spanned by the allele">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tsample1
"""


@pytest.mark.parametrize(("record", "sex", "gene", "unit", "count", "zyg"), [
    ("chrX\t147912050\t.\tC\t<STR300>\t.\tPASS\tEND=147912110;REF=20;RL=60;RU=CGG;VARID=FMR1;REPID=FMR1\t"
     "GT:SO:REPCN\t1:SPANNING:300", "male", "FMR1", "CGG", 300, Zygosity.HEMIZYGOUS),
    ("chr4\t3074876\t.\tC\t<STR45>\t.\tPASS\tEND=3074933;REF=19;RL=57;RU=CAG;VARID=HTT;REPID=HTT\t"
     "GT:SO:REPCN\t0/1:SPANNING/SPANNING:19/45", "female", "HTT", "CAG", 45, Zygosity.HETEROZYGOUS),
])
def test_expansionhunter_vcf_gives_unit_count_and_gene(tmp_path, record, sex, gene, unit, count, zyg):
    """A VCF in the ExpansionHunter layout (written here; records invented) reaches the mechanism with its count."""
    from rarepath.intake import load_case
    from rarepath.interpret.mechanism import infer_mechanism
    from rarepath.knowledge.context import default_context

    path = tmp_path / "eh.vcf"
    path.write_text(EH_HEADER + record + "\n", encoding="utf-8")
    case = load_case(path, patient=f"sex={sex}")
    (v,) = case.variants
    assert case.genes == (gene,) and v.kind == VariantKind.REPEAT_EXPANSION
    assert (v.repeat_unit, v.repeat_count, v.zygosity) == (unit, count, zyg)
    rules = {e.rule for e in infer_mechanism(case, default_context(), withhold={"curated", "hallmark"}).evidence}
    assert "repeat_full_mutation" in rules
