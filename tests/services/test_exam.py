"""Mock exams through the service layer: form, answers, flags, deadline, resume, scoring."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from answers import right

from quizzer.services import ExamClosedError, Services


def test_topic_352_exam_has_25_questions_by_weight_and_37_5_minutes(
    bundled_bank: Path, make_services
) -> None:
    svc = make_services(bundled_bank)
    exam = svc.start_exam()
    assert len(exam.items) == 25
    assert exam.clock.deadline - exam.clock.started_at == timedelta(minutes=37, seconds=30)
    per_objective = {
        o: sum(1 for i in exam.items if i.question.objective == o) for o in exam.objectives
    }
    assert per_objective == {"352.1": 7, "352.2": 6, "352.3": 9, "352.4": 3}
    assert all(i.question.type in ("single", "multiple", "fill") for i in exam.items)
    assert len({i.question.id for i in exam.items}) == 25


def test_a_subset_of_objectives_scales_the_same_way(bundled_bank: Path, make_services) -> None:
    svc = make_services(bundled_bank)
    exam = svc.start_exam(["352.1", "352.4"])
    assert len(exam.items) == 10
    assert exam.clock.deadline - exam.clock.started_at == timedelta(minutes=15)
    with pytest.raises(ValueError, match=r"351\.1"):
        svc.start_exam(["351.1"])


def test_answer_change_flag_review_and_submit(bundled_bank: Path, make_services, clock) -> None:
    svc = make_services(bundled_bank)
    exam = svc.start_exam()
    for item in exam.items[:20]:
        svc.exam_answer(exam.id, item.position, right(item))
        clock.advance(seconds=30)
    first = exam.items[0]
    wrong = (
        "nope"
        if first.question.type == "fill"
        else (
            frozenset(
                {
                    first.order.index(
                        next(i for i, c in enumerate(first.question.choices) if not c.correct)
                    )
                }
            )
            if first.question.type == "multiple"
            else first.order.index(
                next(i for i, c in enumerate(first.question.choices) if not c.correct)
            )
        )
    )
    svc.exam_answer(exam.id, 0, wrong)  # change of mind
    svc.exam_flag(exam.id, 3, True)
    view = svc.exam(exam.id)
    assert view.unanswered() == tuple(range(20, 25))
    assert view.flagged() == (3,)
    assert view.items[0].answer == wrong
    result = svc.submit_exam(exam.id).result
    assert result is not None
    assert result.score.raw == 19
    assert result.score.total == 25
    assert 200 <= result.score.scaled <= 800
    assert result.score.passed == (19 >= 0.65 * 25)
    assert sum(p.total for p in result.score.by_objective) == 25
    assert result.predicted_p_pass is not None
    with pytest.raises(ExamClosedError):
        svc.exam_answer(exam.id, 21, "x")
    assert svc.open_exam() is None
    # Final answers entered the review log, once each, marked as exam answers.
    con = sqlite3.connect(svc.db_url.removeprefix("sqlite:///"))
    assert con.execute(
        "SELECT count(*), sum(correct) FROM review_log WHERE mode='exam'"
    ).fetchone() == (25, 19)
    con.close()


def test_the_deadline_submits_automatically(bundled_bank: Path, make_services, clock) -> None:
    svc = make_services(bundled_bank)
    exam = svc.start_exam(["352.4"])
    svc.exam_answer(exam.id, 0, right(exam.items[0]))
    clock.advance(minutes=4, seconds=31)  # 3 questions = 4.5 minutes
    with pytest.raises(ExamClosedError):
        svc.exam_answer(exam.id, 1, right(exam.items[1]))
    view = svc.exam(exam.id)
    assert view.result is not None
    assert view.result.auto_submitted
    assert view.result.submitted_at == view.clock.deadline
    assert view.result.score.raw == 1


def test_a_new_exam_prefers_questions_not_seen_recently(
    bundled_bank: Path, make_services, clock
) -> None:
    svc = make_services(bundled_bank)
    first = svc.start_exam(["352.4"])
    svc.submit_exam(first.id)
    clock.advance(hours=1)
    second = svc.start_exam(["352.4"])
    assert not {i.question.id for i in first.items} & {i.question.id for i in second.items}


CHILD = textwrap.dedent("""
    import random, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from quizzer.services import Services
    bank, db = sys.argv[1], sys.argv[2]
    svc = Services(Path(bank), db, rng=random.Random(3), timezone=UTC)
    exam = svc.open_exam() or svc.start_exam()
    for item in exam.items[:7]:
        q = item.question
        if q.type == "fill":
            answer = q.accept[0]
        else:
            right = [item.order.index(i) for i, c in enumerate(q.choices) if c.correct]
            answer = right[0] if q.type == "single" else frozenset(right)
        svc.exam_answer(exam.id, item.position, answer)
    svc.exam_flag(exam.id, 9, True)
    print(exam.id, exam.clock.deadline.isoformat(), flush=True)
    time.sleep(60)
""")


def test_kill_9_in_the_middle_of_an_exam_loses_nothing(
    bundled_bank: Path, tmp_path: Path, make_services
) -> None:
    db = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(bundled_bank), db],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline().split()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    exam_id, deadline = int(line[0]), line[1]
    # A fresh process (the real clock, which has not reached the deadline) resumes it.
    svc = Services(bundled_bank, db)
    view = svc.open_exam()
    assert view is not None
    assert view.id == exam_id
    assert view.clock.deadline == datetime.fromisoformat(deadline)
    assert [i.position for i in view.items if i.answered] == list(range(7))
    assert view.flagged() == (9,)
    svc.close()


WRITER = textwrap.dedent("""
    import random, sys
    from datetime import UTC
    from pathlib import Path
    from quizzer.services import Services, Mode
    bank, db, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    svc = Services(Path(bank), db, rng=random.Random(seed), timezone=UTC)
    done = 0
    while done < n:
        p = svc.next_question(Mode.weak)
        t = p.question.type
        svc.answer(p, p.question.accept[0] if t == "fill" else frozenset({0, 1}) if t == "multiple" else 0)
        done += 1
    print("done", done)
""")


def test_two_processes_answering_into_one_file_lose_nothing(
    bundled_bank: Path, tmp_path: Path
) -> None:
    path = tmp_path / "shared.sqlite"
    db = f"sqlite:///{path}"
    n = 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(bundled_bank), db, str(n), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM review_log").fetchone() == (2 * n,)
    # Every answer counted exactly once in the card and item statistics.
    assert con.execute("SELECT sum(reps) FROM card_state").fetchone() == (2 * n,)
    assert con.execute("SELECT sum(attempts) FROM item_stat").fetchone() == (2 * n,)
    assert con.execute("SELECT count(*) FROM learner").fetchone() == (1,)
    con.close()
