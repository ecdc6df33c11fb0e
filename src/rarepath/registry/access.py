"""Who may see and change what: one place, used by the CLI, the API and the pages alike.

- family: their own case only (the family report and the follow-up calendar), read only;
- clinician: their team's cases, names included; records decisions, treatments, visits, adverse events;
- lab: their team's cases without names; records disease models, QC and screens;
- researcher: pseudonymised data of cases consented for research, never names or the file as received;
- admin: everything, including users.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, false

from rarepath.registry.db import RegistryError
from rarepath.registry.models import Case, Consent, Role


class Forbidden(RegistryError):
    """The actor's role does not allow this (the API answers 403)."""


class NotFound(RegistryError):
    """No such record, or one the actor may not know exists (the API answers 404)."""


class Action(StrEnum):
    """Kinds of write, each allowed to some roles."""

    CASE = "case"  # upload, consent, reassess
    CLINICAL = "clinical"  # decisions, treatments, visits, observations, adverse events
    LAB = "lab"  # disease models, QC, screens
    USERS = "users"


WRITERS: dict[Action, frozenset[Role]] = {
    Action.CASE: frozenset({Role.CLINICIAN, Role.ADMIN}),
    Action.CLINICAL: frozenset({Role.CLINICIAN, Role.ADMIN}),
    Action.LAB: frozenset({Role.LAB, Role.CLINICIAN, Role.ADMIN}),
    Action.USERS: frozenset({Role.ADMIN}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, or the command line (an admin named after the OS user)."""

    name: str
    role: Role
    user_id: int | None = None
    team_id: int | None = None

    @property
    def sees_names(self) -> bool:
        """Direct identifiers (patient name, the file's own id, the file as received) are shown."""
        return self.role in (Role.CLINICIAN, Role.ADMIN, Role.FAMILY)


def visible(query: Select, actor: Actor) -> Select:
    """`query` over Case restricted to the cases `actor` may read."""
    if actor.role == Role.ADMIN:
        return query
    if actor.role == Role.FAMILY:
        return query.where(Case.family_user_id == actor.user_id) if actor.user_id else query.where(false())
    if actor.role == Role.RESEARCHER:
        return query.where(Case.consent == Consent.RESEARCH.value)
    if actor.team_id is None:
        return query.where(false())
    return query.where(Case.team_id == actor.team_id)


def can_read(actor: Actor, case: Case) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.FAMILY:
        return actor.user_id is not None and case.family_user_id == actor.user_id
    if actor.role == Role.RESEARCHER:
        return case.consent == Consent.RESEARCH.value
    return actor.team_id is not None and case.team_id == actor.team_id


def require_read(actor: Actor, case: Case | None, ref: object) -> Case:
    """The case if `actor` may read it; Forbidden for a family or researcher outside their cases."""
    if case is None:
        raise NotFound("no such case", source=str(ref))
    if not can_read(actor, case):
        raise Forbidden("not allowed to open this case", source=str(ref))
    return case


def require_write(actor: Actor, action: Action, case: Case | None = None) -> None:
    if actor.role not in WRITERS[action]:
        raise Forbidden(f"the {actor.role.value} role cannot record {action.value} data")
    if case is not None and not can_read(actor, case):
        raise Forbidden("not allowed to change this case", source=case.pseudonym)
