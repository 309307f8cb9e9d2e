"""SVG snapshots of screens (textual is pinned exactly, so renders are stable).

Review changes in snapshot_report.html, then accept them with `pytest --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from quizzer.services import Services
from quizzer.tui.app import QuizzerApp


async def _loaded(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_home_screen_80x24(snap_compare: Callable[..., bool], mini_bank: Path) -> None:
    app = QuizzerApp(Services(mini_bank))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_loaded)


def _app(bank: Path, db: Path) -> QuizzerApp:
    import random
    from datetime import UTC, datetime

    now = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    return QuizzerApp(
        Services(bank, f"sqlite:///{db}", clock=lambda: now, rng=random.Random(3), timezone=UTC)
    )


def test_question_card_80x24(
    snap_compare: Callable[..., bool], mini_bank: Path, tmp_path: Path
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _loaded(pilot)
        await pilot.press("d")
        await _loaded(pilot)
        await pilot.press("a")

    app = _app(mini_bank, tmp_path / "l.sqlite")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_exam_with_navigator_80x24(
    snap_compare: Callable[..., bool], mini_bank: Path, tmp_path: Path
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _loaded(pilot)
        await pilot.press("m")
        await _loaded(pilot)
        await pilot.press("ctrl+t", "ctrl+n")

    app = _app(mini_bank, tmp_path / "l.sqlite")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_results_80x24(snap_compare: Callable[..., bool], mini_bank: Path, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _loaded(pilot)
        await pilot.press("m")
        await _loaded(pilot)
        await pilot.press("a", "ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await _loaded(pilot)

    app = _app(mini_bank, tmp_path / "l.sqlite")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_weak_areas_80x24(
    snap_compare: Callable[..., bool], mini_bank: Path, tmp_path: Path
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _loaded(pilot)
        await pilot.press("a")
        await _loaded(pilot)

    app = _app(mini_bank, tmp_path / "l.sqlite")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_help_panel_80x24(
    snap_compare: Callable[..., bool], mini_bank: Path, tmp_path: Path
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _loaded(pilot)
        await pilot.press("f1")
        await pilot.pause()

    app = _app(mini_bank, tmp_path / "l.sqlite")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
