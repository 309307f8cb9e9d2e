"""Right and wrong answers to a shown question (or exam item), in display positions."""

from __future__ import annotations

from typing import Any


def right(shown: Any) -> Any:
    """The right answer: the accepted text, the right position, or the set of positions."""
    q = shown.question
    if q.type == "fill":
        return q.accept[0]
    pos = [shown.order.index(i) for i, c in enumerate(q.choices) if c.correct]
    return pos[0] if q.type == "single" else frozenset(pos)


def wrong(shown: Any) -> Any:
    """A wrong answer of the right shape."""
    q = shown.question
    if q.type == "fill":
        return "definitely-not-it"
    pos = shown.order.index(next(i for i, c in enumerate(q.choices) if not c.correct))
    return pos if q.type == "single" else frozenset({pos})
