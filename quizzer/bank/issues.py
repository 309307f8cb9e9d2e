"""What the bank reports when it cannot load, and the names of its question types.

Kept free of pydantic and YAML so the interfaces can import them at start-up, before the bank
itself is loaded (in a worker, after the first frame).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

QUESTION_TYPES: tuple[str, ...] = ("single", "multiple", "fill", "handson")

_PLAIN = re.compile(r"^[^\s:'\"]+$")


def _plain(name: str | None) -> str:
    """A name as it can stand in an issue line: quoted when it is empty or has spaces/colons."""
    if name is None:
        return "-"
    return name if _PLAIN.match(name) else repr(name)


@dataclass(frozen=True, slots=True)
class BankIssue:
    """One problem found in the bank, located as precisely as the input allows."""

    file: str
    line: int
    question: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: question {_plain(self.question)}: "
            f"{_plain(self.field)}: {self.message}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (used by ``quizzer bank validate --format json``)."""
        return {
            "file": self.file,
            "line": self.line,
            "question": self.question,
            "field": self.field,
            "message": self.message,
        }


class BankError(Exception):
    """The bank could not be loaded; ``issues`` lists every problem found."""

    def __init__(self, issues: list[BankIssue]) -> None:
        self.issues = sorted(
            issues, key=lambda i: (i.file, i.line, i.question or "", i.field or "")
        )
        n = len(self.issues)
        head = "\n".join(str(i) for i in self.issues[:50])
        more = f"\n... and {n - 50} more" if n > 50 else ""
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the question bank:\n{head}{more}")
