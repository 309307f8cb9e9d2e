"""The use cases of quizzer: the only API the TUI and the CLI call.

Each method is a complete use case ("what comes next", "answer it", "start a mock exam",
"how ready am I") expressed in domain objects. The UI layers never import the bank, storage,
learning or sandbox packages; they ask a :class:`Services` instance, which tests build against
temporary directories and databases exactly as the CLI builds it against the real ones.

Answers flow UI -> services -> ``learning`` (pure update) -> ``storage`` (one transaction per
answer, committed before the method returns). The clock and the random source are injected,
so tests and simulations control time.
"""

from __future__ import annotations

import importlib
import json
import random
import threading
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from quizzer import bank as bank_api
from quizzer import paths
from quizzer.bank import (
    QUESTION_TYPES,
    BankError,
    BankIssue,
    BankStats,
    ObjectiveStats,
    compute_stats,
    exam_schema,
    question_file_schema,
)
from quizzer.learning import ability as elo
from quizzer.learning import memory
from quizzer.learning.exam import (
    ExamCandidate,
    ExamClock,
    ExamScore,
    ObjectiveScore,
    assemble_form,
    duration_for,
    score_exam,
    shuffled,
)
from quizzer.learning.items import Item, prior_difficulty
from quizzer.learning.readiness import ObjectiveEstimate, Readiness, estimate_readiness
from quizzer.learning.selection import Candidate, Mode, Pick, Policy, pick_next
from quizzer.storage.errors import StorageError

if TYPE_CHECKING:
    from quizzer.bank import Bank, Question
    from quizzer.bank import Response as BankResponse
    from quizzer.reports.model import AnkiQuestion, Report
    from quizzer.sandbox.doctor import Finding
    from quizzer.sandbox.grading import Attempt, Session, Task
    from quizzer.sandbox.rootfs import RootfsStatus
    from quizzer.storage import Database
    from quizzer.storage import repository as repo


class _LazyModule(types.ModuleType):
    """A module imported on first attribute access (SQLAlchemy costs ~0.35 s at start-up)."""

    def __getattr__(self, name: str) -> Any:
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)
        return getattr(module, name)


if not TYPE_CHECKING:
    repo = _LazyModule("quizzer.storage.repository")

__all__ = [
    "QUESTION_TYPES",
    "AbilityRow",
    "AnswerFeedback",
    "Bank",
    "BankError",
    "BankIssue",
    "BankStats",
    "ExamClosedError",
    "ExamResult",
    "ExamView",
    "HandsOnRow",
    "Mode",
    "ObjectiveStats",
    "Presented",
    "Question",
    "ReadinessReport",
    "SandboxState",
    "Services",
    "StorageError",
    "StudyStatus",
    "ValidationReport",
]

Response = int | frozenset[int] | str | None
"""A learner's answer in *display* terms: a position, a set of positions, or typed text."""


DUE_WINDOW = 64
"""The most overdue cards among which the least-remembered is reviewed first."""


def _write_whole(path: Path, text: str) -> Path:
    """Write a file whole or not at all: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


@dataclass(frozen=True)
class SandboxState:
    """Where hands-on attempts would run."""

    backend: str | None
    """``userns`` (full rootfs), ``bwrap`` (fallback, some tasks) or None (no sandbox)."""
    rootfs_ready: bool
    rootfs_detail: str
    problem: str
    """Why there is no sandbox, when ``backend`` is None."""


@dataclass(frozen=True)
class HandsOnRow:
    """A hands-on question in the lab list: what it asks and how the learner has done."""

    id: str
    objective: str
    difficulty: int
    title: str
    attempts: int
    passed: int
    last_passed: bool | None
    """None: never attempted."""


def utc_now() -> datetime:
    """The real clock (aware, UTC)."""
    return datetime.now(UTC)


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


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


def display_choices(question: Question, order: Sequence[int]) -> tuple[str, ...]:
    """A choice question's choice texts in display order (empty for fill-in)."""
    if isinstance(question, bank_api.SingleChoiceQuestion | bank_api.MultipleChoiceQuestion):
        return tuple(question.choices[i].text for i in order)
    return ()


@dataclass(frozen=True)
class Presented:
    """A question on screen: what to show, in which order, and when it was shown."""

    question: Question
    mode: str
    reason: str
    """``due``, ``new``, ``weak`` or ``repeat``."""
    predicted: float
    """Predicted chance of a right answer."""
    order: tuple[int, ...]
    """Display position -> the choice's index in the bank (empty for fill-in)."""
    shown_at: datetime

    @property
    def choices(self) -> tuple[str, ...]:
        """Choice texts in display order."""
        return display_choices(self.question, self.order)


@dataclass(frozen=True)
class AnswerFeedback:
    """What the learner sees after answering."""

    correct: bool
    answered: bool
    right_answer: Response
    """The right answer in display terms (positions) or the first accepted form."""
    explanation: str
    rating: str
    next_due: datetime
    leech: bool
    first_attempt: bool


@dataclass(frozen=True)
class StudyStatus:
    """Today's numbers for the home screen."""

    due_today: int
    new_today: int
    new_limit: int
    answered_today: int
    unseen: int
    exam_date: date | None
    open_exam: int | None
    streak: int = 0
    """Consecutive study days (by the learner's day boundary) up to today or yesterday."""
    days_to_exam: int | None = None


@dataclass(frozen=True)
class ExamQuestionView:
    """One question of a mock exam as the learner sees it."""

    position: int
    question: Question
    order: tuple[int, ...]
    answer: Response
    flagged: bool
    correct: bool | None

    @property
    def choices(self) -> tuple[str, ...]:
        """Choice texts in display order."""
        return display_choices(self.question, self.order)

    @property
    def answered(self) -> bool:
        """True when an answer is stored."""
        return self.answer is not None and self.answer != frozenset() and self.answer != ""


@dataclass(frozen=True)
class ExamResult:
    """The score of a submitted exam, and the prediction made before it."""

    score: ExamScore
    submitted_at: datetime
    auto_submitted: bool
    predicted_p_pass: float | None
    predicted_scaled: int | None


