"""The Elo ability model and adaptive selection: properties and behaviour."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quizzer.learning import ability as elo
from quizzer.learning.items import Item, prior_difficulty
from quizzer.learning.selection import Candidate, Mode, Policy, pick_next

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
WEIGHTS = {"352.1": 7, "352.2": 6, "352.3": 9, "352.4": 3}


def test_prediction_respects_the_guessing_floor() -> None:
    item = Item("q", "352.1", "ns", 3, guess=0.25)
    low = elo.Abilities({elo.GLOBAL: elo.Skill(-20.0, 5)})
    high = elo.Abilities({elo.GLOBAL: elo.Skill(20.0, 5)})
    assert elo.predict(low, item, 0.0) == pytest.approx(0.25, abs=1e-6)
    assert elo.predict(high, item, 0.0) == pytest.approx(1.0, abs=1e-6)


@given(st.floats(-3, 3), st.floats(-2, 2), st.sampled_from([0.0, 0.2, 0.25, 0.1]))
def test_right_answers_raise_ability_and_lower_difficulty(theta, b, guess) -> None:
    item = Item("q", "352.2", "lxc-config", 3, guess)
    start = elo.Abilities({elo.GLOBAL: elo.Skill(theta, 3)})
    right = elo.update(start, item, b, 1.0)
    wrong = elo.update(start, item, b, 0.0)
    assert (
        right.abilities.theta_item(item) > start.theta_item(item) > wrong.abilities.theta_item(item)
    )
    assert right.difficulty < b < wrong.difficulty
    for scope in (elo.GLOBAL, elo.objective_scope("352.2"), elo.area_scope("352.2", "lxc-config")):
        assert right.abilities.skill(scope).n == start.skill(scope).n + 1


def test_steps_shrink_as_evidence_accumulates() -> None:
    assert elo.uncertainty(0) > elo.uncertainty(10) > elo.uncertainty(100) > 0


def test_standard_error_falls_with_answered_items() -> None:
    few = elo.standard_error(0.0, [(0.0, 0.25)] * 5)
    many = elo.standard_error(0.0, [(0.0, 0.25)] * 100)
    assert many < few < 1.0


def test_partial_credit_is_bounded() -> None:
    with pytest.raises(ValueError, match="score"):
        elo.update(elo.Abilities(), Item("q", "352.1", "a", 3), 0.0, 1.5)


# ------------------------------------------------------------------------------ selection
def _candidate(i: int, objective: str, **kw) -> Candidate:
    return Candidate(
        item_id=f"{objective}-q{i}",
        objective=objective,
        knowledge_area="ka",
        difficulty=kw.pop("difficulty", prior_difficulty(1 + i % 5)),
        guess=0.25,
        **kw,
    )


candidate_lists = st.lists(
    st.builds(
        lambda i, o, due_min, ans_min, attempts, last_ok: _candidate(
            i,
            o,
            due=None if due_min is None else NOW + timedelta(minutes=due_min),
            last_answered=None if ans_min is None else NOW - timedelta(seconds=ans_min),
            attempts=0 if ans_min is None else attempts,
            last_correct=None if ans_min is None else last_ok,
        ),
        st.integers(0, 10_000),
        st.sampled_from(list(WEIGHTS)),
        st.none() | st.integers(-5000, 5000),
        st.none() | st.integers(0, 100_000),
        st.integers(1, 9),
        st.booleans(),
    ),
    max_size=40,
    unique_by=lambda c: c.item_id,
)


@settings(max_examples=200, deadline=None)
@given(
    candidate_lists,
    st.sampled_from([Mode.review, Mode.weak, Mode.random, Mode.fsrs]),
    st.integers(0, 2**32),
    st.integers(0, 30),
)
def test_selection_returns_a_candidate_and_avoids_recent_answers(
    pool, mode, seed, new_today
) -> None:
    policy = Policy()
    pick = pick_next(
        pool,
        elo.Abilities(),
        WEIGHTS,
        NOW,
        random.Random(seed),
        mode=mode,
        end_of_day=NOW + timedelta(hours=8),
        new_today=new_today,
        policy=policy,
    )
    if pick is None:
        return
    ids = {c.item_id: c for c in pool}
    assert pick.item_id in ids
    chosen = ids[pick.item_id]
    others_fresh = [
        c for c in pool if c.last_answered is None or NOW - c.last_answered >= policy.recent
    ]
    if others_fresh:
        assert chosen.last_answered is None or NOW - chosen.last_answered >= policy.recent
    else:
        assert pick.reason == "repeat"


@settings(max_examples=100, deadline=None)
@given(candidate_lists, st.integers(0, 2**32))
def test_due_cards_come_first_in_review(pool, seed) -> None:
    end = NOW + timedelta(hours=8)
    recent = Policy().recent
    due = [
        c
        for c in pool
        if c.due is not None
        and c.due <= end
        and (c.last_answered is None or NOW - c.last_answered >= recent)
    ]
    assume(due)
    pick = pick_next(pool, elo.Abilities(), WEIGHTS, NOW, random.Random(seed), end_of_day=end)
    assert pick is not None
    assert pick.reason == "due"
    assert pick.item_id in {c.item_id for c in due}


def test_daily_new_limit_stops_new_questions_in_review_only() -> None:
    pool = [_candidate(i, "352.1") for i in range(10)]
    policy = Policy(new_per_day=5)
    rng = random.Random(0)
    assert pick_next(pool, elo.Abilities(), WEIGHTS, NOW, rng, new_today=5, policy=policy) is None
    assert (
        pick_next(pool, elo.Abilities(), WEIGHTS, NOW, rng, new_today=4, policy=policy) is not None
    )
    practice = pick_next(
        pool, elo.Abilities(), WEIGHTS, NOW, rng, mode=Mode.weak, new_today=99, policy=policy
    )
    assert practice is not None


def test_objective_mode_stays_in_the_objective() -> None:
    pool = [_candidate(i, o) for i in range(5) for o in WEIGHTS]
    rng = random.Random(3)
    for _ in range(30):
        pick = pick_next(
            pool, elo.Abilities(), WEIGHTS, NOW, rng, mode=Mode.objective, objective="352.4"
        )
        assert pick is not None
        assert pick.item_id.startswith("352.4")


def test_selection_targets_predicted_success_near_the_target() -> None:
    # Items from very easy to very hard in one objective; a learner of ability 0.
    pool = [_candidate(i, "352.3", difficulty=d) for i, d in enumerate([-4, -2, -1, 0, 1, 2, 4, 6])]
    rng = random.Random(11)
    picks = [pick_next(pool, elo.Abilities(), {"352.3": 9}, NOW, rng) for _ in range(200)]
    predicted = [p.predicted for p in picks if p is not None]
    mean = sum(predicted) / len(predicted)
    assert 0.6 < mean < 0.9  # neither the trivial nor the impossible items dominate
    assert min(predicted) > 0.4


def test_weak_mode_prefers_the_weakest_heavy_objective() -> None:
    pool = [_candidate(i, o, difficulty=0.0) for i in range(6) for o in WEIGHTS]
    abilities = elo.Abilities(
        {
            elo.objective_scope("352.1"): elo.Skill(2.0, 20),
            elo.objective_scope("352.2"): elo.Skill(2.0, 20),
            elo.objective_scope("352.3"): elo.Skill(-1.5, 20),
            elo.objective_scope("352.4"): elo.Skill(2.0, 20),
        }
    )
    rng = random.Random(5)
    objectives = [
        pick_next(pool, abilities, WEIGHTS, NOW, rng, mode=Mode.weak).item_id[:5] for _ in range(50)
    ]
    assert objectives.count("352.3") > 25


def test_no_more_than_two_in_a_row_from_one_objective() -> None:
    pool = [_candidate(i, o) for i in range(6) for o in ("352.1", "352.3")]
    rng = random.Random(9)
    for _ in range(20):
        pick = pick_next(
            pool, elo.Abilities(), WEIGHTS, NOW, rng, recent_objectives=["352.3", "352.3"]
        )
        assert pick is not None
        assert pick.item_id.startswith("352.1")


# ------------------------------------------------------------------------------ exam-aware review
def test_exam_gain_is_largest_for_what_would_be_forgotten_by_exam_day() -> None:
    from quizzer.learning import memory

    exam = NOW + timedelta(days=30)
    new = memory.exam_outcomes(None, NOW, exam)
    assert new[0] == 0.0
    assert new[1] > new[2] > 0
    # A card learned well yesterday needs little; one never studied gains most.
    rng = random.Random(0)
    card = memory.new_card(1, NOW - timedelta(days=40))
    for days in (40, 38, 30):
        card = memory.review(card, memory.Rating.Good, NOW - timedelta(days=days), rng).card
    card = memory.review(card, memory.Rating.Good, NOW - timedelta(days=1), rng).card
    known = memory.exam_outcomes(card, NOW, exam)
    gain_known = memory.exam_gain(known, memory.retrievability(card, NOW), 0.2)
    gain_new = memory.exam_gain(new, 0.2, 0.2)
    assert 0 <= gain_known < gain_new
    # Knowing it from ability alone leaves nothing to gain.
    assert memory.exam_gain(new, 0.99, 0.99) == 0.0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=30),
    st.integers(0, 2**32),
)
def test_exam_aware_review_picks_among_the_most_valuable(values, seed) -> None:
    pool = [
        _candidate(
            i,
            "352.1" if i % 2 else "352.3",
            exam_gain=v,
            attempts=0 if new else 2,
            last_answered=None if new else NOW - timedelta(days=3),
        )
        for i, (v, new) in enumerate(values)
    ]
    pick = pick_next(pool, elo.Abilities(), WEIGHTS, NOW, random.Random(seed))
    assert pick is not None
    sizes = {o: sum(1 for c in pool if c.objective == o) for o in ("352.1", "352.3")}
    value = {c.item_id: WEIGHTS[c.objective] / sizes[c.objective] * c.exam_gain for c in pool}
    ranked = sorted(value.values(), reverse=True)
    assert value[pick.item_id] >= ranked[min(2, len(ranked) - 1)]
