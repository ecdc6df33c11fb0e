"""Product label requirements and indication matching (pure functions, small hand-made rows)."""

from rarepath.interpret.disease import DiseaseContext
from rarepath.model import Case, Mechanism, PatientFactors, Variant, VariantKind, Zygosity
from rarepath.triage.label import protein_change_forms
from rarepath.triage.products import check_requirements, disease_match

ROW = {"name": "onasemnogene abeparvovec", "requirement": "max_anti_AAV9_titre:50", "source": "Zolgensma label",
       "disease": "spinal muscular atrophy", "disease_ids": "OMIM:253300", "treats_mechanism": "loss_of_function"}


def _case(**patient) -> Case:
    return Case(id="t", genes=("SMN1",), patient=PatientFactors(**patient),
                variants=(Variant("c.1652G>A p.(Gly551Asp)", "CFTR", VariantKind.MISSENSE, hgvs_p="p.(Gly551Asp)",
                                  zygosity=Zygosity.HETEROZYGOUS),))


def test_titre_within_label_limit_is_eligible():
    pm = check_requirements(ROW, _case(aav_titres={"AAV9": 25}), None)
    assert pm.eligibility == "eligible"
    assert "within the onasemnogene abeparvovec label's limit 1:50" in pm.reasons[0].detail
    assert pm.reasons[0].effect == "supports"


def test_titre_above_label_limit_is_ineligible():
    assert check_requirements(ROW, _case(aav_titres={"AAV9": 100}), None).eligibility == "ineligible"


def test_unknown_titre_keeps_the_product_pending_and_names_the_item():
    pm = check_requirements(ROW, _case(age_years=0.3), None)
    assert pm.eligibility == "pending" and pm.pending_kinds == ["anti-AAV9 antibodies"]
    assert "retest" in pm.reasons[0].detail  # infants: maternal antibodies wane
    assert pm.reasons[0].effect == "against"


def test_no_detectable_antibodies_requirement():
    row = dict(ROW, requirement="no_anti_AAV5_antibodies")
    assert check_requirements(row, _case(aav_antibodies={"AAV5": True}), None).eligibility == "ineligible"
    assert check_requirements(row, _case(aav_antibodies={"AAV5": False}), None).eligibility == "eligible"


def test_conditioning_and_exon_skip_requirements():
    row = dict(ROW, requirement="conditioning:myeloablative;skip_exon:51")
    assert check_requirements(row, _case(conditioning_tolerated=False), [51]).eligibility == "ineligible"
    assert check_requirements(row, _case(conditioning_tolerated=True), [51]).eligibility == "eligible"
    assert check_requirements(row, _case(conditioning_tolerated=True), [53]).eligibility == "ineligible"


def test_variant_specific_drug():
    row = dict(ROW, requirement="variant_any:G551D,G1244E")
    assert check_requirements(row, _case(), None).eligibility == "eligible"
    row2 = dict(ROW, requirement="variant_any:F508del")
    assert check_requirements(row2, _case(), None).eligibility == "ineligible"
    assert {"g551d", "gly551asp"} == protein_change_forms("G551D")
    assert "phe508del" in protein_change_forms("F508del")


def test_product_for_another_disease_of_the_same_gene_is_not_offered():
    haemophilia = {"name": "valoctocogene roxaparvovec", "disease": "haemophilia A", "disease_ids": "OMIM:306700",
                   "treats_mechanism": "loss_of_function", "source": "Roctavian label"}
    thrombophilia = DiseaseContext(gene="F8", disease_ids=["OMIM:301071"],
                                   disease_labels=["Thrombophilia 13, X-linked, due to factor VIII defect"])
    match, ev = disease_match(haemophilia, thrombophilia, Mechanism.GAIN_OF_FUNCTION)
    assert match == "different" and "not offered" in ev.detail
    exact = DiseaseContext(gene="F8", disease_ids=["OMIM:306700"], disease_labels=["Hemophilia A"])
    assert disease_match(haemophilia, exact, Mechanism.LOSS_OF_FUNCTION)[0] == "exact"
    inferred = DiseaseContext(gene="F8", inferred=True)
    assert disease_match(haemophilia, inferred, Mechanism.GAIN_OF_FUNCTION)[0] == "different"
    assert disease_match(haemophilia, inferred, Mechanism.LOSS_OF_FUNCTION)[0] == "gene_level"


def test_unknown_mechanism_is_not_a_fit_for_a_mechanism_specific_product():
    row = {"name": "x", "disease": "some disease", "disease_ids": "OMIM:100000", "treats_mechanism": "loss_of_function",
           "source": "label"}
    nodx = DiseaseContext(gene="F8")
    match, ev = disease_match(row, nodx, Mechanism.UNKNOWN)
    assert match == "gene_level" and "mechanism is unknown" in ev.detail and ev.effect == "against"


def test_every_label_item_of_a_product_already_given_fails():
    pm = check_requirements(ROW, _case(aav_titres={"AAV9": 25}, prior_treatments=("onasemnogene abeparvovec",)), None)
    assert pm.eligibility == "ineligible"


def test_label_population_age_sex_genotype_and_titre_per_serotype():
    row = dict(ROW, requirement="min_age_years:2;max_age_years:17;sex:male;variant_any:G551D;max_anti_AAV5_titre:10")
    ok = _case(age_years=8, sex="male", aav_titres={"AAV5": 5})
    assert check_requirements(row, ok, None).eligibility == "eligible"
    assert check_requirements(row, _case(age_years=1, sex="male", aav_titres={"AAV5": 5}), None).eligibility \
        == "ineligible"
    assert check_requirements(row, _case(age_years=18, sex="male", aav_titres={"AAV5": 5}), None).eligibility \
        == "ineligible"
    assert check_requirements(row, _case(age_years=8, sex="female", aav_titres={"AAV5": 5}), None).eligibility \
        == "ineligible"
    # a titre against another serotype says nothing about AAV5
    pm = check_requirements(row, _case(age_years=8, sex="male", aav_titres={"AAV9": 5}), None)
    assert pm.eligibility == "pending" and pm.pending_kinds == ["anti-AAV5 antibodies"]
    # unknown age and sex are named, never read as met
    pm = check_requirements(row, _case(aav_titres={"AAV5": 5}), None)
    assert pm.eligibility == "pending" and {"age", "sex"} <= set(pm.pending_kinds)


def test_a_manifestation_named_by_the_indication_must_be_observed():
    from rarepath.intake.quick import case_from_options
    from rarepath.triage.engine import assess_case

    def cbd(a):
        return next(p for o in a.options for p in o.products if p.name == "cannabidiol")

    without = assess_case(case_from_options("TSC2", "truncating", "heterozygous", "age=4; sex=male"))
    assert "eligibility to confirm" in cbd(without).status  # seizures not recorded: possible, named
    with_seizures = assess_case(case_from_options("TSC2", "truncating", "heterozygous", "age=4; sex=male",
                                                  hpo=("HP:0001250",)))
    assert cbd(with_seizures).status == "approved"
