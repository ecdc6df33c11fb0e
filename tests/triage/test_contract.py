"""One contract suite driven by the registries (in the spirit of scikit-learn's estimator checks).

Iterates MODALITY_RULES, every curated table, the label-requirement registry and the rule catalogue, and
checks on every canonical case, every shared phenopacket and a carrier copy of each, that an option's
reasons always agree with its verdict and cite a catalogued rule with a real source.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, shared_path
from rarepath.errors import KnowledgeError
from rarepath.intake import load_case
from rarepath.intake.quick import case_from_options
from rarepath.knowledge.context import CURATED_TABLES, KnowledgeContext
from rarepath.knowledge.curated import load_table, table_version
from rarepath.knowledge.rules import Effect, catalogue
from rarepath.model import NO_SINGLE_GENE, Modality, Option, Verdict
from rarepath.triage.engine import MODALITY_RULES, assess_case, check_reasons_agree
from rarepath.triage.label import parse_requirements

CASE_DIR = REPO / "tests/data/canonical"


def test_every_contract_modality_has_exactly_one_rule():
    assert set(MODALITY_RULES) == set(Modality.contract())
    for fn in MODALITY_RULES.values():
        assert fn.__doc__ or fn.__name__.startswith("rule_")


@pytest.mark.parametrize("name", CURATED_TABLES)
def test_every_curated_table_is_versioned_and_sourced(name):
    rows = load_table(name)
    assert rows, name
    assert table_version(name) != "unversioned", name
    assert all(r["source"] for r in rows)


@pytest.mark.parametrize("table", ["therapies", "standard_care"])
def test_every_label_requirement_parses(table):
    for row in load_table(table):
        parse_requirements(row)  # raises KnowledgeError naming product and token


def test_an_unknown_requirement_token_is_a_located_error():
    with pytest.raises(KnowledgeError, match="unknown label requirement 'max_age_yrs:3'"):
        parse_requirements({"name": "x", "requirement": "max_age_yrs:3"})


def test_rule_catalogue_effects_and_sources():
    cat = catalogue()
    assert len(cat) > 50
    for rule in cat.values():
        assert rule.source and "rarepath triage rules" not in rule.source
        assert isinstance(rule.effect, Effect)


def _check_option(o: Option) -> None:
    cat = catalogue()
    assert o.reasons, (o.modality, o.target)
    for r in o.reasons:
        assert r.rule.split(":")[0] in cat, r.rule
        assert r.source and r.detail and r.source != "rarepath triage rules"
    assert 0.0 <= o.score <= 1.0


def _contract(a) -> None:
    assert not check_reasons_agree(a), check_reasons_agree(a)
    for o in a.options:
        _check_option(o)
    # ranking: non-increasing (verdict, score)
    keys = [(o.verdict.rank, round(o.score, 6)) for o in a.options]
    assert keys == sorted(keys, reverse=True)
    assert "not medical advice" in a.disclaimer


@pytest.mark.parametrize("case_id", sorted(p.stem for p in CASE_DIR.glob("*.yaml")))
def test_contract_on_canonical_cases(case_id):
    _contract(assess_case(load_case(CASE_DIR / f"{case_id}.yaml")))


@pytest.mark.slow
def test_contract_on_every_shared_phenopacket():
    folder = shared_path("phenopackets")
    files = sorted(Path(folder).rglob("*.json"))
    assert len(files) >= 150
    for f in files:
        a = assess_case(load_case(f))
        _contract(a)


def test_recommended_needs_a_confirmed_label_fit():
    # delandistrogene moxeparvovec: anti-AAVrh74 titre unknown -> at most possible, the item named
    a = assess_case(case_from_options("DMD", "deletion of exons 48-50", "hemizygous", "age=6; sex=male; ambulatory=yes"))
    gr = next(o for o in a.options if o.modality == Modality.GENE_REPLACEMENT and o.target == "DMD")
    assert gr.verdict == Verdict.POSSIBLE
    assert any("anti-AAVrh74" in r.detail for r in gr.reasons if r.rule.startswith("approved_pending"))


def test_product_target_and_route_are_the_products_own():
    a = assess_case(case_from_options("SMN1", "deletion of exons 7-8", "homozygous",
                                      "age=0.5; sex=female; anti_AAV9_titre=1:25"))
    products = {p.name: p for o in a.options for p in o.products}
    assert products["risdiplam"].route == "oral" and products["nusinersen"].route == "intrathecal"
    a = assess_case(case_from_options("TSC2", "truncating", "heterozygous", "age=4; sex=male"))
    for o in a.options:
        if any(p.name == "cannabidiol" for p in o.products):
            assert o.target == NO_SINGLE_GENE, "cannabidiol acts on no single gene"


def test_a_named_knowledge_base_that_does_not_exist_is_an_error(tmp_path):
    kc = KnowledgeContext(kb_path=tmp_path / "nope.sqlite")
    with pytest.raises(KnowledgeError, match="not found"):
        _ = kc.kb


def test_ties_are_rare_and_explained():
    a = assess_case(case_from_options("F9", "missense loss of function", "hemizygous", "age=30; sex=male"))
    top = [o for o in a.options if o.verdict == Verdict.RECOMMENDED]
    assert len(top) >= 3
    assert len({round(o.score, 4) for o in top}) == len(top), [(o.target, o.score) for o in top]
    assert all(o.extra.get("rank_basis") for o in a.options)
