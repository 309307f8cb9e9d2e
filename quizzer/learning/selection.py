"""What comes next: due reviews first, then the question that teaches most right now.

1. **Due reviews**: cards due before the end of the learner's day, least likely remembered
   first.
2. **Then new or weak questions**, adaptively: an objective is drawn with probability
   proportional to ``exam weight x room to improve x (1 + uncertainty)``, never more than two in
   a row from one objective while others are open; inside it, each candidate is scored by how
   close its predicted success is to the target (0.75 by default: hard enough to teach, easy
   enough to keep going), with a bonus for never-seen questions, and one of the best three is
   picked at random so the order does not become predictable.
3. New questions respect a daily limit in review mode; the practice modes ("weak areas", "one
   objective") do not.

A question answered within ``recent`` is never served again while anything else is left.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from quizzer.learning.ability import Abilities, predict
from quizzer.learning.items import Item

__all__ = ["Candidate", "Mode", "Pick", "Policy", "pick_next"]


class Mode(StrEnum):
    """How the next question is chosen."""

    review = "review"
    """Daily review: due cards, then new or weak questions up to the daily new limit."""
    weak = "weak"
    """Practice the weakest objectives and knowledge areas, due or not."""
    objective = "objective"
    """Practice one objective."""
    random = "random"
    """Baseline for simulations: any question, uniformly."""
    fsrs = "fsrs"
    """Baseline for simulations: due cards, then new ones in bank order (no adaptivity)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A bank question with the learner's state for it."""

    item_id: str
    objective: str
    knowledge_area: str
    difficulty: float
    """Current difficulty estimate (logits)."""
    guess: float
    due: datetime | None = None
    """When FSRS wants it again; None if never answered."""
    retrievability: float = 0.0
    last_answered: datetime | None = None
    attempts: int = 0
    lapses: int = 0
    last_correct: bool | None = None
    exam_gain: float | None = None
    """Expected rise in P(right on exam day) from studying it now (set when an exam date is)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """The knobs of selection (defaults from the learning-science notes)."""

    target: float = 0.75
    new_per_day: int = 20
    recent: timedelta = timedelta(minutes=10)
    top_k: int = 3
    max_run: int = 2
    weak_objectives: int = 2
    """In weak mode, how many of the weakest objectives to draw from."""


@dataclass(frozen=True, slots=True)
class Pick:
    """The chosen question and why."""

    item_id: str
    reason: str
    """``due``, ``new``, ``weak`` or ``repeat`` (nothing else was left)."""
    predicted: float


@dataclass(frozen=True)
class _Context:
    abilities: Abilities
    weights: Mapping[str, int]
    now: datetime
    policy: Policy
    recent_objectives: Sequence[str] = field(default_factory=tuple)


def _p(ctx: _Context, c: Candidate) -> float:
    item = Item(c.item_id, c.objective, c.knowledge_area, 3, c.guess)
    return predict(ctx.abilities, item, c.difficulty)


def _closeness(p: float, target: float) -> float:
    norm = target if p < target else 1.0 - target
    return 1.0 - (abs(target - p) / max(norm, 1e-9)) ** 2


def _objective_priority(ctx: _Context, objective: str, pool: Sequence[Candidate]) -> float:
    members = [c for c in pool if c.objective == objective]
    if not members:
        return 0.0
    mean_p = sum(_p(ctx, c) for c in members) / len(members)
    answered = sum(1 for c in members if c.attempts)
    uncertainty = 1.0 / math.sqrt(1.0 + answered)
    return ctx.weights.get(objective, 1) * (1.0 - mean_p + 0.05) * (1.0 + uncertainty)


def _choose_objective(ctx: _Context, pool: Sequence[Candidate], rng: random.Random) -> str:
    objectives = sorted({c.objective for c in pool})
    run = list(ctx.recent_objectives[-ctx.policy.max_run :])
    if len(objectives) > 1 and len(run) == ctx.policy.max_run and len(set(run)) == 1:
        objectives = [o for o in objectives if o != run[0]] or objectives
    priorities = [_objective_priority(ctx, o, pool) for o in objectives]
    return rng.choices(objectives, weights=priorities, k=1)[0]


def _best(ctx: _Context, pool: Sequence[Candidate], rng: random.Random) -> tuple[Candidate, float]:
    scored = []
    for c in pool:
        p = _p(ctx, c)
        novelty = 1.0 if c.attempts == 0 else 0.5 / max(c.attempts**0.5, 0.5)
        weakness = 1.0 if c.last_correct is False else 0.0
        scored.append((10 * _closeness(p, ctx.policy.target) + 5 * novelty + 3 * weakness, c, p))
    scored.sort(key=lambda t: (-t[0], t[1].item_id))
    _s, c, p = rng.choice(scored[: ctx.policy.top_k])
    return c, p


def _exam_aware(
    ctx: _Context, fresh: Sequence[Candidate], rng: random.Random, new_today: int
) -> Pick | None:
    """With an exam date: the question whose study now adds most to the expected exam score.

    A question's share of the exam is its objective's weight over the objective's question
    count; its value is that share times :func:`~quizzer.learning.memory.exam_gain`. Due
    cards compete with new ones on the same scale instead of always going first, so a short
    daily session keeps covering the bank while it still repairs what would be forgotten.
    """
    sizes: dict[str, int] = {}
    for c in fresh:
        sizes[c.objective] = sizes.get(c.objective, 0) + 1
    allowed_new = new_today < ctx.policy.new_per_day
    scored = []
    for c in fresh:
        if c.attempts == 0 and not allowed_new:
            continue
        share = ctx.weights.get(c.objective, 1) / sizes[c.objective]
        scored.append((share * (c.exam_gain or 0.0), c))
    if not scored:
        return None
    scored.sort(key=lambda t: (-t[0], t[1].item_id))
    _value, c = rng.choice(scored[: ctx.policy.top_k])
    if c.attempts == 0:
        reason = "new"
    elif c.due is not None and c.due <= ctx.now:
        reason = "due"
    else:
        reason = "weak"
    return Pick(c.item_id, reason, _p(ctx, c))


def pick_next(
    candidates: Sequence[Candidate],
    abilities: Abilities,
    weights: Mapping[str, int],
    now: datetime,
    rng: random.Random,
    *,
    mode: Mode = Mode.review,
    end_of_day: datetime | None = None,
    new_today: int = 0,
    objective: str | None = None,
    recent_objectives: Sequence[str] = (),
    policy: Policy = Policy(),
) -> Pick | None:
    """The next question, or None when the session has nothing left to offer today."""
    ctx = _Context(abilities, weights, now, policy, tuple(recent_objectives))
    pool = list(candidates)
    if mode is Mode.objective:
        if objective is None:
            raise ValueError("objective mode needs an objective")
        pool = [c for c in pool if c.objective == objective]
    if not pool:
        return None
    fresh = [c for c in pool if c.last_answered is None or now - c.last_answered >= policy.recent]
    if not fresh:
        # Nothing but questions answered moments ago: in review mode the day is done; in
        # practice, serve the one answered longest ago rather than stop.
        if mode is Mode.review or mode is Mode.fsrs:
            return None
        oldest = min(pool, key=lambda c: (c.last_answered or now, c.item_id))
        return Pick(oldest.item_id, "repeat", _p(ctx, oldest))

    if mode is Mode.random:
        c = rng.choice(fresh)
        return Pick(c.item_id, "new" if c.attempts == 0 else "weak", _p(ctx, c))

    if mode is Mode.review and any(c.exam_gain is not None for c in fresh):
        return _exam_aware(ctx, fresh, rng, new_today)

    horizon = end_of_day or now
    due = [c for c in fresh if c.due is not None and c.due <= horizon]
    if due and mode in (Mode.review, Mode.fsrs):
        c = min(due, key=lambda c: (c.retrievability, c.due or now, c.item_id))
        return Pick(c.item_id, "due", _p(ctx, c))

    if mode is Mode.fsrs:
        if new_today >= policy.new_per_day:
            return None
        unseen = [c for c in fresh if c.attempts == 0]
        if not unseen:
            return None
        c = unseen[0]
        return Pick(c.item_id, "new", _p(ctx, c))

    if mode is Mode.review:
        # New questions up to the daily limit; weak ones (last answer wrong) are always open.
        allowed_new = new_today < policy.new_per_day
        open_ = [c for c in fresh if (c.attempts == 0 and allowed_new) or c.last_correct is False]
        if not open_:
            return None
        reason_pool = open_
    elif mode is Mode.weak:
        by_objective: dict[str, list[Candidate]] = {}
        for c in fresh:
            by_objective.setdefault(c.objective, []).append(c)
        ranked = sorted(
            by_objective,
            key=lambda o: (
                -(
                    weights.get(o, 1)
                    * (1 - sum(_p(ctx, c) for c in by_objective[o]) / len(by_objective[o]))
                ),
                o,
            ),
        )
        keep = set(ranked[: policy.weak_objectives])
        reason_pool = [c for c in fresh if c.objective in keep]
    else:
        reason_pool = fresh

    chosen_objective = _choose_objective(ctx, reason_pool, rng)
    within = [c for c in reason_pool if c.objective == chosen_objective]
    c, p = _best(ctx, within, rng)
    return Pick(c.item_id, "new" if c.attempts == 0 else "weak", p)
