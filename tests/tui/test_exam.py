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


async def test_the_mouse_answers_jumps_and_submits(bundled_bank: Path, tmp_path: Path) -> None:
    """Click a choice (stored at once), click a navigator row to jump, click Yes to submit."""
    db = tmp_path / "learner.sqlite"
    app = make_app(bundled_bank, db, Clock())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_exam(app, pilot)
        assert screen.view is not None
        items = screen.view.items
        target = next(i for i, it in enumerate(items) if i >= 3 and it.question.type != "fill")
        nav = screen.query_one("#navigator", DataTable)
        nav.scroll_to(y=max(0, target - 5), animate=False)
        await pilot.pause()
        row_y = nav.content_region.y - nav.region.y + target - int(nav.scroll_y)
        assert await pilot.click("#navigator", offset=(2, row_y))
        await pilot.click("#navigator", offset=(2, row_y))  # a second click selects the row
        await pilot.pause()
        assert screen.position == target
        choices = screen.query_one("#exam-choices", Static)
        top = choices.content_region.y - choices.region.y
        assert await pilot.click("#exam-choices", offset=(4, top + 1))
        await settle(app, pilot)
        item = screen.view.items[target]
        assert item.answered
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert await pilot.click("#yes")
        await settle(app, pilot)
        assert isinstance(app.screen, ResultsScreen)
    con = sqlite3.connect(db)
    stored = con.execute(
        "SELECT answer FROM review_log WHERE mode='exam' AND question_id=?",
        (screen.view.items[target].question.id,),
    ).fetchone()
    con.close()
    assert stored is not None


async def test_answers_typed_in_a_burst_land_on_their_own_questions(
    bundled_bank: Path, tmp_path: Path
) -> None:
    """'a', ctrl+n, 'b', ctrl+n typed at once: a for the first question, b for the second."""
    from tests.tui.test_review import burst

    db = tmp_path / "learner.sqlite"
    app = make_app(bundled_bank, db, Clock())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_exam(app, pilot)
        assert screen.view is not None
        items = screen.view.items
        start = next(
            i
            for i in range(len(items) - 1)
            if items[i].question.type == "single" and items[i + 1].question.type == "single"
        )
        for _ in range(start):
            await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.position == start
        await burst(app, pilot, "a", "ctrl+n", "b", "ctrl+n")
        await settle(app, pilot)
        assert screen.position == start + 2
        first, second = items[start], items[start + 1]
    con = sqlite3.connect(db)
    stored = dict(
        con.execute("SELECT question_id, answer FROM exam_item WHERE answer IS NOT NULL").fetchall()
    )
    con.close()
    assert stored == {  # display a / b, stored as the bank's own choice index
        first.question.id: str(first.order[0]),
        second.question.id: str(second.order[1]),
    }


async def test_arrow_keys_and_space_answer_in_the_exam(bundled_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "learner.sqlite"
    app = make_app(bundled_bank, db, Clock())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_exam(app, pilot)
        assert screen.view is not None
        target = next(i for i, it in enumerate(screen.view.items) if it.question.type == "single")
        for _ in range(target):
            await pilot.press("ctrl+n")
        await pilot.press("down", "down", "space")  # the second choice, stored at once
        await settle(app, pilot)
        item = screen.view.items[target]
        assert item.answer == 1
        await pilot.press("ctrl+n", "ctrl+b")  # the cursor starts afresh on another question
        assert screen.cursor is None
    con = sqlite3.connect(db)
    stored = con.execute("SELECT answer FROM exam_item WHERE position = ?", (target,)).fetchone()
    con.close()
    assert stored == (str(item.order[1]),)
