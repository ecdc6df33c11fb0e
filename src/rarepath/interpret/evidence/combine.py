"""Combine votes into one call: independent lines add up like probabilities; conflict or thin support abstains.

Each mechanism's support is 1 - prod(1 - w) over its votes. Haploinsufficiency is a kind of loss of function, so
the two are pooled as "loss" when deciding and the specific label is kept. The call is the best-supported class
when its support reaches CALL_THRESHOLD and leads the runner-up by CALL_MARGIN; otherwise `unknown`, because a
wrong call steers triage towards harmful options (silencing a gene whose problem is loss of function).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rarepath.interpret.evidence.base import Vote
from rarepath.model import Evidence, Mechanism

#: Minimum support for a call, and the lead it must have over the runner-up.
CALL_THRESHOLD = 0.55
CALL_MARGIN = 0.2
SOURCE = "rarepath mechanism rules (interpret/evidence/combine.py)"


@dataclass(frozen=True)
class Combined:
    """The decision over a set of votes: call, confidence, per-mechanism support and why."""

    call: Mechanism
    confidence: float
    support: dict[Mechanism, float]
    evidence: tuple[Evidence, ...]


def support_of(votes: Iterable[Vote]) -> dict[Mechanism, float]:
    """Per-mechanism support (noisy-OR of the weights); `unknown` notes carry no weight."""
    support: dict[Mechanism, float] = defaultdict(float)
    for v in votes:
        if v.weight > 0 and v.mechanism != Mechanism.UNKNOWN:
            support[v.mechanism] = 1 - (1 - support[v.mechanism]) * (1 - v.weight)
    return dict(support)


def combine(votes: list[Vote], preferred_loss: Mechanism | None = None) -> Combined:
    """Call from votes. `preferred_loss` (a curated loss label) names the loss class when loss wins."""
    evidence = tuple(v.evidence for v in votes)
    support = support_of(votes)
    vetoes = [v for v in votes if v.veto]
    if vetoes:
        why = Evidence("not_a_disease_allele", SOURCE,
                       f"{vetoes[0].evidence.detail.split(':')[0]}: the variant is not a disease-causing allele, "
                       "so no mechanism is called for it")
        return Combined(Mechanism.UNKNOWN, 0.0, support, (*evidence, why))
    if not support:
        why = Evidence("insufficient_evidence", SOURCE, "no line of evidence supports a mechanism: left unknown "
                                                        "rather than guessed")
        return Combined(Mechanism.UNKNOWN, 0.0, support, (*evidence, why))
    lof, hi = support.get(Mechanism.LOSS_OF_FUNCTION, 0.0), support.get(Mechanism.HAPLOINSUFFICIENCY, 0.0)
    classes = {
        "loss": 1 - (1 - lof) * (1 - hi),
        Mechanism.DOMINANT_NEGATIVE.value: support.get(Mechanism.DOMINANT_NEGATIVE, 0.0),
        Mechanism.GAIN_OF_FUNCTION.value: support.get(Mechanism.GAIN_OF_FUNCTION, 0.0),
    }
    order = sorted(classes.items(), key=lambda kv: kv[1], reverse=True)
    (best_class, best), (runner_class, runner) = order[0], order[1]
    listed = ", ".join(f"{m.value}={s:.2f}" for m, s in sorted(support.items(), key=lambda kv: -kv[1]))
    if best < CALL_THRESHOLD or best - runner < CALL_MARGIN:
        if runner >= CALL_THRESHOLD / 2 and best - runner < CALL_MARGIN:
            why = Evidence("conflicting_evidence", SOURCE,
                           f"support {listed}: {best_class} and {runner_class} both supported (lead "
                           f"{best - runner:.2f} < {CALL_MARGIN}); left unknown")
        else:
            why = Evidence("conflicting_or_weak_evidence", SOURCE,
                           f"support {listed}: below the call threshold {CALL_THRESHOLD}; left unknown")
        return Combined(Mechanism.UNKNOWN, 0.0, support, (*evidence, why))
    if best_class == "loss":
        if preferred_loss is not None and preferred_loss.is_loss:
            call = preferred_loss
        else:
            call = Mechanism.HAPLOINSUFFICIENCY if hi > lof else Mechanism.LOSS_OF_FUNCTION
    else:
        call = Mechanism(best_class)
    confidence = round(best * (1 - runner / 2), 3)
    why = Evidence("mechanism_call", SOURCE,
                   f"support {listed}: {call.value} called with confidence {confidence:.2f} "
                   f"(threshold {CALL_THRESHOLD}, lead {best - runner:.2f} >= {CALL_MARGIN})")
    return Combined(call, confidence, support, (*evidence, why))
