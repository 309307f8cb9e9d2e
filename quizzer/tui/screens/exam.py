"""Mock exams: timed, navigable, flaggable; results with every answer explained.

The deadline lives in the database, so the countdown survives a restart: the screen only
renders ``deadline - now`` once a second and submits when it reaches zero. Every answer goes to
the services the moment it is chosen (letters and numbers for choices, ``enter`` for typed
answers), so killing the app loses nothing. ``ctrl+n``/``ctrl+b`` (or ``n``/``p``) move,
``ctrl+t`` (``m``) marks for review, ``ctrl+r`` (``r``) jumps through the unanswered and marked
questions, ``ctrl+s`` submits after a confirmation. The ``ctrl`` forms work while typing.
No feedback is shown until the end.
"""

from __future__ import annotations

import contextlib
import string
from datetime import timedelta
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Markdown, Static

from quizzer.services import ExamClosedError, ExamView, Response, Services
from quizzer.tui.render import choice_lines, moved_cursor

LETTERS = string.ascii_uppercase
WARN_AT = timedelta(minutes=5)


def _clock(left: timedelta) -> str:
    seconds = max(0, int(left.total_seconds()))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; dismisses with the answer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="dialog-question")
            with Horizontal(id="dialog-buttons"):
                yield Button("Yes (y)", variant="primary", id="yes")
                yield Button("No (n)", id="no")

    def action_answer(self, value: bool) -> None:
        """Close with the answer."""
        self.dismiss(value)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ExamScreen(Screen[None]):
    """A mock exam in progress."""

    AUTO_FOCUS = ""  # keys go to the question (arrows move the choice cursor), not the navigator

    BINDINGS: ClassVar[list[BindingType]] = [
        # ctrl+ keys work while typing a fill-in answer; the plain letters when not typing.
        # None is a priority binding: those run before keys still queued for the screen, so a
        # fast "a ctrl+n" would store a for the next question. ctrl+p stays the palette's.
        Binding("ctrl+n", "move(1)", "Next", id="exam.next"),
        Binding("ctrl+b", "move(-1)", "Previous", id="exam.previous"),
        Binding("ctrl+t", "flag", "Mark", id="exam.flag"),
        Binding("ctrl+r", "review", "Review list", id="exam.review"),
        Binding("ctrl+s", "submit", "Submit", id="exam.submit"),
        Binding("n", "move(1)", show=False),
        Binding("p", "move(-1)", show=False),
        Binding("m", "flag", show=False),
        Binding("r", "review", show=False),
        Binding("escape", "leave", "Pause", id="exam.pause"),
        Binding("space", "toggle_choice", "Toggle", id="exam.toggle", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("up", "cursor(-1)", show=False),
        *[Binding(c, f"choose({i})", show=False) for i, c in enumerate("abcdef")],
        *[Binding(str(i + 1), f"choose({i})", show=False) for i in range(6)],
    ]

    def __init__(self, services: Services, exam_id: int) -> None:
        super().__init__()
        self.services = services
        self.exam_id = exam_id
        self.view: ExamView | None = None
        self.position = 0
        self.cursor: int | None = None
        """The choice ``space`` answers (arrow keys move it); reset on every other question."""
        self.cursor_at = 0
        self.finished = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="exam-clock")
        with Horizontal(id="exam-body"):
            yield DataTable(id="navigator", cursor_type="row", show_header=False)
            with VerticalScroll(id="exam-card"):
                yield Markdown("", id="exam-stem")
                yield Static("", id="exam-choices")
                yield Input(placeholder="Type your answer, then enter", id="exam-answer")
        yield Footer()

    def on_mount(self) -> None:
        nav = self.query_one("#navigator", DataTable)
        nav.add_column("Q", key="q", width=9)
        self.refresh_view()
        self.set_interval(1.0, self.tick)

    # -- data ------------------------------------------------------------------------------
    def refresh_view(self) -> None:
        """Read the exam again (cheap) and redraw."""
        view = self.services.exam(self.exam_id)
        self.show(view)

    def show(self, view: ExamView) -> None:
        self.view = view
        if view.submitted:
            self.finish(view)
            return
        nav = self.query_one("#navigator", DataTable)
        nav.clear()
        for item in view.items:
            mark = "?" if item.flagged else ("*" if item.answered else " ")
            nav.add_row(f"{mark} {item.position + 1:2}", key=str(item.position))
        nav.move_cursor(row=self.position)
        self.render_question()
        self.tick()

    def render_question(self) -> None:
        assert self.view is not None
        if self.cursor_at != self.position:
            self.cursor, self.cursor_at = None, self.position
        item = self.view.items[self.position]
        q = item.question
        hint = getattr(q, "hint", None)
        flag = " · marked for review" if item.flagged else ""
        self.query_one("#exam-stem", Markdown).update(
            f"**Question {self.position + 1} of {len(self.view.items)}**{flag}\n\n{q.stem}"
            + (f"\n\n*Hint: {hint}*" if hint else "")
        )
        chosen: set[int] = set()
        if isinstance(item.answer, int) and not isinstance(item.answer, bool):
            chosen = {item.answer}
        elif isinstance(item.answer, frozenset):
            chosen = set(item.answer)
        cursor = (
            self.cursor if self.cursor is not None and self.cursor < len(item.choices) else None
        )
        self.query_one("#exam-choices", Static).update(
            choice_lines(item.choices, chosen, cursor, LETTERS)
        )
        answer = self.query_one("#exam-answer", Input)
        answer.display = q.type == "fill"
        if q.type == "fill":
            answer.value = item.answer if isinstance(item.answer, str) else ""
            answer.focus()
        else:
            self.set_focus(None)

    def tick(self) -> None:
        """Redraw the countdown; submit when the stored deadline has passed."""
        if self.view is None or self.finished:
            return
        now = self.services.clock()
        left = self.view.clock.remaining(now)
        clock = self.query_one("#exam-clock", Static)
        answered = len(self.view.items) - len(self.view.unanswered())
        clock.update(
            f"Time left {_clock(left)} · answered {answered}/{len(self.view.items)} · "
            f"marked {len(self.view.flagged())}"
        )
        clock.set_class(left <= WARN_AT, "warning")
        if self.view.clock.expired(now):
            self.refresh_view()  # the services submit it automatically at the deadline
            if not self.finished:
                self.finish(self.services.submit_exam(self.exam_id, auto=True))

    def finish(self, view: ExamView) -> None:
        """Show the results."""
        if self.finished:
            return
        self.finished = True
        self.app.switch_screen(ResultsScreen(self.services, view))

    def store(self, response: Response) -> None:
        """Commit an answer for the current question."""
        try:
            self.services.exam_answer(self.exam_id, self.position, response)
        except ExamClosedError:
            self.notify("Time is up: the exam was submitted.", severity="warning")
            self.refresh_view()
            return
        self.refresh_view()

    # -- actions -----------------------------------------------------------------------------
    def action_cursor(self, step: int) -> None:
        """Move the choice cursor (``space`` then answers or toggles the choice under it)."""
        if self.view is None or self.finished:
            return
        n = len(self.view.items[self.position].choices)
        if n == 0:
            return
        self.cursor = moved_cursor(self.cursor, step, n)
        self.render_question()

    def action_toggle_choice(self) -> None:
        """Answer (single) or toggle (multiple) the choice under the cursor."""
        if self.cursor is None:
            self.action_cursor(1)
        if self.cursor is not None:
            self.action_choose(self.cursor)

    def action_choose(self, index: int) -> None:
        """Answer (single) or toggle (multiple) a choice; stored at once."""
        if self.view is None or self.finished:
            return
        item = self.view.items[self.position]
        if item.question.type == "fill" or index >= len(item.choices):
            return
        if item.question.type == "multiple":
            current = set(item.answer) if isinstance(item.answer, frozenset) else set()
            current ^= {index}
            self.store(frozenset(current) if current else None)
        else:
            self.store(index)

    @on(Input.Submitted, "#exam-answer")
    def typed(self, event: Input.Submitted) -> None:
        self.store(event.value if event.value.strip() else None)
        self.action_move(1)

    def action_move(self, step: int) -> None:
        """Go to the next or previous question."""
        if self.view is None:
            return
        self.position = max(0, min(len(self.view.items) - 1, self.position + step))
        self.query_one("#navigator", DataTable).move_cursor(row=self.position)
        self.render_question()

    @on(DataTable.RowSelected, "#navigator")
    def jump(self, event: DataTable.RowSelected) -> None:
        self.position = int(str(event.row_key.value))
        self.render_question()

    def action_flag(self) -> None:
        """Mark or unmark the question for review."""
        if self.view is None or self.finished:
            return
        item = self.view.items[self.position]
        with contextlib.suppress(ExamClosedError):
            self.services.exam_flag(self.exam_id, self.position, not item.flagged)
        self.refresh_view()

    def action_review(self) -> None:
        """Jump to the first unanswered or marked question, and say how many are left."""
        if self.view is None:
            return
        todo = sorted(set(self.view.unanswered()) | set(self.view.flagged()))
        if not todo:
            self.notify("Every question is answered and none is marked.")
            return
        unanswered = [p + 1 for p in self.view.unanswered()]
        flagged = [p + 1 for p in self.view.flagged()]
        self.notify(f"Unanswered: {unanswered or 'none'} · marked: {flagged or 'none'}")
        after = [p for p in todo if p > self.position]
        self.position = after[0] if after else todo[0]
        self.query_one("#navigator", DataTable).move_cursor(row=self.position)
        self.render_question()

    def action_submit(self) -> None:
        """Ask, then submit and show the results."""
        if self.view is None or self.finished:
            return
        left = len(self.view.unanswered())
        marked = len(self.view.flagged())
        text = "Submit the exam now?"
        if left or marked:
            text = f"{left} unanswered and {marked} marked. Submit the exam now?"

        def done(yes: bool | None) -> None:
            if yes:
                self.finish(self.services.submit_exam(self.exam_id))

        self.app.push_screen(ConfirmDialog(text), done)

    def action_leave(self) -> None:
        """Leave the exam running (the clock keeps going); resume from home."""
        self.notify("The exam keeps running; press m on the home screen to resume.")
        self.app.pop_screen()


