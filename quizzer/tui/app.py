"""The Textual application object; built from a :class:`Services` instance (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider

from quizzer.services import Services
from quizzer.tui.commands import StudyCommands
from quizzer.tui.screens.home import HomeScreen


class QuizzerApp(App[None]):
    """quizzer's terminal app. ``ctrl+q`` quits from anywhere."""

    TITLE = "quizzer"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        *App.COMMANDS,
        StudyCommands,
    }
    CSS_PATH = Path(__file__).with_name("app.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f1", "toggle_help", "Keys", id="app.help"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def action_toggle_help(self) -> None:
        """Show or hide the panel listing every key of the current screen."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def on_mount(self) -> None:
        try:
            self.set_keymap(self.services.keymap())
        except ValueError as e:
            self.notify(f"{e}; using the default keys", severity="warning")
        self.push_screen(HomeScreen(self.services))
