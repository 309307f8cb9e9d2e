"""Daily review and practice: one question card at a time, feedback after each answer.

Choices are picked with their letter (``a``-``f``) or number (``1``-``6``); for "choose TWO"
questions each key toggles a choice. Fill-in questions take typed text. ``enter`` submits,
``u`` marks the answer as a guess (it comes back sooner), ``ctrl+n`` answers "I don't know".
After the feedback, ``enter`` moves on. Every answer is committed by the services before the
feedback appears; fetching and answering run in thread workers so the screen never stalls.
"""

from __future__ import annotations

import string
from typing import ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown, Static

from quizzer.services import AnswerFeedback, Mode, Presented, Response, Services
from quizzer.tui.render import choice_lines, moved_cursor

LETTERS = string.ascii_uppercase


class ReviewScreen(Screen[None]):
    """A review or practice session."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Answer / next", id="review.submit"),
        Binding("u", "unsure", "Unsure", id="review.unsure"),
        Binding("ctrl+n", "dont_know", "Don't know", id="review.dont_know"),
        Binding("escape", "leave", "Back", id="review.back"),
        Binding("space", "toggle_choice", "Toggle", id="review.toggle"),
        Binding("down", "cursor(1)", show=False),
        Binding("up", "cursor(-1)", show=False),
        *[Binding(c, f"choose({i})", show=False) for i, c in enumerate("abcdef")],
        *[Binding(str(i + 1), f"choose({i})", show=False) for i in range(6)],
    ]

    class Fetched(Message):
        """The next question (or None: nothing left today)."""

        def __init__(self, presented: Presented | None, left: str = "") -> None:
            super().__init__()
            self.presented = presented
            self.left = left
            """What is left of today's work, for the progress line."""

    class Answered(Message):
        """The services graded and stored an answer."""

        def __init__(self, feedback: AnswerFeedback) -> None:
            super().__init__()
            self.feedback = feedback

    class Failed(Message):
        """A worker failed; the message is shown as a notification."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, services: Services, mode: Mode = Mode.review, objective: str | None = None):
        super().__init__()
        self.services = services
        self.mode = mode
        self.objective = objective
        self.presented: Presented | None = None
        self.feedback: AnswerFeedback | None = None
        self.selected: set[int] = set()
        self.cursor: int | None = None
        """The choice ``space`` toggles (moved with the arrow keys)."""
        self.unsure = False
        self.busy = False
        self.asked = 0
        self.right = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="progress")
        with VerticalScroll(id="card"):
            yield Markdown("Loading…", id="stem")
            yield Static("", id="choices")
            yield Input(placeholder="Type your answer, then enter", id="answer")
            yield Markdown("", id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#answer", Input).display = False
        self.query_one("#feedback", Markdown).display = False
        self.fetch()

    # -- workers -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def fetch(self) -> None:
        """Ask the services for the next question."""
        try:
            presented = self.services.next_question(self.mode, self.objective)
            st = self.services.study_status()
            new_left = max(0, st.new_limit - st.new_today)
            left = f"{st.due_today} due and {new_left} new left today"
            self.post_message(self.Fetched(presented, left))
        except Exception as e:  # shown, never a traceback on screen
            self.post_message(self.Failed(f"Could not get a question: {e}"))

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def send(self, presented: Presented, response: Response, unsure: bool) -> None:
        """Grade and store the answer."""
        try:
            self.post_message(
                self.Answered(self.services.answer(presented, response, unsure=unsure))
            )
        except Exception as e:
            self.post_message(self.Failed(f"Could not store the answer: {e}"))

    # -- rendering -----------------------------------------------------------------------
    def on_review_screen_fetched(self, message: Fetched) -> None:
        self.busy = False
        self.presented = message.presented
        self.feedback = None
        self.selected = set()
        self.cursor = None
        self.unsure = False
        stem = self.query_one("#stem", Markdown)
        answer = self.query_one("#answer", Input)
        self.query_one("#feedback", Markdown).display = False
        if message.presented is None:
            stem.update(
                f"## Done for now\n\nAnswered **{self.asked}**, right **{self.right}**. "
                "Every answer is saved.\n\nPress **escape** to go back."
            )
            self.query_one("#choices", Static).update("")
            answer.display = False
            self.query_one("#progress", Static).update("Nothing more to review right now.")
            return
        p = message.presented
        q = p.question
        self.query_one("#progress", Static).update(
            escape(
                f"Question {self.asked + 1} · {message.left} · {p.reason} · {q.objective} "
                f"{q.knowledge_area} · difficulty {q.difficulty}"
            )
        )
        hint = getattr(q, "hint", None)
        stem.update(q.stem + (f"\n\n*Hint: {hint}*" if hint else ""))
        self.render_choices()
        answer.display = q.type == "fill"
        answer.value = ""
        if q.type == "fill":
            answer.focus()
        else:
            self.set_focus(None)

    def render_choices(self) -> None:
        p = self.presented
        text = ""
        if p is not None:
            # Each line is also a link: a mouse click chooses like the letter does.
            text = choice_lines(p.choices, self.selected, self.cursor, LETTERS)
            if self.unsure:
                text += "\n(marked as a guess)"
        self.query_one("#choices", Static).update(text)

    def on_review_screen_answered(self, message: Answered) -> None:
        self.busy = False
        fb = message.feedback
        self.feedback = fb
        self.asked += 1
        self.right += int(fb.correct)
        p = self.presented
        assert p is not None
        if isinstance(fb.right_answer, str):
            right = f"`{fb.right_answer}`"
        elif isinstance(fb.right_answer, frozenset):
            right = ", ".join(f"{LETTERS[i]}) {p.choices[i]}" for i in sorted(fb.right_answer))
        elif isinstance(fb.right_answer, int):
            right = f"{LETTERS[fb.right_answer]}) {p.choices[fb.right_answer]}"
        else:
            right = "-"
        verdict = "**Right.**" if fb.correct else "**Wrong.**"
        refs = "\n".join(f"- {r}" for r in p.question.refs)
        due = fb.next_due.strftime("%Y-%m-%d %H:%M UTC")
        leech = "\n\n*This question keeps slipping (a leech): reread its references.*"
        text = (
            f"{verdict} Answer: {right}\n\n{fb.explanation}\n\n**References**\n\n{refs}\n\n"
            f"Next review: {due} ({fb.rating}). Press **enter** for the next question."
            + (leech if fb.leech else "")
        )
        feedback = self.query_one("#feedback", Markdown)
        feedback.update(text)
        feedback.display = True
        self.query_one("#answer", Input).display = False
        self.set_focus(None)
        feedback.scroll_visible()

    def on_review_screen_failed(self, message: Failed) -> None:
        self.busy = False
        self.notify(message.text, severity="error")

    # -- actions -------------------------------------------------------------------------
    def action_choose(self, index: int) -> None:
        """Pick (single) or toggle (multiple) a choice."""
        p = self.presented
        if p is None or self.feedback is not None or index >= len(p.choices):
            return
        if p.question.type == "multiple":
            self.selected ^= {index}
        else:
            self.selected = {index}
        self.render_choices()

    def action_cursor(self, step: int) -> None:
        """Move the choice cursor (``space`` then toggles or picks the choice under it)."""
        p = self.presented
        if p is None or not p.choices or self.feedback is not None:
            return
        n = len(p.choices)
        self.cursor = moved_cursor(self.cursor, step, n)
        self.render_choices()

    def action_toggle_choice(self) -> None:
        """Toggle (multiple) or pick (single) the choice under the cursor."""
        if self.cursor is None:
            self.action_cursor(1)
        if self.cursor is not None:
            self.action_choose(self.cursor)

    def action_unsure(self) -> None:
        """Mark the answer as a guess: a right guess is rated Hard, so it returns sooner."""
        if self.presented is not None and self.feedback is None:
            self.unsure = not self.unsure
            self.render_choices()

    def action_dont_know(self) -> None:
        """Answer "I don't know" (graded wrong, shows the explanation)."""
        if self.presented is not None and self.feedback is None and not self.busy:
            self.busy = True
            self.send(self.presented, None, False)

    @on(Input.Submitted, "#answer")
    def typed(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        """Submit the answer, or go on after the feedback."""
        if self.busy:
            return
        p = self.presented
        if p is None:
            return
        if self.feedback is not None:
            self.busy = True
            self.fetch()
            return
        response: Response
        if p.question.type == "fill":
            response = self.query_one("#answer", Input).value
            if not response.strip():
                self.notify("Type an answer (or ctrl+n for I don't know)")
                return
        elif p.question.type == "multiple":
            if not self.selected:
                self.notify("Pick the choices with their letters first")
                return
            response = frozenset(self.selected)
        else:
            if not self.selected:
                self.notify("Pick a choice with its letter first")
                return
            response = next(iter(self.selected))
        self.busy = True
        self.send(p, response, self.unsure)

    def action_leave(self) -> None:
        """Back to the home screen (everything answered is already saved)."""
        self.app.pop_screen()
