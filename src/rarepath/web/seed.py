"""The demo team and example cases seeded on the first start of `rarepath serve` (fictional patients)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from rarepath.examples import EXAMPLES
from rarepath.registry import service
from rarepath.registry.access import Actor
from rarepath.registry.db import Registry
from rarepath.registry.models import Role, User
from rarepath.registry.security import verify_password

DEMO_TEAM = "demo care team"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    team: str | None


#: Demo logins; `rarepath serve` prints those whose password is still the demo one.
DEMO_USERS = (
    DemoLogin("clinician", "demo-clinician", Role.CLINICIAN, DEMO_TEAM),
    DemoLogin("lab", "demo-lab", Role.LAB, DEMO_TEAM),
    DemoLogin("family", "demo-family", Role.FAMILY, None),
    DemoLogin("researcher", "demo-researcher", Role.RESEARCHER, None),
    DemoLogin("admin", "demo-admin", Role.ADMIN, None),
)
#: Example case file, consent, the family user who may open it.
DEMO_CASES = (("sma_infant.yaml", "research", "family"), ("dmd_boy.yaml", "care", None))


def seed_demo(registry: Registry) -> bool:
    """Create the demo users and cases when the registry has no user yet; True when it seeded."""
    seeder = Actor("seed", Role.ADMIN)
    with registry.session() as s:
        if s.scalar(select(func.count()).select_from(User)):
            return False
        for u in DEMO_USERS:
            service.add_user(s, seeder, username=u.username, password=u.password, role=u.role, team=u.team,
                             full_name=f"Demo {u.role.value}")
        for name, consent, family in DEMO_CASES:
            case = service.add_case(s, seeder, filename=name, content=(EXAMPLES / name).read_bytes(),
                                    team=DEMO_TEAM, consent=consent, family_user=family)
            service.assess(s, seeder, case, trigger="upload")
    return True


def demo_logins(registry: Registry) -> list[DemoLogin]:
    """Demo users that still have their demo password (none once they are changed)."""
    out = []
    with registry.session() as s:
        for u in DEMO_USERS:
            user = s.scalar(select(User).where(User.username == u.username))
            if user is not None and verify_password(user.password_hash, u.password):
                out.append(u)
    return out
