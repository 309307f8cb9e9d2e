"""Reading and writing a learner's history: records in, records out.

Every function takes the open ``Session`` of a :class:`~quizzer.storage.database.Database`
transaction, so a use case decides what one transaction holds (one answer = one transaction).
Rows never leave this module: callers get frozen record dataclasses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as columns_select
from sqlmodel import Session, col, select

from quizzer.storage.tables import (
    CardRow,
    ExamItemRow,
    ExamSessionRow,
    ItemStatRow,
    LearnerRow,
    ReviewRow,
    SkillRow,
)

__all__ = [
    "CardRecord",
    "ExamItemRecord",
    "ExamRecord",
    "ItemStatRecord",
    "LearnerRecord",
    "ReviewRecord",
]


# ------------------------------------------------------------------------------ records
@dataclass(frozen=True, slots=True)
class LearnerRecord:
    """A learner and their settings."""

    id: int
    name: str
    exam_date: str | None
    timezone: str | None
    new_per_day: int
    cut_fraction: float
    target: float
    desired_retention: float
    theme: str | None


@dataclass(frozen=True, slots=True)
class CardRecord:
    """Stored FSRS state of one question."""

    card_id: int
    question_id: str
    card_json: str
    due: float
    state: int
    reps: int
    lapses: int
    last_review: float | None
    suspended: bool


@dataclass(frozen=True, slots=True)
class ItemStatRecord:
    """Per-question difficulty estimate and counts."""

    question_id: str
    difficulty: float
    attempts: int
    correct: int
    first_correct: bool | None
    first_answered_at: float | None
    last_answered_at: float | None
    last_correct: bool | None


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One stored answer."""

    id: int
    question_id: str
    content_hash: str
    mode: str
    answer: Any
    correct: bool
    score: float
    rating: int | None
    response_ms: int | None
    answered_at: float
    exam_session_id: int | None


@dataclass(frozen=True, slots=True)
class ExamItemRecord:
    """One question of a stored exam."""

    position: int
    question_id: str
    content_hash: str
    objective: str
    choice_order: tuple[int, ...]
    answer: Any
    flagged: bool
    correct: bool | None
    answered_at: float | None


@dataclass(frozen=True, slots=True)
class ExamRecord:
    """A stored mock exam."""

    id: int
    exam_id: str
    objectives: tuple[str, ...]
    started_at: float
    deadline: float
    submitted_at: float | None
    auto_submitted: bool
    cut_fraction: float
    total: int
    raw: int | None
    scaled: int | None
    passed: bool | None
    predicted_p_pass: float | None
    predicted_scaled: int | None
    predicted_low: int | None
    predicted_high: int | None
    items: tuple[ExamItemRecord, ...]


LEARNER_SETTINGS = (
    "exam_date",
    "timezone",
    "new_per_day",
    "cut_fraction",
    "target",
    "desired_retention",
    "theme",
)
"""The learner columns that are settings (imported with progress, changed by the learner)."""


def _learner(row: LearnerRow) -> LearnerRecord:
    assert row.id is not None
    return LearnerRecord(
        row.id,
        row.name,
        row.exam_date,
        row.timezone,
        row.new_per_day,
        row.cut_fraction,
        row.target,
        row.desired_retention,
        row.theme,
    )


def _card(row: CardRow) -> CardRecord:
    assert row.id is not None
    return CardRecord(
        row.id,
        row.question_id,
        row.card_json,
        row.due,
        row.state,
        row.reps,
        row.lapses,
        row.last_review,
        row.suspended,
    )


def _stat(row: ItemStatRow) -> ItemStatRecord:
    return ItemStatRecord(
        row.question_id,
        row.difficulty,
        row.attempts,
        row.correct,
        row.first_correct,
        row.first_answered_at,
        row.last_answered_at,
        row.last_correct,
    )


