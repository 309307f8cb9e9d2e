"""The use cases of quizzer: the only API the TUI and the CLI call.

Each service method is a complete use case ("load the bank", "summarise objectives", "check
the bank") expressed in domain objects. The UI layers never import the bank, storage, learning
or sandbox packages directly; they ask a :class:`Services` instance, which tests build against
temporary directories exactly as the CLI builds it against the real ones.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizzer import paths
from quizzer.bank import (
    QUESTION_TYPES,
    Bank,
    BankError,
    BankIssue,
    BankStats,
    ObjectiveStats,
    Question,
    compute_stats,
    exam_schema,
    load_bank,
    question_file_schema,
)

__all__ = [
    "QUESTION_TYPES",
    "Bank",
    "BankError",
    "BankIssue",
    "BankStats",
    "ObjectiveStats",
    "Question",
    "Services",
    "ValidationReport",
]


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of checking a bank directory."""

    directory: Path
    questions: int
    issues: tuple[BankIssue, ...]

    @property
    def ok(self) -> bool:
        """True when the bank loads without a single problem."""
        return not self.issues

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "directory": str(self.directory),
            "ok": self.ok,
            "questions": self.questions,
            "issues": [i.to_dict() for i in self.issues],
        }


class Services:
    """Use cases over one bank directory (and, later, one learner database)."""

    def __init__(self, bank_dir: Path | None = None) -> None:
        self.bank_dir = paths.bank_dir(bank_dir)
        self._bank: Bank | None = None
        self._lock = threading.Lock()

    # -- bank -----------------------------------------------------------------------------
    def bank(self) -> Bank:
        """The loaded bank (loaded once, on first use; raises ``BankError``)."""
        with self._lock:
            if self._bank is None:
                self._bank = load_bank(self.bank_dir)
            return self._bank

    def reload_bank(self) -> None:
        """Forget the loaded bank so the next use reads the files again."""
        with self._lock:
            self._bank = None

    def validate_bank(self, directory: Path | None = None) -> ValidationReport:
        """Load a bank directory and report every problem instead of raising."""
        target = Path(directory) if directory is not None else self.bank_dir
        try:
            bank = load_bank(target)
        except BankError as e:
            return ValidationReport(target, 0, tuple(e.issues))
        return ValidationReport(target, len(bank), ())

    def bank_stats(self, directory: Path | None = None) -> BankStats:
        """Coverage statistics of a bank (raises ``BankError`` if it does not load)."""
        bank = load_bank(Path(directory)) if directory is not None else self.bank()
        return compute_stats(bank)

    def objective_summaries(self) -> tuple[ObjectiveStats, ...]:
        """Every objective of the exam with its weight and question counts, in exam order."""
        return compute_stats(self.bank()).objectives

    @staticmethod
    def question_file_schema() -> dict[str, object]:
        """JSON Schema of a question file."""
        return question_file_schema()

    @staticmethod
    def exam_schema() -> dict[str, object]:
        """JSON Schema of ``exam.yaml``."""
        return exam_schema()
