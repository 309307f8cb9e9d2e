"""A mock exam in the real app: answer, mark, leave, resume, submit, time out, results."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.widgets import DataTable, Static

from quizzer.services import Services
from quizzer.tui.app import QuizzerApp
from quizzer.tui.screens.exam import ConfirmDialog, ExamScreen, ResultsScreen
from quizzer.tui.screens.home import HomeScreen


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make_app(bank: Path, db: Path, clock: Clock) -> QuizzerApp:
    return QuizzerApp(
        Services(bank, f"sqlite:///{db}", clock=clock, rng=random.Random(5), timezone=UTC)
    )


async def settle(app: QuizzerApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_exam(app: QuizzerApp, pilot) -> ExamScreen:
    await settle(app, pilot)
    assert isinstance(app.screen, HomeScreen)
    await pilot.press("m")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ExamScreen)
    return screen


def first_choice_key(screen: ExamScreen) -> str | None:
    assert screen.view is not None
    item = screen.view.items[screen.position]
    return None if item.question.type == "fill" else "a"


async def test_answer_mark_leave_resume_and_submit(bundled_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "learner.sqlite"
    clock = Clock()
    app = make_app(bundled_bank, db, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_exam(app, pilot)
        assert screen.view is not None
        assert len(screen.view.items) == 25
        deadline = screen.view.clock.deadline
        answered = []
        for _ in range(3):
            key = first_choice_key(screen)
            if key is None:  # a fill-in: type, enter stores it and moves on
                await pilot.press(*"lsns", "enter")
                answered.append(screen.position - 1)
                continue
            await pilot.press(key)
            answered.append(screen.position)
            await pilot.press("ctrl+n")
        await pilot.press("ctrl+t")  # mark the current question (works while typing too)
        marked = screen.position
        clock.now += timedelta(minutes=3)
        screen.tick()
        assert "Time left 34:30" in str(screen.query_one("#exam-clock", Static).content)
        await pilot.press("escape")  # leave; the clock keeps running
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    # A new app on the same database resumes the same exam, answers and deadline.
    app = make_app(bundled_bank, db, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_exam(app, pilot)
        assert screen.view is not None
        assert screen.view.clock.deadline == deadline
        assert [i.position for i in screen.view.items if i.answered] == answered
        assert screen.view.flagged() == (marked,)
        nav = screen.query_one("#navigator", DataTable)
        assert str(nav.get_row_at(marked)[0]).startswith("?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        score = str(results.query_one("#results-score", Static).content)
        assert "/25 right, scaled" in score
        table = results.query_one("#results-table", DataTable)
        assert table.row_count == 25
    con = sqlite3.connect(db)
    assert con.execute("SELECT submitted_at IS NOT NULL FROM exam_session").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM review_log WHERE mode='exam'").fetchone() == (25,)
    con.close()


async def test_the_deadline_submits_and_the_clock_warns(bundled_bank: Path, tmp_path: Path) -> None:
    clock = Clock()
    app = make_app(bundled_bank, tmp_path / "learner.sqlite", clock)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_exam(app, pilot)
        assert screen.view is not None
        clock.now = screen.view.clock.deadline - timedelta(minutes=4)
        screen.tick()
        assert screen.query_one("#exam-clock", Static).has_class("warning")
        clock.now = screen.view.clock.deadline + timedelta(seconds=1)
        screen.tick()
        await settle(app, pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert results.view.result is not None
        assert results.view.result.auto_submitted
        assert "submitted at the deadline" in str(
            results.query_one("#results-score", Static).content
        )
