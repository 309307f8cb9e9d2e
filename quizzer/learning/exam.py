"""Mock exams: forms drawn by objective weight, the exam clock, and LPI-style scoring.

LPI weights say how many questions an objective gets: Topic 352 (weights 7 + 6 + 9 + 3) is a
25-question form, and the full 305-300 exam's 60 questions take 90 minutes, so any subset of
objectives gets 1.5 minutes per question. Questions not seen recently are preferred; when an
objective has too few questions its share goes to the others by weight. Scores are raw (all or
nothing per question, as on the LPI exam) and scaled to 200-800 with 500 at the cut, which LPI
does not publish: it is a configurable raw fraction, 65% by default, and labelled an estimate.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "DEFAULT_CUT",
    "ExamCandidate",
    "ExamClock",
    "ExamScore",
    "allocate",
    "assemble_form",
    "duration_for",
    "scaled_score",
    "score_exam",
    "shuffled",
]

DEFAULT_CUT = 0.65


def allocate(weights: Mapping[str, int], n: int) -> dict[str, int]:
    """Split ``n`` questions over objectives in proportion to ``weights`` (largest remainder).

    Ties in the remainder go to the heavier objective, then to the earlier id, so the split is
    deterministic.
    """
    total = sum(weights.values())
    if n < 0 or total <= 0:
        raise ValueError("need a non-negative question count and a positive total weight")
    quotas = {o: n * w / total for o, w in weights.items()}
    counts = {o: math.floor(q) for o, q in quotas.items()}
    left = n - sum(counts.values())
    order = sorted(weights, key=lambda o: (-(quotas[o] - counts[o]), -weights[o], o))
    for o in order[:left]:
        counts[o] += 1
    return counts


def duration_for(n: int, full_questions: int, full_minutes: int) -> timedelta:
    """Time allowed for ``n`` questions at the full exam's pace (305-300: 60 in 90 minutes)."""
    return timedelta(minutes=full_minutes) * n / full_questions


@dataclass(frozen=True, slots=True)
class ExamCandidate:
    """A question that may go on a form."""

    id: str
    objective: str
    last_seen: datetime | None = None


def assemble_form(
    pool: Sequence[ExamCandidate],
    weights: Mapping[str, int],
    n: int,
    now: datetime,
    rng: random.Random,
    *,
    fresh_for: timedelta = timedelta(days=7),
) -> tuple[str, ...]:
    """Draw a form of ``n`` question ids (fewer only if the pool is smaller).

    Objectives get their weight's share; inside an objective, questions not seen within
    ``fresh_for`` come first (in random order), then the least recently seen. The form is
    returned shuffled so objectives are interleaved, as on the real exam.
    """
    by_objective: dict[str, list[ExamCandidate]] = {o: [] for o in weights}
    for c in pool:
        if c.objective in by_objective:
            by_objective[c.objective].append(c)
    active = {o: w for o, w in weights.items() if by_objective[o] and w > 0}
    n = min(n, sum(len(by_objective[o]) for o in active))
    counts: dict[str, int] = dict.fromkeys(active, 0)
    # Allocate, cap at what each objective holds, and give any deficit to the others by weight.
    remaining, open_ = n, dict(active)
    while remaining > 0 and open_:
        share = allocate(open_, remaining)
        for o, k in share.items():
            take = min(k, len(by_objective[o]) - counts[o])
            counts[o] += take
            remaining -= take
        open_ = {o: w for o, w in open_.items() if counts[o] < len(by_objective[o])}
    chosen: list[str] = []
    cutoff = now - fresh_for
    for o, k in counts.items():
        items = list(by_objective[o])
        rng.shuffle(items)
        fresh = [c for c in items if c.last_seen is None or c.last_seen < cutoff]
        stale = sorted(
            (c for c in items if not (c.last_seen is None or c.last_seen < cutoff)),
            key=lambda c: c.last_seen or now,
        )
        chosen += [c.id for c in (fresh + stale)[:k]]
    rng.shuffle(chosen)
    return tuple(chosen)


def shuffled(n: int, rng: random.Random) -> tuple[int, ...]:
    """A random display order for ``n`` choices (display position -> choice index)."""
    order = list(range(n))
    rng.shuffle(order)
    return tuple(order)


@dataclass(frozen=True, slots=True)
class ExamClock:
    """The stored start and deadline of an exam; the remaining time only ever goes down."""

    started_at: datetime
    deadline: datetime

    def remaining(self, now: datetime) -> timedelta:
        """Time left at ``now``: never negative, never more than the full duration."""
        now = max(now, self.started_at)
        return max(self.deadline - now, timedelta(0))

    def expired(self, now: datetime) -> bool:
        """True once the deadline has passed (the exam must be submitted)."""
        return now >= self.deadline


def scaled_score(
    raw: int,
    n: int,
    cut_fraction: float = DEFAULT_CUT,
    low: int = 200,
    high: int = 800,
    passing: int = 500,
) -> int:
    """Map a raw score onto the LPI scale: ``low`` at 0, ``passing`` at the cut, ``high`` at n.

    Piecewise linear, rounded down so a raw score just below the cut never shows 500.
    """
    if n <= 0 or not 0 <= raw <= n:
        raise ValueError("raw score must lie between 0 and the number of questions")
    if not 0.0 < cut_fraction < 1.0:
        raise ValueError("cut fraction must lie strictly between 0 and 1")
    cut = cut_fraction * n
    if raw >= cut:
        value = passing + (high - passing) * (raw - cut) / (n - cut)
    else:
        value = low + (passing - low) * raw / cut
    return max(low, min(high, math.floor(value + 1e-9)))


@dataclass(frozen=True, slots=True)
class ObjectiveScore:
    """Right answers out of questions for one objective."""

    objective: str
    correct: int
    total: int

    @property
    def percent(self) -> float:
        """Share of questions answered right, 0-100."""
        return 100.0 * self.correct / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class ExamScore:
    """The result of a mock exam."""

    raw: int
    total: int
    scaled: int
    passed: bool
    cut_fraction: float
    by_objective: tuple[ObjectiveScore, ...]


def score_exam(
    results: Sequence[tuple[str, bool]],
    cut_fraction: float = DEFAULT_CUT,
    low: int = 200,
    high: int = 800,
    passing: int = 500,
) -> ExamScore:
    """Score ``(objective, correct)`` pairs; unanswered questions count as wrong."""
    raw = sum(1 for _o, ok in results if ok)
    n = len(results)
    scaled = scaled_score(raw, n, cut_fraction, low, high, passing) if n else low
    tally: dict[str, list[int]] = {}
    for objective, ok in results:
        t = tally.setdefault(objective, [0, 0])
        t[0] += int(ok)
        t[1] += 1
    parts = tuple(ObjectiveScore(o, c, t) for o, (c, t) in sorted(tally.items()))
    return ExamScore(raw, n, scaled, scaled >= passing, cut_fraction, parts)
