"""Weak areas, report and exports, settings, and navigation to every screen and back."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Markdown, Select, Static

from quizzer.services import Mode, Services
from quizzer.tui.app import QuizzerApp
from quizzer.tui.screens.browser import BrowserScreen
from quizzer.tui.screens.exam import ExamScreen
from quizzer.tui.screens.handson import HandsOnListScreen
from quizzer.tui.screens.home import HomeScreen
from quizzer.tui.screens.progress import ReportScreen, WeakAreasScreen
from quizzer.tui.screens.review import ReviewScreen
from quizzer.tui.screens.settings import SettingsScreen

NOW = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def make_services(bank: Path, db: Path) -> Services:
    return Services(bank, f"sqlite:///{db}", clock=lambda: NOW, rng=random.Random(4), timezone=UTC)


async def settle(app: QuizzerApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_weak_areas_show_standing_and_start_practice(
    bundled_bank: Path, tmp_path: Path
) -> None:
    services = make_services(bundled_bank, tmp_path / "l.sqlite")
    for _ in range(6):  # some history: wrong answers
        p = services.next_question(Mode.weak)
        assert p is not None
        services.answer(p, None)
    app = QuizzerApp(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, WeakAreasScreen)
        chart = str(screen.query_one("#weak-chart", Static).content)
        assert "P(pass)" in chart
        assert "352.3" in chart
        assert "█" in chart
        table = screen.query_one("#weak-table", DataTable)
        assert table.row_count == 4 + 30
        assert any(str(table.get_row_at(i)[1]).startswith("! ") for i in range(table.row_count))
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(app, pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.mode is Mode.objective
        assert review.presented is not None
        assert review.presented.question.objective == str(table.get_row_at(0)[0])
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("p")  # the footer's key for the same
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.mode is Mode.objective


async def test_report_screen_exports_with_one_key(
    bundled_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    services = make_services(bundled_bank, tmp_path / "l.sqlite")
    app = QuizzerApp(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        assert "# Progress report" in screen.query_one("#report-md", Markdown).source
        await pilot.press("1", "2", "5")
        await settle(app, pilot)
    exports = tmp_path / "exports"
    assert len(list(exports.glob("report-*.md"))) == 1
    assert len(list(exports.glob("report-*.html"))) == 1
    assert (exports / "lpic3-305-300.apkg").stat().st_size > 10_000


async def test_settings_are_saved_and_bad_values_refused(
    bundled_bank: Path, tmp_path: Path
) -> None:
    services = make_services(bundled_bank, tmp_path / "l.sqlite")
    app = QuizzerApp(services)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#setting-exam_date", Input).value = "2027-02-01"
        screen.query_one("#setting-new_per_day", Input).value = "12"
        await pilot.press("ctrl+s")
        assert services.settings()["exam_date"] == "2027-02-01"
        assert services.settings()["new_per_day"] == 12
        screen.query_one("#setting-new_per_day", Input).value = "lots"
        await pilot.press("ctrl+s")
        assert "Not saved" in str(screen.query_one("#settings-status", Static).content)
        assert services.settings()["new_per_day"] == 12
        screen.query_one("#setting-new_per_day", Input).value = "12"
        screen.query_one("#setting-desired_retention", Input).value = "0.85"
        screen.query_one("#setting-theme", Select).value = "nord"
        await pilot.pause()
        assert app.theme == "nord"  # previewed at once
        await pilot.press("ctrl+s")
        assert services.settings()["desired_retention"] == 0.85
        assert services.settings()["theme"] == "nord"

    # The learner's theme comes back with the next start.
    app = QuizzerApp(make_services(bundled_bank, tmp_path / "l.sqlite"))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert app.theme == "nord"


async def test_a_theme_preview_is_undone_unless_saved(bundled_bank: Path, tmp_path: Path) -> None:
    services = make_services(bundled_bank, tmp_path / "l.sqlite")
    app = QuizzerApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = app.theme
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#setting-theme", Select).value = "gruvbox"
        await pilot.pause()
        assert app.theme == "gruvbox"
        await pilot.press("escape")
        await pilot.pause()
        assert app.theme == before
        assert services.settings()["theme"] is None


async def test_every_screen_opens_and_returns_home(bundled_bank: Path, tmp_path: Path) -> None:
    app = QuizzerApp(make_services(bundled_bank, tmp_path / "l.sqlite"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key, kind in (
            ("d", ReviewScreen),
            ("w", ReviewScreen),
            ("h", HandsOnListScreen),
            ("a", WeakAreasScreen),
            ("e", ReportScreen),
            ("s", SettingsScreen),
            ("b", BrowserScreen),
            ("m", ExamScreen),
        ):
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, kind), key
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, HomeScreen), key


async def test_f1_lists_the_keys_of_the_current_screen(bundled_bank: Path, tmp_path: Path) -> None:
    app = QuizzerApp(make_services(bundled_bank, tmp_path / "l.sqlite"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        keys = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.id}
        assert {"home.review", "home.exam", "home.handson", "app.quit"} <= keys
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")


async def test_bank_browser_filters_and_shows_history(bundled_bank: Path, tmp_path: Path) -> None:
    from quizzer.tui.screens.browser import BrowserScreen

    services = make_services(bundled_bank, tmp_path / "l.sqlite")
    p = services.present("352.1-lsns-pid-type")
    services.answer(p, p.order.index(0))
    app = QuizzerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        table = screen.query_one("#browser-list", DataTable)
        assert table.row_count == len(services.bank())
        await pilot.press("ctrl+f", *"lsns pid", "enter")
        await pilot.pause()
        ids = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "352.1-lsns-pid-type" in ids
        assert len(ids) < 10
        table.move_cursor(row=ids.index("352.1-lsns-pid-type"))
        await pilot.pause()
        text = screen.query_one("#browser-question", Markdown).source
        assert "lsns -t pid" in text
        assert "**(right)**" in text
        assert "answered 1 time(s), right 1" in text


async def test_keys_are_remappable_from_the_config_file(
    bundled_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("keymap:\n  home.review: x\n")
    monkeypatch.setenv("QUIZZER_CONFIG", str(config))
    app = QuizzerApp(make_services(bundled_bank, tmp_path / "l.sqlite"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")  # no longer bound
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_a_broken_config_is_a_notice_not_a_crash(
    bundled_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("keymap: [not, a, map]\n")
    monkeypatch.setenv("QUIZZER_CONFIG", str(config))
    app = QuizzerApp(make_services(bundled_bank, tmp_path / "l.sqlite"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("keymap must map" in n.message for n in app._notifications)
        await pilot.press("d")  # default keys still work
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_command_palette_starts_a_mock_exam(bundled_bank: Path, tmp_path: Path) -> None:
    app = QuizzerApp(make_services(bundled_bank, tmp_path / "l.sqlite"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"mock exam")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert isinstance(app.screen, ExamScreen)