# Hot paths select columns, not ORM entities: building tuples is ~10x cheaper than objects.
_CARD_COLUMNS: tuple[Any, ...] = (
    CardRow.id,
    CardRow.question_id,
    CardRow.card_json,
    CardRow.due,
    CardRow.state,
    CardRow.reps,
    CardRow.lapses,
    CardRow.last_review,
    CardRow.suspended,
)
_STAT_COLUMNS: tuple[Any, ...] = (
    ItemStatRow.question_id,
    ItemStatRow.difficulty,
    ItemStatRow.attempts,
    ItemStatRow.correct,
    ItemStatRow.first_correct,
    ItemStatRow.first_answered_at,
    ItemStatRow.last_answered_at,
    ItemStatRow.last_correct,
)


def _cards_where(session: Session, *conditions: Any) -> list[CardRecord]:
    rows = session.execute(columns_select(*_CARD_COLUMNS).where(*conditions))
    return [CardRecord(*r) for r in rows]


def _stats_where(session: Session, *conditions: Any) -> dict[str, ItemStatRecord]:
    rows = session.execute(columns_select(*_STAT_COLUMNS).where(*conditions))
    return {r[0]: ItemStatRecord(*r) for r in rows}


# ------------------------------------------------------------------------------ learners
def find_learner(session: Session, name: str) -> LearnerRecord | None:
    """The learner called ``name``, or None."""
    row = session.exec(select(LearnerRow).where(LearnerRow.name == name)).first()
    return _learner(row) if row else None


def learner(session: Session, name: str, now: float) -> LearnerRecord:
    """The learner called ``name``, created with default settings on first use."""
    row = session.exec(select(LearnerRow).where(LearnerRow.name == name)).first()
    if row is None:
        row = LearnerRow(name=name, created_at=now)
        session.add(row)
        session.flush()
    return _learner(row)


def lock_learner(session: Session, learner_id: int) -> None:
    """Serialise writers of one learner (row lock on PostgreSQL; SQLite locks the file)."""
    session.exec(select(LearnerRow.id).where(LearnerRow.id == learner_id).with_for_update()).one()


def update_learner(session: Session, learner_id: int, **settings: Any) -> LearnerRecord:
    """Change settings (``exam_date``, ``timezone``, ``new_per_day``, ``cut_fraction``...)."""
    row = session.get_one(LearnerRow, learner_id)
    for key, value in settings.items():
        if not hasattr(row, key) or key in ("id", "name", "created_at"):
            raise ValueError(f"unknown learner setting {key!r}")
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return _learner(row)


# ------------------------------------------------------------------------------ cards
def cards(session: Session, learner_id: int) -> dict[str, CardRecord]:
    """Every card of a learner, by question id."""
    return {c.question_id: c for c in _cards_where(session, CardRow.learner_id == learner_id)}


def cards_for(
    session: Session, learner_id: int, question_ids: Sequence[str]
) -> dict[str, CardRecord]:
    """The cards of some questions, by question id."""
    if not question_ids:
        return {}
    found = _cards_where(
        session,
        CardRow.learner_id == learner_id,
        col(CardRow.question_id).in_(list(question_ids)),
    )
    return {c.question_id: c for c in found}


def card(session: Session, learner_id: int, question_id: str) -> CardRecord | None:
    """One card, or None if the question was never answered."""
    row = session.exec(
        select(CardRow).where(CardRow.learner_id == learner_id, CardRow.question_id == question_id)
    ).first()
    return _card(row) if row else None


def new_card_id(session: Session, learner_id: int, question_id: str, now: float) -> int:
    """Insert an empty card row and return its id (the FSRS card id)."""
    row = CardRow(learner_id=learner_id, question_id=question_id, card_json="{}", due=now, state=1)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def save_card(
    session: Session,
    learner_id: int,
    card_id: int,
    *,
    card_json: str,
    due: float,
    state: int,
    last_review: float | None,
    lapsed: bool,
) -> CardRecord:
    """Store a reviewed card (counting the review, and the lapse if it was one)."""
    row = session.get_one(CardRow, card_id)
    if row.learner_id != learner_id:
        raise ValueError("card belongs to another learner")
    row.card_json = card_json
    row.due = due
    row.state = state
    row.last_review = last_review
    row.reps += 1
    row.lapses += int(lapsed)
    session.add(row)
    session.flush()
    return _card(row)


