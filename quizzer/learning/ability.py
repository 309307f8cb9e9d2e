"""Ability and item difficulty: an Elo-style learner model (Pelánek et al., proso-apps).

The chance of a right answer to item *i* of knowledge area *k* in objective *o* is::

    p = g + (1 - g) * sigmoid(theta_global + delta_objective + delta_area - b_i)

with *g* the item's guessing floor and *b_i* its difficulty, seeded from the author's 1-5
rating. Only a learner's **first** attempt at an item moves ability and difficulty: repeated
answers measure memory of that item, which FSRS models. Each step is ``U(n) * (y - p)`` with
the uncertainty function ``U(n) = alpha / (1 + beta * n)``, so estimates settle as evidence
accumulates. The standard error of an objective's ability comes from the Fisher information of
the items answered in it, with a unit-variance prior.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from quizzer.learning.items import Item

__all__ = [
    "GLOBAL",
    "Abilities",
    "Skill",
    "area_scope",
    "information",
    "objective_scope",
    "predict",
    "sigmoid",
    "uncertainty",
    "update",
]

GLOBAL = "global"
ALPHA = 0.8
BETA = 0.05
ITEM_ALPHA = 0.3
SHARE = {"global": 0.4, "objective": 0.4, "area": 0.4}
"""Each level takes this share of the step, so a first answer moves the sum by ~1.2 U(n) e."""


def objective_scope(objective: str) -> str:
    """The ability scope of an objective."""
    return f"objective:{objective}"


def area_scope(objective: str, area: str) -> str:
    """The ability scope of a knowledge area."""
    return f"area:{objective}/{area}"


def sigmoid(x: float) -> float:
    """The logistic function, safe for large arguments."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def uncertainty(n: int, alpha: float = ALPHA) -> float:
    """The step size after ``n`` earlier updates."""
    return alpha / (1.0 + BETA * n)


@dataclass(frozen=True, slots=True)
class Skill:
    """One ability estimate (logits) and how many first attempts shaped it."""

    theta: float = 0.0
    n: int = 0


@dataclass(frozen=True)
class Abilities:
    """A learner's abilities by scope (``global``, ``objective:ID``, ``area:ID/AREA``)."""

    skills: Mapping[str, Skill] = field(default_factory=dict)

    def skill(self, scope: str) -> Skill:
        """The estimate for a scope (a fresh one when never updated)."""
        return self.skills.get(scope, Skill())

    def theta_objective(self, objective: str) -> float:
        """Ability on a typical item of the objective: global plus the objective offset."""
        return self.skill(GLOBAL).theta + self.skill(objective_scope(objective)).theta

    def theta_item(self, item: Item) -> float:
        """Ability on this item's knowledge area."""
        return self.theta_objective(item.objective) + (
            self.skill(area_scope(item.objective, item.knowledge_area)).theta
        )


def predict(abilities: Abilities, item: Item, b: float) -> float:
    """P(right answer) to ``item`` of difficulty ``b``."""
    return item.guess + (1.0 - item.guess) * sigmoid(abilities.theta_item(item) - b)


@dataclass(frozen=True, slots=True)
class Update:
    """The result of learning from one first attempt."""

    abilities: Abilities
    difficulty: float
    predicted: float


def update(abilities: Abilities, item: Item, b: float, score: float) -> Update:
    """Learn from a first attempt scored ``score`` in [0, 1] (hands-on allows partial credit)."""
    if not 0.0 <= score <= 1.0:
        raise ValueError("score must lie in [0, 1]")
    p = predict(abilities, item, b)
    error = score - p
    skills = dict(abilities.skills)
    for scope, level in (
        (GLOBAL, "global"),
        (objective_scope(item.objective), "objective"),
        (area_scope(item.objective, item.knowledge_area), "area"),
    ):
        old = skills.get(scope, Skill())
        skills[scope] = Skill(old.theta + SHARE[level] * uncertainty(old.n) * error, old.n + 1)
    new_b = b - uncertainty(0, ITEM_ALPHA) * error
    return Update(Abilities(skills), new_b, p)


def information(theta: float, b: float, guess: float) -> float:
    """Fisher information of an item at ``theta`` (3PL with unit discrimination)."""
    s = sigmoid(theta - b)
    p = guess + (1.0 - guess) * s
    dp = (1.0 - guess) * s * (1.0 - s)
    return dp * dp / max(p * (1.0 - p), 1e-12)


def standard_error(
    theta: float, answered: Iterable[tuple[float, float]], prior_sd: float = 1.0
) -> float:
    """Standard error of an ability estimate from the (difficulty, guess) of items answered."""
    info = 1.0 / (prior_sd * prior_sd)
    for b, g in answered:
        info += information(theta, b, g)
    return 1.0 / math.sqrt(info)
