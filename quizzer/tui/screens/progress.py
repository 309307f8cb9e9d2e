"""Weak areas and the report: where the learner stands, and one key to act on it.

The weak-area screen lists every objective and knowledge area with accuracy, ability,
retention and coverage, draws predicted success as bars, and starts practice of the selected
objective with ``enter``. The report screen shows the Markdown report and exports it (and the
Anki deck) with one key each. The numbers are built in a worker: they read the whole history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown, Static

from quizzer.services import Mode, Services
from quizzer.tui.render import bar

if TYPE_CHECKING:
    from quizzer.services import Report


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


class WeakAreasScreen(Screen[None]):
    """Standing per objective and knowledge area; practise the selected objective."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "practise", "Practise selected", id="weak.practise"),
        Binding("escape", "leave", "Back", id="weak.back"),
    ]

    class Built(Message):
        """The report data is ready."""

        def __init__(self, report: Report) -> None:
            super().__init__()
            self.report = report

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading your history…", id="weak-chart")
        yield DataTable(id="weak-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.build()

    @work(thread=True, exclusive=True, group="weak", exit_on_error=False)
    def build(self) -> None:
        try:
            self.post_message(self.Built(self.services.progress_report(include_reviews=False)))
        except Exception as e:
            self.app.call_from_thread(self.notify, f"No report: {e}", severity="error")

    def on_weak_areas_screen_built(self, message: Built) -> None:
        report = message.report
        self.report = report
        r = report.readiness
        lines = [
            f"P(pass) {_pct(r.p_pass)} · expected {r.expected_scaled} "
            f"({r.scaled_low}-{r.scaled_high}) · estimate from {r.answers} answers",
            "",
        ]
        for o in report.objectives:
            lines.append(f"{o.objective} w{o.weight:<2} {bar(o.predicted)} {_pct(o.predicted):>4}")
        self.query_one("#weak-chart", Static).update(escape("\n".join(lines)))
        table = self.query_one("#weak-table", DataTable)
        table.clear(columns=True)
        for label, key, width in (
            ("Objective", "objective", 9),
            ("Knowledge area", "area", 26),
            ("Acc.", "accuracy", 5),
            ("Pred.", "predicted", 5),
            ("Ret.", "retention", 5),
            ("Cov.", "coverage", 5),
            ("Trend", "trend", 6),
        ):
            table.add_column(label, key=key, width=width)
        weakest = {(w.objective, w.area) for w in report.weakest}
        for row in sorted(
            [*report.objectives, *report.areas], key=lambda a: (a.objective, a.area or "")
        ):
            name = row.area or "(objective)"
            if (row.objective, row.area) in weakest:
                name = "! " + name
            trend = "-" if row.trend is None else f"{row.trend * 100:+.0f}"
            table.add_row(
                row.objective,
                name,
                _pct(row.accuracy),
                _pct(row.predicted),
                _pct(row.retention_now),
                _pct(row.coverage),
                trend,
                key=f"{row.objective}/{row.area or ''}",
            )
        table.focus()

    @on(DataTable.RowSelected, "#weak-table")
    def selected(self, event: DataTable.RowSelected) -> None:
        """``enter`` or a click on a row: the table handles ``enter``, in typing order."""
        self.practise(event.cursor_row)

    def action_practise(self) -> None:
        """Practise the objective of the highlighted row."""
        self.practise(self.query_one("#weak-table", DataTable).cursor_row)

    def practise(self, row: int) -> None:
        table = self.query_one("#weak-table", DataTable)
        if table.row_count == 0:
            return
        objective = str(table.get_row_at(row)[0])
        from quizzer.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.services, Mode.objective, objective))

    def action_leave(self) -> None:
        """Back to the home screen."""
        self.app.pop_screen()


class ReportScreen(Screen[None]):
    """The progress report, with one key per export."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "export('md')", "Markdown", id="report.md"),
        Binding("2", "export('html')", "HTML", id="report.html"),
        Binding("3", "export('json')", "JSON", id="report.json"),
        Binding("4", "export('csv')", "CSV", id="report.csv"),
        Binding("5", "anki", "Anki deck", id="report.anki"),
        Binding("escape", "leave", "Back", id="report.back"),
    ]

    class Rendered(Message):
        """The Markdown report is ready."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.written: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="report-body"):
            yield Markdown("Building the report…", id="report-md")
        yield Footer()

    def on_mount(self) -> None:
        self.render_md()

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def render_md(self) -> None:
        try:
            _report, files = self.services.render_report("md")
            self.post_message(self.Rendered(next(iter(files.values()))))
        except Exception as e:
            self.app.call_from_thread(self.notify, f"No report: {e}", severity="error")

    def on_report_screen_rendered(self, message: Rendered) -> None:
        self.query_one("#report-md", Markdown).update(message.text)

    @work(thread=True, exclusive=False, group="export", exit_on_error=False)
    def action_export(self, fmt: str) -> None:
        """Write the report in a format to exports/."""
        try:
            paths = self.services.write_report(fmt)
        except Exception as e:
            self.app.call_from_thread(self.notify, f"Export failed: {e}", severity="error")
            return
        names = ", ".join(str(p) for p in paths)
        self.written.extend(str(p) for p in paths)
        self.app.call_from_thread(self.notify, f"Written: {names}")

    @work(thread=True, exclusive=False, group="export", exit_on_error=False)
    def action_anki(self) -> None:
        """Write the Anki deck to exports/."""
        try:
            path, n = self.services.write_anki_deck()
        except Exception as e:
            self.app.call_from_thread(self.notify, f"Export failed: {e}", severity="error")
            return
        self.written.append(str(path))
        self.app.call_from_thread(self.notify, f"Written: {path} ({n} notes)")

    @on(Markdown.LinkClicked)
    def ignore_links(self, event: Markdown.LinkClicked) -> None:
        event.prevent_default()

    def action_leave(self) -> None:
        """Back to the home screen."""
        self.app.pop_screen()
