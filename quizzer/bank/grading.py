"""Grading of knowledge questions: is this response right for this question?

A response is what the learner gave, expressed against the question's own choice order (the
UI's shuffled order is mapped back before grading): the index of one choice for ``single``,
a set of indices for ``multiple`` (all or nothing, as on the LPI exam) and the typed text for
``fill``, normalised by the question's :class:`~quizzer.bank.models.FillRules` before it is
compared with every accepted form. Hands-on questions are graded by the sandbox, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import comb

from quizzer.bank.models import (
    FillQuestion,
    FillRules,
    MultipleChoiceQuestion,
    Question,
    SingleChoiceQuestion,
)

__all__ = ["Grade", "Response", "correct_response", "grade", "guess_floor", "normalise_fill"]

Response = int | frozenset[int] | str
"""A choice index (single), a set of choice indices (multiple) or typed text (fill)."""

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "'\"")


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one response."""

    correct: bool
    answered: bool
    """False when the response was empty (no choice, blank text)."""


def normalise_fill(text: str, rules: FillRules) -> str:
    """The canonical form of a typed answer (or of an accepted form) under ``rules``."""
    s = text.strip()
    if rules.strip_quotes:
        s = s.translate(_QUOTES)
    tokens = _SPACES.split(s) if rules.collapse_spaces else s.split(" ")
    tokens = [t for t in tokens if t] if rules.collapse_spaces else tokens
    if rules.trailing_slash:
        tokens = [t.rstrip("/") or t for t in tokens]
    if rules.strip_path and tokens and "/" in tokens[0] and not tokens[0].endswith("/"):
        tokens[0] = tokens[0].rsplit("/", 1)[1] or tokens[0]
    s = " ".join(tokens)
    return s if rules.case_sensitive else s.casefold()


def grade(question: Question, response: Response | None) -> Grade:
    """Grade one response; ``None`` (or an empty one) is an unanswered, wrong response."""
    if isinstance(question, SingleChoiceQuestion):
        if not isinstance(response, int) or isinstance(response, bool):
            return Grade(False, False)
        ok = 0 <= response < len(question.choices) and question.choices[response].correct
        return Grade(ok, True)
    if isinstance(question, MultipleChoiceQuestion):
        if not isinstance(response, frozenset) or not response:
            return Grade(False, False)
        right = frozenset(i for i, c in enumerate(question.choices) if c.correct)
        return Grade(response == right, True)
    if isinstance(question, FillQuestion):
        if not isinstance(response, str) or not response.strip():
            return Grade(False, False)
        given = normalise_fill(response, question.rules)
        accepted = {normalise_fill(a, question.rules) for a in question.accept}
        return Grade(given in accepted, True)
    raise TypeError(f"{question.id}: {question.type} questions are graded by the sandbox")


def correct_response(question: Question) -> Response:
    """The reference answer: the right index, the right set, or the first accepted form."""
    if isinstance(question, SingleChoiceQuestion):
        return next(i for i, c in enumerate(question.choices) if c.correct)
    if isinstance(question, MultipleChoiceQuestion):
        return frozenset(i for i, c in enumerate(question.choices) if c.correct)
    if isinstance(question, FillQuestion):
        return question.accept[0]
    raise TypeError(f"{question.id}: {question.type} questions have no single reference answer")


def guess_floor(question: Question) -> float:
    """The chance of answering right by guessing: 1/k for single, 1/C(k,m) for multiple."""
    if isinstance(question, SingleChoiceQuestion):
        return 1.0 / len(question.choices)
    if isinstance(question, MultipleChoiceQuestion):
        m = sum(c.correct for c in question.choices)
        return 1.0 / comb(len(question.choices), m)
    return 0.0
