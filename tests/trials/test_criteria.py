"""Eligibility text: items and sections, and each recognised criterion settled (or left open) per patient."""

from __future__ import annotations

import pytest

from conftest import shared_path
from rarepath.intake.quick import case_from_options
from rarepath.trials.criteria import (
    RULES,
    Outcome,
    PatientView,
    Section,
    evaluate,
    parse_criteria,
    split_items,
    trial_serotypes,
)
from rarepath.trials.records import read_file

INC, EXC = Section.INCLUSION, Section.EXCLUSION


def _one(text: str, section: Section, patient: PatientView, vectors: tuple[str, ...] = ()) -> Outcome:
    heading = "Inclusion Criteria:" if section == INC else "Exclusion Criteria:"
    (crit,) = parse_criteria(f"{heading}\n\n* {text}", vectors)
    assert crit.section == section and crit.requirements, text
    assert all(r.rule in RULES for r in crit.requirements)
    return evaluate(crit, patient).outcome


def test_sections_and_items_of_real_records() -> None:
    (v2,) = read_file(shared_path("trials", "v2", "NCT02210780.json"))
    items = split_items(v2.eligibility_text)
    assert [s for s, _ in items].count(INC) == 5
    # 7 numbered exclusions, plus the closing disclaimer paragraph
    assert [s for s, _ in items].count(EXC) == 8
    assert items[6] == (EXC, "Patients needing >10 mg of daily prednisone (including equivalent doses of other "
                             "steroids) or high dose systemic corticosteroids (≥2 mg/kg) for 14 days or longer "
                             "during the 16 week treatment period of the study")
    (xml,) = read_file(shared_path("trials", "legacy_xml", "NCT00151216.xml"))
    items = split_items(xml.eligibility_text)
    assert [s for s, _ in items] == [INC] * 6 + [EXC] * 6
    assert items[1][1] == ("All subjects will be naive, i.e., they have not previously participated in a gene "
                           "therapy study for LINCL.")


# ---- anti-AAV antibodies: every way a threshold is written, patients below and above it


@pytest.mark.parametrize(("text", "section", "titre", "expected"), [
    ("Anti-AAV9 antibody titer >1:50", EXC, 25, Outcome.MET),
    ("Anti-AAV9 antibody titer >1:50", EXC, 100, Outcome.FAILS),
    ("Anti-AAV9 antibody titer >1:50", EXC, 50, Outcome.MET),  # strict: exactly 1:50 is not above
    ("Anti-AAV9 antibody titer ≥ 1:50", EXC, 50, Outcome.FAILS),  # inclusive
    ("AAV9 neutralizing antibody titers ≥ 1:400", EXC, 200, Outcome.MET),
    ("AAV9 neutralizing antibody titers ≥ 1:400", EXC, 400, Outcome.FAILS),
    ("Anti-AAV9 total binding antibody titers below 1:25 required", INC, 10, Outcome.MET),
    ("Anti-AAV9 total binding antibody titers below 1:25 required", INC, 25, Outcome.FAILS),
    ("Anti-AAV9 antibody titer ≤ 1:50 by ELISA", INC, 50, Outcome.MET),
    ("Anti-AAV9 antibody titer ≤ 1:50 by ELISA", INC, 51, Outcome.FAILS),
    ("Anti-AAV9 antibody titers of 1:100 or higher", EXC, 100, Outcome.FAILS),
    ("Anti-AAV9 antibody titers of 1:100 or higher", EXC, 50, Outcome.MET),
    ("Seropositive for AAV9 antibodies", EXC, 25, Outcome.FAILS),
    ("Seropositive for AAV9 antibodies", EXC, 0, Outcome.MET),  # 0 = below detection
    ("Seronegative for anti-AAV9 antibodies", INC, 0, Outcome.MET),
    ("Neutralising antibodies to AAV9 less than 1:5", INC, 0, Outcome.MET),
])
def test_anti_aav9_titre_criteria(text: str, section: Section, titre: int, expected: Outcome) -> None:
    assert _one(text, section, PatientView(titres={"AAV9": titre})) == expected


