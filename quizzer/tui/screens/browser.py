"""The bank browser: search and filter every question, open one with its history.

Type terms in the filter (all must match the id, objective, knowledge area, type, ``d1``-``d5``
for difficulty, or the text); ``enter`` in the list shows the question with its right answer,
explanation, references and what you did with it.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Markdown

from quizzer.services import Services

LETTERS = "ABCDEFG"


class BrowserScreen(Screen[None]):
    """Every question of the bank, searchable."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="browser.back"),
        Binding("ctrl+f", "focus_filter", "Filter", id="browser.filter", priority=True),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter: e.g. 352.1 fill d3 cgroup", id="browser-filter")
        with Horizontal(id="browser-body"):
            yield DataTable(id="browser-list", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="browser-detail"):
                yield Markdown("Select a question.", id="browser-question")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#browser-list", DataTable)
        # The list takes under half of a narrow terminal, so the question itself stays
        # readable at 80 columns; long ids are cut there.
        list_width = min(52, int(self.app.size.width * 0.45))
        table.styles.width = list_width
        table.add_column("Question", key="id", width=max(16, list_width - 17))
        table.add_column("Type", key="type", width=8)
        table.add_column("D", key="d", width=1)
        self.fill("")
        table.focus()

    def fill(self, text: str) -> None:
        table = self.query_one("#browser-list", DataTable)
        table.clear()
        for q in self.services.search_questions(text):
            table.add_row(q.id, q.type, str(q.difficulty), key=q.id)
        self.sub_title = f"{table.row_count} questions"

    @on(Input.Changed, "#browser-filter")
    def filtered(self, event: Input.Changed) -> None:
        self.fill(event.value)

    @on(Input.Submitted, "#browser-filter")
    def to_list(self) -> None:
        self.query_one("#browser-list", DataTable).focus()

    @on(DataTable.RowHighlighted, "#browser-list")
    def show(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None:
            return
        q = self.services.bank().question(str(event.row_key.value))
        parts = [
            f"### {q.id}",
            f"*{q.objective} {q.knowledge_area} · {q.type} · difficulty {q.difficulty}*",
            "",
            q.stem,
            "",
        ]
        choices = getattr(q, "choices", ())
        for i, c in enumerate(choices):
            parts.append(f"- {LETTERS[i]}) {c.text}" + ("  **(right)**" if c.correct else ""))
        if q.type == "fill":
            parts.append("**Accepted:** " + ", ".join(f"`{a}`" for a in getattr(q, "accept", ())))
        if q.type == "handson":
            parts.append("**Task:** " + getattr(q, "task", ""))
        h = self.services.question_history(q.id)
        seen = (
            f"answered {h['attempts']} time(s), right {h['correct']}; "
            f"next review {h['next_due']:%Y-%m-%d}"
            if h["attempts"] and h["next_due"]
            else "never answered"
        )
        parts += ["", f"**Your history:** {seen}", "", q.explanation, ""]
        parts += [f"- {r}" for r in q.refs]
        self.query_one("#browser-question", Markdown).update("\n".join(parts))

    def action_focus_filter(self) -> None:
        """Jump to the filter."""
        self.query_one("#browser-filter", Input).focus()

    def action_leave(self) -> None:
        """Back to the home screen."""
        self.app.pop_screen()
