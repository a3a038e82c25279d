"""The one user-facing error type, and the problems it carries.

Every stage collects problems instead of stopping at the first; the stage (or
the build) then raises one EditionError with all of them. build.py is the only
place that catches it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it."""

    path: str
    """File the problem is in, as the user named it."""
    line: int
    """1-based line in that file (0 when the problem concerns the file as a whole)."""
    what: str
    """What is wrong, in one clause."""
    value: str
    """The offending text, quoted in the message ('' when there is nothing to quote)."""
    todo: str
    """What the user should do about it."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        quoted = f" ({_quote(self.value)})" if self.value else ""
        return f"{where}: {self.what}{quoted}; {self.todo}"


def _quote(value: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return '"' + shown.replace("\n", " ") + '"'


class EditionError(Exception):
    """Input the edition cannot be built from; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
