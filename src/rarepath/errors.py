"""Errors that reach the user as one located line (file, field, problem) and exit code 2."""

from __future__ import annotations


class RarepathError(Exception):
    """Base class of all errors rarepath reports to a user without a traceback."""

    exit_code = 2

    def __init__(self, problem: str, *, source: str | None = None, field: str | None = None) -> None:
        self.problem = problem
        self.source = source
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """`source: field: problem`, leaving out the parts that are unknown."""
        parts = [p for p in (self.source, self.field) if p]
        prefix = ": ".join(parts)
        text = " ".join(str(self.problem).split())
        return f"{prefix}: {text}" if prefix else text


class InputError(RarepathError):
    """Malformed or impossible user input (file, option or value)."""


class UnknownGeneError(InputError):
    """A gene symbol that is neither an approved symbol nor a known alias."""


class KnowledgeError(RarepathError):
    """The knowledge base is missing, corrupt or of an unsupported version."""
