"""Plain line mode: questions on stdout, answers from stdin.

For screen readers, slow links and scripts: no colours, no cursor movement, one prompt per
line. Choice questions take letters (``B``, ``A C``, ``a,c``); fill-in questions take the typed
text. A trailing ``?`` marks a right answer as a guess (it comes back sooner). An empty line
means "I don't know". Lines starting with ``:`` are commands (``:q`` to stop). End of input
stops cleanly: everything answered so far is already stored, and an unfinished exam stays open
to resume.
"""

from __future__ import annotations

import string
import textwrap
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TextIO

from quizzer.services import (
    AnswerFeedback,
    ExamClosedError,
    ExamView,
    Mode,
    Presented,
    Response,
    Services,
)

__all__ = ["PlainSession", "render"]

LETTERS = string.ascii_uppercase


class _EndOfInput(Exception):
    pass


def _duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _when(moment: datetime, now: datetime) -> str:
    days = (moment - now).total_seconds() / 86400
    if days < 1 / 24:
        return f"in {max(1, round(days * 1440))} min"
    if days < 1:
        return f"in {round(days * 24)} h"
    return f"{moment.date().isoformat()} (in {round(days)} days)"


def render(markdown: str, width: int = 100) -> list[str]:
    """Markdown as plain lines: paragraphs wrapped, code blocks and list items kept as written."""
    lines: list[str] = []
    paragraph: list[str] = []
    in_code = False

    def flush() -> None:
        if paragraph:
            lines.extend(textwrap.wrap(" ".join(paragraph), width) or [""])
            paragraph.clear()

    for raw in markdown.strip("\n").splitlines():
        stripped = raw.strip()
        if stripped.startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            lines.append("    " + raw)
        elif not stripped:
            flush()
        elif stripped[:2] in ("- ", "* ") or (stripped[:1].isdigit() and ". " in stripped[:4]):
            flush()
            paragraph.append(stripped)
        else:
            paragraph.append(stripped)
    flush()
    return lines