class ResultsScreen(Screen[None]):
    """The score of a submitted exam, per objective, with every answer reviewable."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="results.back"),
    ]

    def __init__(self, services: Services, view: ExamView) -> None:
        super().__init__()
        self.services = services
        self.view = view

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="results-score")
        with Horizontal(id="results-body"):
            yield DataTable(id="results-table", cursor_type="row")
            with VerticalScroll(id="results-detail"):
                yield Markdown("Select a question to see its explanation.", id="results-explain")
        yield Footer()

    def on_mount(self) -> None:
        result = self.view.result
        assert result is not None
        s = result.score
        verdict = "PASS" if s.passed else "FAIL"
        parts = "  ".join(f"{p.objective} {p.correct}/{p.total}" for p in s.by_objective)
        predicted = (
            f" · predicted before: P(pass) {result.predicted_p_pass:.0%}"
            if result.predicted_p_pass is not None
            else ""
        )
        auto = " · submitted at the deadline" if result.auto_submitted else ""
        self.query_one("#results-score", Static).update(
            escape(
                f"{verdict}: {s.raw}/{s.total} right, scaled {s.scaled} (pass 500, estimated "
                f"cut {round(s.cut_fraction * 100)}%){predicted}{auto}\n{parts}"
            )
        )
        table = self.query_one("#results-table", DataTable)
        table.add_column("#", key="n", width=3)
        table.add_column("Result", key="result", width=6)
        table.add_column("Question", key="id", width=30)
        for item in self.view.items:
            table.add_row(
                str(item.position + 1),
                "right" if item.correct else ("WRONG" if item.answered else "blank"),
                item.question.id,
                key=str(item.position),
            )
        table.focus()

    @on(DataTable.RowHighlighted, "#results-table")
    def explain(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None:
            return
        item = self.view.items[int(str(event.row_key.value))]
        q = item.question
        if q.type == "fill":
            right = ", ".join(f"`{a}`" for a in getattr(q, "accept", ()))
            given = f"`{item.answer}`" if item.answer else "(no answer)"
        else:
            choices = item.choices
            right_pos = [item.order.index(i) for i, c in enumerate(q.choices) if c.correct]  # type: ignore[union-attr]
            right = ", ".join(f"{LETTERS[i]}) {choices[i]}" for i in right_pos)
            picked = (
                sorted(item.answer)
                if isinstance(item.answer, frozenset)
                else [item.answer]
                if isinstance(item.answer, int)
                else []
            )
            given = ", ".join(f"{LETTERS[i]}) {choices[i]}" for i in picked) or "(no answer)"
        self.query_one("#results-explain", Markdown).update(
            f"{q.stem}\n\n**Your answer:** {given}\n\n**Right answer:** {right}\n\n"
            f"{q.explanation}\n\n" + "\n".join(f"- {r}" for r in q.refs)
        )

    def action_leave(self) -> None:
        """Back to the home screen."""
        self.app.pop_screen()