def _count(session: Session, table: Any, *conditions: Any) -> int:
    return int(session.exec(select(func.count()).select_from(table).where(*conditions)).one())


def due_count(session: Session, learner_id: int, before: float) -> int:
    """How many unsuspended cards fall due before ``before`` (uses the (learner, due) index)."""
    return _count(
        session,
        CardRow,
        CardRow.learner_id == learner_id,
        CardRow.due <= before,
        col(CardRow.suspended).is_(False),
    )


def due_cards(session: Session, learner_id: int, before: float, limit: int) -> list[CardRecord]:
    """The earliest-due cards up to ``limit`` (the bare indexed query)."""
    rows = session.execute(
        columns_select(*_CARD_COLUMNS)
        .where(col(CardRow.learner_id) == learner_id, col(CardRow.due) <= before)
        .order_by(col(CardRow.due))
        .limit(limit)
    )
    return [CardRecord(*r) for r in rows]


# ------------------------------------------------------------------------------ items and skills
def item_stats(session: Session, learner_id: int) -> dict[str, ItemStatRecord]:
    """Difficulty estimates and counts of every question the learner answered."""
    return _stats_where(session, ItemStatRow.learner_id == learner_id)


def item_stats_of(
    session: Session, learner_id: int, question_ids: Sequence[str]
) -> dict[str, ItemStatRecord]:
    """Statistics of some questions, by question id."""
    if not question_ids:
        return {}
    return _stats_where(
        session,
        ItemStatRow.learner_id == learner_id,
        col(ItemStatRow.question_id).in_(list(question_ids)),
    )


def item_stats_for(session: Session, learner_id: int, question_id: str) -> ItemStatRecord | None:
    """One question's statistics, or None if never answered."""
    row = session.get(ItemStatRow, (learner_id, question_id))
    return _stat(row) if row else None


def record_item(
    session: Session,
    learner_id: int,
    question_id: str,
    *,
    correct: bool,
    now: float,
    prior_difficulty: float,
    new_difficulty: float | None,
) -> ItemStatRecord:
    """Count one answer; on the first attempt store the updated difficulty."""
    row = session.get(ItemStatRow, (learner_id, question_id))
    if row is None:
        row = ItemStatRow(
            learner_id=learner_id,
            question_id=question_id,
            difficulty=prior_difficulty,
            first_correct=correct,
            first_answered_at=now,
        )
    if new_difficulty is not None:
        row.difficulty = new_difficulty
    row.attempts += 1
    row.correct += int(correct)
    row.last_answered_at = now
    row.last_correct = correct
    session.add(row)
    session.flush()
    return _stat(row)


def skills(session: Session, learner_id: int) -> dict[str, tuple[float, int]]:
    """Ability estimates by scope: ``{scope: (theta, n)}``."""
    rows = session.exec(select(SkillRow).where(SkillRow.learner_id == learner_id))
    return {r.scope: (r.theta, r.n) for r in rows}


def save_skills(session: Session, learner_id: int, values: Mapping[str, tuple[float, int]]) -> None:
    """Store ability estimates (only the scopes given)."""
    for scope, (theta, n) in values.items():
        row = session.get(SkillRow, (learner_id, scope))
        if row is None:
            row = SkillRow(learner_id=learner_id, scope=scope)
        row.theta = theta
        row.n = n
        session.add(row)
    session.flush()


def new_first_attempts_since(session: Session, learner_id: int, since: float) -> int:
    """How many questions were answered for the first time at or after ``since``."""
    return _count(
        session,
        ItemStatRow,
        ItemStatRow.learner_id == learner_id,
        col(ItemStatRow.first_answered_at) >= since,
    )


