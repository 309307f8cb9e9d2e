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
