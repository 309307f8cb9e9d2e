"""The tables (SQLModel). Rows stay inside ``quizzer.storage``; callers get records.

Times are stored as UTC epoch seconds (floats): SQLite has no time zones and drops them from
``DateTime`` columns, and a number compares and indexes the same way on SQLite and PostgreSQL.
Answers and FSRS cards are stored as JSON text.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "CardRow",
    "ExamItemRow",
    "ExamSessionRow",
    "ItemStatRow",
    "LearnerRow",
    "ReviewRow",
    "SchemaRow",
    "SkillRow",
]


class SchemaRow(SQLModel, table=True):
    """Key/value facts about the database itself (``version``)."""

    __tablename__ = "quizzer_schema"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class LearnerRow(SQLModel, table=True):
    """A learner and their study settings."""

    __tablename__ = "learner"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    created_at: float
    exam_date: str | None = Field(default=None, max_length=10)
    """ISO date of the learner's exam, if booked."""
    timezone: str | None = Field(default=None, max_length=64)
    new_per_day: int = 20
    cut_fraction: float = 0.65
    target: float = 0.75
    desired_retention: float = 0.9
    """FSRS's target probability of recall when a question comes back (schema 2)."""
    theme: str | None = Field(default=None, max_length=64)
    """The TUI's colour theme; None for the default (schema 2)."""


class CardRow(SQLModel, table=True):
    """FSRS memory state of one question for one learner."""

    __tablename__ = "card_state"
    __table_args__ = (
        UniqueConstraint("learner_id", "question_id", name="uq_card_learner_question"),
        Index("ix_card_learner_due", "learner_id", "due"),
    )
    id: int | None = Field(default=None, primary_key=True)
    """Also the FSRS card id."""
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    question_id: str = Field(max_length=128)
    card_json: str = Field(sa_column=Column(Text, nullable=False))
    due: float
    state: int
    reps: int = 0
    lapses: int = 0
    last_review: float | None = None
    suspended: bool = False


class ReviewRow(SQLModel, table=True):
    """Every answer ever given, in any mode."""

    __tablename__ = "review_log"
    __table_args__ = (
        Index("ix_review_learner_time", "learner_id", "answered_at"),
        Index("ix_review_learner_question", "learner_id", "question_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    question_id: str = Field(max_length=128)
    content_hash: str = Field(max_length=32)
    mode: str = Field(max_length=16)
    answer: str = Field(sa_column=Column(Text, nullable=False))
    correct: bool
    score: float
    rating: int | None = None
    response_ms: int | None = None
    answered_at: float
    exam_session_id: int | None = Field(
        default=None, foreign_key="exam_session.id", ondelete="SET NULL"
    )


class ItemStatRow(SQLModel, table=True):
    """Per learner and question: difficulty estimate and answer counts."""

    __tablename__ = "item_stat"
    __table_args__ = (Index("ix_item_learner_first", "learner_id", "first_answered_at"),)
    learner_id: int = Field(foreign_key="learner.id", primary_key=True, ondelete="CASCADE")
    question_id: str = Field(primary_key=True, max_length=128)
    difficulty: float
    attempts: int = 0
    correct: int = 0
    first_correct: bool | None = None
    first_answered_at: float | None = None
    last_answered_at: float | None = None
    last_correct: bool | None = None


class SkillRow(SQLModel, table=True):
    """Ability estimate of a learner in one scope (global, objective, knowledge area)."""

    __tablename__ = "objective_ability"
    learner_id: int = Field(foreign_key="learner.id", primary_key=True, ondelete="CASCADE")
    scope: str = Field(primary_key=True, max_length=160)
    theta: float = 0.0
    n: int = 0


class ExamSessionRow(SQLModel, table=True):
    """One mock exam: its form, clock, prediction and result."""

    __tablename__ = "exam_session"
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True, ondelete="CASCADE")
    exam_id: str = Field(max_length=64)
    objectives: str = Field(sa_column=Column(Text, nullable=False))
    """JSON list of the objective ids the form covers."""
    started_at: float
    deadline: float
    submitted_at: float | None = None
    auto_submitted: bool = False
    cut_fraction: float
    total: int
    raw: int | None = None
    scaled: int | None = None
    passed: bool | None = None
    predicted_p_pass: float | None = None
    predicted_scaled: int | None = None
    predicted_low: int | None = None
    predicted_high: int | None = None


class ExamItemRow(SQLModel, table=True):
    """One question of a mock exam and the learner's current answer to it."""

    __tablename__ = "exam_item"
    session_id: int = Field(foreign_key="exam_session.id", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    question_id: str = Field(max_length=128)
    content_hash: str = Field(max_length=32)
    objective: str = Field(max_length=16)
    choice_order: str = Field(sa_column=Column(Text, nullable=False))
    """JSON list: display position -> choice index in the bank."""
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    flagged: bool = False
    correct: bool | None = None
    answered_at: float | None = None
