"""Building the progress report: the learner's database and the bank, as one ``Report``.

The numbers come from the same models the app studies with: ability and predicted success
from the Elo model, retention from each card's FSRS state (now, and on the exam date when one
is set), readiness from the Monte Carlo of :mod:`quizzer.learning.readiness`. Rendering is the
job of :mod:`quizzer.reports`; nothing here formats text for a reader.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from quizzer.bank import (
    FillQuestion,
    HandsOnQuestion,
    MultipleChoiceQuestion,
    Question,
    SingleChoiceQuestion,
)
from quizzer.learning import memory
from quizzer.reports.model import (
    AnkiQuestion,
    AreaRow,
    ExamRow,
    ForecastDay,
    PracticeQuestion,
    ReadinessSummary,
    Report,
    ReviewRow,
    WeakArea,
)
from quizzer.storage import repository as repo

if TYPE_CHECKING:
    from quizzer.services import AbilityRow, Services

__all__ = ["anki_questions", "build_report"]

WEAKEST = 3
PRACTICE_PER_AREA = 5
FORECAST_DAYS = 14
TREND_DAYS = 7


def _summary(stem: str, width: int = 90) -> str:
    line = " ".join(re.sub(r"```[\w-]*", " ", stem).replace("**", "").strip().split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def build_report(svc: Services, *, include_reviews: bool = True) -> Report:
    """The learner's progress report at the services' current time."""
    bank = svc.bank()
    learner = svc.learner_record()
    now = svc.clock()
    exam_day = svc.exam_day()
    db = svc.database()
    with db.read() as s:
        cards = repo.cards(s, learner.id)
        stats = repo.item_stats(s, learner.id)
        log = repo.reviews(s, learner.id)
    knowledge = [q for q in bank if not isinstance(q, HandsOnQuestion)]
    by_id = {q.id: q for q in knowledge}
    recall_now: dict[str, float] = {}
    recall_exam: dict[str, float] = {}
    for qid, c in cards.items():
        if c.card_json == "{}" or qid not in by_id:
            continue
        recall_now[qid] = memory.retrievability_from_json(c.card_json, now)
        if exam_day is not None and exam_day > now:
            recall_exam[qid] = memory.retrievability_from_json(c.card_json, exam_day)

    # Accuracy in the last week against the week before, per question, for the trend column.
    recent_cut, older_cut = now - timedelta(days=TREND_DAYS), now - timedelta(days=2 * TREND_DAYS)
    recent: dict[str, list[bool]] = defaultdict(list)
    older: dict[str, list[bool]] = defaultdict(list)
    for entry in log:
        when = datetime.fromtimestamp(entry.answered_at, UTC)
        if when >= recent_cut:
            recent[entry.question_id].append(entry.correct)
        elif when >= older_cut:
            older[entry.question_id].append(entry.correct)

    def row(ability: AbilityRow) -> AreaRow:
        qs = [
            q
            for q in knowledge
            if q.objective == ability.objective
            and (ability.area is None or q.knowledge_area == ability.area)
        ]
        ids = [q.id for q in qs]
        answered = [i for i in ids if i in stats]
        attempts = sum(stats[i].attempts for i in answered)
        correct = sum(stats[i].correct for i in answered)
        new = [ok for i in ids for ok in recent.get(i, [])]
        old = [ok for i in ids for ok in older.get(i, [])]
        trend = None
        if new and old:
            trend = round(sum(new) / len(new) - sum(old) / len(old), 4)
        exam_recall = _mean([recall_exam[i] for i in answered if i in recall_exam])
        return AreaRow(
            objective=ability.objective,
            area=ability.area,
            title=ability.title,
            weight=ability.weight,
            questions=len(ids),
            answered=len(answered),
            attempts=attempts,
            correct=correct,
            accuracy=round(correct / attempts, 4) if attempts else None,
            ability=round(ability.theta, 4),
            predicted=round(ability.predicted, 4),
            retention_now=_round(_mean([recall_now[i] for i in answered if i in recall_now])),
            retention_exam=_round(exam_recall),
            coverage=round(len(answered) / len(ids), 4) if ids else 0.0,
            trend=trend,
        )

    abilities = svc.abilities()
    objectives = tuple(row(a) for a in abilities if a.area is None)
    areas = tuple(row(a) for a in abilities if a.area is not None)

    # The weakest knowledge areas: exam weight x room to improve, unexplored areas first.
    def weakness(a: AreaRow) -> float:
        return a.weight * (1.0 - a.predicted) * (1.5 - a.coverage)

    weakest = []
    for a in sorted(areas, key=lambda a: (-weakness(a), a.objective, a.area or ""))[:WEAKEST]:
        picks: list[PracticeQuestion] = []
        qs = [q for q in knowledge if q.objective == a.objective and q.knowledge_area == a.area]
        wrong = [q for q in qs if q.id in stats and stats[q.id].last_correct is False]
        unseen = [q for q in qs if q.id not in stats]
        fading = sorted(
            (q for q in qs if q.id in recall_now and q not in wrong),
            key=lambda q: recall_now[q.id],
        )
        for reason, group in (
            ("answered wrong last time", wrong),
            ("never answered", unseen),
            ("fading", fading),
        ):
            for q in group:
                if len(picks) < PRACTICE_PER_AREA:
                    picks.append(PracticeQuestion(id=q.id, summary=_summary(q.stem), reason=reason))
        weakest.append(
            WeakArea(
                objective=a.objective,
                area=a.area or "",
                title=a.title,
                predicted=a.predicted,
                coverage=a.coverage,
                questions=tuple(picks),
            )
        )

    exams = []
    for view in svc.exam_history():
        result = view.result
        exams.append(
            ExamRow(
                id=view.id,
                started_at=view.clock.started_at,
                submitted_at=result.submitted_at if result else None,
                objectives=view.objectives,
                raw=result.score.raw if result else None,
                total=len(view.items),
                scaled=result.score.scaled if result else None,
                passed=result.score.passed if result else None,
                predicted_p_pass=result.predicted_p_pass if result else None,
                predicted_scaled=result.predicted_scaled if result else None,
                by_objective={p.objective: (p.correct, p.total) for p in result.score.by_objective}
                if result
                else {},
            )
        )

    # Review workload: cards due on each of the next 14 local days (overdue ones count today).
    tz = svc.timezone(learner)
    today = now.astimezone(tz).date()
    counts = [0] * FORECAST_DAYS
    for qid, c in cards.items():
        if qid not in by_id or c.suspended or c.card_json == "{}":
            continue
        offset = (datetime.fromtimestamp(c.due, UTC).astimezone(tz).date() - today).days
        if offset < FORECAST_DAYS:
            counts[max(0, offset)] += 1
    forecast = tuple(
        ForecastDay(day=today + timedelta(days=i), due=n) for i, n in enumerate(counts)
    )

    reviews: tuple[ReviewRow, ...] = ()
    if include_reviews:
        reviews = tuple(
            ReviewRow(
                answered_at=datetime.fromtimestamp(r.answered_at, UTC),
                question_id=r.question_id,
                objective=by_id[r.question_id].objective if r.question_id in by_id else "",
                knowledge_area=by_id[r.question_id].knowledge_area
                if r.question_id in by_id
                else "",
                mode=r.mode,
                correct=r.correct,
                rating=r.rating,
                response_ms=r.response_ms,
            )
            for r in log
        )

    ready = svc.readiness()
    pred = ready.readiness
    exam_date: date | None = date.fromisoformat(learner.exam_date) if learner.exam_date else None
    return Report(
        generated_at=now,
        learner=learner.name,
        exam_id=bank.exam.id,
        exam_title=f"{bank.exam.code} {bank.exam.title}",
        exam_date=exam_date,
        readiness=ReadinessSummary(
            p_pass=round(pred.p_pass, 4),
            expected_scaled=pred.expected_scaled,
            scaled_low=pred.scaled_low,
            scaled_high=pred.scaled_high,
            questions=pred.questions,
            cut_fraction=pred.cut_fraction,
            answers=ready.answered,
        ),
        objectives=objectives,
        areas=areas,
        weakest=tuple(weakest),
        exams=tuple(exams),
        forecast=forecast,
        reviews=reviews,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def anki_questions(questions: Sequence[Question]) -> list[AnkiQuestion]:
    """The knowledge questions in the form the Anki exporter takes."""
    out = []
    for q in questions:
        common = {
            "id": q.id,
            "type": q.type,
            "objective": q.objective,
            "knowledge_area": q.knowledge_area,
            "difficulty": q.difficulty,
            "stem": q.stem,
            "explanation": q.explanation,
            "refs": q.refs,
        }
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            out.append(
                AnkiQuestion(
                    **common,
                    choices=tuple(c.text for c in q.choices),
                    correct=tuple(i for i, c in enumerate(q.choices) if c.correct),
                )
            )
        elif isinstance(q, FillQuestion):
            out.append(AnkiQuestion(**common, accept=q.accept, hint=q.hint))
    return out
