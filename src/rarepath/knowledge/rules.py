"""The rule catalogue: every reason the triage engine gives names a catalogued rule.

Like an ACMG criterion list, each rule has an id, what it does to the option it is attached to
(`effect`), its meaning and the published basis it rests on (`knowledge/data/triage_rules.tsv`).
A reason built from an id that is not catalogued is a programming error and fails loudly, so a
typo never becomes a silent, unsourced reason. The effects let one contract test check that an
option's reasons always agree with its verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from rarepath.errors import KnowledgeError
from rarepath.knowledge.curated import load_table, table_version
from rarepath.model import Evidence, Verdict


class Effect(StrEnum):
    """What a reason does to its option."""

    SUPPORTS = "supports"
    AGAINST = "against"  # an unknown or a caution: the option can be at most `possible`
    BLOCKS = "blocks"  # the option is `not_suitable` or `contraindicated`
    INFO = "info"
    SUPERSEDED = "superseded"  # a weakness resolved by stronger evidence (a confirmed label fit)


@dataclass(frozen=True)
class Rule:
    id: str
    effect: Effect
    meaning: str
    source: str


@cache
def catalogue() -> dict[str, Rule]:
    """All catalogued rules by id (loaded once; a bad effect value is a knowledge error)."""
    out: dict[str, Rule] = {}
    for row in load_table("triage_rules"):
        try:
            effect = Effect(row["effect"])
        except ValueError:
            raise KnowledgeError(f"rule {row['rule']!r} has unknown effect {row['effect']!r}",
                                 source="triage_rules.tsv", field="effect") from None
        out[row["rule"]] = Rule(row["rule"], effect, row["meaning"], row["source"])
    return out


def catalogue_version() -> str:
    return table_version("triage_rules")


def reason(rule_id: str, detail: str, source: str | None = None, effect: Effect | None = None) -> Evidence:
    """A reason for an option: the catalogued rule, what it saw, and the source (the rule's own by default)."""
    rule = catalogue().get(rule_id)
    if rule is None:
        raise KnowledgeError(f"reason uses uncatalogued rule {rule_id!r}", source="triage_rules.tsv", field="rule")
    return Evidence(rule_id, source or rule.source, detail, (effect or rule.effect).value)


def rule_source(rule_id: str) -> str:
    """The published basis of a catalogued rule (to cite beside a row's own source)."""
    rule = catalogue().get(rule_id)
    if rule is None:
        raise KnowledgeError(f"uncatalogued rule {rule_id!r}", source="triage_rules.tsv", field="rule")
    return rule.source


def effect_of(ev: Evidence) -> Effect:
    """The effect of a reason: its own when set, else its rule's (info for evidence outside the catalogue)."""
    if ev.effect:
        return Effect(ev.effect)
    rule = catalogue().get(ev.rule.split(":", 1)[0])
    return rule.effect if rule else Effect.INFO


def agrees(verdict: Verdict, reasons: list[Evidence]) -> str | None:
    """None when the reasons agree with the verdict, else what disagrees (used by the engine and the tests).

    recommended: nothing blocks and nothing weakens; possible: nothing blocks;
    not_suitable / contraindicated: at least one reason blocks or weakens it.
    """
    effects = [effect_of(r) for r in reasons]
    if verdict == Verdict.RECOMMENDED:
        bad = [r.rule for r, e in zip(reasons, effects, strict=True) if e in (Effect.BLOCKS, Effect.AGAINST)]
        return f"recommended option carries {', '.join(bad)}" if bad else None
    if verdict == Verdict.POSSIBLE:
        bad = [r.rule for r, e in zip(reasons, effects, strict=True) if e == Effect.BLOCKS]
        return f"possible option carries blocking {', '.join(bad)}" if bad else None
    if not any(e in (Effect.BLOCKS, Effect.AGAINST) for e in effects):
        return f"{verdict.value} option has no reason against it"
    return None


__all__ = ["Effect", "Rule", "catalogue", "catalogue_version", "reason", "rule_source", "effect_of", "agrees"]
