"""Memory: when to see a question again, with FSRS-6 (the ``fsrs`` package).

The rating comes from the outcome, never from a self-assessment: wrong is ``Again``, right is
``Good``, right but marked unsure or very slow is ``Hard``; ``Easy`` is never given
automatically (FSRS treats ``Hard`` as a pass). Intervals are capped at the exam date when one
is set, so a well-known card is still seen before the exam. Fuzz is applied here rather than
inside ``fsrs`` (which draws from the global ``random`` module): the caller's ``random.Random``
decides, and one draw maps monotonically onto the fuzz range, so a better rating can never be
scheduled earlier than a worse one with the same draw.

All datetimes are aware and in ``timezone.utc``; "due today" uses the learner's local day
boundary (:func:`end_of_day`).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from fsrs import Card, Rating, Scheduler, State

__all__ = [
    "LEECH_LAPSES",
    "SLOW_SECONDS",
    "Card",
    "MemoryUpdate",
    "Rating",
    "State",
    "card_from_json",
    "card_to_json",
    "end_of_day",
    "exam_gain",
    "exam_outcomes",
    "is_leech",
    "new_card",
    "rating_for",
    "retrievability",
    "retrievability_from_json",
    "review",
]

LEECH_LAPSES = 8
"""Lapses after which a card is a leech (Anki's default threshold)."""
SLOW_SECONDS = 90.0
"""A right answer slower than this counts as ``Hard``."""
DESIRED_RETENTION = 0.9
MIN_RETENTION = 0.7
MAX_RETENTION = 0.97
"""The range a learner may choose: below 0.7 most reviews are failures, above 0.97 the
workload explodes (FSRS's own guidance)."""
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, math.inf, 0.05))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def rating_for(correct: bool, *, unsure: bool = False, seconds: float | None = None) -> Rating:
    """The FSRS rating of an outcome: Again, Hard (unsure or slow) or Good; never Easy."""
    if not correct:
        return Rating.Again
    if unsure or (seconds is not None and seconds > SLOW_SECONDS):
        return Rating.Hard
    return Rating.Good


def new_card(card_id: int, now: datetime) -> Card:
    """A card never reviewed, due now."""
    return Card(card_id=card_id, due=_utc(now))


def card_to_json(card: Card) -> str:
    """The stored form of a card."""
    return card.to_json()


def card_from_json(text: str) -> Card:
    """A card read back from storage (its datetimes in ``timezone.utc``)."""
    card = Card.from_json(text)
    card.due = _utc(card.due)
    if card.last_review is not None:
        card.last_review = _utc(card.last_review)
    return card


@dataclass(frozen=True, slots=True)
class MemoryUpdate:
    """The result of one review."""

    card: Card
    rating: Rating
    lapsed: bool
    """True when a card in long-term review was forgotten."""


def _fuzz_days(days: int, u: float, maximum: int) -> int:
    delta = 1.0
    for start, end, factor in _FUZZ_RANGES:
        delta += factor * max(min(float(days), end) - start, 0.0)
    low = max(2, round(days - delta))
    high = min(round(days + delta), maximum)
    low = min(low, high)
    return min(low + math.floor(u * (high - low + 1)), high, maximum)


def review(
    card: Card,
    rating: Rating,
    now: datetime,
    rng: random.Random,
    *,
    exam_day: datetime | None = None,
    duration_ms: int | None = None,
    desired_retention: float = DESIRED_RETENTION,
) -> MemoryUpdate:
    """Review ``card`` at ``now`` with ``rating``; the next due date never precedes ``now``.

    With ``exam_day`` in the future the interval is capped so the card comes back no later
    than that day. ``desired_retention`` is the recall probability the card is due at: higher
    means shorter intervals.
    """
    if not MIN_RETENTION <= desired_retention <= MAX_RETENTION:
        raise ValueError(
            f"desired retention {desired_retention} outside {MIN_RETENTION}-{MAX_RETENTION}"
        )
    now = _utc(now)
    maximum = 36500
    if exam_day is not None and _utc(exam_day) > now:
        maximum = max(1, (_utc(exam_day) - now).days)
    scheduler = Scheduler(
        desired_retention=desired_retention, maximum_interval=maximum, enable_fuzzing=False
    )
    u = rng.random()  # drawn on every review so the stream does not depend on the outcome
    lapsed = card.state == State.Review and rating == Rating.Again
    updated, _log = scheduler.review_card(card, rating, now, duration_ms)
    if updated.state == State.Review:
        days = (updated.due - now).days
        if days >= 3:
            updated.due = now + timedelta(days=_fuzz_days(days, u, maximum))
    if updated.due < now:  # defensive: FSRS never does this, the contract says never
        updated.due = now
    return MemoryUpdate(updated, rating, lapsed)


