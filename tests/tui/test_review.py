"""A daily review in the real app, driven by its Pilot, on a real bank and SQLite file."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input, Markdown, Static

from quizzer.services import Services
from quizzer.tui.app import QuizzerApp
from quizzer.tui.screens.home import HomeScreen
from quizzer.tui.screens.review import ReviewScreen

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def make_app(bank: Path, db: Path) -> QuizzerApp:
    services = Services(
        bank, f"sqlite:///{db}", clock=lambda: T0, rng=random.Random(2), timezone=UTC
    )
    return QuizzerApp(services)


def right_keys(presented) -> list[str]:
    q = presented.question
    if q.type == "fill":
        return []
    return ["abcdef"[presented.order.index(i)] for i, c in enumerate(q.choices) if c.correct]


async def settle(app: QuizzerApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_review(app: QuizzerApp, pilot) -> ReviewScreen:
    """From the home screen into the daily review, its first question shown."""
    await settle(app, pilot)
    await pilot.press("d")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


async def skip_to(app: QuizzerApp, pilot, screen: ReviewScreen, kinds: tuple[str, ...]):
    """Answer "don't know" until a question of one of ``kinds`` is shown; returns it."""
    while screen.presented is not None and screen.presented.question.type not in kinds:
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
    assert screen.presented is not None
    return screen.presented


async def test_a_full_daily_review_stores_every_answer(mini_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "learner.sqlite"
    app = make_app(mini_bank, db)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_review(app, pilot)
        answered = []
        for _ in range(4):  # the mini bank's four knowledge questions, answered right
            p = screen.presented
            assert p is not None
            answered.append(p.question.id)
            if p.question.type == "fill":
                screen.query_one("#answer", Input).value = p.question.accept[0]
            else:
                await pilot.press(*right_keys(p))
            await pilot.press("enter")
            await settle(app, pilot)
            assert screen.feedback is not None
            assert screen.feedback.correct
            feedback = screen.query_one("#feedback", Markdown)
            assert feedback.display
            await pilot.press("enter")
            await settle(app, pilot)
        assert screen.presented is None  # nothing left today
        assert "Answered **4**, right **4**" in screen.query_one("#stem", Markdown).source
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT question_id, correct, mode FROM review_log ORDER BY id").fetchall()
    con.close()
    assert rows == [(q, 1, "review") for q in answered]
    assert len(set(answered)) == 4


async def test_wrong_and_dont_know_answers_show_the_explanation(
    mini_bank: Path, tmp_path: Path
) -> None:
    db = tmp_path / "learner.sqlite"
    app = make_app(mini_bank, db)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        p = screen.presented
        assert p is not None
        await pilot.press("enter")  # nothing chosen yet: a hint, no answer stored
        await settle(app, pilot)
        assert screen.feedback is None
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert screen.feedback is not None
        assert not screen.feedback.correct
        text = screen.query_one("#feedback", Markdown).source
        assert "**Wrong.**" in text
        assert p.question.explanation.strip()[:20] in text
        progress = str(screen.query_one("#progress", Static).content)
        assert p.question.objective in progress
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), sum(correct) FROM review_log").fetchone() == (1, 0)
    con.close()


async def test_multiple_choice_toggles_and_unsure_marks_a_guess(
    mini_bank: Path, tmp_path: Path
) -> None:
    db = tmp_path / "learner.sqlite"
    services = Services(
        mini_bank, f"sqlite:///{db}", clock=lambda: T0, rng=random.Random(2), timezone=UTC
    )
    app = QuizzerApp(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        screen = ReviewScreen(services)
        app.push_screen(screen)
        await settle(app, pilot)
        # Walk to the multiple-choice question.
        for _ in range(4):
            if screen.presented is not None and screen.presented.question.type == "multiple":
                break
            await pilot.press("ctrl+n")
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
        p = screen.presented
        assert p is not None
        assert p.question.type == "multiple"
        keys = right_keys(p)
        await pilot.press(keys[0], keys[0])  # toggled on, then off again
        assert screen.selected == set()
        await pilot.press(*keys, "u")
        assert "[x]" in str(screen.query_one("#choices", Static).content)
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.feedback is not None
        assert screen.feedback.correct
        assert screen.feedback.rating == "Hard"


async def test_choices_can_be_clicked_with_the_mouse(mini_bank: Path, tmp_path: Path) -> None:
    """Clicking a choice line picks it, as its letter does; the answer is then stored."""
    app = make_app(mini_bank, tmp_path / "learner.sqlite")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_review(app, pilot)
        p = await skip_to(app, pilot, screen, ("single", "multiple"))
        right = [p.order.index(i) for i, c in enumerate(p.question.choices) if c.correct]
        choices = screen.query_one("#choices", Static)
        top = choices.content_region.y - choices.region.y  # below the padding
        for line in right:
            assert await pilot.click("#choices", offset=(4, top + line))
            await pilot.pause()
        assert screen.selected == set(right)
        assert "[x]" in str(screen.query_one("#choices", Static).render()).splitlines()[right[0]]
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.feedback is not None
        assert screen.feedback.correct


async def burst(app: QuizzerApp, pilot, *keys: str) -> None:
    """Keys arriving together, as from a fast typist or a paste: no pause between them."""
    from textual import events

    chars = {"enter": "\r", "space": " "}
    for key in keys:
        app.post_message(events.Key(key, chars.get(key, key if len(key) == 1 else None)))
    await pilot.pause()


async def test_keys_typed_in_a_burst_are_handled_in_order(mini_bank: Path, tmp_path: Path) -> None:
    """'b' then enter, typed faster than the app draws, answers b (not the earlier choice)."""
    db = tmp_path / "learner.sqlite"
    app = make_app(mini_bank, db)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_review(app, pilot)
        p = await skip_to(app, pilot, screen, ("single",))
        await pilot.press("a")
        await burst(app, pilot, "b", "enter")
        await settle(app, pilot)
    con = sqlite3.connect(db)
    answer = con.execute(
        "SELECT answer FROM review_log WHERE question_id = ?", (p.question.id,)
    ).fetchone()
    con.close()
    assert answer == (str(p.order[1]),)  # b, in the bank's own choice order


async def test_arrow_keys_and_space_choose(mini_bank: Path, tmp_path: Path) -> None:
    """down/up move a cursor over the choices; space picks (single) or toggles (multiple)."""
    app = make_app(mini_bank, tmp_path / "learner.sqlite")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_review(app, pilot)
        seen = set()
        while screen.presented is not None:
            p = screen.presented
            seen.add(p.question.type)
            if p.question.type == "fill":
                await pilot.press("ctrl+n")
            else:
                await pilot.press("down", "down", "space")
                assert screen.selected == {1}
                await pilot.press("up", "space")
                expected = {0, 1} if p.question.type == "multiple" else {0}
                assert screen.selected == expected
                lines = str(screen.query_one("#choices", Static).render()).splitlines()
                assert lines[0].startswith("[x]")
                await pilot.press("enter")
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
        assert {"single", "multiple"} <= seen
