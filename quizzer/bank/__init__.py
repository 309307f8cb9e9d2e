"""The question bank: its schema, the safe YAML loader, grading and coverage statistics.

``load_bank(directory) -> Bank`` is the one way in; it raises ``BankError`` listing every
problem at once. Nothing here touches a database, a terminal or the network.

The names below are imported on first use (PEP 562): the schema's pydantic models cost about
0.2 s to import, and the interfaces must draw their first frame before the bank is needed.
``BankError``, ``BankIssue``, ``QUESTION_TYPES`` and the statistics types are light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from quizzer.bank.issues import QUESTION_TYPES, BankError, BankIssue
from quizzer.bank.stats import BankStats, ObjectiveStats, compute_stats

if TYPE_CHECKING:
    from quizzer.bank.cache import load_bank_cached
    from quizzer.bank.grading import (
        Grade,
        Response,
        correct_response,
        grade,
        guess_floor,
        normalise_fill,
    )
    from quizzer.bank.loader import Bank, content_hash, load_bank
    from quizzer.bank.models import (
        Exam,
        FillQuestion,
        HandsOnQuestion,
        MultipleChoiceQuestion,
        Objective,
        Question,
        QuestionFile,
        SingleChoiceQuestion,
    )

_LAZY = {
    "Grade": "grading",
    "Response": "grading",
    "correct_response": "grading",
    "grade": "grading",
    "guess_floor": "grading",
    "normalise_fill": "grading",
    "Bank": "loader",
    "content_hash": "loader",
    "load_bank": "loader",
    "load_bank_cached": "cache",
    "Exam": "models",
    "FillQuestion": "models",
    "HandsOnQuestion": "models",
    "MultipleChoiceQuestion": "models",
    "Objective": "models",
    "Question": "models",
    "QuestionFile": "models",
    "SingleChoiceQuestion": "models",
}

__all__ = [
    "QUESTION_TYPES",
    "Bank",
    "BankError",
    "BankIssue",
    "BankStats",
    "Exam",
    "FillQuestion",
    "Grade",
    "HandsOnQuestion",
    "MultipleChoiceQuestion",
    "Objective",
    "ObjectiveStats",
    "Question",
    "QuestionFile",
    "Response",
    "SingleChoiceQuestion",
    "compute_stats",
    "content_hash",
    "correct_response",
    "exam_schema",
    "grade",
    "guess_floor",
    "load_bank",
    "load_bank_cached",
    "normalise_fill",
    "question_file_schema",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def question_file_schema() -> dict[str, object]:
    """The JSON Schema of a question file, for editors' YAML language servers."""
    from quizzer.bank.models import QuestionFile

    schema = QuestionFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "quizzer question file"
    return schema


def exam_schema() -> dict[str, object]:
    """The JSON Schema of ``exam.yaml``."""
    from quizzer.bank.models import Exam

    schema = Exam.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "quizzer exam definition"
    return schema
