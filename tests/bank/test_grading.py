"""Grading of single, multiple and fill-in answers (properties over real question models)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzer.bank import (
    FillQuestion,
    MultipleChoiceQuestion,
    SingleChoiceQuestion,
    correct_response,
    grade,
    guess_floor,
    load_bank,
    normalise_fill,
)
from quizzer.bank.models import FillRules

BASE = {
    "objective": "352.1",
    "knowledge_area": "namespaces",
    "difficulty": 2,
    "stem": "s",
    "explanation": "e",
    "refs": ["man: x(1)"],
}


def _single(n: int, right: int) -> SingleChoiceQuestion:
    return SingleChoiceQuestion(
        id="352.1-s",
        type="single",
        **BASE,
        choices=[{"text": f"c{i}", "correct": i == right} for i in range(n)],
    )


def _multiple(n: int, right: set[int]) -> MultipleChoiceQuestion:
    k = {2: "TWO", 3: "THREE"}[len(right)]
    return MultipleChoiceQuestion(
        id="352.1-m",
        type="multiple",
        **{**BASE, "stem": f"s (Choose {k} correct answers.)"},
        choices=[{"text": f"c{i}", "correct": i in right} for i in range(n)],
    )


def _fill(accept: list[str], **rules: bool) -> FillQuestion:
    return FillQuestion(id="352.1-f", type="fill", **BASE, accept=accept, rules=FillRules(**rules))


@given(
    st.integers(3, 6).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(0, n - 1), st.integers(-2, n + 2))
    )
)
def test_single_is_right_only_for_the_correct_index(args) -> None:
    n, right, given_index = args
    q = _single(n, right)
    assert grade(q, given_index).correct == (given_index == right)
    assert grade(q, correct_response(q)).correct
    assert not grade(q, None).answered
    assert guess_floor(q) == pytest.approx(1 / n)


@given(
    st.integers(4, 7).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.sets(st.integers(0, n - 1), min_size=2, max_size=min(3, n - 1)),
            st.frozensets(st.integers(0, n - 1)),
        )
    )
)
def test_multiple_is_all_or_nothing(args) -> None:
    n, right, given_set = args
    q = _multiple(n, right)
    result = grade(q, given_set)
    assert result.correct == (given_set == frozenset(right))
    assert result.answered == bool(given_set)
    assert grade(q, correct_response(q)).correct


# Commands, options and paths are ASCII; Unicode case folding has its own oddities (Turkish i).
words = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=/"),
    min_size=1,
    max_size=12,
).filter(lambda w: w.strip("/"))


@given(
    st.lists(words, min_size=1, max_size=4).map(" ".join),
    st.text(" \t", max_size=3),
    st.text(" \t", max_size=3),
)
def test_every_accepted_form_is_right_with_any_surrounding_space(answer, before, after) -> None:
    q = _fill([answer])
    assert grade(q, before + answer + after).correct
    assert grade(q, before + answer.replace(" ", "   ") + after).correct


@given(st.lists(words, min_size=1, max_size=3).map(" ".join))
def test_case_matters_only_when_the_rules_say_so(answer) -> None:
    swapped = answer.swapcase()
    assert grade(_fill([answer], case_sensitive=False), swapped).correct
    assert grade(_fill([answer], case_sensitive=True), swapped).correct == (
        normalise_fill(swapped, FillRules()) == normalise_fill(answer, FillRules())
    )


def test_fill_rules() -> None:
    assert grade(_fill(["nsenter"], strip_path=True), "/usr/bin/nsenter").correct
    assert not grade(_fill(["nsenter"]), "/usr/bin/nsenter").correct
    assert grade(_fill(["/etc/lxc"]), "/etc/lxc/").correct
    assert not grade(_fill(["/etc/lxc"], trailing_slash=False), "/etc/lxc/").correct
    assert grade(
        _fill(["docker inspect --format {{.Id}} web"], strip_quotes=True),
        "docker inspect --format '{{.Id}}' web",
    ).correct
    assert not grade(_fill(["lsns -t pid"]), "lsns -p pid").correct
    assert not grade(_fill(["lsns -t pid"]), "lsns -T pid").correct
    assert not grade(_fill(["lsns"]), "   ").answered


def test_every_bundled_question_accepts_its_own_reference_answer(bundled_bank: Path) -> None:
    bank = load_bank(bundled_bank)
    for q in bank:
        if q.type == "handson":
            continue
        assert grade(q, correct_response(q)).correct, q.id
        if isinstance(q, FillQuestion):
            for form in q.accept:
                assert grade(q, form).correct, (q.id, form)
