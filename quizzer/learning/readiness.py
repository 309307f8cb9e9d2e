"""Readiness: the probability of passing, and the expected scaled score with an interval.

Raw practice percentages say little (adaptive selection holds them near its target), so the
estimate comes from the learner model: for each of ``draws`` simulated exams, every objective's
ability is drawn from its estimate and standard error, a form is drawn by objective weight from
the bank's items (each known through ability or through its FSRS memory on exam day), and the
exact distribution of the number right is computed with the
Lord-Wingersky recursion. Averaging gives P(pass) and the predictive distribution of the raw
score, which the LPI-style scale turns into an expected scaled score and a 10th-90th percentile
interval. The cut is an estimate (LPI does not publish it), so it is a parameter.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quizzer.learning.ability import sigmoid
from quizzer.learning.exam import DEFAULT_CUT, allocate, scaled_score

__all__ = ["ObjectiveEstimate", "Readiness", "estimate_readiness", "lord_wingersky"]


def lord_wingersky(probabilities: Sequence[float]) -> list[float]:
    """P(number right = r) for r = 0..n, for independent items with these success chances."""
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        q = 1.0 - p
        for r, mass in enumerate(dist):
            nxt[r] += mass * q
            nxt[r + 1] += mass * p
        dist = nxt
    return dist


@dataclass(frozen=True, slots=True)
class ObjectiveEstimate:
    """What the readiness model needs about one objective."""

    objective: str
    weight: int
    theta: float
    """Ability on the objective (logits)."""
    se: float
    """Its standard error."""
    items: tuple[tuple[float, float, float], ...]
    """(difficulty, guess, recall) of the objective's exam items: recall is the FSRS chance of
    remembering the item on exam day (0 if never studied), a floor under the ability model."""


@dataclass(frozen=True, slots=True)
class Readiness:
    """A pass prediction for an exam of ``questions`` items."""

    p_pass: float
    expected_raw: float
    expected_scaled: int
    scaled_low: int
    """10th percentile of the predictive scaled score."""
    scaled_high: int
    """90th percentile."""
    questions: int
    cut_fraction: float


def _percentile(dist: Sequence[float], q: float) -> int:
    acc = 0.0
    for r, mass in enumerate(dist):
        acc += mass
        if acc >= q - 1e-12:
            return r
    return len(dist) - 1


def estimate_readiness(
    objectives: Sequence[ObjectiveEstimate],
    questions: int,
    rng: random.Random,
    *,
    cut_fraction: float = DEFAULT_CUT,
    draws: int = 200,
    scale: Mapping[str, int] | None = None,
) -> Readiness:
    """Monte Carlo over ability draws and forms, exact over exam luck within each form."""
    scale = scale or {"min": 200, "max": 800, "passing": 500}
    usable = [o for o in objectives if o.items and o.weight > 0]
    if not usable or questions <= 0:
        raise ValueError("readiness needs at least one objective with items")
    counts = allocate({o.objective: o.weight for o in usable}, questions)
    n = sum(counts.values())
    cut = math.ceil(cut_fraction * n - 1e-9)
    total = [0.0] * (n + 1)
    p_pass = 0.0
    for _ in range(draws):
        probabilities: list[float] = []
        for o in usable:
            theta = rng.gauss(o.theta, o.se)
            for _k in range(counts[o.objective]):
                b, g, recall = o.items[rng.randrange(len(o.items))]
                know = max(sigmoid(theta - b), recall)
                probabilities.append(g + (1.0 - g) * know)
        dist = lord_wingersky(probabilities)
        p_pass += sum(dist[cut:])
        for r, mass in enumerate(dist):
            total[r] += mass
    mean = [m / draws for m in total]
    expected_raw = sum(r * m for r, m in enumerate(mean))

    def scaled(r: float) -> int:
        return scaled_score(round(r), n, cut_fraction, scale["min"], scale["max"], scale["passing"])

    expected_scaled = sum(m * scaled(r) for r, m in enumerate(mean))
    return Readiness(
        p_pass=min(1.0, max(0.0, p_pass / draws)),
        expected_raw=expected_raw,
        expected_scaled=round(expected_scaled),
        scaled_low=scaled(_percentile(mean, 0.10)),
        scaled_high=scaled(_percentile(mean, 0.90)),
        questions=n,
        cut_fraction=cut_fraction,
    )