def retrievability(card: Card, now: datetime) -> float:
    """Probability of recall at ``now`` (1.0 within a day of the last review, 0 if never)."""
    if card.last_review is None:
        return 0.0
    return float(_READER.get_card_retrievability(card, _utc(now)))


_READER = Scheduler(enable_fuzzing=False)
"""Retrievability depends only on the card and the default parameters: one shared reader."""


def retrievability_from_json(text: str, now: datetime) -> float:
    """:func:`retrievability` of a stored card, read straight from its JSON.

    The same FSRS-6 forgetting curve (whole elapsed days, default decay) without building a
    ``Card``: selection reads it for every due card, so it is worth the shortcut; a test
    checks it against ``fsrs`` itself.
    """
    data = json.loads(text)
    stability, last = data.get("stability"), data.get("last_review")
    if stability is None or last is None:
        return 0.0
    elapsed = max(0, (_utc(now) - datetime.fromisoformat(last)).days)
    return float((1 + _READER._FACTOR * elapsed / stability) ** _READER._DECAY)


_NO_FUZZ = random.Random(0)


def exam_outcomes(
    card: Card | None, now: datetime, exam_day: datetime
) -> tuple[float, float, float]:
    """Recall at ``exam_day`` if the card is left alone, reviewed right now, or forgotten now.

    Returns ``(skipped, recalled, forgotten)``: the retrievability on exam day of the card as
    it is (0 for a card never studied), and of the card after a Good or an Again review at
    ``now``. Selection weighs them by the chance of each outcome to estimate what studying a
    question now adds to the exam score.
    """
    fresh = card if card is not None else new_card(0, now)
    skipped = retrievability(fresh, exam_day) if card is not None else 0.0
    recalled = retrievability(review(fresh, Rating.Good, now, _NO_FUZZ).card, exam_day)
    forgotten = retrievability(review(fresh, Rating.Again, now, _NO_FUZZ).card, exam_day)
    return skipped, recalled, forgotten


def exam_gain(outcomes: tuple[float, float, float], recall_now: float, prior: float) -> float:
    """Expected rise in P(knowing it on exam day) from studying now.

    ``recall_now`` is the chance the learner gets it right now (FSRS retrievability, or the
    ability model's prior for a question never studied); ``prior`` is what they would know on
    exam day without any memory of it (the ability model), a floor under both sides.
    """
    skipped, recalled, forgotten = outcomes
    after = recall_now * recalled + (1.0 - recall_now) * forgotten
    return max(0.0, max(prior, after) - max(prior, skipped))


def is_leech(lapses: int, threshold: int = LEECH_LAPSES) -> bool:
    """True when a card has been forgotten often enough to need rewriting or study."""
    return lapses >= threshold


def end_of_day(now: datetime, tz: tzinfo, rollover_hour: int = 4) -> datetime:
    """The UTC instant the learner's current study day ends (the next ``rollover_hour``).

    Like Anki, the day rolls over at 04:00 local time, so a late-night session still counts
    towards the evening's day.
    """
    local = _utc(now).astimezone(tz)
    day: date = local.date()
    if local.hour >= rollover_hour:
        day = day + timedelta(days=1)
    boundary = datetime.combine(day, time(rollover_hour), tzinfo=tz)
    return boundary.astimezone(UTC)
