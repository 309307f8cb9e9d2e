"""Daily review and practice through the service layer, on real banks and SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from answers import right, wrong

from quizzer.bank import load_bank
from quizzer.services import Mode, StorageError


def test_an_answer_is_graded_stored_and_scheduled(
    mini_bank: Path, make_services, clock, tmp_path
) -> None:
    svc = make_services(mini_bank)
    p = svc.next_question()
    assert p is not None
    assert p.reason == "new"
    assert p.question.type != "handson"
    clock.advance(seconds=12)
    fb = svc.answer(p, right(p))
    assert fb.correct
    assert fb.rating == "Good"
    assert fb.first_attempt
    assert fb.next_due > clock.now
    con = sqlite3.connect(tmp_path / "learner.sqlite")
    rows = con.execute(
        "SELECT question_id, correct, response_ms, mode, content_hash FROM review_log"
    ).fetchall()
    con.close()
    assert rows == [(p.question.id, 1, 12000, "review", rows[0][4])]
    assert len(rows[0][4]) == 16


def test_display_order_is_mapped_back_before_grading(mini_bank: Path, make_services) -> None:
    svc = make_services(mini_bank, seed=4)
    for _ in range(20):
        p = svc.present("352.1-good-single")
        right_pos = p.order.index(0)  # choice 0 is the right one in the bank
        assert p.choices[right_pos] == "--uts"
        assert svc.answer(p, right_pos).correct
        wrong_pos = (right_pos + 1) % 3
        assert not svc.answer(p, wrong_pos).correct


def test_unsure_right_answers_are_hard_and_wrong_ones_again(mini_bank: Path, make_services) -> None:
    svc = make_services(mini_bank)
    p = svc.present("352.1-good-fill")
    assert svc.answer(p, "/usr/bin/unshare", unsure=True).rating == "Hard"  # strip_path accepts it
    assert svc.answer(svc.present("352.2-good-fill"), "nope").rating == "Again"


def test_review_serves_due_cards_first_then_stops_for_the_day(
    mini_bank: Path, make_services, clock
) -> None:
    svc = make_services(mini_bank)
    svc.update_settings(new_per_day=2)
    seen = []
    for _ in range(2):
        p = svc.next_question()
        assert p is not None
        assert p.reason == "new"
        svc.answer(p, wrong(p))
        seen.append(p.question.id)
        clock.advance(seconds=30)
    # The new limit is reached and the two wrong answers were just given: nothing now.
    assert svc.next_question() is None
    clock.advance(minutes=11)
    p = svc.next_question()
    assert p is not None
    assert p.reason == "due"
    assert p.question.id in seen
    status = svc.study_status()
    assert status.new_today == 2
    assert status.answered_today == 2
    assert status.unseen == 2


def test_a_question_answered_moments_ago_is_not_served_again(
    mini_bank: Path, make_services, clock
) -> None:
    svc = make_services(mini_bank)
    last = None
    for _ in range(12):
        p = svc.next_question(Mode.weak)
        assert p is not None
        if p.reason != "repeat":
            assert p.question.id != last
        svc.answer(p, wrong(p))
        last = p.question.id
        clock.advance(seconds=5)


def test_objective_practice_stays_in_the_objective(
    bundled_bank: Path, make_services, clock
) -> None:
    svc = make_services(bundled_bank)
    for _ in range(15):
        p = svc.next_question(Mode.objective, "352.4")
        assert p is not None
        assert p.question.objective == "352.4"
        svc.answer(p, right(p))
        clock.advance(seconds=20)


def test_first_attempts_move_ability_repeats_do_not(mini_bank: Path, make_services, clock) -> None:
    svc = make_services(mini_bank)
    before = {r.objective: r.theta for r in svc.abilities() if r.area is None}
    p = svc.present("352.1-good-multiple")
    svc.answer(p, right(p))
    after_first = {r.objective: r.theta for r in svc.abilities() if r.area is None}
    assert after_first["352.1"] > before["352.1"]
    clock.advance(days=2)
    p = svc.present("352.1-good-multiple")
    fb = svc.answer(p, wrong(p))
    assert not fb.first_attempt
    assert {r.objective: r.theta for r in svc.abilities() if r.area is None} == after_first


def test_exam_date_caps_intervals(mini_bank: Path, make_services, clock) -> None:
    svc = make_services(mini_bank)
    exam_day = (clock.now + timedelta(days=3)).date()
    svc.update_settings(exam_date=exam_day)
    reviews = 0
    while clock.now.date() < exam_day:
        fb = svc.answer(svc.present("352.2-good-fill"), "lxc.uts.name")
        assert fb.next_due.date() <= exam_day  # a well-known card still comes back in time
        clock.now = fb.next_due
        reviews += 1
    assert reviews >= 3
    # After the exam the cap no longer applies: intervals grow again.
    fb = svc.answer(svc.present("352.2-good-fill"), "lxc.uts.name")
    assert fb.next_due.date() > exam_day + timedelta(days=3)


def test_leeches_are_flagged_after_eight_lapses(mini_bank: Path, make_services, clock) -> None:
    svc = make_services(mini_bank)
    qid = "352.2-good-fill"
    accepted = load_bank(mini_bank).question(qid).accept[0]  # type: ignore[union-attr]
    lapses = 0
    fb = None
    while lapses < 8:
        # learn it to long-term review, then forget it
        for _ in range(3):
            fb = svc.answer(svc.present(qid), accepted)
            clock.now = fb.next_due
        fb = svc.answer(svc.present(qid), "wrong")
        lapses += 1
        assert fb.leech == (lapses >= 8)
        clock.now = fb.next_due


def test_settings_are_validated_and_stored(mini_bank: Path, make_services) -> None:
    svc = make_services(mini_bank)
    assert svc.update_settings(new_per_day=5, cut_fraction=0.7)["new_per_day"] == 5
    with pytest.raises(ValueError, match="new_per_day"):
        svc.update_settings(new_per_day=-1)
    with pytest.raises(ValueError, match="month"):
        svc.update_settings(exam_date="2026-13-40")
    assert svc.settings()["cut_fraction"] == 0.7
    with pytest.raises(ValueError, match="desired_retention"):
        svc.update_settings(desired_retention=0.99)
    assert svc.update_settings(desired_retention=0.95, theme="nord")["theme"] == "nord"
    assert svc.settings()["desired_retention"] == 0.95


def test_desired_retention_sets_how_soon_a_question_returns(
    mini_bank: Path, make_services, tmp_path: Path
) -> None:
    """Two learners answer the same question right; the one aiming higher sees it sooner."""
    due = {}
    for retention in (0.75, 0.95):
        svc = make_services(mini_bank, db=f"sqlite:///{tmp_path / f'r{retention}.sqlite'}")
        svc.update_settings(desired_retention=retention)
        p = svc.next_question()
        assert p is not None
        feedback = svc.answer(p, right(p))
        # twice more, each when due, so the card is in the Review state with days-long gaps
        for _ in range(2):
            svc.clock.advance(seconds=(feedback.next_due - svc.clock()).total_seconds() + 60)
            again = svc.next_question()
            assert again is not None
            assert again.question.id == p.question.id
            feedback = svc.answer(again, right(again))
        due[retention] = feedback.next_due - svc.clock()
    assert due[0.95] < due[0.75]


def test_a_corrupt_database_is_reported_not_crashed(
    mini_bank: Path, make_services, tmp_path
) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    svc = make_services(mini_bank, db=f"sqlite:///{bad}")
    with pytest.raises(StorageError, match="not a readable quizzer database"):
        svc.next_question()


def test_readiness_rises_as_the_learner_answers_well(
    bundled_bank: Path, make_services, clock
) -> None:
    svc = make_services(bundled_bank)
    start = svc.readiness().readiness
    for _ in range(40):
        p = svc.next_question(Mode.weak)
        assert p is not None
        svc.answer(p, right(p))
        clock.advance(seconds=15)
    after = svc.readiness().readiness
    assert after.p_pass > start.p_pass
    assert after.expected_scaled > start.expected_scaled
    assert after.questions == 25


def test_review_and_exam_work_on_postgresql(
    bundled_bank: Path, make_services, clock, postgresql_url: str
) -> None:
    svc = make_services(bundled_bank, db=postgresql_url)
    for _ in range(5):
        p = svc.next_question()
        assert p is not None
        svc.answer(p, right(p))
        clock.advance(seconds=20)
    exam = svc.start_exam(["352.4"])
    first = exam.items[0].question
    svc.exam_answer(
        exam.id, 0, {"fill": "x", "single": 0, "multiple": frozenset({0, 1})}[first.type]
    )
    with pytest.raises(ValueError, match="answer must be"):
        svc.exam_answer(exam.id, 0, True)  # type: ignore[arg-type]
    svc.exam_flag(exam.id, 1, True)
    result = svc.submit_exam(exam.id).result
    assert result is not None
    assert result.score.total == 3
    assert svc.study_status().answered_today == 5 + 3


def _three_days(svc, clock) -> tuple[set[str], list[str]]:
    seen: set[str] = set()
    reasons: list[str] = []
    start = clock.now
    for _day in range(3):
        for _ in range(12):
            p = svc.next_question()
            if p is None:
                break
            reasons.append(p.reason)
            seen.add(p.question.id)
            svc.answer(p, wrong(p) if len(seen) % 3 == 0 else right(p))
            clock.advance(minutes=1)
        clock.advance(days=1)
    clock.now = start
    return seen, reasons


def test_with_an_exam_date_review_keeps_covering_the_bank(
    bundled_bank: Path, make_services, clock, tmp_path: Path
) -> None:
    """Due cards no longer crowd out new questions: each is weighed by its exam-day value."""
    plain = make_services(bundled_bank, db=f"sqlite:///{tmp_path / 'plain.sqlite'}")
    plain.update_settings(new_per_day=30)
    seen_plain, reasons_plain = _three_days(plain, clock)
    aware = make_services(bundled_bank, db=f"sqlite:///{tmp_path / 'aware.sqlite'}")
    aware.update_settings(exam_date=(clock.now + timedelta(days=20)).date(), new_per_day=30)
    seen_aware, reasons_aware = _three_days(aware, clock)
    assert "due" in reasons_plain  # plain FSRS order: learning steps come back first
    assert len(seen_aware) > len(seen_plain)
    assert reasons_aware.count("new") > reasons_plain.count("new")


def test_streak_counts_consecutive_study_days(mini_bank: Path, make_services, clock) -> None:
    svc = make_services(mini_bank)
    assert svc.study_status().streak == 0
    for _day in range(3):
        svc.answer(svc.present("352.2-good-fill"), "lxc.uts.name")
        clock.advance(days=1)
    # Answered on the three previous days, not yet today: the streak still stands.
    assert svc.study_status().streak == 3
    clock.advance(days=1)  # a day without study breaks it
    assert svc.study_status().streak == 0
    svc.update_settings(exam_date=(clock.now + timedelta(days=10)).date())
    assert svc.study_status().days_to_exam == 10