# ------------------------------------------------------------------------------ review log
def add_review(
    session: Session,
    learner_id: int,
    *,
    question_id: str,
    content_hash: str,
    mode: str,
    answer: Any,
    correct: bool,
    score: float,
    rating: int | None,
    response_ms: int | None,
    answered_at: float,
    exam_session_id: int | None = None,
) -> int:
    """Append an answer to the log; returns its id."""
    row = ReviewRow(
        learner_id=learner_id,
        question_id=question_id,
        content_hash=content_hash,
        mode=mode,
        answer=json.dumps(answer),
        correct=correct,
        score=score,
        rating=rating,
        response_ms=response_ms,
        answered_at=answered_at,
        exam_session_id=exam_session_id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def reviews(
    session: Session, learner_id: int, *, since: float | None = None, limit: int | None = None
) -> list[ReviewRecord]:
    """Answers, newest first."""
    query = select(ReviewRow).where(ReviewRow.learner_id == learner_id)
    if since is not None:
        query = query.where(ReviewRow.answered_at >= since)
    query = query.order_by(col(ReviewRow.answered_at).desc(), col(ReviewRow.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return [
        ReviewRecord(
            r.id or 0,
            r.question_id,
            r.content_hash,
            r.mode,
            json.loads(r.answer),
            r.correct,
            r.score,
            r.rating,
            r.response_ms,
            r.answered_at,
            r.exam_session_id,
        )
        for r in session.exec(query)
    ]


def answer_days(session: Session, learner_id: int, since: float) -> list[float]:
    """When answers were given since ``since`` (timestamps; callers bucket them into days)."""
    rows = session.execute(
        columns_select(col(ReviewRow.answered_at)).where(
            col(ReviewRow.learner_id) == learner_id, col(ReviewRow.answered_at) >= since
        )
    )
    return [r[0] for r in rows]


def review_count(session: Session, learner_id: int) -> int:
    """How many answers the learner has given."""
    return _count(session, ReviewRow, ReviewRow.learner_id == learner_id)


# ------------------------------------------------------------------------------ exams
def create_exam(
    session: Session,
    learner_id: int,
    *,
    exam_id: str,
    objectives: Sequence[str],
    started_at: float,
    deadline: float,
    cut_fraction: float,
    items: Iterable[tuple[str, str, str, Sequence[int]]],
    prediction: tuple[float, int, int, int] | None,
) -> int:
    """Store a new exam with its items ``(question_id, content_hash, objective, order)``."""
    item_list = list(items)
    row = ExamSessionRow(
        learner_id=learner_id,
        exam_id=exam_id,
        objectives=json.dumps(list(objectives)),
        started_at=started_at,
        deadline=deadline,
        cut_fraction=cut_fraction,
        total=len(item_list),
    )
    if prediction is not None:
        (row.predicted_p_pass, row.predicted_scaled, row.predicted_low, row.predicted_high) = (
            prediction
        )
    session.add(row)
    session.flush()
    assert row.id is not None
    for position, (qid, chash, objective, order) in enumerate(item_list):
        session.add(
            ExamItemRow(
                session_id=row.id,
                position=position,
                question_id=qid,
                content_hash=chash,
                objective=objective,
                choice_order=json.dumps(list(order)),
            )
        )
    session.flush()
    return row.id


def exam(session: Session, learner_id: int, exam_session_id: int) -> ExamRecord | None:
    """A stored exam with its items, or None."""
    row = session.get(ExamSessionRow, exam_session_id)
    if row is None or row.learner_id != learner_id:
        return None
    items = session.exec(
        select(ExamItemRow)
        .where(ExamItemRow.session_id == exam_session_id)
        .order_by(col(ExamItemRow.position))
    )
    assert row.id is not None
    return ExamRecord(
        row.id,
        row.exam_id,
        tuple(json.loads(row.objectives)),
        row.started_at,
        row.deadline,
        row.submitted_at,
        row.auto_submitted,
        row.cut_fraction,
        row.total,
        row.raw,
        row.scaled,
        row.passed,
        row.predicted_p_pass,
        row.predicted_scaled,
        row.predicted_low,
        row.predicted_high,
        tuple(
            ExamItemRecord(
                i.position,
                i.question_id,
                i.content_hash,
                i.objective,
                tuple(json.loads(i.choice_order)),
                json.loads(i.answer) if i.answer is not None else None,
                i.flagged,
                i.correct,
                i.answered_at,
            )
            for i in items
        ),
    )


def open_exam_id(session: Session, learner_id: int) -> int | None:
    """The newest exam not yet submitted, if any."""
    return session.exec(
        select(ExamSessionRow.id)
        .where(
            ExamSessionRow.learner_id == learner_id,
            col(ExamSessionRow.submitted_at).is_(None),
        )
        .order_by(col(ExamSessionRow.started_at).desc())
    ).first()


def exam_ids(session: Session, learner_id: int) -> list[int]:
    """Every exam of the learner, newest first."""
    return [
        i
        for i in session.exec(
            select(ExamSessionRow.id)
            .where(ExamSessionRow.learner_id == learner_id)
            .order_by(col(ExamSessionRow.started_at).desc())
        )
        if i is not None
    ]


def set_exam_answer(
    session: Session, exam_session_id: int, position: int, answer: Any, now: float
) -> None:
    """Store (or clear, with None) the answer at ``position``."""
    row = session.get_one(ExamItemRow, (exam_session_id, position))
    row.answer = None if answer is None else json.dumps(answer)
    row.answered_at = now
    session.add(row)
    session.flush()


def set_exam_flag(session: Session, exam_session_id: int, position: int, flagged: bool) -> None:
    """Mark or unmark a question for review."""
    row = session.get_one(ExamItemRow, (exam_session_id, position))
    row.flagged = flagged
    session.add(row)
    session.flush()


def finish_exam(
    session: Session,
    exam_session_id: int,
    *,
    submitted_at: float,
    auto: bool,
    raw: int,
    scaled: int,
    passed: bool,
    correct: Mapping[int, bool],
) -> None:
    """Record the result of a submitted exam and each item's correctness."""
    row = session.get_one(ExamSessionRow, exam_session_id)
    row.submitted_at = submitted_at
    row.auto_submitted = auto
    row.raw, row.scaled, row.passed = raw, scaled, passed
    session.add(row)
    for position, ok in correct.items():
        item = session.get_one(ExamItemRow, (exam_session_id, position))
        item.correct = ok
        session.add(item)
    session.flush()


def last_seen(session: Session, learner_id: int) -> dict[str, float]:
    """When each question was last answered (any mode) or last put on an exam."""
    seen: dict[str, float] = {}
    for qid, when in session.exec(
        select(ReviewRow.question_id, func.max(ReviewRow.answered_at))
        .where(ReviewRow.learner_id == learner_id)
        .group_by(col(ReviewRow.question_id))
    ):
        seen[qid] = when
    for qid, when in session.exec(
        select(ExamItemRow.question_id, func.max(ExamSessionRow.started_at))
        .join(ExamSessionRow, col(ExamSessionRow.id) == col(ExamItemRow.session_id))
        .where(ExamSessionRow.learner_id == learner_id)
        .group_by(col(ExamItemRow.question_id))
    ):
        seen[qid] = max(seen.get(qid, when), when)
    return seen


# ------------------------------------------------------------------------------ moving history
PROGRESS_FORMAT = "quizzer-progress"
PROGRESS_VERSION = 1


def _plain(row: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in row.model_dump().items() if k not in skip}


def export_learner(session: Session, learner_id: int) -> dict[str, Any]:
    """The learner's whole history as JSON-ready data (see :func:`import_learner`)."""
    learner_row = session.get_one(LearnerRow, learner_id)
    exams = []
    for e in session.exec(select(ExamSessionRow).where(ExamSessionRow.learner_id == learner_id)):
        items = session.exec(
            select(ExamItemRow)
            .where(ExamItemRow.session_id == e.id)
            .order_by(col(ExamItemRow.position))
        )
        exams.append(
            {
                **_plain(e, ("id", "learner_id")),
                "items": [_plain(i, ("session_id",)) for i in items],
            }
        )
    by_learner = (
        (CardRow, ("id", "learner_id")),
        (ReviewRow, ("id", "learner_id", "exam_session_id")),
        (ItemStatRow, ("learner_id",)),
        (SkillRow, ("learner_id",)),
    )
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, skip in by_learner:
        rows = session.exec(select(table).where(table.learner_id == learner_id))
        tables[str(table.__tablename__)] = [_plain(r, skip) for r in rows]
    return {
        "format": PROGRESS_FORMAT,
        "version": PROGRESS_VERSION,
        "learner": _plain(learner_row, ("id", "name")),
        "cards": tables["card_state"],
        "reviews": tables["review_log"],
        "item_stats": tables["item_stat"],
        "skills": tables["objective_ability"],
        "exams": exams,
    }


def import_learner(session: Session, learner_id: int, data: dict[str, Any]) -> dict[str, int]:
    """Merge exported history into a learner; importing the same data again changes nothing.

    Answers and exams are matched on what identifies them (question, time, mode; exam and
    start time) and added when missing; a card, an item statistic or an ability is replaced
    only by one with more evidence (a later review, more attempts, more answers).
    """
    if data.get("format") != PROGRESS_FORMAT:
        raise ValueError("not a quizzer progress file")
    if int(data.get("version", 0)) > PROGRESS_VERSION:
        raise ValueError(f"progress file version {data['version']} is newer than this quizzer")
    counts = dict.fromkeys(("reviews", "cards", "item_stats", "skills", "exams"), 0)
    existing = {
        (r.question_id, r.answered_at, r.mode)
        for r in session.exec(select(ReviewRow).where(ReviewRow.learner_id == learner_id))
    }
    for r in data.get("reviews", []):
        if (r["question_id"], r["answered_at"], r["mode"]) not in existing:
            session.add(ReviewRow(learner_id=learner_id, **r))
            existing.add((r["question_id"], r["answered_at"], r["mode"]))
            counts["reviews"] += 1
    for c in data.get("cards", []):
        row = session.exec(
            select(CardRow).where(
                CardRow.learner_id == learner_id, CardRow.question_id == c["question_id"]
            )
        ).first()
        if row is not None and (row.last_review or 0) >= (c.get("last_review") or 0):
            continue
        if row is None:
            row = CardRow(learner_id=learner_id, **c)
            session.add(row)
            session.flush()
        else:
            for k, v in c.items():
                setattr(row, k, v)
        card_data = json.loads(row.card_json)
        if card_data:  # the FSRS card id follows this database's row id
            card_data["card_id"] = row.id
            row.card_json = json.dumps(card_data)
        session.add(row)
        counts["cards"] += 1
    for st in data.get("item_stats", []):
        stat = session.get(ItemStatRow, (learner_id, st["question_id"]))
        if stat is not None and stat.attempts >= st["attempts"]:
            continue
        if stat is None:
            session.add(ItemStatRow(learner_id=learner_id, **st))
        else:
            for k, v in st.items():
                setattr(stat, k, v)
            session.add(stat)
        counts["item_stats"] += 1
    for sk in data.get("skills", []):
        skill = session.get(SkillRow, (learner_id, sk["scope"]))
        if skill is not None and skill.n >= sk["n"]:
            continue
        if skill is None:
            session.add(SkillRow(learner_id=learner_id, **sk))
        else:
            skill.theta, skill.n = sk["theta"], sk["n"]
            session.add(skill)
        counts["skills"] += 1
    known_exams = {
        (e.exam_id, e.started_at)
        for e in session.exec(select(ExamSessionRow).where(ExamSessionRow.learner_id == learner_id))
    }
    for e in data.get("exams", []):
        if (e["exam_id"], e["started_at"]) in known_exams:
            continue
        fields = {k: v for k, v in e.items() if k != "items"}
        exam_row = ExamSessionRow(learner_id=learner_id, **fields)
        session.add(exam_row)
        session.flush()
        assert exam_row.id is not None
        for item in e.get("items", []):
            session.add(ExamItemRow(session_id=exam_row.id, **item))
        known_exams.add((e["exam_id"], e["started_at"]))
        counts["exams"] += 1
    settings = {k: v for k, v in data.get("learner", {}).items() if k in LEARNER_SETTINGS}
    row_l = session.get_one(LearnerRow, learner_id)
    for k, v in settings.items():
        setattr(row_l, k, v)
    session.add(row_l)
    session.flush()
    return counts
