"""Study settings, stored per learner: exam date, new questions per day, desired retention,
pass cut, time zone and the colour theme."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Select, Static

from quizzer.services import Services

FIELDS = (
    ("exam_date", "Exam date (YYYY-MM-DD, empty for none)"),
    ("new_per_day", "New questions per day in daily review"),
    ("desired_retention", "Desired retention: recall chance when a question returns (0.7-0.97)"),
    ("cut_fraction", "Assumed raw fraction to pass (LPI does not publish it; 0.65)"),
    ("timezone", "Time zone for 'due today' (e.g. Europe/Berlin; empty: this machine's)"),
)


class SettingsScreen(Screen[None]):
    """Edit and save the learner's settings (``ctrl+s``); the theme applies at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("escape", "leave", "Back", id="settings.back"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="settings-form"):
            for key, label in FIELDS:
                yield Label(label)
                yield Input(id=f"setting-{key}")
            yield Label("Theme")
            yield Select(
                [(name, name) for name in sorted(self.app.available_themes)],
                id="setting-theme",
                allow_blank=False,
                value=self.app.theme,
            )
            yield Static("", id="settings-status")
        yield Footer()

    def on_mount(self) -> None:
        values = self.services.settings()
        for key, _label in FIELDS:
            value = values.get(key)
            self.query_one(f"#setting-{key}", Input).value = "" if value is None else str(value)
        self.query_one("#setting-exam_date", Input).focus()
        self.initial_theme = self.app.theme

    @on(Select.Changed, "#setting-theme")
    def preview_theme(self, event: Select.Changed) -> None:
        """Show the chosen theme at once; ``ctrl+s`` keeps it, ``escape`` does not."""
        if isinstance(event.value, str):
            self.app.theme = event.value

    def action_save(self) -> None:
        """Validate and store every field; a bad value is reported, nothing is half-saved."""
        raw = {key: self.query_one(f"#setting-{key}", Input).value.strip() for key, _ in FIELDS}
        theme = self.query_one("#setting-theme", Select).value
        try:
            values: dict[str, object] = {
                "exam_date": date.fromisoformat(raw["exam_date"]).isoformat()
                if raw["exam_date"]
                else None,
                "new_per_day": int(raw["new_per_day"]),
                "desired_retention": float(raw["desired_retention"]),
                "cut_fraction": float(raw["cut_fraction"]),
                "timezone": raw["timezone"] or None,
                "theme": theme if isinstance(theme, str) else None,
            }
            if values["timezone"]:
                from zoneinfo import ZoneInfo

                ZoneInfo(str(values["timezone"]))
            self.services.update_settings(**values)
        except (ValueError, KeyError) as e:
            self.query_one("#settings-status", Static).update(f"Not saved: {e}")
            self.notify(f"Not saved: {e}", severity="error")
            return
        self.query_one("#settings-status", Static).update("Saved.")
        self.notify("Settings saved")

    def action_leave(self) -> None:
        """Back to the home screen; an unsaved theme preview is undone."""
        stored = self.services.settings().get("theme")
        if isinstance(stored, str) and stored in self.app.available_themes:
            self.app.theme = stored
        else:
            self.app.theme = self.initial_theme
        self.app.pop_screen()