def test_antibody_serotype_comes_from_the_text_or_the_trial_vector() -> None:
    only_aav9 = PatientView(titres={"AAV9": 400})
    assert _one("AAVrh74 total binding antibody titers ≥ 1:400", EXC, only_aav9) == Outcome.OPEN
    # the text says "AAV", the trial's vector is AAV9
    assert _one("Anti-AAV antibody titer > 1:50", EXC, only_aav9, vectors=("AAV9",)) == Outcome.FAILS
    assert _one("Anti-AAV antibody titer > 1:50", EXC, only_aav9) == Outcome.OPEN
    assert _one("Anti-AAV9 antibody titer >1:50", EXC, PatientView()) == Outcome.OPEN
    two = "Anti-AAV8 or anti-AAV9 antibody titers below 1:5"
    assert _one(two, INC, only_aav9) == Outcome.FAILS  # AAV9 already too high
    assert _one(two, INC, PatientView(titres={"AAV9": 0})) == Outcome.OPEN  # AAV8 not measured
    assert _one(two, INC, PatientView(titres={"AAV9": 0, "AAV8": 0})) == Outcome.MET
    assert trial_serotypes(["AAV2CUhCLN2 vector", "scAAV9.CB.SMN", "rAAVrh74.MHCK7"]) == ("AAV2", "AAV9", "AAVrh74")
    negative = PatientView(antibodies={"AAV9": False})
    assert _one("Anti-AAV9 antibody titer >1:50", EXC, negative) == Outcome.MET


# ---- prior treatments


def test_prior_gene_therapy_exclusion() -> None:
    text = "Prior treatment with any gene therapy, or participation in a gene transfer study"
    assert _one(text, EXC, PatientView(prior_treatments=("onasemnogene abeparvovec",))) == Outcome.FAILS
    assert _one(text, EXC, PatientView(prior_treatments=("aav gene therapy (trial)",))) == Outcome.FAILS
    assert _one(text, EXC, PatientView(prior_treatments=("nusinersen",))) == Outcome.MET
    assert _one(text, EXC, PatientView()) == Outcome.OPEN  # nothing recorded is not "none"
    assert _one(text, EXC, PatientView(prior_treatments=("none",))) == Outcome.MET  # prior_treatments=none
    naive = "All subjects will be naive, i.e., they have not previously participated in a gene therapy study"
    assert _one(naive, INC, PatientView(prior_treatments=("onasemnogene abeparvovec",))) == Outcome.FAILS
    assert _one(naive, INC, PatientView(prior_treatments=("risdiplam",))) == Outcome.MET


def test_named_prior_product() -> None:
    text = "Previously treated with onasemnogene abeparvovec (Zolgensma)"
    assert _one(text, EXC, PatientView(prior_treatments=("zolgensma",))) == Outcome.FAILS
    assert _one(text, EXC, PatientView(prior_treatments=("nusinersen",))) == Outcome.MET


# ---- conditioning, ambulation, ventilation, sex, pregnancy, age in the text


