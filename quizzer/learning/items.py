"""What the learning model needs to know about a question, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AUTHOR_DIFFICULTY", "Item", "prior_difficulty"]

AUTHOR_DIFFICULTY: dict[int, float] = {1: -1.5, 2: -0.75, 3: 0.0, 4: 0.75, 5: 1.5}
"""The bank's 1-5 difficulty mapped onto the logit scale of the ability model."""


def prior_difficulty(level: int) -> float:
    """Item difficulty ``b`` (logits) seeded from the author's 1-5 rating."""
    return AUTHOR_DIFFICULTY[level]


@dataclass(frozen=True, slots=True)
class Item:
    """A question as the learning model sees it."""

    id: str
    objective: str
    knowledge_area: str
    difficulty: int
    """The author's 1-5 rating."""
    guess: float = 0.0
    """Chance of a right answer by guessing (1/k for single choice, 0 for fill-in)."""
