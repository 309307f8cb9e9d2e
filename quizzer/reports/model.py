"""The progress report as data: what every output format renders.

:class:`Report` is built by :mod:`quizzer.services` from the learner's database and the bank,
then rendered here as Markdown, HTML, JSON or CSV. It is a frozen pydantic model, so the JSON
form and its JSON Schema come from one definition; ``SCHEMA_VERSION`` changes whenever a field
is renamed or removed (adding a field is backwards compatible and keeps the version).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "AnkiQuestion",
    "AreaRow",
    "ExamRow",
    "ForecastDay",
    "PracticeQuestion",
    "ReadinessSummary",
    "Report",
    "ReviewRow",
    "WeakArea",
]

SCHEMA_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class ReadinessSummary(_Frozen):
    """The pass prediction."""

    p_pass: float = Field(ge=0, le=1, description="Probability of passing (an estimate).")
    expected_scaled: int = Field(description="Expected score on LPI's 200-800 scale.")
    scaled_low: int = Field(description="10th percentile of the predicted scaled score.")
    scaled_high: int = Field(description="90th percentile of the predicted scaled score.")
    questions: int = Field(description="Questions on the predicted form.")
    cut_fraction: float = Field(
        description="Raw fraction assumed to score 500 (LPI's cut is not public)."
    )
    answers: int = Field(description="Answers the prediction is based on.")


class AreaRow(_Frozen):
    """Where the learner stands on one objective (``area`` null) or knowledge area."""

    objective: str
    area: str | None = None
    title: str
    weight: int = Field(description="The objective's LPI weight.")
    questions: int = Field(description="Knowledge questions in the bank for this row.")
    answered: int = Field(description="Questions answered at least once.")
    attempts: int
    correct: int
    accuracy: float | None = Field(description="Share of attempts answered right (null if none).")
    ability: float = Field(description="Ability estimate in logits (Elo model).")
    predicted: float = Field(description="Predicted success on a typical question, 0-1.")
    retention_now: float | None = Field(description="Mean FSRS recall of answered questions now.")
    retention_exam: float | None = Field(
        default=None, description="Mean FSRS recall on the exam date (null without an exam date)."
    )
    coverage: float = Field(description="Share of the row's questions answered at least once.")
    trend: float | None = Field(
        default=None,
        description="Accuracy over the last 7 days minus the 7 days before (null without data).",
    )


class PracticeQuestion(_Frozen):
    """A question to practise, with why it was chosen."""

    id: str
    summary: str = Field(description="The first line of the stem, shortened.")
    reason: str = Field(description="'never answered', 'answered wrong last time' or 'fading'.")


class WeakArea(_Frozen):
    """A knowledge area holding the score back, and what to practise there."""

    objective: str
    area: str
    title: str
    predicted: float
    coverage: float
    questions: tuple[PracticeQuestion, ...]


class ExamRow(_Frozen):
    """One mock exam and the prediction made before it."""

    id: int
    started_at: datetime
    submitted_at: datetime | None
    objectives: tuple[str, ...]
    raw: int | None
    total: int
    scaled: int | None
    passed: bool | None
    predicted_p_pass: float | None
    predicted_scaled: int | None
    by_objective: dict[str, tuple[int, int]] = Field(
        default_factory=dict, description="Objective -> [right, questions]."
    )


class ForecastDay(_Frozen):
    """How many reviews fall due on one day."""

    day: date
    due: int


class ReviewRow(_Frozen):
    """One answer from the review log (for CSV export)."""

    answered_at: datetime
    question_id: str
    objective: str
    knowledge_area: str
    mode: str
    correct: bool
    rating: int | None
    response_ms: int | None


class Report(_Frozen):
    """Everything a progress report shows."""

    schema_version: int = SCHEMA_VERSION
    generated_at: datetime
    learner: str
    exam_id: str
    exam_title: str
    exam_date: date | None
    readiness: ReadinessSummary
    objectives: tuple[AreaRow, ...]
    areas: tuple[AreaRow, ...]
    weakest: tuple[WeakArea, ...]
    exams: tuple[ExamRow, ...]
    forecast: tuple[ForecastDay, ...]
    reviews: tuple[ReviewRow, ...] = Field(default=(), description="The review log, newest first.")


class AnkiQuestion(_Frozen):
    """A knowledge question prepared for an Anki note."""

    id: str = Field(description="The bank id: the note's stable GUID is derived from it.")
    type: str = Field(description="single, multiple or fill: one Anki note type each.")
    objective: str
    knowledge_area: str
    difficulty: int
    stem: str = Field(description="Markdown.")
    choices: tuple[str, ...] = Field(default=(), description="Choice texts (single/multiple).")
    correct: tuple[int, ...] = Field(default=(), description="Indices of the right choices.")
    accept: tuple[str, ...] = Field(default=(), description="Accepted answers (fill).")
    hint: str | None = None
    explanation: str = Field(description="Markdown.")
    refs: tuple[str, ...] = ()
