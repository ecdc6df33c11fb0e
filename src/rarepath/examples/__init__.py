"""Example cases bundled with rarepath (written for the project, fictional patients)."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).parent


def default_case_path() -> Path:
    """The case `make run` assesses: a fictional infant with spinal muscular atrophy."""
    return EXAMPLES / "sma_infant.yaml"
