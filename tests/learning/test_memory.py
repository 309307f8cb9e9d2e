# ruff: noqa: DTZ001  (naive local times are built on purpose, then given a zone)
"""FSRS scheduling through quizzer.learning.memory: properties and exact cases."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.learning import memory
from quizzer.learning.memory import Rating, State

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

ratings = st.sampled_from([Rating.Again, Rating.Hard, Rating.Good])
gaps = st.integers(min_value=0, max_value=60 * 24 * 90)  # minutes between reviews


def _history(steps: list[tuple[Rating, int]], seed: int) -> tuple[memory.Card, datetime]:
    rng = random.Random(seed)
    card = memory.new_card(1, T0)
    now = T0
    for rating, minutes in steps:
        now = now + timedelta(minutes=minutes)
        card = memory.review(card, rating, now, rng).card
    return card, now


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(ratings, gaps), max_size=12), st.integers(0, 2**32), ratings, gaps)
def test_due_date_never_precedes_the_review(steps, seed, rating, gap) -> None:
    card, now = _history(steps, seed)
    review_at = now + timedelta(minutes=gap)
    after = memory.review(card, rating, review_at, random.Random(seed)).card
    assert after.due >= review_at
    assert after.last_review == review_at
    assert after.due.tzinfo == UTC


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(ratings, gaps), max_size=12), st.integers(0, 2**32), gaps)
def test_a_better_rating_never_schedules_earlier(steps, seed, gap) -> None:
    card, now = _history(steps, seed)
    review_at = now + timedelta(minutes=gap)
    dues = [
        memory.review(card, r, review_at, random.Random(seed)).card.due
        for r in (Rating.Again, Rating.Hard, Rating.Good)
    ]
    assert dues == sorted(dues)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(ratings, gaps), max_size=12), st.integers(0, 2**32), st.integers(1, 60))
def test_intervals_are_capped_at_the_exam_day(steps, seed, days_left) -> None:
    card, now = _history(steps, seed)
    exam_day = now + timedelta(days=days_left)
    after = memory.review(card, Rating.Good, now, random.Random(seed), exam_day=exam_day).card
    assert after.due <= exam_day


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(ratings, gaps), max_size=12),
    st.integers(0, 2**32),
    ratings,
    st.floats(memory.MIN_RETENTION, memory.MAX_RETENTION),
    st.floats(memory.MIN_RETENTION, memory.MAX_RETENTION),
)
def test_a_higher_desired_retention_never_schedules_later(steps, seed, rating, r1, r2) -> None:
    card, now = _history(steps, seed)
    low, high = sorted((r1, r2))
    due_low = memory.review(card, rating, now, random.Random(seed), desired_retention=low)
    due_high = memory.review(card, rating, now, random.Random(seed), desired_retention=high)
    assert due_high.card.due <= due_low.card.due


def test_desired_retention_outside_the_safe_range_is_refused() -> None:
    card = memory.new_card(1, T0)
    for bad in (0.5, 0.99):
        with pytest.raises(ValueError, match="desired retention"):
            memory.review(card, Rating.Good, T0, random.Random(1), desired_retention=bad)


def test_always_good_ladder_grows_and_the_input_card_is_untouched() -> None:
    rng = random.Random(7)
    card = memory.new_card(5, T0)
    before = card.to_json()
    now = T0
    intervals = []
    for _ in range(6):
        card = memory.review(card, Rating.Good, now, rng).card
        intervals.append(card.due - now)
        now = card.due
    assert memory.new_card(5, T0).to_json() == before
    assert intervals[0] == timedelta(minutes=10)  # second learning step
    assert card.state == State.Review
    days = [i.days for i in intervals[1:]]
    assert days == sorted(days)
    assert days[-1] > 60


def test_rating_comes_from_the_outcome_never_easy() -> None:
    assert memory.rating_for(False) == Rating.Again
    assert memory.rating_for(False, unsure=True) == Rating.Again
    assert memory.rating_for(True) == Rating.Good
    assert memory.rating_for(True, unsure=True) == Rating.Hard
    assert memory.rating_for(True, seconds=memory.SLOW_SECONDS + 1) == Rating.Hard
    assert memory.rating_for(True, seconds=5) == Rating.Good


def test_lapse_only_when_a_review_card_is_forgotten() -> None:
    rng = random.Random(1)
    card = memory.new_card(1, T0)
    first = memory.review(card, Rating.Again, T0, rng)
    assert not first.lapsed  # a new card cannot lapse
    card = memory.review(first.card, Rating.Good, T0 + timedelta(minutes=1), rng).card
    card = memory.review(card, Rating.Good, T0 + timedelta(minutes=20), rng).card
    assert card.state == State.Review
    forgot = memory.review(card, Rating.Again, card.due + timedelta(days=1), rng)
    assert forgot.lapsed
    assert forgot.card.state == State.Relearning
    assert memory.is_leech(8)
    assert not memory.is_leech(7)


def test_card_json_round_trip_keeps_utc() -> None:
    card = memory.review(memory.new_card(3, T0), Rating.Good, T0, random.Random(0)).card
    back = memory.card_from_json(memory.card_to_json(card))
    assert back == card
    assert back.due.tzinfo == UTC


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        memory.new_card(1, datetime(2026, 1, 1))


def test_retrievability_falls_with_time() -> None:
    card = memory.new_card(1, T0)
    assert memory.retrievability(card, T0) == 0.0
    rng = random.Random(0)
    for minutes in (0, 1, 20):
        card = memory.review(card, Rating.Good, T0 + timedelta(minutes=minutes), rng).card
    r = [memory.retrievability(card, T0 + timedelta(days=d)) for d in (1, 5, 30, 300)]
    assert r == sorted(r, reverse=True)
    assert 0 < r[-1] < r[0] <= 1


@pytest.mark.parametrize(
    ("local_now", "expected_local_end"),
    [
        (datetime(2026, 6, 1, 10, 0), datetime(2026, 6, 2, 4, 0)),
        (datetime(2026, 6, 1, 23, 59), datetime(2026, 6, 2, 4, 0)),
        (
            datetime(2026, 6, 2, 2, 30),
            datetime(2026, 6, 2, 4, 0),
        ),  # a late night counts as the evening
        (datetime(2026, 6, 2, 4, 0), datetime(2026, 6, 3, 4, 0)),
    ],
)
def test_end_of_day_uses_the_local_rollover(local_now, expected_local_end) -> None:
    tz = ZoneInfo("Europe/Berlin")
    now = local_now.replace(tzinfo=tz).astimezone(UTC)
    end = memory.end_of_day(now, tz)
    assert end.tzinfo == UTC
    assert end == expected_local_end.replace(tzinfo=tz).astimezone(UTC)


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]),
)
def test_end_of_day_is_within_the_next_day(naive, zone) -> None:
    now = naive.replace(tzinfo=UTC)
    end = memory.end_of_day(now, ZoneInfo(zone))
    assert now < end <= now + timedelta(hours=25)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(ratings, gaps), min_size=0, max_size=10),
    st.integers(0, 2**32),
    st.integers(0, 400 * 24 * 60),
)
def test_retrievability_from_json_equals_fsrs(steps, seed, minutes_later) -> None:
    card, now = _history(steps, seed)
    later = now + timedelta(minutes=minutes_later)
    assert memory.retrievability_from_json(memory.card_to_json(card), later) == pytest.approx(
        memory.retrievability(card, later), abs=1e-12
    )
