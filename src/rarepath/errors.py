"""Errors that reach the user as one located line (file, field, problem) and exit code 2."""

from __future__ import annotations

#: Longest run of characters an error line quotes from the input (a 50 MB value must not become a 50 MB line).
MAX_QUOTED_CHARS = 120


def _shorten(text: str) -> str:
    """Long words (quoted input values) cut to MAX_QUOTED_CHARS with their full length named."""
    words = []
    for w in text.split():
        if len(w) > MAX_QUOTED_CHARS:
            w = f"{w[:MAX_QUOTED_CHARS]}... ({len(w):,} characters)"
        words.append(w)
    return " ".join(words)


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
        parts = [_shorten(p) for p in (self.source, self.field) if p]
        prefix = ": ".join(parts)
        text = _shorten(str(self.problem))
        return f"{prefix}: {text}" if prefix else text


class InputError(RarepathError):
    """Malformed or impossible user input (file, option or value)."""


class UnknownGeneError(InputError):
    """A gene symbol that is neither an approved symbol nor a known alias."""


class KnowledgeError(RarepathError):
    """The knowledge base is missing, corrupt or of an unsupported version."""
