"""Hands-on labs: do the task in a throwaway sandbox, graded by the state you leave.

The list shows every hands-on question. In a task, type commands in the editor and press
``ctrl+r`` to run them in a fresh sandbox (after the question's setup) and grade the result,
or press ``ctrl+o`` to get an interactive shell inside a sandbox: the app suspends, you work,
and the checks run when the shell exits. Each criterion is shown passed or failed with its
message; ``ctrl+l`` reveals the model solution once an attempt has failed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Log, Markdown, Static, TextArea

from quizzer.services import Services

if TYPE_CHECKING:
    from quizzer.services import Attempt, Question, Session


class HandsOnListScreen(Screen[None]):
    """Every hands-on question; ``enter`` opens one; ``p`` builds the sandbox's rootfs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="handson.back"),
        Binding("p", "prepare", "Prepare sandbox", id="handson.prepare"),
    ]

    class Prepared(Message):
        """The rootfs build ended: ``error`` says why it failed, or is empty."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.preparing = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hands-on labs: each runs in a throwaway sandbox.", id="handson-intro")
        yield Static("", id="handson-sandbox")
        yield DataTable(id="handson-list", cursor_type="row", zebra_stripes=True)
        yield Log(id="handson-log", max_lines=200)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#handson-log", Log).display = False
        self.refresh_rows()
        self.show_sandbox()

    def show_sandbox(self) -> None:
        """Which sandbox attempts use here, and what p would do."""
        try:
            state = self.services.sandbox_state()
        except Exception as e:
            self.query_one("#handson-sandbox", Static).update(escape(f"Sandbox: {e}"))
            return
        if state.backend == "userns":
            text = f"Sandbox: full rootfs, every lab runs ({state.rootfs_detail})."
        elif state.backend == "bwrap":
            text = (
                "Sandbox: bwrap fallback; labs that need cgroups, runc, LXC or Docker ask for "
                "the full rootfs: p builds it (root, about a minute, ~450 MB)."
            )
        else:
            text = f"No sandbox: {state.problem}. p builds the rootfs (needs root)."
        self.query_one("#handson-sandbox", Static).update(escape(text))

    def action_prepare(self) -> None:
        """Build the sandbox's rootfs in a worker, its progress in the log below the list."""
        if self.preparing:
            return
        self.preparing = True
        log = self.query_one("#handson-log", Log)
        log.clear()
        log.display = True
        self.query_one("#handson-sandbox", Static).update("Sandbox: preparing the rootfs…")
        self.prepare()

    @work(thread=True, exclusive=True, group="prepare", exit_on_error=False)
    def prepare(self) -> None:
        log = self.query_one("#handson-log", Log)

        def line(text: str) -> None:
            self.app.call_from_thread(log.write_line, text)

        try:
            self.services.prepare_sandbox(progress=line)
        except Exception as e:  # RootfsError (no root, no debootstrap...) or an OS error
            self.post_message(self.Prepared(str(e) or type(e).__name__))
            return
        self.post_message(self.Prepared(""))

    def on_hands_on_list_screen_prepared(self, message: Prepared) -> None:
        self.preparing = False
        if message.error:
            self.notify(f"Could not prepare the sandbox: {message.error}", severity="error")
            self.query_one("#handson-log", Log).write_line(f"failed: {message.error}")
        else:
            self.notify("The sandbox rootfs is ready")
        self.show_sandbox()

    def on_screen_resume(self) -> None:
        self.refresh_rows()  # back from a task: its result shows in the list

    def refresh_rows(self) -> None:
        table = self.query_one("#handson-list", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        # The task first: it is what the learner reads; the id (for search and `quizzer
        # check`) only where there is room for both.
        show_id = self.app.size.width >= 110
        fixed = 5 + 3 + 5 + (36 if show_id else 0) + 2 * (4 + show_id) + 4
        table.add_column("Task", key="title", width=max(20, self.app.size.width - fixed))
        table.add_column("Obj.", key="objective", width=5)
        table.add_column("Lvl", key="difficulty", width=3)
        table.add_column("Done", key="done", width=5)
        if show_id:
            table.add_column("Question", key="id", width=36)
        try:
            rows = self.services.handson_overview()
        except Exception as e:  # a database or bank problem: say so, no traceback
            self.notify(f"Could not list the labs: {e}", severity="error")
            return
        passed = 0
        for r in rows:
            if r.last_passed is None:
                done = ""
            else:
                done = "✓" if r.last_passed else "✗"
                done += f" {r.attempts}" if r.attempts > 1 else ""
            passed += bool(r.last_passed)
            cells = [Text(r.title), r.objective, str(r.difficulty), done]
            table.add_row(*cells, *([r.id] if show_id else []), key=r.id)
        self.query_one("#handson-intro", Static).update(
            f"Hands-on labs, each in a throwaway sandbox: {passed} of {len(rows)} passed "
            "on the last attempt. enter opens one."
        )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        table.focus()

    @on(DataTable.RowSelected, "#handson-list")
    def open_task(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(HandsOnTaskScreen(self.services, str(event.row_key.value)))

    def action_leave(self) -> None:
        """Back to the home screen."""
        self.app.pop_screen()


class HandsOnTaskScreen(Screen[None]):
    """One hands-on task: editor, run, interactive shell, results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run and check", id="handson.run"),
        Binding("ctrl+o", "shell", "Shell in sandbox", id="handson.shell"),
        Binding("ctrl+l", "solution", "Show solution", id="handson.solution"),
        Binding("escape", "leave", "Back", id="handson.leave"),
    ]

    class Graded(Message):
        """An attempt was graded."""

        def __init__(self, attempt: Attempt) -> None:
            super().__init__()
            self.attempt = attempt

    def __init__(self, services: Services, question_id: str) -> None:
        super().__init__()
        self.services = services
        self.question: Question = services.bank().question(question_id)
        self.attempts: list[Attempt] = []
        self.running = False
        # A sandbox made and set up ahead, while the learner types: ctrl+r then only runs the
        # commands and the checks (teardown happens after the verdict is shown).
        self.warm: Session | None = None
        self.warm_lock = threading.Lock()
        self.closed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="handson-card"):
            yield Markdown("", id="handson-task")
            yield TextArea("", id="handson-editor", language=None, soft_wrap=True)
            yield Static("Write the commands above, then ctrl+r.", id="handson-status")
            yield Markdown("", id="handson-result")
        yield Footer()

    def on_mount(self) -> None:
        q = self.question
        task = getattr(q, "task", "")
        self.query_one("#handson-task", Markdown).update(
            f"## {q.stem}\n\n{task}\n\n*{q.objective} {q.knowledge_area} · difficulty "
            f"{q.difficulty} · ctrl+r runs your commands in a fresh sandbox; ctrl+o opens a shell "
            "in one.*"
        )
        self.query_one("#handson-editor", TextArea).focus()
        self.warm_up()

    def on_unmount(self) -> None:
        with self.warm_lock:
            self.closed = True
            session, self.warm = self.warm, None
        if session is not None:
            session.__exit__(None, None, None)

    @work(thread=True, group="handson-warm", exit_on_error=False)
    def warm_up(self) -> None:
        """Make the next attempt's sandbox and run the task's setup, off the UI thread."""
        try:
            session = self.services.handson_session(self.question.id).__enter__()
        except Exception:  # no sandbox here: ctrl+r reports why when it is pressed
            return
        with self.warm_lock:
            keep = not self.closed and self.warm is None and session.setup_error is None
            if keep:
                self.warm = session
        if not keep:
            session.__exit__(None, None, None)

    def take_warm(self) -> Session | None:
        with self.warm_lock:
            session, self.warm = self.warm, None
        return session

    @work(thread=True, exclusive=True, group="handson", exit_on_error=False)
    def grade(self, commands: str) -> None:
        """Run and grade off the UI thread, in the warm sandbox when it is ready."""
        session = self.take_warm()
        try:
            if session is None:
                result = self.services.check_handson(self.question.id, commands)
            else:
                result = session.grade(commands)
                self.services.record_handson(self.question.id, commands, result)
        except Exception as e:
            self.app.call_from_thread(self.notify, f"Sandbox error: {e}", severity="error")
            self.app.call_from_thread(self._idle)
            if session is not None:
                session.__exit__(None, None, None)
            return
        self.post_message(self.Graded(result))
        if session is not None:
            session.__exit__(None, None, None)  # teardown after the verdict is on its way
            if not self.closed:
                self.app.call_from_thread(self.warm_up)  # and the next try's sandbox

    def _idle(self) -> None:
        self.running = False

    def action_run(self) -> None:
        """Grade the commands in the editor."""
        if self.running:
            return
        commands = self.query_one("#handson-editor", TextArea).text
        if not commands.strip():
            self.notify("Type the commands to run first")
            return
        self.running = True
        self.query_one("#handson-status", Static).update("Running in a fresh sandbox…")
        self.grade(commands)

    def action_shell(self) -> None:
        """Suspend the app and open a shell inside a sandbox; grade when it exits."""
        try:
            with self.services.handson_session(self.question.id) as session:
                if session.setup_error:
                    self.notify(f"Setup failed: {session.setup_error}", severity="error")
                    return
                with self.app.suspend():
                    print(f"\n{self.question.id}: do the task, then type exit to grade it.\n")
                    session.shell()
                result = session.grade()
            self.services.record_handson(self.question.id, "(interactive shell)", result)
        except Exception as e:  # SuspendNotSupported in tests, sandbox errors elsewhere
            self.notify(f"No interactive shell here: {e}", severity="error")
            return
        self.post_message(self.Graded(result))

    def on_hands_on_task_screen_graded(self, message: Graded) -> None:
        self.running = False
        result = message.attempt
        self.attempts.append(result)
        status = self.query_one("#handson-status", Static)
        if result.error:
            status.update(escape(f"Could not grade: {result.error}"))
            return
        verdict = "PASSED" if result.passed else f"not yet: {result.score:.0%} of the checks"
        status.update(escape(f"{verdict} ({result.seconds * 1000:.0f} ms)"))
        lines = []
        for c in result.checks:
            mark = "✔" if c.passed else "✘"
            lines.append(f"- {mark} {c.description}" + ("" if c.passed else f": *{c.message}*"))
        if result.output.strip():
            lines.append(f"\n**Output**\n\n```\n{result.output.strip()[-2000:]}\n```")
        if not result.passed:
            lines.append("\nFix it and ctrl+r again, or ctrl+l to see a solution.")
        self.query_one("#handson-result", Markdown).update("\n".join(lines))

    def action_solution(self) -> None:
        """Show the model solution, after a failed attempt."""
        if not any(not a.passed for a in self.attempts):
            self.notify("Try it first: the solution opens after a failed attempt.")
            return
        solution = getattr(self.question, "solution", "")
        self.query_one("#handson-result", Markdown).update(
            f"**A solution** (any way that leaves the same state passes)\n\n```sh\n"
            f"{solution.strip()}\n```\n\n{self.question.explanation}"
        )

    def action_leave(self) -> None:
        """Back to the list."""
        self.app.pop_screen()
