"""The home screen: the exam at a glance, objective by objective.

The bank is loaded in a thread worker so the first frame appears at once; a bank that fails to
load is shown as a readable list of problems, never as a traceback.
"""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from quizzer.services import (
    BankError,
    Mode,
    ObjectiveStats,
    ReadinessReport,
    Services,
    StudyStatus,
)
from quizzer.tui.render import bar


class HomeScreen(Screen[None]):
    """Objectives of the exam with their LPI weights and how many questions the bank holds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "review", "Daily review", id="home.review"),
        Binding("w", "weak", "Weak areas", id="home.weak"),
        Binding("m", "exam", "Mock exam", id="home.exam"),
        Binding("h", "handson", "Hands-on", id="home.handson"),
        Binding("a", "weak_areas", "Weak areas report", id="home.areas"),
        Binding("e", "report", "Report/export", id="home.report"),
        Binding("s", "settings", "Settings", id="home.settings"),
        Binding("b", "browse", "Browse bank", id="home.browse"),
        Binding("r", "reload", "Reload bank", id="home.reload"),
    ]

    class Loaded(Message):
        """The bank finished loading in the worker."""

        def __init__(self, rows: tuple[ObjectiveStats, ...], exam_title: str) -> None:
            super().__init__()
            self.rows = rows
            self.exam_title = exam_title

    class StatusReady(Message):
        """Today's numbers and the readiness estimate."""

        def __init__(
            self, status: StudyStatus, readiness: ReadinessReport, theme: str | None
        ) -> None:
            super().__init__()
            self.status = status
            self.readiness = readiness
            self.theme = theme

    class ExamReady(Message):
        """A mock exam was started or found open."""

        def __init__(self, exam_id: int) -> None:
            super().__init__()
            self.exam_id = exam_id

    class Failed(Message):
        """The bank could not be loaded."""

        def __init__(self, error: BankError) -> None:
            super().__init__()
            self.error = error

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.bank_line = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home-body"):
            yield Static("Loading the question bank…", id="summary")
            yield DataTable(id="objectives", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        # After the first frame: the worker's imports and parsing would hold the GIL and
        # delay the first paint by ~0.1 s.
        self.call_after_refresh(self.load_bank)

    @work(thread=True, exclusive=True, group="bank", exit_on_error=False)
    def load_bank(self) -> None:
        """Load the bank off the UI thread and post the result back."""
        try:
            rows = self.services.objective_summaries()
            title = self.services.bank().exam.title
        except BankError as e:
            self.post_message(self.Failed(e))
            return
        self.post_message(self.Loaded(rows, title))
        try:
            status = self.services.study_status()
            readiness = self.services.readiness()
            theme = self.services.settings().get("theme")
        except Exception as e:  # a database problem: say so, keep the bank view
            self.app.call_from_thread(self.notify, f"No progress data: {e}", severity="error")
            return
        self.post_message(self.StatusReady(status, readiness, theme))

    def on_home_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#objectives", DataTable)
        table.clear(columns=True)
        # explicit widths: auto-sized columns did not widen after rows arrived (Textual 8.2.8)
        title_width = max((len(r.title) for r in message.rows), default=5)
        table.add_column("Objective", key="id", width=9)
        table.add_column("Title", key="title", width=max(5, title_width))
        table.add_column("Weight", key="weight", width=6)
        table.add_column("Qs", key="questions", width=3)
        table.add_column("S/M/F/H", key="types", width=11)
        table.add_column("Mastery", key="mastery", width=15)
        topic = None
        for row in message.rows:
            if row.topic != topic and topic is not None:
                table.add_row("", "", "", "", "", "")
            topic = row.topic
            types = "/".join(
                str(row.by_type.get(t, 0)) for t in ("single", "multiple", "fill", "handson")
            )
            table.add_row(
                row.id, row.title, str(row.weight), str(row.questions), types, "", key=row.id
            )
        total = sum(r.questions for r in message.rows)
        weight = sum(r.weight for r in message.rows)
        self.app.sub_title = message.exam_title
        self.bank_line = (
            f"{message.exam_title}: {total} questions in the bank · "
            f"{len(message.rows)} objectives · exam weight {weight}"
        )
        self.query_one("#summary", Static).update(escape(self.bank_line))
        table.focus()

    def on_home_screen_status_ready(self, message: StatusReady) -> None:
        if message.theme is not None and message.theme != self.app.theme:
            if message.theme in self.app.available_themes:
                self.app.theme = message.theme  # the learner's theme, from the database
            else:
                self.notify(
                    f"Unknown theme {message.theme!r}: using the default", severity="warning"
                )
        st = message.status
        r = message.readiness.readiness
        parts = [
            self.bank_line,
            f"Today: {st.due_today} due · {max(0, st.new_limit - st.new_today)} new left · "
            f"{st.answered_today} answered · streak {st.streak} day{'s' if st.streak != 1 else ''}",
        ]
        if st.exam_date is not None and st.days_to_exam is not None:
            parts.append(f"Exam {st.exam_date.isoformat()}: {st.days_to_exam} days left")
        else:
            parts.append("No exam date set (s: settings)")
        parts.append(
            f"Readiness (estimate): P(pass) {r.p_pass:.0%} · expected {r.expected_scaled} "
            f"({r.scaled_low}-{r.scaled_high}) from {message.readiness.answered} answers"
        )
        if st.open_exam is not None:
            parts.append(f"Mock exam {st.open_exam} is open: m resumes it")
        summary = self.query_one("#summary", Static)
        summary.update(escape("\n".join(parts)))
        table = self.query_one("#objectives", DataTable)
        for row in message.readiness.objectives:
            if row.objective in {str(k.value) for k in table.rows}:
                table.update_cell(
                    row.objective, "mastery", f"{bar(row.predicted, 10)}{row.predicted:4.0%}"
                )

    def on_home_screen_failed(self, message: Failed) -> None:
        issues = message.error.issues
        head = "\n".join(str(i) for i in issues[:10])
        more = f"\n… and {len(issues) - 10} more" if len(issues) > 10 else ""
        self.query_one("#summary", Static).update(
            f"The question bank has {len(issues)} problem(s); fix them and press r:\n{head}{more}"
        )
        self.notify("The question bank did not load", severity="error")

    def action_review(self) -> None:
        """Start the daily review: due questions first, then new ones chosen adaptively."""
        from quizzer.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.services, Mode.review))

    def action_weak(self) -> None:
        """Practise the weakest objectives, due or not."""
        from quizzer.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.services, Mode.weak))

    def action_weak_areas(self) -> None:
        """Where the learner stands per objective and knowledge area."""
        from quizzer.tui.screens.progress import WeakAreasScreen

        self.app.push_screen(WeakAreasScreen(self.services))

    def action_report(self) -> None:
        """The progress report and its exports."""
        from quizzer.tui.screens.progress import ReportScreen

        self.app.push_screen(ReportScreen(self.services))

    def action_browse(self) -> None:
        """Search the bank and see each question with its history."""
        from quizzer.tui.screens.browser import BrowserScreen

        self.app.push_screen(BrowserScreen(self.services))

    def action_settings(self) -> None:
        """Exam date, daily new questions, the assumed pass cut."""
        from quizzer.tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(self.services))

    def action_handson(self) -> None:
        """The hands-on labs."""
        from quizzer.tui.screens.handson import HandsOnListScreen

        self.app.push_screen(HandsOnListScreen(self.services))

    def action_exam(self) -> None:
        """Resume the open mock exam, or start one (25 questions, 37.5 minutes for 352)."""
        self.open_exam()

    @work(thread=True, exclusive=True, group="exam", exit_on_error=False)
    def open_exam(self) -> None:
        """Find or start the exam off the UI thread (the readiness estimate takes a moment)."""
        try:
            view = self.services.open_exam() or self.services.start_exam()
        except Exception as e:
            self.app.call_from_thread(
                self.notify, f"Could not start the exam: {e}", severity="error"
            )
            return
        self.post_message(self.ExamReady(view.id))

    def on_home_screen_exam_ready(self, message: ExamReady) -> None:
        from quizzer.tui.screens.exam import ExamScreen

        self.app.push_screen(ExamScreen(self.services, message.exam_id))

    def action_reload(self) -> None:
        """Reload the bank from disk (after editing questions)."""
        self.services.reload_bank()
        self.query_one("#summary", Static).update("Loading the question bank…")
        self.load_bank()