@dataclass(frozen=True)
class ExamView:
    """A mock exam: its questions, clock and (once submitted) result."""

    id: int
    objectives: tuple[str, ...]
    clock: ExamClock
    items: tuple[ExamQuestionView, ...]
    result: ExamResult | None

    @property
    def submitted(self) -> bool:
        """True once scored."""
        return self.result is not None

    def unanswered(self) -> tuple[int, ...]:
        """Positions without an answer."""
        return tuple(i.position for i in self.items if not i.answered)

    def flagged(self) -> tuple[int, ...]:
        """Positions marked for review."""
        return tuple(i.position for i in self.items if i.flagged)


@dataclass(frozen=True)
class AbilityRow:
    """Where the learner stands on one objective or knowledge area."""

    objective: str
    area: str | None
    title: str
    weight: int
    theta: float
    se: float
    predicted: float
    """Predicted success on a typical (difficulty 3, fill-in) item."""
    answered: int
    correct: int


@dataclass(frozen=True)
class ReadinessReport:
    """P(pass) and the expected scaled score, with the per-objective picture behind it."""

    readiness: Readiness
    objectives: tuple[AbilityRow, ...]
    answered: int


class ExamClosedError(Exception):
    """The exam is submitted (possibly automatically at its deadline); it takes no answers."""


@dataclass
class _Cache:
    bank: Bank | None = None
    items: dict[str, Item] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    weights: dict[str, int] | None = None


def _item_for(q: Question) -> Item:
    guess = 0.0 if isinstance(q, bank_api.HandsOnQuestion) else bank_api.guess_floor(q)
    return Item(q.id, q.objective, q.knowledge_area, q.difficulty, guess)


def _is_knowledge(q: Question) -> bool:
    return not isinstance(q, bank_api.HandsOnQuestion)