@pytest.mark.parametrize(("text", "section", "patient", "expected"), [
    ("Unable to tolerate myeloablative busulfan conditioning", EXC, PatientView(conditioning_tolerated=False),
     Outcome.FAILS),
    ("Unable to tolerate myeloablative busulfan conditioning", EXC, PatientView(conditioning_tolerated=True),
     Outcome.MET),
    ("Eligible for myeloablative conditioning", INC, PatientView(conditioning_tolerated=False), Outcome.FAILS),
    ("Ambulatory, able to walk 100 m", INC, PatientView(flags={"ambulatory": False}), Outcome.FAILS),
    ("Ambulatory, able to walk 100 m", INC, PatientView(flags={"ambulatory": True}), Outcome.MET),
    ("Non-ambulatory boys", INC, PatientView(flags={"ambulatory": True}, sex="male"), Outcome.FAILS),
    ("Requires invasive ventilation or tracheostomy", EXC, PatientView(flags={"ventilator_dependent": True}),
     Outcome.FAILS),
    ("Requires invasive ventilation or tracheostomy", EXC, PatientView(flags={"ventilator_dependent": False}),
     Outcome.MET),
    ("Requires invasive ventilation or tracheostomy", EXC, PatientView(), Outcome.OPEN),
    ("Pregnant or breastfeeding", EXC, PatientView(sex="male"), Outcome.MET),
    ("Pregnant or breastfeeding", EXC, PatientView(sex="female"), Outcome.OPEN),
    ("Male patients with a confirmed diagnosis", INC, PatientView(sex="female"), Outcome.FAILS),
    ("Male or female adults ages 18 to 64 years", INC, PatientView(age_years=30), Outcome.MET),
    ("Male or female adults ages 18 to 64 years", INC, PatientView(age_years=6), Outcome.FAILS),
    ("Patient's age is 5-8 years old at the time of the treatment", INC, PatientView(age_years=9), Outcome.FAILS),
    ("Children under 2 years of age", EXC, PatientView(age_years=1.5), Outcome.FAILS),
    ("Children under 2 years of age", EXC, PatientView(age_years=2), Outcome.MET),
    ("Age at dosing less than 6 months", INC, PatientView(age_years=0.4), Outcome.MET),
    ("Infants 6 weeks of age or older", INC, PatientView(age_years=0.05), Outcome.FAILS),
    ("ALT or AST > 3 × ULN", EXC, PatientView(age_years=4), Outcome.OPEN),
])
def test_patient_factor_criteria(text: str, section: Section, patient: PatientView, expected: Outcome) -> None:
    assert _one(text, section, patient) == expected


def test_seropositive_for_another_virus_is_not_an_aav_criterion() -> None:
    text = ("Other significant conditions that create a risk to receiving the AAV2CUhCLN2 vector. Examples include "
            "malignancy (other than skin cancer), congenital heart disease, liver or renal failure, or seropositive "
            "for HIV.")
    (crit,) = parse_criteria(f"Exclusion Criteria:\n\n* {text}", ("AAV2",))
    assert [r.rule for r in crit.requirements] == ["organ_function"]


def test_duration_is_not_read_as_an_age() -> None:
    (crit,) = parse_criteria("Inclusion Criteria:\n\n* Chronic AD that has been present for at least 3 years")
    assert not [r for r in crit.requirements if r.rule == "age_in_text"]


# ---- genotype the text asks for


def _dmd(deletion: str) -> PatientView:
    case = case_from_options("DMD", deletion, "hemizygous", "age=6; sex=male")
    return PatientView.from_case(case)


def test_exon_skip_amenability_from_the_frame_analysis() -> None:
    text = "Confirmed mutation in the DMD gene amenable to exon 51 skipping"
    assert _one(text, INC, _dmd("deletion of exons 48-50")) == Outcome.MET  # eteplirsen's population
    assert _one(text, INC, _dmd("deletion of exons 46-47")) == Outcome.FAILS  # amenable to exon 45 instead
    assert _one(text, INC, PatientView()) == Outcome.OPEN


def test_exon_range_and_named_variants() -> None:
    text = "Confirmed frameshift mutation or deletion in the DMD gene within exons 18 to 79"
    assert _one(text, INC, _dmd("deletion of exons 48-50")) == Outcome.MET
    assert _one(text, INC, _dmd("deletion of exons 3-7")) == Outcome.FAILS
    cf_hom = PatientView.from_case(case_from_options("CFTR", "p.Phe508del", "homozygous", None))
    cf_het = PatientView.from_case(case_from_options("CFTR", "p.Phe508del", "heterozygous", None))
    both = "Homozygous for the F508del mutation"
    assert _one(both, INC, cf_hom) == Outcome.MET
    assert _one(both, INC, cf_het) == Outcome.FAILS
    assert _one("At least one copy of the F508del mutation", INC, cf_het) == Outcome.MET
    assert _one("At least one copy of the G551D mutation", INC, cf_het) == Outcome.FAILS


