"""The question bank: its schema, the safe YAML loader, grading and coverage statistics.

``load_bank(directory) -> Bank`` is the one way in; it raises ``BankError`` listing every
problem at once. Nothing here touches a database, a terminal or the network.
"""

from quizzer.bank.grading import (
    Grade,
    Response,
    correct_response,
    grade,
    guess_floor,
    normalise_fill,
)
from quizzer.bank.loader import Bank, BankError, content_hash, load_bank
from quizzer.bank.models import (
    QUESTION_TYPES,
    Exam,
    FillQuestion,
    HandsOnQuestion,
    MultipleChoiceQuestion,
    Objective,
    Question,
    QuestionFile,
    SingleChoiceQuestion,
)
from quizzer.bank.source import BankIssue
from quizzer.bank.stats import BankStats, ObjectiveStats, compute_stats

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
    "normalise_fill",
    "question_file_schema",
]


def question_file_schema() -> dict[str, object]:
    """The JSON Schema of a question file, for editors' YAML language servers."""
    schema = QuestionFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "quizzer question file"
    return schema


def exam_schema() -> dict[str, object]:
    """The JSON Schema of ``exam.yaml``."""
    schema = Exam.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "quizzer exam definition"
    return schema
