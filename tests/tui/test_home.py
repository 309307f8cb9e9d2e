"""The real app, driven by its Pilot, against a real bank in a temporary directory."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import DataTable, Static

from quizzer.services import Services
from quizzer.tui.app import QuizzerApp
from quizzer.tui.screens.home import HomeScreen

BAD = Path(__file__).resolve().parents[1] / "bank" / "data" / "bad"


async def test_home_lists_objectives_with_weights_and_counts(mini_bank: Path) -> None:
    app = QuizzerApp(Services(mini_bank))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#objectives", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [r[:5] for r in rows] == [
            ["352.1", "Concepts", "3", "4", "1/1/1/1"],
            ["352.2", "LXC", "2", "1", "0/0/1/0"],
        ]
        # A learner with no history: every objective at the model's prior, 50%.
        assert [str(r[5]).split()[-1] for r in rows] == ["50%", "50%"]
        summary = str(app.screen.query_one("#summary", Static).content)
        assert "5 questions in the bank" in summary
        assert "Today: 0 due" in summary
        assert "streak 0 days" in summary
        assert "P(pass)" in summary
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_broken_bank_is_shown_not_raised_and_reload_recovers(mini_bank: Path) -> None:
    shutil.copy(BAD / "tabs.yaml", mini_bank)
    app = QuizzerApp(Services(mini_bank))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        summary = str(app.screen.query_one("#summary", Static).content)
        assert "1 problem(s)" in summary
        assert "tabs.yaml:4: question -: (indentation)" in summary
        (mini_bank / "tabs.yaml").unlink()
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#objectives", DataTable).row_count == 2
