"""A hands-on task in the real app: attempted wrong, then right, graded in a real sandbox."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import DataTable, Log, Markdown, Static, TextArea

from quizzer.services import Services
from quizzer.tui.app import QuizzerApp
from quizzer.tui.screens.handson import HandsOnListScreen, HandsOnTaskScreen


def leftover_cgroups() -> list[Path]:
    return list(Path("/sys/fs/cgroup/pids").glob("**/quizzer-*"))


async def test_wrong_then_right_with_solution_after_failure(
    rootfs: Path, bundled_bank: Path, tmp_path: Path
) -> None:
    db = tmp_path / "learner.sqlite"
    now = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    services = Services(
        bundled_bank, f"sqlite:///{db}", clock=lambda: now, rng=random.Random(1), timezone=UTC
    )
    app = QuizzerApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, HandsOnListScreen)
        table = listing.query_one("#handson-list", DataTable)
        assert table.row_count == len(services.handson_questions()) >= 40
        row = next(
            i
            for i in range(table.row_count)
            if table.coordinate_to_cell_key((i, 0)).row_key.value == "352.1-handson-netns-create"
        )
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        task = app.screen
        assert isinstance(task, HandsOnTaskScreen)
        await app.workers.wait_for_complete()
        assert task.warm is not None  # made and set up while the learner reads the task
        await pilot.press("ctrl+l")  # no solution before a failed attempt
        assert "A solution" not in task.query_one("#handson-result", Markdown).source
        task.query_one("#handson-editor", TextArea).text = "ip netns add red"
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert task.attempts[-1].passed is False
        assert "create" not in task.attempts[-1].timings  # graded in the warm sandbox
        assert "✘" in task.query_one("#handson-result", Markdown).source
        await pilot.press("ctrl+l")
        assert "ip netns add blue" in task.query_one("#handson-result", Markdown).source
        task.query_one("#handson-editor", TextArea).text = "ip netns add blue"
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert task.attempts[-1].passed is True
        assert "PASSED" in str(task.query_one("#handson-status", Static).content)
        await pilot.press("ctrl+o")  # no terminal to hand over under the Pilot: a notice, no crash
        await pilot.pause()
        assert app.screen is task
        await app.workers.wait_for_complete()
        assert task.warm is not None  # the next try's sandbox is ready again
        await pilot.press("escape")  # the list shows the last result and the attempts
        await pilot.pause()
        assert app.screen is listing
        assert task.warm is None  # leaving throws the warm sandbox away
        assert not leftover_cgroups()
        assert table.get_row_at(row)[3] == "✓ 2"
        assert "1 of" in str(listing.query_one("#handson-intro", Static).content)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT question_id, correct, mode FROM review_log ORDER BY id").fetchall()
    con.close()
    assert rows == [
        ("352.1-handson-netns-create", 0, "handson"),
        ("352.1-handson-netns-create", 1, "handson"),
    ]


async def open_labs(app: QuizzerApp, pilot) -> HandsOnListScreen:
    await app.workers.wait_for_complete()
    await pilot.press("h")
    await pilot.pause()
    listing = app.screen
    assert isinstance(listing, HandsOnListScreen)
    return listing


async def test_the_lab_list_prepares_the_sandbox_in_a_worker(
    rootfs: Path, bundled_bank: Path, tmp_path: Path
) -> None:
    """p runs the (idempotent) rootfs build off the UI thread and streams its progress."""
    services = Services(bundled_bank, f"sqlite:///{tmp_path / 'l.sqlite'}", timezone=UTC)
    app = QuizzerApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await open_labs(app, pilot)
        assert "full rootfs" in str(listing.query_one("#handson-sandbox", Static).content)
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = listing.query_one("#handson-log", Log)
        assert log.display
        assert any("already prepared" in line for line in log.lines)
        assert any("ready" in n.message for n in app._notifications)


async def test_a_failed_sandbox_build_is_a_notice_not_a_crash(
    bundled_bank: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("QUIZZER_ROOTFS", "/proc/quizzer-cannot-be-here/rootfs")
    services = Services(bundled_bank, f"sqlite:///{tmp_path / 'l.sqlite'}", timezone=UTC)
    app = QuizzerApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await open_labs(app, pilot)
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is listing
        assert any("Could not prepare" in n.message for n in app._notifications)
        assert any(
            line.startswith("failed:") for line in listing.query_one("#handson-log", Log).lines
        )
