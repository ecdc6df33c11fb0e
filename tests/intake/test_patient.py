"""Patient `key=value; ...` syntax."""

from __future__ import annotations

import pytest

from rarepath.errors import InputError
from rarepath.intake.patient import parse_patient


def test_all_keys():
    p = parse_patient(
        "age=0.5; sex=female; anti_AAV9_titre=1:25; anti_AAV5_antibodies=positive; conditioning_tolerated=no; "
        "ambulatory=yes; presymptomatic=no; transfusion_dependent=yes; prior_treatments=nusinersen, risdiplam"
    )
    assert p.age_years == 0.5 and p.sex == "female"
    assert p.aav_titres == {"AAV9": 25}
    assert p.aav_antibodies == {"AAV5": True}
    assert p.conditioning_tolerated is False
    assert p.flags == {"ambulatory": True, "presymptomatic": False, "transfusion_dependent": True}
    assert p.prior_treatments == ("nusinersen", "risdiplam")
    assert p.to_dict()["aav_titres"] == {"AAV9": "1:25"}


def test_serotype_spelling_and_units():
    p = parse_patient("anti_AAVrh74_titre=1:400; age=18 months")
    assert p.aav_titres == {"AAVrh74": 400}
    assert p.age_years == 1.5
    assert parse_patient("anti_aav5_antibodies=negative").aav_antibodies == {"AAV5": False}
    assert parse_patient({"age": 6, "sex": "M"}).sex == "male"
    assert parse_patient("") == parse_patient(None)


@pytest.mark.parametrize(
    "text,field,words",
    [
        ("age=-3", "patient.age", "impossible age"),
        ("age=200", "patient.age", "impossible age"),
        ("age=six", "patient.age", "number of years"),
        ("sex=yes", "patient.sex", "male, female"),
        ("favourite_colour=blue", "patient.favourite_colour", "unknown patient key"),
        ("anti_AAV9_titre=high", "patient.anti_AAV9_titre", "1:N"),
        ("anti_AAV5_antibodies=maybe", "patient.anti_AAV5_antibodies", "positive or negative"),
        ("conditioning_tolerated=perhaps", "patient.conditioning_tolerated", "yes or no"),
        ("age=6; age=7", "patient.age", "twice"),
        ("age 6", "patient", "key=value"),
    ],
)
def test_bad_patient_values_are_located_errors(text, field, words):
    with pytest.raises(InputError) as err:
        parse_patient(text, source="--patient")
    assert err.value.field == field
    assert err.value.one_line().startswith(f"--patient: {field}: ")
    assert words in err.value.one_line()
