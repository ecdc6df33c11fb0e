"""Pre-existing immunity to an AAV serotype: one check, used by product labels and the generic rule alike.

The threshold is always the planned product's label (Zolgensma anti-AAV9 <= 1:50; Elevidys anti-AAVrh74
< 1:400; Roctavian: no detectable anti-AAV5); only when no product is planned does the investigational
default apply, and then the reason says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rarepath.model import PatientFactors

#: investigational liver/CNS AAV trials commonly exclude neutralising titres >= 1:5-1:10 (Dhungel et al. 2024)
INVESTIGATIONAL_MAX_TITRE = 5
INVESTIGATIONAL_SOURCE = "Dhungel et al., Theranostics 14:1260 (2024) (trial NAb exclusion thresholds)"


class Fit(StrEnum):
    """Outcome of one label or safety check; unknown is never read as met."""

    MET = "met"
    UNKNOWN = "unknown"
    FAILED = "failed"


@dataclass(frozen=True)
class Check:
    fit: Fit
    detail: str
    item: str = ""  # short name of what is checked, named when unknown ("anti-AAV9 titre")


def _lookup(values: dict, serotype: str):
    return next((v for k, v in values.items() if k.upper() == serotype.upper()), None)


def antibody_status(p: PatientFactors, serotype: str) -> tuple[int | None, bool | None]:
    """(reciprocal titre, detected) for a serotype; either may be unknown."""
    titre = _lookup(p.aav_titres, serotype)
    pos = _lookup(p.aav_antibodies, serotype)
    if pos is None and titre is not None:
        pos = titre > 0
    return titre, pos


def titre_check(p: PatientFactors, serotype: str, max_titre: int | None, who: str) -> Check:
    """Antibodies against `serotype` against a threshold: `max_titre` reciprocal titre allowed (inclusive),
    or None for 'none detectable'. `who` names whose threshold it is (a product label, or a default)."""
    titre, pos = antibody_status(p, serotype)
    item = f"anti-{serotype} antibodies"
    if max_titre is None:
        if pos is None:
            return Check(Fit.UNKNOWN, f"anti-{serotype} antibodies not tested; {who} requires none detectable", item)
        if pos:
            return Check(Fit.FAILED, f"anti-{serotype} antibodies detected; {who} requires none detectable", item)
        return Check(Fit.MET, f"anti-{serotype} antibodies not detected ({who} requires none)", item)
    if titre is not None:
        ok = titre <= max_titre
        return Check(Fit.MET if ok else Fit.FAILED,
                     f"anti-{serotype} titre 1:{titre} {'within' if ok else 'above'} {who}'s limit 1:{max_titre}",
                     item)
    if pos is False:
        return Check(Fit.MET, f"anti-{serotype} antibodies negative ({who}'s limit 1:{max_titre})", item)
    extra = ""
    if p.age_years is not None and p.age_years < 0.5:
        extra = "; in infants under 6 months maternal antibodies wane: retest in 4-8 weeks"
    state = "detected, titre not given" if pos else "not tested"
    return Check(Fit.UNKNOWN, f"anti-{serotype} antibodies {state} ({who}'s limit 1:{max_titre}){extra}", item)


__all__ = ["Fit", "Check", "antibody_status", "titre_check", "INVESTIGATIONAL_MAX_TITRE", "INVESTIGATIONAL_SOURCE"]