class PlainSession:
    """A line-oriented client of :class:`~quizzer.services.Services`."""

    def __init__(self, services: Services, stdin: TextIO, stdout: TextIO) -> None:
        self.services = services
        self.stdin = stdin
        self.stdout = stdout

    # -- input and output -------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        """Write a line."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str:
        """Prompt and read one line (raises _EndOfInput at end of input)."""
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.say()
            raise _EndOfInput
        return line.rstrip("\n")

    def show(self, header: str, stem: str, choices: Sequence[str], hint: str | None) -> None:
        """Print a question."""
        self.say()
        self.say(header)
        for line in render(stem):
            self.say(line)
        for i, text in enumerate(choices):
            self.say(f"  {LETTERS[i]}) {text}")
        if hint:
            self.say(f"Hint: {hint}")

    def parse(self, line: str, n_choices: int, multiple: bool) -> tuple[Response, bool] | None:
        """Turn a typed line into a response and an "unsure" mark; None if it is malformed."""
        text = line.strip()
        unsure = text.endswith("?")
        if unsure:
            text = text[:-1].strip()
        if n_choices == 0:
            return text, unsure
        if not text:
            return None if multiple else (None, unsure)
        letters = [c for c in text.upper() if c not in " ,;"]
        positions = [LETTERS.find(c) for c in letters]
        if any(p < 0 or p >= n_choices for p in positions) or len(set(positions)) != len(positions):
            return None
        if multiple:
            return frozenset(positions), unsure
        if len(positions) != 1:
            return None
        return positions[0], unsure

    def _read_answer(
        self, n_choices: int, multiple: bool, prompt: str
    ) -> tuple[Response, bool] | str:
        while True:
            line = self.ask(prompt)
            if line.strip().startswith(":"):
                return line.strip()
            if not line.strip():
                return (None, False)
            parsed = self.parse(line, n_choices, multiple)
            if parsed is not None:
                return parsed
            last = LETTERS[n_choices - 1]
            self.say(
                f"Please type {'letters' if multiple else 'one letter'} A-{last}"
                + (" (for example: A C)" if multiple else "")
                + ", or an empty line for 'I don't know'."
            )

    # -- daily review and practice ------------------------------------------------------------
    def review(self, mode: Mode = Mode.review, objective: str | None = None, limit: int = 0) -> int:
        """Ask questions until none is left, ``limit`` is reached, ``:q`` or end of input."""
        status = self.services.study_status()
        self.say(
            f"quizzer {mode.value}: {status.due_today} due today, "
            f"{status.new_today}/{status.new_limit} new questions done today."
        )
        self.say("Letters for choices, text for fill-in; '?' after an answer marks a guess;")
        self.say("an empty line means 'I don't know'; :q stops.")
        asked = right = 0
        try:
            while not limit or asked < limit:
                presented = self.services.next_question(mode, objective)
                if presented is None:
                    self.say()
                    self.say("Nothing more for now: today's review is done.")
                    break
                feedback = self._ask_one(presented, asked + 1)
                if feedback is None:
                    break
                asked += 1
                right += int(feedback.correct)
        except _EndOfInput:
            pass
        self.say(f"Answered {asked}, right {right}. Every answer is saved.")
        return 0

    def _ask_one(self, presented: Presented, number: int) -> AnswerFeedback | None:
        q = presented.question
        choices = presented.choices
        multiple = q.type == "multiple"
        header = (
            f"[{number}] {q.objective} {q.knowledge_area} | {presented.reason} | "
            f"difficulty {q.difficulty}"
        )
        self.show(header, q.stem, choices, getattr(q, "hint", None))
        got = self._read_answer(len(choices), multiple, "answer> ")
        while isinstance(got, str):
            if got in (":q", ":quit"):
                return None
            self.say("The only command here is :q (stop); anything else is an answer.")
            got = self._read_answer(len(choices), multiple, "answer> ")
        response, unsure = got
        feedback = self.services.answer(presented, response, unsure=unsure)
        self._show_feedback(presented, feedback)
        return feedback

    def _format_answer(self, presented_choices: Sequence[str], answer: Response) -> str:
        if isinstance(answer, str):
            return answer
        if isinstance(answer, frozenset):
            return ", ".join(f"{LETTERS[i]}) {presented_choices[i]}" for i in sorted(answer))
        if isinstance(answer, int):
            return f"{LETTERS[answer]}) {presented_choices[answer]}"
        return "(none)"

    def _show_feedback(self, presented: Presented, feedback: AnswerFeedback) -> None:
        verdict = "Right." if feedback.correct else "Wrong."
        self.say(
            f"{verdict} Answer: {self._format_answer(presented.choices, feedback.right_answer)}"
        )
        for line in render(feedback.explanation):
            self.say(line)
        now = self.services.clock()
        self.say(f"Next review: {_when(feedback.next_due, now)} ({feedback.rating}).")
        if feedback.leech:
            self.say("This question keeps slipping (a leech): reread its references.")

    # -- mock exams -----------------------------------------------------------------------
    def exam(self, objectives: Sequence[str] | None = None, questions: int | None = None) -> int:
        """Resume the open exam or start one; answer, flag, review and submit."""
        view = self.services.open_exam()
        if view is None:
            view = self.services.start_exam(objectives, questions)
            self.say(
                f"Mock exam {view.id}: {len(view.items)} questions, "
                f"{_duration(view.clock.deadline - view.clock.started_at)} minutes."
            )
        else:
            self.say(f"Resuming mock exam {view.id}.")
        self.say(
            "Letters or text answer; empty line skips; :f flags; :submit ends; :q leaves it open."
        )
        try:
            for position in view.unanswered():
                if self._exam_question(view.id, position) == "leave":
                    return self._leave(view.id)
                if self.services.exam(view.id).submitted:
                    break
            while not self.services.exam(view.id).submitted:
                current = self.services.exam(view.id)
                unanswered = [p + 1 for p in current.unanswered()]
                flagged = [p + 1 for p in current.flagged()]
                self.say()
                self.say(f"Review: unanswered {unanswered or 'none'}; flagged {flagged or 'none'}.")
                line = self.ask("number to revisit, :submit, or :q> ").strip()
                if line in (":submit", ":s"):
                    self.services.submit_exam(view.id)
                elif line in (":q", ":quit") or (
                    line.isdigit()
                    and 1 <= int(line) <= len(current.items)
                    and self._exam_question(view.id, int(line) - 1) == "leave"
                ):
                    return self._leave(view.id)
        except _EndOfInput:
            if not self.services.exam(view.id).submitted:
                return self._leave(view.id)
        except ExamClosedError:
            self.say("Time is up: the exam was submitted automatically.")
        self._show_result(self.services.exam(view.id))
        return 0

    def _leave(self, exam_id: int) -> int:
        view = self.services.exam(exam_id)
        if view.submitted:
            self._show_result(view)
            return 0
        left = _duration(view.clock.remaining(self.services.clock()))
        self.say(f"Exam {exam_id} left open ({left} left); resume with: quizzer exam --plain")
        return 0

    def _exam_question(self, exam_id: int, position: int) -> str:
        view = self.services.exam(exam_id)
        if view.submitted:
            raise ExamClosedError
        item = view.items[position]
        q = item.question
        left = _duration(view.clock.remaining(self.services.clock()))
        flag = " [flagged]" if item.flagged else ""
        header = f"Question {position + 1}/{len(view.items)}{flag} | {left} left"
        self.show(header, q.stem, item.choices, getattr(q, "hint", None))
        while True:
            got = self._read_answer(len(item.choices), q.type == "multiple", "answer> ")
            if isinstance(got, str):
                if got in (":f", ":flag"):
                    self.services.exam_flag(exam_id, position, not item.flagged)
                    item = self.services.exam(exam_id).items[position]
                    self.say("Flagged." if item.flagged else "Flag removed.")
                    continue
                if got in (":q", ":quit"):
                    return "leave"
                if got in (":submit", ":s"):
                    self.services.submit_exam(exam_id)
                    return "submitted"
                self.say("Commands: :f flag, :submit, :q")
                continue
            response, _unsure = got
            if response is not None:
                self.services.exam_answer(exam_id, position, response)
            return "answered"

    def _show_result(self, view: ExamView) -> None:
        result = view.result
        if result is None:
            return
        s = result.score
        self.say()
        verdict = "PASS" if s.passed else "FAIL"
        self.say(
            f"Result: {s.raw}/{s.total} right, scaled {s.scaled} (pass 500, estimated cut "
            f"{round(s.cut_fraction * 100)}%): {verdict}"
            + (" (submitted automatically at the deadline)" if result.auto_submitted else "")
        )
        if result.predicted_p_pass is not None:
            self.say(
                f"Predicted before the exam: P(pass) {result.predicted_p_pass:.0%}, "
                f"scaled about {result.predicted_scaled}."
            )
        for part in s.by_objective:
            self.say(f"  {part.objective}: {part.correct}/{part.total} ({part.percent:.0f}%)")
        for item in view.items:
            mark = "right" if item.correct else "WRONG"
            self.say(f"  {item.position + 1:2}. {mark:5} {item.question.id}")
