"""Mock-exam assembly, clock and scoring; readiness from the ability model."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.learning.exam import (
    ExamCandidate,
    ExamClock,
    allocate,
    assemble_form,
    duration_for,
    scaled_score,
    score_exam,
)
from quizzer.learning.readiness import ObjectiveEstimate, estimate_readiness, lord_wingersky

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
TOPIC_352 = {"352.1": 7, "352.2": 6, "352.3": 9, "352.4": 3}

weights_st = st.dictionaries(
    st.sampled_from([f"35{t}.{o}" for t in (1, 2, 3) for o in range(1, 6)]),
    st.integers(1, 12),
    min_size=1,
    max_size=8,
)


def test_topic_352_form_is_25_questions_in_37_and_a_half_minutes() -> None:
    assert allocate(TOPIC_352, 25) == TOPIC_352
    assert duration_for(25, 60, 90) == timedelta(minutes=37, seconds=30)
    assert duration_for(60, 60, 90) == timedelta(minutes=90)


@given(weights_st, st.integers(0, 120))
def test_allocation_sums_to_n_and_follows_the_weights(weights, n) -> None:
    counts = allocate(weights, n)
    assert sum(counts.values()) == n
    total = sum(weights.values())
    for o, w in weights.items():
        assert abs(counts[o] - n * w / total) < 1.0


@settings(max_examples=150, deadline=None)
@given(weights_st, st.integers(1, 80), st.integers(0, 2**32), st.integers(0, 30))
def test_forms_match_the_weights_when_the_pool_is_large_enough(
    weights, n, seed, per_objective
) -> None:
    rng = random.Random(seed)
    pool = [
        ExamCandidate(f"{o}-q{i}", o, None if i % 3 else NOW - timedelta(days=i % 10))
        for o in weights
        for i in range(per_objective)
    ]
    form = assemble_form(pool, weights, n, NOW, rng)
    assert len(form) == len(set(form))  # never the same question twice
    assert set(form) <= {c.id for c in pool}
    assert len(form) == min(n, len(pool))
    expected = allocate(weights, n)
    if all(per_objective >= k for k in expected.values()):
        got = {o: sum(1 for q in form if q.startswith(o + "-")) for o in weights}
        assert got == expected


def test_fresh_questions_are_preferred() -> None:
    pool = [
        ExamCandidate(f"352.1-q{i}", "352.1", NOW - timedelta(hours=1) if i < 10 else None)
        for i in range(20)
    ]
    form = assemble_form(pool, {"352.1": 7}, 7, NOW, random.Random(1))
    assert all(int(q.split("q")[1]) >= 10 for q in form)


def test_a_short_objective_gives_its_share_to_the_others() -> None:
    pool = [ExamCandidate(f"352.4-q{i}", "352.4") for i in range(1)]
    pool += [ExamCandidate(f"352.3-q{i}", "352.3") for i in range(40)]
    form = assemble_form(pool, {"352.3": 9, "352.4": 3}, 12, NOW, random.Random(2))
    assert len(form) == 12
    assert sum(q.startswith("352.4") for q in form) == 1


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(1, 6000))
def test_the_exam_clock_never_runs_backwards(a, b, seconds) -> None:
    clock = ExamClock(NOW, NOW + timedelta(seconds=seconds))
    t1, t2 = sorted((NOW + timedelta(seconds=a - 100), NOW + timedelta(seconds=b - 100)))
    assert clock.remaining(t1) >= clock.remaining(t2) >= timedelta(0)
    assert clock.remaining(t1) <= timedelta(seconds=seconds)
    assert clock.expired(t2) == (t2 >= clock.deadline)


@given(st.integers(1, 120), st.data(), st.floats(0.3, 0.95))
def test_scaled_scores_stay_in_range_and_pass_at_the_cut(n, data, cut) -> None:
    raw = data.draw(st.integers(0, n))
    s = scaled_score(raw, n, cut)
    assert 200 <= s <= 800
    assert (s >= 500) == (raw >= cut * n)
    if raw < n:
        assert scaled_score(raw + 1, n, cut) >= s
    assert scaled_score(0, n, cut) == 200
    assert scaled_score(n, n, cut) == 800


def test_score_by_objective() -> None:
    results = [("352.1", True)] * 5 + [("352.1", False)] * 2 + [("352.3", True)] * 9
    s = score_exam(results)
    assert (s.raw, s.total, s.passed) == (14, 16, True)
    parts = {p.objective: (p.correct, p.total) for p in s.by_objective}
    assert parts == {"352.1": (5, 7), "352.3": (9, 9)}
    assert score_exam([("352.1", False)] * 3).scaled == 200


@given(st.lists(st.floats(0, 1), max_size=40))
def test_lord_wingersky_is_a_distribution(ps) -> None:
    dist = lord_wingersky(ps)
    assert len(dist) == len(ps) + 1
    assert math.isclose(sum(dist), 1.0, abs_tol=1e-9)
    assert math.isclose(sum(r * m for r, m in enumerate(dist)), sum(ps), abs_tol=1e-7)


def test_lord_wingersky_equals_the_binomial_for_equal_items() -> None:
    dist = lord_wingersky([0.7] * 60)
    p_pass = sum(dist[39:])
    exact = sum(math.comb(60, r) * 0.7**r * 0.3 ** (60 - r) for r in range(39, 61))
    assert p_pass == pytest.approx(exact, rel=1e-9)
    assert p_pass == pytest.approx(0.838, abs=0.001)  # the learning-science note's table


def _estimates(theta: float, se: float) -> list[ObjectiveEstimate]:
    items = tuple((b, 0.25, 0.0) for b in (-1.0, -0.5, 0.0, 0.5, 1.0))
    return [ObjectiveEstimate(o, w, theta, se, items) for o, w in TOPIC_352.items()]


def test_readiness_rises_with_ability_and_stays_a_probability() -> None:
    values = [
        estimate_readiness(_estimates(t, 0.3), 25, random.Random(1)).p_pass
        for t in (-2, -0.5, 0.5, 1.5, 3)
    ]
    assert values == sorted(values)
    assert 0 <= values[0] < 0.1
    assert values[-1] > 0.95


def test_readiness_interval_brackets_the_expectation() -> None:
    r = estimate_readiness(_estimates(0.8, 0.5), 25, random.Random(4))
    assert r.questions == 25
    assert 200 <= r.scaled_low <= r.expected_scaled <= r.scaled_high <= 800


def test_uncertainty_pulls_a_confident_prediction_towards_the_middle() -> None:
    sure = estimate_readiness(_estimates(1.2, 0.05), 25, random.Random(2), draws=400).p_pass
    unsure = estimate_readiness(_estimates(1.2, 1.5), 25, random.Random(2), draws=400).p_pass
    assert sure > unsure


def test_remembered_items_raise_readiness_beyond_ability() -> None:
    weak = _estimates(-1.5, 0.3)
    remembered = [
        ObjectiveEstimate(
            e.objective, e.weight, e.theta, e.se, tuple((b, g, 0.95) for b, g, _ in e.items)
        )
        for e in weak
    ]
    low = estimate_readiness(weak, 25, random.Random(3)).p_pass
    high = estimate_readiness(remembered, 25, random.Random(3)).p_pass
    assert low < 0.05 < 0.9 < high
