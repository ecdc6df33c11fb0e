"""Patient factors from `key=value; ...` text (the `--patient` option and canonical.tsv) or a YAML mapping.

Keys (case-insensitive; unknown keys are an error, never ignored):

- `age=6` years (decimals allowed: `age=0.5`); a unit may follow: `18m`/`18 months`, `6w`, `10d`, `6y`.
  Below 0 or above 130 years is impossible -> InputError.
- `sex=male|female|unknown` (`m`/`f` accepted).
- `anti_<SEROTYPE>_titre=1:N` (also `titer`; `N` alone; `<1:N` = below detection, stored as 0), e.g.
  `anti_AAV9_titre=1:25` -> aav_titres["AAV9"] = 25.
- `anti_<SEROTYPE>_antibodies=positive|negative` -> aav_antibodies["AAV5"] = True/False.
- `conditioning_tolerated=yes|no`.
- yes/no flags: `ambulatory`, `presymptomatic`, `transfusion_dependent`, `symptomatic`,
  `ventilator_dependent` -> PatientFactors.flags.
- `prior_treatments=a,b` (comma-separated names).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rarepath.errors import InputError
from rarepath.model.types import PatientFactors

FLAG_KEYS = ("ambulatory", "presymptomatic", "transfusion_dependent", "symptomatic", "ventilator_dependent")
MAX_AGE_YEARS = 130.0

#: Every accepted `--patient` key and its values, for `--help` and the README (kept beside the parser).
PATIENT_KEYS_HELP = (
    "age=N years (decimals, or a unit: 18m, 6w, 10d, 6y; 0 to 130); sex=male|female|unknown (m, f); "
    "anti_<SEROTYPE>_titre=1:N (also titer, nab; <1:N = below detection), e.g. anti_AAV9_titre=1:25; "
    "anti_<SEROTYPE>_antibodies=positive|negative; conditioning_tolerated=yes|no; "
    + "; ".join(f"{k}=yes|no" for k in FLAG_KEYS)
    + "; prior_treatments=a,b (comma-separated). Keys are case-insensitive; unknown keys are errors."
)

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_SEX = {"male": "male", "m": "male", "female": "female", "f": "female", "unknown": "unknown",
        "other": "other", "unknown_sex": "unknown", "other_sex": "other"}
_AGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$")
_AGE_UNITS = {"": 1.0, "y": 1.0, "yr": 1.0, "yrs": 1.0, "year": 1.0, "years": 1.0,
              "m": 1 / 12, "mo": 1 / 12, "month": 1 / 12, "months": 1 / 12,
              "w": 7 / 365.25, "wk": 7 / 365.25, "week": 7 / 365.25, "weeks": 7 / 365.25,
              "d": 1 / 365.25, "day": 1 / 365.25, "days": 1 / 365.25}
_SEROTYPE_KEY = re.compile(r"^anti[_-](?P<sero>aav[a-z0-9.]+)[_-](?P<what>titre|titer|antibodies|antibody|nab)$")
_TITRE = re.compile(r"^\s*(?P<lt><)?\s*(?:1\s*:\s*)?(?P<n>\d+)\s*$")


def serotype_name(raw: str) -> str:
    """`aav9` -> `AAV9`, `aavrh74` -> `AAVrh74` (the prefix is upper case, the rest as in the literature)."""
    rest = raw[3:]
    return "AAV" + (rest.upper() if rest.isdigit() else rest.lower().replace("dj", "DJ"))


def parse_age(value: Any, *, source: str, field: str = "patient.age") -> float:
    """Age in years; impossible ages are errors."""
    if isinstance(value, bool):
        raise InputError(f"age must be a number of years, got {value!r}", source=source, field=field)
    if isinstance(value, int | float):
        years = float(value)
    else:
        m = _AGE.match(str(value).lower())
        if not m or m.group(2) not in _AGE_UNITS:
            raise InputError(f"age must be a number of years (e.g. 6, 0.5, 18m), got {value!r}",
                             source=source, field=field)
        years = float(m.group(1)) * _AGE_UNITS[m.group(2)]
    if not 0.0 <= years <= MAX_AGE_YEARS:
        raise InputError(f"impossible age {value!r}: must be between 0 and {MAX_AGE_YEARS:g} years",
                         source=source, field=field)
    return round(years, 4)


def _yes_no(value: Any, *, source: str, field: str) -> bool:
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    raise InputError(f"expected yes or no, got {value!r}", source=source, field=field)


def _pairs(text: str, source: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise InputError(f"expected key=value, got {part!r}", source=source, field="patient")
        k, v = part.split("=", 1)
        pairs.append((k.strip(), v.strip()))
    return pairs


def parse_patient(text: str | Mapping[str, Any] | None, source: str = "--patient") -> PatientFactors:
    """PatientFactors from `age=6; sex=male; anti_AAV9_titre=1:25; ...` or the same keys as a mapping."""
    if text is None:
        return PatientFactors()
    if isinstance(text, PatientFactors):
        return text
    if isinstance(text, Mapping):
        pairs = [(str(k), v) for k, v in text.items()]
    elif isinstance(text, str):
        pairs = _pairs(text, source)
    else:
        raise InputError(f"patient must be 'key=value; ...' text or a mapping, got {type(text).__name__}",
                         source=source, field="patient")

    age: float | None = None
    sex: str | None = None
    titres: dict[str, int] = {}
    antibodies: dict[str, bool] = {}
    conditioning: bool | None = None
    prior: tuple[str, ...] = ()
    flags: dict[str, bool] = {}
    seen: set[str] = set()
    for raw_key, value in pairs:
        key = raw_key.strip().lower()
        field = f"patient.{raw_key.strip()}"
        if key in seen:
            raise InputError(f"key {raw_key!r} given twice", source=source, field=field)
        seen.add(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InputError(f"no value for {raw_key!r}", source=source, field=field)
        sero = _SEROTYPE_KEY.match(key)
        if key in ("age", "age_years"):
            age = parse_age(value, source=source, field=field)
        elif key == "sex":
            s = _SEX.get(str(value).strip().lower())
            if s is None:
                raise InputError(f"sex must be male, female or unknown, got {value!r}", source=source, field=field)
            sex = s
        elif sero and sero.group("what") in ("titre", "titer", "nab"):
            m = _TITRE.match(str(value))
            if not m:
                raise InputError(f"antibody titre must look like 1:N (e.g. 1:25), got {value!r}",
                                 source=source, field=field)
            titres[serotype_name(sero.group("sero"))] = 0 if m.group("lt") else int(m.group("n"))
        elif sero:
            v = str(value).strip().lower()
            if v in ("positive", "pos", "detected", "yes", "true"):
                antibodies[serotype_name(sero.group("sero"))] = True
            elif v in ("negative", "neg", "not detected", "undetected", "no", "false"):
                antibodies[serotype_name(sero.group("sero"))] = False
            else:
                raise InputError(f"expected positive or negative, got {value!r}", source=source, field=field)
        elif key == "conditioning_tolerated":
            conditioning = _yes_no(value, source=source, field=field)
        elif key in FLAG_KEYS:
            flags[key] = _yes_no(value, source=source, field=field)
        elif key == "prior_treatments":
            items = value if isinstance(value, list | tuple) else str(value).split(",")
            prior = tuple(str(x).strip() for x in items if str(x).strip())
        else:
            known = ("age, sex, anti_<SEROTYPE>_titre, anti_<SEROTYPE>_antibodies, conditioning_tolerated, "
                     + ", ".join(FLAG_KEYS) + ", prior_treatments")
            raise InputError(f"unknown patient key {raw_key!r} (known: {known})", source=source, field=field)
    return PatientFactors(
        age_years=age,
        sex=sex,
        aav_titres=titres,
        aav_antibodies=antibodies,
        conditioning_tolerated=conditioning,
        prior_treatments=prior,
        flags=flags,
    )


def merge_patient(base: PatientFactors, extra: PatientFactors) -> PatientFactors:
    """`extra` (e.g. `--patient` on the command line) overrides what a case file said, key by key."""
    return PatientFactors(
        age_years=extra.age_years if extra.age_years is not None else base.age_years,
        sex=extra.sex if extra.sex is not None else base.sex,
        aav_titres={**base.aav_titres, **extra.aav_titres},
        aav_antibodies={**base.aav_antibodies, **extra.aav_antibodies},
        conditioning_tolerated=(extra.conditioning_tolerated if extra.conditioning_tolerated is not None
                                else base.conditioning_tolerated),
        prior_treatments=extra.prior_treatments or base.prior_treatments,
        flags={**base.flags, **extra.flags},
    )
