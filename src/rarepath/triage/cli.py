"""`rarepath assess`: placeholder replaced by the triage implementation."""
from __future__ import annotations


def assess_command() -> None:
    """Assess a case."""