class Services:
    """Use cases over one bank directory and one learner database."""

    def __init__(
        self,
        bank_dir: Path | None = None,
        db_url: str | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        learner: str = "default",
        timezone: tzinfo | None = None,
    ) -> None:
        self.bank_dir = paths.bank_dir(bank_dir)
        self.db_url = paths.database_url(db_url)
        self.clock = clock
        self.rng = rng or random.Random()
        self.learner_name = learner
        self._tz = timezone
        self._cache = _Cache()
        self._db: Database | None = None
        self._learner_id: int | None = None
        self._recent_objectives: list[str] = []
        self._lock = threading.RLock()

    # -- bank -----------------------------------------------------------------------------
    def bank(self) -> Bank:
        """The loaded bank (loaded once, on first use; raises ``BankError``).

        A bank unchanged since the last start comes from the cache directory (see
        :mod:`quizzer.bank.cache`); ``validate_bank`` always reads the files.
        """
        with self._lock:
            if self._cache.bank is None:
                bank = bank_api.load_bank_cached(self.bank_dir, paths.cache_dir() / "bank")
                self._cache = _Cache(
                    bank,
                    {q.id: _item_for(q) for q in bank},
                    {q.id: bank_api.content_hash(q) for q in bank},
                )
                return bank
            return self._cache.bank

    def reload_bank(self) -> None:
        """Forget the loaded bank so the next use reads the files again."""
        with self._lock:
            self._cache = _Cache()

    def validate_bank(self, directory: Path | None = None) -> ValidationReport:
        """Load a bank directory and report every problem instead of raising."""
        target = Path(directory) if directory is not None else self.bank_dir
        try:
            bank = bank_api.load_bank(target)
        except BankError as e:
            return ValidationReport(target, 0, tuple(e.issues))
        return ValidationReport(target, len(bank), ())

    def bank_stats(self, directory: Path | None = None) -> BankStats:
        """Coverage statistics of a bank (raises ``BankError`` if it does not load)."""
        bank = bank_api.load_bank(Path(directory)) if directory is not None else self.bank()
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

    # -- database and learner -------------------------------------------------------------
    def database(self) -> Database:
        """The learner database (opened, created or migrated on first use)."""
        with self._lock:
            if self._db is None:
                from quizzer.storage import open_database

                self._db = open_database(self.db_url)
            return self._db

    def close(self) -> None:
        """Release the database."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _learner(self) -> repo.LearnerRecord:
        db = self.database()
        with db.read() as s:
            found = repo.find_learner(s, self.learner_name)
        if found is None:
            with db.write() as s:
                found = repo.learner(s, self.learner_name, _ts(self.clock()))
        record = found
        self._learner_id = record.id
        return record

    def learner_record(self) -> repo.LearnerRecord:
        """The current learner and their settings."""
        return self._learner()

    def exam_day(self) -> datetime | None:
        """The start of the learner's exam day (UTC), if an exam date is set."""
        return self._exam_day(self._learner())

    def _learner_id_(self) -> int:
        if self._learner_id is None:
            self._learner()
        assert self._learner_id is not None
        return self._learner_id

    def timezone(self, learner: repo.LearnerRecord | None = None) -> tzinfo:
        """The learner's time zone: the setting, else the one given, else the system's."""
        learner = learner or self._learner()
        if learner.timezone:
            try:
                return ZoneInfo(learner.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        if self._tz is not None:
            return self._tz
        local = datetime.now().astimezone().tzinfo
        return local or UTC

    def settings(self) -> dict[str, Any]:
        """The learner's settings."""
        learner = self._learner()
        return {
            "exam_date": learner.exam_date,
            "timezone": learner.timezone,
            "new_per_day": learner.new_per_day,
            "cut_fraction": learner.cut_fraction,
            "target": learner.target,
            "desired_retention": learner.desired_retention,
            "theme": learner.theme,
        }

    def update_settings(self, **values: Any) -> dict[str, Any]:
        """Change settings; ``exam_date`` takes a date or an ISO string, None to clear."""
        if "exam_date" in values and isinstance(values["exam_date"], date):
            values["exam_date"] = values["exam_date"].isoformat()
        if "exam_date" in values and values["exam_date"] is not None:
            date.fromisoformat(values["exam_date"])
        if "new_per_day" in values and not 0 <= int(values["new_per_day"]) <= 1000:
            raise ValueError("new_per_day must lie between 0 and 1000")
        if "cut_fraction" in values and not 0.3 <= float(values["cut_fraction"]) <= 0.95:
            raise ValueError("cut_fraction must lie between 0.3 and 0.95")
        if "target" in values and not 0.5 <= float(values["target"]) <= 0.95:
            raise ValueError("target must lie between 0.5 and 0.95")
        if "desired_retention" in values and not (
            memory.MIN_RETENTION <= float(values["desired_retention"]) <= memory.MAX_RETENTION
        ):
            raise ValueError(
                f"desired_retention must lie between {memory.MIN_RETENTION} and "
                f"{memory.MAX_RETENTION}"
            )
        if "theme" in values and values["theme"] is not None:
            theme = str(values["theme"]).strip()
            if not theme or len(theme) > 64:
                raise ValueError("theme must be a theme name of at most 64 characters")
            values["theme"] = theme
        learner_id = self._learner_id_()
        with self.database().write() as s:
            repo.update_learner(s, learner_id, **values)
        return self.settings()

    def _exam_day(self, learner: repo.LearnerRecord) -> datetime | None:
        if not learner.exam_date:
            return None
        d = date.fromisoformat(learner.exam_date)
        return datetime(d.year, d.month, d.day, tzinfo=self.timezone(learner)).astimezone(UTC)

    def _day_bounds(
        self, now: datetime, learner: repo.LearnerRecord | None = None
    ) -> tuple[datetime, datetime]:
        end = memory.end_of_day(now, self.timezone(learner))
        return end - timedelta(days=1), end

    # -- daily review and practice ------------------------------------------------------------
    def study_status(self) -> StudyStatus:
        """Due today, new today and the open exam, for the home screen."""
        bank = self.bank()
        learner = self._learner()
        now = self.clock()
        start, end = self._day_bounds(now, learner)
        knowledge = {q.id for q in bank if _is_knowledge(q)}
        with self.database().read() as s:
            cards = repo.cards(s, learner.id)
            new_today = repo.new_first_attempts_since(s, learner.id, _ts(start))
            answered_today = len(repo.reviews(s, learner.id, since=_ts(start)))
            open_exam = repo.open_exam_id(s, learner.id)
            days = repo.answer_days(s, learner.id, since=_ts(start - timedelta(days=400)))
        due = sum(
            1
            for qid, c in cards.items()
            if qid in knowledge and not c.suspended and c.due <= _ts(end)
        )
        unseen = sum(1 for qid in knowledge if qid not in cards)
        exam_date = date.fromisoformat(learner.exam_date) if learner.exam_date else None
        # Study days by the learner's 04:00 boundary; the streak may end today or yesterday.
        day_of = {int((t - _ts(start)) // 86400) for t in days}
        streak, d = 0, 0 if 0 in day_of else -1
        while d in day_of:
            streak += 1
            d -= 1
        today = (start + timedelta(hours=12)).astimezone(self.timezone(learner)).date()
        return StudyStatus(
            due,
            new_today,
            learner.new_per_day,
            answered_today,
            unseen,
            exam_date,
            open_exam,
            streak=streak,
            days_to_exam=(exam_date - today).days if exam_date else None,
        )

    def _candidates(
        self,
        s: Any,
        learner_id: int,
        now: datetime,
        only: Sequence[repo.CardRecord] | None = None,
        *,
        abilities: elo.Abilities | None = None,
        exam_day: datetime | None = None,
    ) -> list[Candidate]:
        """The learner's state for each question; with ``exam_day``, each one's exam value."""
        bank = self.bank()
        fresh_outcomes = memory.exam_outcomes(None, now, exam_day) if exam_day else None
        if only is None:
            ids = [q.id for q in bank if _is_knowledge(q)]
            cards = repo.cards(s, learner_id)
            stats = repo.item_stats(s, learner_id)
        else:
            cards = {c.question_id: c for c in only}
            ids = [i for i in cards if i in bank and _is_knowledge(bank.question(i))]
            stats = repo.item_stats_of(s, learner_id, ids)
        horizon = _ts(now) + 86400
        out: list[Candidate] = []
        for qid in ids:
            item = self._cache.items[qid]
            card = cards.get(qid)
            stat = stats.get(qid)
            if card is not None and card.suspended:
                continue
            known = card is not None and card.card_json != "{}"
            b = stat.difficulty if stat else prior_difficulty(item.difficulty)
            gain = None
            if exam_day is not None and fresh_outcomes is not None and abilities is not None:
                prior = elo.sigmoid(abilities.theta_item(item) - b)
                if known and card is not None:
                    mem = memory.card_from_json(card.card_json)
                    recall = max(prior, memory.retrievability(mem, now))
                    gain = memory.exam_gain(memory.exam_outcomes(mem, now, exam_day), recall, prior)
                else:
                    gain = memory.exam_gain(fresh_outcomes, prior, prior)
            out.append(
                Candidate(
                    item_id=qid,
                    objective=item.objective,
                    knowledge_area=item.knowledge_area,
                    difficulty=b,
                    guess=item.guess,
                    due=_dt(card.due) if card else None,
                    retrievability=(
                        memory.retrievability_from_json(card.card_json, now)
                        if known and card is not None and card.due <= horizon
                        else 0.0
                    ),
                    last_answered=_dt(stat.last_answered_at)
                    if stat and stat.last_answered_at
                    else None,
                    attempts=stat.attempts if stat else 0,
                    lapses=card.lapses if card else 0,
                    last_correct=stat.last_correct if stat else None,
                    exam_gain=gain,
                )
            )
        return out

    def _abilities(self, s: Any, learner_id: int) -> elo.Abilities:
        return elo.Abilities(
            {scope: elo.Skill(theta, n) for scope, (theta, n) in repo.skills(s, learner_id).items()}
        )

    def _weights(self) -> dict[str, int]:
        bank = self.bank()
        if self._cache.weights is None:
            present = {q.objective for q in bank if _is_knowledge(q)}
            self._cache.weights = {o.id: o.weight for o in bank.exam.objectives if o.id in present}
        return dict(self._cache.weights)

    def next_question(
        self, mode: Mode | str = Mode.review, objective: str | None = None
    ) -> Presented | None:
        """The question to ask now, or None when today's review is done."""
        mode = Mode(mode)
        bank = self.bank()
        learner = self._learner()
        now = self.clock()
        start, end = self._day_bounds(now, learner)
        policy = Policy(target=learner.target, new_per_day=learner.new_per_day)
        exam_day = self._exam_day(learner)
        exam_aware = mode is Mode.review and exam_day is not None and exam_day > now
        with self.database().read() as s:
            abilities = self._abilities(s, learner.id)
            new_today = repo.new_first_attempts_since(s, learner.id, _ts(start))

            def choose(pool: Sequence[Candidate]) -> Pick | None:
                return pick_next(
                    pool,
                    abilities,
                    self._weights(),
                    now,
                    self.rng,
                    mode=mode,
                    end_of_day=end,
                    new_today=new_today,
                    objective=objective,
                    recent_objectives=self._recent_objectives,
                    policy=policy,
                )

            pick: Pick | None = None
            if mode is Mode.review and not exam_aware:
                # Fast path: only the due cards (indexed query), most overdue first.
                due = repo.due_cards(s, learner.id, _ts(end), limit=DUE_WINDOW)
                due_now = [
                    c
                    for c in due
                    if not c.suspended
                    and (
                        c.last_review is None
                        or _ts(now) - c.last_review >= policy.recent.total_seconds()
                    )
                ]
                if due_now:
                    pick = choose(self._candidates(s, learner.id, now, only=due_now))
            if pick is None:
                pool = self._candidates(
                    s,
                    learner.id,
                    now,
                    abilities=abilities if exam_aware else None,
                    exam_day=exam_day if exam_aware else None,
                )
                pick = choose(pool)
        if pick is None:
            return None
        question = bank.question(pick.item_id)
        return Presented(
            question, mode.value, pick.reason, pick.predicted, self._order(question), now
        )

    def present(self, question_id: str, mode: str = "practice") -> Presented:
        """Show a specific question (for "retry" and for tests)."""
        question = self.bank().question(question_id)
        return Presented(question, mode, "chosen", 0.0, self._order(question), self.clock())

    def _order(self, question: Question) -> tuple[int, ...]:
        if isinstance(question, bank_api.SingleChoiceQuestion | bank_api.MultipleChoiceQuestion):
            return shuffled(len(question.choices), self.rng)
        return ()

    @staticmethod
    def _check(question: Question, response: Response) -> None:
        """Refuse a response of the wrong shape for the question (a programming error)."""
        if response is None:
            return
        expected, shape = {
            "single": (int, "a position"),
            "multiple": (frozenset, "a set of positions"),
        }.get(question.type, (str, "text"))
        if not isinstance(response, expected) or isinstance(response, bool):
            raise ValueError(f"question {question.id}: a {question.type} answer must be {shape}")

    @staticmethod
    def _to_bank(order: Sequence[int], response: Response) -> BankResponse | None:
        if response is None:
            return None
        if isinstance(response, str):
            return response
        if isinstance(response, frozenset):
            return frozenset(order[i] for i in response if 0 <= i < len(order))
        if 0 <= response < len(order):
            return order[response]
        return -1

    @staticmethod
    def _to_display(question: Question, order: Sequence[int], response: Any) -> Response:
        if response is None:
            return None
        if isinstance(question, bank_api.FillQuestion):
            return str(response)
        pos = {choice: i for i, choice in enumerate(order)}
        if isinstance(question, bank_api.MultipleChoiceQuestion):
            return frozenset(pos[c] for c in response)
        return pos[int(response)]

    @staticmethod
    def _stored(response: BankResponse | None) -> Any:
        if isinstance(response, frozenset):
            return sorted(response)
        return response

    @staticmethod
    def _from_stored(question: Question, value: Any) -> BankResponse | None:
        if value is None:
            return None
        if isinstance(question, bank_api.MultipleChoiceQuestion):
            return frozenset(int(v) for v in value)
        if isinstance(question, bank_api.SingleChoiceQuestion):
            return int(value)
        return str(value)

    def _right_display(self, question: Question, order: Sequence[int]) -> Response:
        if isinstance(question, bank_api.FillQuestion):
            return question.accept[0]
        right = [i for i, c in enumerate(question.choices) if c.correct]  # type: ignore[union-attr]
        pos = {choice: i for i, choice in enumerate(order)}
        if isinstance(question, bank_api.MultipleChoiceQuestion):
            return frozenset(pos[c] for c in right)
        return pos[right[0]]

    def _learn(
        self,
        s: Any,
        learner: repo.LearnerRecord,
        question: Question,
        correct: bool,
        now: datetime,
        *,
        unsure: bool,
        seconds: float | None,
    ) -> tuple[memory.MemoryUpdate, bool, bool]:
        """Update memory, ability and item statistics for one answer (inside a transaction)."""
        item = self._cache.items[question.id]
        stats = repo.item_stats_for(s, learner.id, question.id)
        first = stats is None
        new_b: float | None = None
        b = stats.difficulty if stats else prior_difficulty(question.difficulty)
        if first:
            abilities = self._abilities(s, learner.id)
            upd = elo.update(abilities, item, b, 1.0 if correct else 0.0)
            new_b = upd.difficulty
            changed = {
                scope: (sk.theta, sk.n)
                for scope, sk in upd.abilities.skills.items()
                if abilities.skills.get(scope) != sk
            }
            repo.save_skills(s, learner.id, changed)
        repo.record_item(
            s,
            learner.id,
            question.id,
            correct=correct,
            now=_ts(now),
            prior_difficulty=b,
            new_difficulty=new_b,
        )
        stored = repo.card(s, learner.id, question.id)
        if stored is None or stored.card_json == "{}":
            card_id = (
                stored.card_id if stored else repo.new_card_id(s, learner.id, question.id, _ts(now))
            )
            card = memory.new_card(card_id, now)
        else:
            card_id = stored.card_id
            card = memory.card_from_json(stored.card_json)
        rating = memory.rating_for(correct, unsure=unsure, seconds=seconds)
        update = memory.review(
            card,
            rating,
            now,
            self.rng,
            exam_day=self._exam_day(learner),
            duration_ms=int(seconds * 1000) if seconds is not None else None,
            desired_retention=learner.desired_retention,
        )
        saved = repo.save_card(
            s,
            learner.id,
            card_id,
            card_json=memory.card_to_json(update.card),
            due=_ts(update.card.due),
            state=int(update.card.state),
            last_review=_ts(now),
            lapsed=update.lapsed,
        )
        return update, memory.is_leech(saved.lapses), first

    def answer(
        self, presented: Presented, response: Response, *, unsure: bool = False
    ) -> AnswerFeedback:
        """Grade an answer and commit it (review log, memory, ability) in one transaction."""
        question = presented.question
        now = self.clock()
        seconds = max(0.0, (now - presented.shown_at).total_seconds())
        self._check(question, response)
        bank_response = self._to_bank(presented.order, response)
        result = bank_api.grade(question, bank_response)
        learner = self._learner()
        with self.database().write() as s:
            repo.lock_learner(s, learner.id)
            update, leech, first = self._learn(
                s, learner, question, result.correct, now, unsure=unsure, seconds=seconds
            )
            repo.add_review(
                s,
                learner.id,
                question_id=question.id,
                content_hash=self._cache.hashes[question.id],
                mode=presented.mode,
                answer=self._stored(bank_response),
                correct=result.correct,
                score=1.0 if result.correct else 0.0,
                rating=int(update.rating),
                response_ms=int(seconds * 1000),
                answered_at=_ts(now),
            )
        self._recent_objectives = [*self._recent_objectives[-4:], question.objective]
        return AnswerFeedback(
            correct=result.correct,
            answered=result.answered,
            right_answer=self._right_display(question, presented.order),
            explanation=question.explanation,
            rating=update.rating.name,
            next_due=update.card.due,
            leech=leech,
            first_attempt=first,
        )

    # -- mock exams -----------------------------------------------------------------------
    def exam_objectives(self) -> tuple[str, ...]:
        """Objectives a mock exam can draw from (those with knowledge questions)."""
        return tuple(self._weights())

    def start_exam(
        self, objectives: Sequence[str] | None = None, questions: int | None = None
    ) -> ExamView:
        """Draw, store and start a mock exam; the deadline is stored with it."""
        bank = self.bank()
        weights_all = self._weights()
        chosen = list(objectives) if objectives else list(weights_all)
        unknown = [o for o in chosen if o not in weights_all]
        if unknown:
            raise ValueError(f"no questions for objective(s) {', '.join(unknown)}")
        weights = {o: weights_all[o] for o in chosen}
        n = questions or sum(weights.values())
        learner = self._learner()
        now = self.clock()
        prediction = self.readiness(chosen, questions=n)
        with self.database().read() as s:
            seen = repo.last_seen(s, learner.id)
        pool = [
            ExamCandidate(q.id, q.objective, _dt(seen[q.id]) if q.id in seen else None)
            for q in bank
            if _is_knowledge(q) and q.objective in weights
        ]
        form = assemble_form(pool, weights, n, now, self.rng)
        duration = duration_for(len(form), bank.exam.questions, bank.exam.duration_minutes)
        items = []
        for qid in form:
            q = bank.question(qid)
            items.append((qid, self._cache.hashes[qid], q.objective, self._order(q)))
        r = prediction.readiness
        with self.database().write() as s:
            exam_id = repo.create_exam(
                s,
                learner.id,
                exam_id=bank.exam.id,
                objectives=chosen,
                started_at=_ts(now),
                deadline=_ts(now + duration),
                cut_fraction=learner.cut_fraction,
                items=items,
                prediction=(r.p_pass, r.expected_scaled, r.scaled_low, r.scaled_high),
            )
        return self.exam(exam_id)

    def exam(self, exam_id: int) -> ExamView:
        """A stored exam (auto-submitted first if its deadline has passed)."""
        view = self._exam_view(exam_id)
        if view.result is None and view.clock.expired(self.clock()):
            self.submit_exam(exam_id, auto=True)
            view = self._exam_view(exam_id)
        return view

    def _exam_view(self, exam_id: int) -> ExamView:
        bank = self.bank()
        learner_id = self._learner_id_()
        with self.database().read() as s:
            record = repo.exam(s, learner_id, exam_id)
        if record is None:
            raise KeyError(f"no exam {exam_id}")
        items = []
        for it in record.items:
            q = bank.get(it.question_id)
            if q is None:
                raise StorageError(
                    f"exam {exam_id}: question {it.question_id} is no longer in the bank"
                )
            items.append(
                ExamQuestionView(
                    it.position,
                    q,
                    it.choice_order,
                    self._to_display(q, it.choice_order, self._from_stored(q, it.answer)),
                    it.flagged,
                    it.correct,
                )
            )
        result = None
        if record.submitted_at is not None:
            score = score_exam(
                [(i.objective, bool(i.correct)) for i in record.items],
                record.cut_fraction,
                bank.exam.scale.min,
                bank.exam.scale.max,
                bank.exam.scale.passing,
            )
            result = ExamResult(
                score,
                _dt(record.submitted_at),
                record.auto_submitted,
                record.predicted_p_pass,
                record.predicted_scaled,
            )
        clock = ExamClock(_dt(record.started_at), _dt(record.deadline))
        return ExamView(record.id, record.objectives, clock, tuple(items), result)

    def open_exam(self) -> ExamView | None:
        """The exam in progress, to resume after a restart (None if there is none)."""
        with self.database().read() as s:
            exam_id = repo.open_exam_id(s, self._learner_id_())
        if exam_id is None:
            return None
        view = self.exam(exam_id)
        return None if view.submitted else view

    def _open_for_change(self, exam_id: int) -> ExamView:
        view = self.exam(exam_id)
        if view.submitted:
            raise ExamClosedError(f"exam {exam_id} is submitted")
        return view

    def exam_answer(self, exam_id: int, position: int, response: Response) -> None:
        """Store (or change, or clear with None) an answer; committed before returning."""
        view = self._open_for_change(exam_id)
        item = view.items[position]
        self._check(item.question, response)
        stored = self._stored(self._to_bank(item.order, response))
        if stored == "" or stored == []:
            stored = None
        with self.database().write() as s:
            repo.set_exam_answer(s, exam_id, position, stored, _ts(self.clock()))

    def exam_flag(self, exam_id: int, position: int, flagged: bool) -> None:
        """Mark or unmark a question for review."""
        self._open_for_change(exam_id)
        with self.database().write() as s:
            repo.set_exam_flag(s, exam_id, position, flagged)

    def submit_exam(self, exam_id: int, *, auto: bool = False) -> ExamView:
        """Score the exam; every final answer enters the review log, memory and ability."""
        view = self._exam_view(exam_id)
        if view.submitted:
            return view
        bank = self.bank()
        learner = self._learner()
        now = self.clock()
        submitted_at = min(now, view.clock.deadline) if auto else now
        with self.database().write() as s:
            repo.lock_learner(s, learner.id)
            record = repo.exam(s, learner.id, exam_id)
            assert record is not None
            if record.submitted_at is not None:  # another process got there first
                return self._exam_view(exam_id)
            correct: dict[int, bool] = {}
            results: list[tuple[str, bool]] = []
            for it in record.items:
                q = bank.question(it.question_id)
                response = self._from_stored(q, it.answer)
                g = bank_api.grade(q, response)
                correct[it.position] = g.correct
                results.append((it.objective, g.correct))
                self._learn(s, learner, q, g.correct, now, unsure=it.flagged, seconds=None)
                repo.add_review(
                    s,
                    learner.id,
                    question_id=q.id,
                    content_hash=it.content_hash,
                    mode="exam",
                    answer=it.answer,
                    correct=g.correct,
                    score=1.0 if g.correct else 0.0,
                    rating=int(memory.rating_for(g.correct, unsure=it.flagged)),
                    response_ms=None,
                    answered_at=_ts(now),
                    exam_session_id=exam_id,
                )
            score = score_exam(
                results,
                record.cut_fraction,
                bank.exam.scale.min,
                bank.exam.scale.max,
                bank.exam.scale.passing,
            )
            repo.finish_exam(
                s,
                exam_id,
                submitted_at=_ts(submitted_at),
                auto=auto,
                raw=score.raw,
                scaled=score.scaled,
                passed=score.passed,
                correct=correct,
            )
        return self._exam_view(exam_id)

    def exam_history(self) -> tuple[ExamView, ...]:
        """Every exam, newest first."""
        with self.database().read() as s:
            ids = repo.exam_ids(s, self._learner_id_())
        return tuple(self.exam(i) for i in ids)

    # -- configuration -----------------------------------------------------------------------
    def keymap(self) -> dict[str, str]:
        """Key overrides from the config file: ``keymap: {binding id: keys}``.

        A missing file is an empty keymap; a broken one raises ``ValueError`` with the file
        name, so the UI can say so and carry on with the default keys.
        """
        import yaml

        path = paths.config_file()
        if not path.exists():
            return {}
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise ValueError(f"{path}: unreadable config: {str(e).splitlines()[0]}") from None
        keymap = data.get("keymap", {}) if isinstance(data, dict) else None
        if not isinstance(keymap, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
        ):
            raise ValueError(f"{path}: keymap must map binding ids to key names")
        return dict(keymap)

    # -- browsing ----------------------------------------------------------------------------
    def search_questions(self, text: str = "") -> tuple[Question, ...]:
        """Questions whose id, objective, area, type, difficulty or text match every term."""
        terms = text.lower().split()
        out = []
        for q in self.bank():
            hay = " ".join(
                (q.id, q.objective, q.knowledge_area, q.type, f"d{q.difficulty}", q.stem)
            ).lower()
            if all(t in hay for t in terms):
                out.append(q)
        return tuple(out)

    def question_history(self, question_id: str) -> dict[str, Any]:
        """What the learner did with one question: attempts, right, last answer, next due."""
        learner_id = self._learner_id_()
        with self.database().read() as s:
            stat = repo.item_stats_for(s, learner_id, question_id)
            card = repo.card(s, learner_id, question_id)
        return {
            "attempts": stat.attempts if stat else 0,
            "correct": stat.correct if stat else 0,
            "last_answered": _dt(stat.last_answered_at) if stat and stat.last_answered_at else None,
            "last_correct": stat.last_correct if stat else None,
            "next_due": _dt(card.due) if card and card.card_json != "{}" else None,
            "lapses": card.lapses if card else 0,
        }

    # -- hands-on --------------------------------------------------------------------------
    def handson_task(self, question_id: str) -> Task:
        """A hands-on question as the sandbox's task (``KeyError``/``ValueError`` if not one)."""
        from quizzer.sandbox.grading import Check, Task

        q = self.bank().question(question_id)
        if not isinstance(q, bank_api.HandsOnQuestion):
            raise ValueError(f"{question_id} is a {q.type} question, not a hands-on one")
        return Task(
            id=q.id,
            setup=q.setup,
            checks=tuple(Check(c.id, c.description, c.test, c.weight, c.message) for c in q.checks),
            timeout=q.timeout,
            engine=q.engine,
            needs_rootfs=q.needs_rootfs,
            requires=q.requires,
        )

    def handson_overview(self) -> tuple[HandsOnRow, ...]:
        """Every hands-on question with the learner's record on it, in bank order."""
        questions = self.handson_questions()
        learner_id = self._learner_id_()
        with self.database().read() as s:
            stats = repo.item_stats_of(s, learner_id, [q.id for q in questions])
        rows = []
        for q in questions:
            stat = stats.get(q.id)
            rows.append(
                HandsOnRow(
                    id=q.id,
                    objective=q.objective,
                    difficulty=q.difficulty,
                    title=q.stem.strip().splitlines()[0].strip(),
                    attempts=stat.attempts if stat else 0,
                    passed=stat.correct if stat else 0,
                    last_passed=stat.last_correct if stat else None,
                )
            )
        return tuple(rows)

    def handson_questions(self) -> tuple[Question, ...]:
        """Every hands-on question of the bank."""
        return tuple(q for q in self.bank() if isinstance(q, bank_api.HandsOnQuestion))

    def sandbox_doctor(self, *, live: bool = True) -> list[Finding]:
        """What the sandbox can do here, and why not where it cannot."""
        from quizzer.sandbox.doctor import diagnose

        return diagnose(paths.rootfs_dir(), paths.sandbox_scratch_dir(), live=live)

    def sandbox_state(self) -> SandboxState:
        """Which sandbox an attempt would use now, and whether the full rootfs is built."""
        from quizzer.sandbox.backends import choose_backend
        from quizzer.sandbox.engine import UID_BASE, SandboxError
        from quizzer.sandbox.rootfs import status

        root = status(paths.rootfs_dir(), UID_BASE)
        try:
            backend: str | None = choose_backend(paths.rootfs_dir())
            problem = ""
        except SandboxError as e:
            backend, problem = None, str(e)
        return SandboxState(backend, root.ready, root.detail, problem)

    def prepare_sandbox(self, progress: Callable[[str], None] = lambda _l: None) -> RootfsStatus:
        """Build the sandbox's root file system once (idempotent; raises ``RootfsError``)."""
        from quizzer.sandbox.engine import UID_BASE
        from quizzer.sandbox.rootfs import prepare as prepare_rootfs

        return prepare_rootfs(paths.rootfs_dir(), UID_BASE, progress=progress)

    def check_handson(self, question_id: str, commands: str, *, record: bool = True) -> Attempt:
        """Run ``commands`` for a hands-on question in a fresh sandbox and grade the result.

        With ``record``, the outcome is stored like any answer (score = share of weighted
        checks passed; FSRS sees Again below all-pass).
        """
        from quizzer.sandbox.grading import attempt

        task = self.handson_task(question_id)
        result = attempt(task, commands, paths.rootfs_dir(), paths.sandbox_scratch_dir())
        if record and result.error is None:
            self._record_handson(question_id, commands, result)
        return result

    def handson_session(self, question_id: str) -> Session:
        """An open sandbox for an interactive attempt (use as a context manager)."""
        from quizzer.sandbox.grading import Session

        return Session(
            self.handson_task(question_id), paths.rootfs_dir(), paths.sandbox_scratch_dir()
        )

    def record_handson(self, question_id: str, commands: str, result: Attempt) -> None:
        """Store the outcome of an interactive attempt graded by a session."""
        if result.error is None:
            self._record_handson(question_id, commands, result)

    def _record_handson(self, question_id: str, commands: str, result: Attempt) -> None:
        question = self.bank().question(question_id)
        now = self.clock()
        learner = self._learner()
        with self.database().write() as s:
            repo.lock_learner(s, learner.id)
            update, _leech, _first = self._learn(
                s, learner, question, result.passed, now, unsure=False, seconds=result.seconds
            )
            repo.add_review(
                s,
                learner.id,
                question_id=question.id,
                content_hash=self._cache.hashes[question.id],
                mode="handson",
                answer=commands,
                correct=result.passed,
                score=result.score,
                rating=int(update.rating),
                response_ms=int(result.seconds * 1000),
                answered_at=_ts(now),
            )

    # -- reports, exports and moving history -------------------------------------------------
    def progress_report(self, *, include_reviews: bool = True) -> Report:
        """Readiness, standing per objective and knowledge area, weak areas, exams, forecast."""
        from quizzer.services.report import build_report

        return build_report(self, include_reviews=include_reviews)

    def render_report(self, fmt: str) -> tuple[Report, dict[str, str]]:
        """The progress report rendered as ``md``, ``html``, ``json`` or ``csv``.

        Returns the report and its files by suggested name (CSV gives two files).
        """
        report = self.progress_report(include_reviews=fmt == "csv")
        stamp = report.generated_at.strftime("%Y%m%d-%H%M")
        if fmt == "md":
            from quizzer.reports.markdown import render_markdown

            return report, {f"report-{stamp}.md": render_markdown(report)}
        if fmt == "html":
            from quizzer.reports.html import render_html

            return report, {f"report-{stamp}.html": render_html(report)}
        if fmt == "json":
            from quizzer.reports.data import render_json

            return report, {f"report-{stamp}.json": render_json(report)}
        if fmt == "csv":
            from quizzer.reports.data import render_csv

            files = render_csv(report)
            return report, {f"{n.removesuffix('.csv')}-{stamp}.csv": t for n, t in files.items()}
        raise ValueError(f"unknown report format {fmt!r}")

    def write_report(self, fmt: str, directory: Path | None = None) -> list[Path]:
        """Render the report and write its files to ``directory`` or exports/."""
        _report, files = self.render_report(fmt)
        target = paths.exports_dir(directory)
        return [_write_whole(target / name, text) for name, text in files.items()]

    def write_progress(self, path: Path | None = None) -> tuple[Path, dict[str, Any]]:
        """Export the learner's history to a JSON file (default exports/progress-STAMP.json)."""
        data = self.export_progress()
        stamp = self.clock().strftime("%Y%m%d-%H%M")
        target = path or paths.exports_dir() / f"progress-{stamp}.json"
        return _write_whole(target, json.dumps(data, indent=1, sort_keys=True) + "\n"), data

    def write_anki_deck(self, path: Path | None = None) -> tuple[Path, int]:
        """Write the knowledge questions as an Anki package; returns the path and note count."""
        from quizzer.reports.anki import write_anki_deck

        bank = self.bank()
        target = path or paths.exports_dir() / f"{bank.exam.id}.apkg"
        deck = f"quizzer::{bank.exam.code} {bank.exam.title}"
        return target, write_anki_deck(self.anki_questions(), target, deck)

    def anki_questions(self) -> list[AnkiQuestion]:
        """The bank's knowledge questions, prepared for an Anki deck."""
        from quizzer.services.report import anki_questions

        return anki_questions(list(self.bank()))

    def export_progress(self) -> dict[str, Any]:
        """The learner's full history as JSON-ready data (for another machine or database)."""
        learner_id = self._learner_id_()
        with self.database().read() as s:
            data = repo.export_learner(s, learner_id)
        data["exported_at"] = self.clock().isoformat()
        data["exam_id"] = self.bank().exam.id
        return data

    def import_progress(self, data: dict[str, Any]) -> dict[str, int]:
        """Merge exported history into this learner; importing twice changes nothing."""
        learner_id = self._learner_id_()
        with self.database().write() as s:
            repo.lock_learner(s, learner_id)
            return repo.import_learner(s, learner_id, data)

    # -- where the learner stands ----------------------------------------------------------
    def abilities(self) -> tuple[AbilityRow, ...]:
        """Ability per objective and knowledge area of the exam's started objectives."""
        bank = self.bank()
        learner_id = self._learner_id_()
        with self.database().read() as s:
            abilities = self._abilities(s, learner_id)
            stats = repo.item_stats(s, learner_id)
        rows: list[AbilityRow] = []
        weights = self._weights()
        for o in bank.exam.objectives:
            if o.id not in weights:
                continue
            qs = [q for q in bank.for_objective(o.id) if _is_knowledge(q)]
            rows.append(self._ability_row(abilities, stats, o.id, None, o.title, o.weight, qs))
            for ka in o.knowledge_areas:
                ka_qs = [q for q in qs if q.knowledge_area == ka.id]
                if ka_qs:
                    rows.append(
                        self._ability_row(abilities, stats, o.id, ka.id, ka.title, o.weight, ka_qs)
                    )
        return tuple(rows)

    def _ability_row(
        self,
        abilities: elo.Abilities,
        stats: dict[str, repo.ItemStatRecord],
        objective: str,
        area: str | None,
        title: str,
        weight: int,
        questions: Sequence[Question],
    ) -> AbilityRow:
        theta = abilities.theta_objective(objective)
        if area is not None:
            theta += abilities.skill(elo.area_scope(objective, area)).theta
        answered = [
            (stats[q.id].difficulty, self._cache.items[q.id].guess)
            for q in questions
            if q.id in stats
        ]
        se = elo.standard_error(theta, answered)
        return AbilityRow(
            objective,
            area,
            title,
            weight,
            theta,
            se,
            elo.sigmoid(theta),
            sum(stats[q.id].attempts for q in questions if q.id in stats),
            sum(stats[q.id].correct for q in questions if q.id in stats),
        )

    def readiness(
        self,
        objectives: Sequence[str] | None = None,
        *,
        questions: int | None = None,
        cut_fraction: float | None = None,
        draws: int = 200,
    ) -> ReadinessReport:
        """P(pass) and expected scaled score for a mock exam of these objectives."""
        bank = self.bank()
        learner = self._learner()
        rows = [r for r in self.abilities() if r.area is None]
        weights = self._weights()
        chosen = list(objectives) if objectives else list(weights)
        with self.database().read() as s:
            stats = repo.item_stats(s, learner.id)
            cards = repo.cards(s, learner.id)
            answered = repo.review_count(s, learner.id)
        now = self.clock()
        exam_day = self._exam_day(learner)
        when = exam_day if exam_day is not None and exam_day > now else now
        recall = {
            qid: memory.retrievability_from_json(c.card_json, when)
            for qid, c in cards.items()
            if c.card_json != "{}"
        }
        estimates = []
        for r in rows:
            if r.objective not in chosen:
                continue
            items = tuple(
                (
                    stats[q.id].difficulty if q.id in stats else prior_difficulty(q.difficulty),
                    self._cache.items[q.id].guess,
                    recall.get(q.id, 0.0),
                )
                for q in bank.for_objective(r.objective)
                if _is_knowledge(q)
            )
            estimates.append(ObjectiveEstimate(r.objective, r.weight, r.theta, r.se, items))
        n = questions or sum(weights[o] for o in chosen)
        # A fixed seed per call: the same history gives the same estimate on every screen.
        readiness = estimate_readiness(
            estimates,
            n,
            random.Random(answered),
            cut_fraction=cut_fraction or learner.cut_fraction,
            draws=draws,
            scale={
                "min": bank.exam.scale.min,
                "max": bank.exam.scale.max,
                "passing": bank.exam.scale.passing,
            },
        )
        return ReadinessReport(readiness, tuple(r for r in rows if r.objective in chosen), answered)


__all__ += [
    "Attempt",
    "Finding",
    "ObjectiveScore",
    "Report",
    "Response",
    "RootfsError",
    "RootfsStatus",
    "Session",
    "utc_now",
]


def __getattr__(name: str) -> Any:
    """Heavy names re-exported on first use (the bank's pydantic models, the report model)."""
    if name in ("Bank", "Question"):
        return getattr(bank_api, name)
    if name == "Report":
        from quizzer.reports.model import Report

        return Report
    if name in ("Attempt", "Session"):
        from quizzer.sandbox import grading

        return getattr(grading, name)
    if name == "Finding":
        from quizzer.sandbox.doctor import Finding

        return Finding
    if name in ("RootfsError", "RootfsStatus"):
        from quizzer.sandbox import rootfs

        return getattr(rootfs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