def test_unrecognised_items_stay_open_with_their_sentence() -> None:
    (crit,) = parse_criteria("Both parents or legal guardians must give consent")
    assert crit.requirements == () and evaluate(crit, PatientView(age_years=3)).outcome == Outcome.OPEN


@pytest.mark.parametrize(("section", "text"), [
    # conditions on a subgroup, or the age of something else, are not the patient's age limits (real records)
    (INC, "For children aged under 18 months: two separate peripheral blood specimens positive for HIV"),
    (EXC, "Perinatal exposure to nevirapine (either through prevention of mother-to-child transmission (pMTCT) or "
          "breastfeeding) for children aged 3 - 6 months only"),
    (INC, "Have an acute (less than 4 week old) injury with instability of the DRUJ"),
    (INC, "No factors that increase the risk of QTc prolongation such as family history of long QT syndrome or "
          "unexplained sudden death under 40 years of age"),
    # past conditioning, allergy to a product, a test taken before a transplant, a sex word in a contraception item
    (INC, "Have undergone an allo-HSCT from any donor source. Recipients of nonmyeloablative and myeloablative "
          "conditioning regimens are eligible."),
    (EXC, "The patient has experienced an anaphylactic reaction to agalsidase alfa"),
    (EXC, "Previous test results obtained as part of standard of care before allo-HSCT that confirm a patient is "
          "immune may be used for purposes of eligibility."),
    (INC, "Women of non-childbearing potential (ie, surgically sterile with a hysterectomy)"),
    (INC, "Be willing to avoid pregnancy or fathering children"),
])
def test_real_sentences_that_must_not_be_settled(section: Section, text: str) -> None:
    heading = "Inclusion Criteria:" if section == INC else "Exclusion Criteria:"
    (crit,) = parse_criteria(f"{heading}\n\n* {text}")
    assert [r.rule for r in crit.requirements if r.rule != "organ_function"] == []


def test_heading_at_the_end_of_a_line_starts_a_section() -> None:
    text = ("Exclusion criteria\n\n  5. Likely to switch therapy\n\nEligibility criteria for the secondary "
            "randomisation Inclusion criteria\n\n  1. Aged at least 3 years\n")
    assert split_items(text) == [(EXC, "Likely to switch therapy"), (INC, "Aged at least 3 years")]


def test_sub_items_carry_their_parent_and_conditional_groups_stay_open() -> None:
    text = ("Inclusion Criteria:\n\n* Adequate organ function as follows:\n  * ALT ≤ 3 × ULN\n  * Platelets ≥ 100,000\n"
            "* For participants younger than 2 years:\n  * Anti-AAV9 antibody titer < 1:50\n"
            "* Ambulatory\n")
    items = split_items(text)
    assert [t for _, t in items] == [
        "Adequate organ function as follows: ALT ≤ 3 × ULN", "Adequate organ function as follows: Platelets ≥ 100,000",
        "For participants younger than 2 years: Anti-AAV9 antibody titer < 1:50", "Ambulatory"]
    crits = parse_criteria(text)
    assert crits[2].requirements == ()  # applies to a subgroup only: to check
    assert evaluate(crits[2], PatientView(age_years=10, titres={"AAV9": 400})).outcome == Outcome.OPEN
    assert [r.rule for r in crits[3].requirements] == ["ambulation"]
    alternatives = parse_criteria("Inclusion Criteria:\n\n* Must meet one of the following criteria:\n"
                                  "  * Ambulatory\n  * Age under 2 years\n")
    assert [c.requirements for c in alternatives] == [(), ()]
