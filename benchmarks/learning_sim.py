"""Simulated learners over 30 days: random order vs plain FSRS vs quizzer's full policy.

Each simulated learner has a hidden ground truth the policies never see:

* an ability per objective and a true difficulty per question (the author's rating plus noise):
  before studying a question, the chance of knowing it is ``sigmoid(ability - difficulty)``;
* a memory per studied question that follows FSRS-6 with parameters unlike the defaults
  quizzer schedules with (so the scheduler's model of memory is deliberately not the truth);
* a little transfer: studying a question's explanation raises the objective's ability a bit.

A right answer is knowing or guessing (1/k for single choice, 1/C(k,m) for multiple, 0 for
fill-in). Every day the learner studies for a fixed number of minutes (one question plus its
explanation takes about a minute). The three policies are run on the same learners (paired):

* ``random``: any question, uniformly;
* ``fsrs``: FSRS due cards first, then new questions in bank order (no adaptivity);
* ``quizzer``: the daily review of ``quizzer.learning.selection`` (due first, then adaptive new
  or weak questions up to the daily limit), then "practice weak areas" for the time left.

On day 30 the expected exam score (Topic 352 form by weight) is computed exactly from the
ground truth. During the run, quizzer's readiness prediction is checked against simulated exams
on days 7, 14, 21 and 30 (Brier score), next to an oracle that knows the truth and a constant
base-rate predictor. The last line is JSON.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fsrs import Card as FsrsCard  # noqa: E402
from fsrs import Rating, Scheduler  # noqa: E402
from fsrs.scheduler import DEFAULT_PARAMETERS  # noqa: E402

from quizzer.bank import guess_floor, load_bank  # noqa: E402
from quizzer.learning import ability as elo  # noqa: E402
from quizzer.learning import memory  # noqa: E402
from quizzer.learning.exam import allocate, scaled_score  # noqa: E402
from quizzer.learning.items import Item, prior_difficulty  # noqa: E402
from quizzer.learning.readiness import (  # noqa: E402
    ObjectiveEstimate,
    estimate_readiness,
    lord_wingersky,
)
from quizzer.learning.selection import Candidate, Mode, Policy, pick_next  # noqa: E402

LEARNERS = int(sys.argv[1]) if len(sys.argv) > 1 else 12
DAYS = 30
MINUTES_PER_DAY = 15
SECONDS_PER_QUESTION = 60
CHECKPOINTS = (7, 14, 21, 30)
START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
CUT = 0.65
TOP_K = 3


# ------------------------------------------------------------------------------ ground truth
# The hidden memory is FSRS-6 itself, with parameters that differ from the defaults quizzer
# schedules with (the "true" learner of reference/learning-science.md section 1.4), and with
# recall decaying over fractional days. quizzer never sees these parameters.
TRUE_PARAMETERS = list(DEFAULT_PARAMETERS)
TRUE_PARAMETERS[0:4] = [0.1, 0.6, 1.2, 4.0]
TRUE_PARAMETERS[8] = 1.4
TRUE_PARAMETERS[20] = 0.25
TRUE_MEMORY = Scheduler(parameters=TRUE_PARAMETERS, enable_fuzzing=False)
TRANSFER = 0.015
"""Ability gained in an objective from studying one new question's explanation."""


@dataclass
class Truth:
    """The hidden learner."""

    theta: dict[str, float]
    b: dict[str, float]
    cards: dict[str, FsrsCard] = field(default_factory=dict)

    def p_know(self, item: Item, t: datetime) -> float:
        prior = elo.sigmoid(self.theta[item.objective] - self.b[item.id])
        card = self.cards.get(item.id)
        if card is None or card.stability is None or card.last_review is None:
            return prior
        days = max(0.0, (t - card.last_review).total_seconds() / 86400)
        recall = (1 + TRUE_MEMORY._FACTOR * days / card.stability) ** TRUE_MEMORY._DECAY
        return max(prior, recall)

    def p_correct(self, item: Item, t: datetime) -> float:
        k = self.p_know(item, t)
        return k + (1 - k) * item.guess

    def study(self, item: Item, t: datetime, knew: bool) -> None:
        card = self.cards.get(item.id)
        if card is None:
            card = FsrsCard(card_id=len(self.cards) + 1, due=t)
            self.theta[item.objective] += TRANSFER
        rating = Rating.Good if knew else Rating.Again
        self.cards[item.id], _log = TRUE_MEMORY.review_card(card, rating, t)


def make_truth(items: list[Item], rng: random.Random) -> Truth:
    base = rng.gauss(-0.6, 0.4)
    objectives = {i.objective for i in items}
    theta = {o: base + rng.gauss(0, 0.4) for o in sorted(objectives)}
    b = {i.id: prior_difficulty(i.difficulty) + rng.gauss(0, 0.5) for i in items}
    return Truth(theta, b)


# ------------------------------------------------------------------------------ the app's model
@dataclass
class Model:
    """What quizzer knows about the learner (the same updates as the service layer)."""

    cards: dict[str, memory.Card] = field(default_factory=dict)
    b: dict[str, float] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    last: dict[str, datetime] = field(default_factory=dict)
    last_correct: dict[str, bool] = field(default_factory=dict)
    first_seen: dict[str, datetime] = field(default_factory=dict)
    abilities: elo.Abilities = field(default_factory=elo.Abilities)
    recent_objectives: list[str] = field(default_factory=list)

    def candidates(
        self, items: list[Item], now: datetime, exam_day: datetime | None = None
    ) -> list[Candidate]:
        fresh_outcomes = memory.exam_outcomes(None, now, exam_day) if exam_day else None
        out = []
        for i in items:
            card = self.cards.get(i.id)
            b = self.b.get(i.id, prior_difficulty(i.difficulty))
            recall = memory.retrievability(card, now) if card else 0.0
            gain = None
            if exam_day is not None and fresh_outcomes is not None:
                prior = elo.sigmoid(self.abilities.theta_item(i) - b)
                outcomes = memory.exam_outcomes(card, now, exam_day) if card else fresh_outcomes
                gain = memory.exam_gain(outcomes, max(prior, recall) if card else prior, prior)
            out.append(
                Candidate(
                    item_id=i.id,
                    objective=i.objective,
                    knowledge_area=i.knowledge_area,
                    difficulty=b,
                    guess=i.guess,
                    due=card.due if card else None,
                    retrievability=recall,
                    last_answered=self.last.get(i.id),
                    attempts=self.attempts.get(i.id, 0),
                    last_correct=self.last_correct.get(i.id),
                    exam_gain=gain,
                )
            )
        return out

    def learn(
        self,
        item: Item,
        correct: bool,
        now: datetime,
        rng: random.Random,
        exam_day: datetime | None = None,
    ) -> None:
        b = self.b.get(item.id, prior_difficulty(item.difficulty))
        if item.id not in self.attempts:
            upd = elo.update(self.abilities, item, b, 1.0 if correct else 0.0)
            self.abilities = upd.abilities
            self.b[item.id] = upd.difficulty
            self.first_seen[item.id] = now
        card = self.cards.get(item.id) or memory.new_card(len(self.cards) + 1, now)
        rating = memory.rating_for(correct)
        self.cards[item.id] = memory.review(card, rating, now, rng, exam_day=exam_day).card
        self.attempts[item.id] = self.attempts.get(item.id, 0) + 1
        self.last[item.id] = now
        self.last_correct[item.id] = correct
        self.recent_objectives = [*self.recent_objectives[-4:], item.objective]

    def new_today(self, day_start: datetime) -> int:
        return sum(1 for t in self.first_seen.values() if t >= day_start)

    def readiness(
        self, items: list[Item], weights: dict[str, int], when: datetime, rng: random.Random
    ) -> float:
        estimates = []
        for o, w in weights.items():
            members = [i for i in items if i.objective == o]
            theta = self.abilities.theta_objective(o)
            answered = [(self.b[i.id], i.guess) for i in members if i.id in self.b]
            pool = tuple(
                (
                    self.b.get(i.id, prior_difficulty(i.difficulty)),
                    i.guess,
                    memory.retrievability(self.cards[i.id], when) if i.id in self.cards else 0.0,
                )
                for i in members
            )
            estimates.append(
                ObjectiveEstimate(o, w, theta, elo.standard_error(theta, answered), pool)
            )
        return estimate_readiness(estimates, sum(weights.values()), rng, draws=100).p_pass


# ------------------------------------------------------------------------------ simulation
def exam_pass_probability(
    truth: Truth,
    items: list[Item],
    weights: dict[str, int],
    t: datetime,
    rng: random.Random,
    forms: int = 200,
) -> tuple[float, float]:
    """(expected fraction right, P(pass)) on forms drawn by weight, from the ground truth."""
    counts = allocate(weights, sum(weights.values()))
    n = sum(counts.values())
    cut = math.ceil(CUT * n - 1e-9)
    by_objective = {o: [i for i in items if i.objective == o] for o in weights}
    p_pass = frac = 0.0
    for _ in range(forms):
        ps = []
        for o, k in counts.items():
            ps += [truth.p_correct(i, t) for i in rng.sample(by_objective[o], k)]
        dist = lord_wingersky(ps)
        p_pass += sum(dist[cut:])
        frac += sum(ps) / n
    return frac / forms, p_pass / forms


def one_exam(
    truth: Truth, items: list[Item], weights: dict[str, int], t: datetime, rng: random.Random
) -> bool:
    counts = allocate(weights, sum(weights.values()))
    right = 0
    for o, k in counts.items():
        for i in rng.sample([i for i in items if i.objective == o], k):
            right += rng.random() < truth.p_correct(i, t)
    return right >= math.ceil(CUT * sum(counts.values()) - 1e-9)


def run(
    policy: str, truth: Truth, items: list[Item], weights: dict[str, int], seed: int
) -> tuple[Truth, list[tuple[float, bool, float]]]:
    rng = random.Random(seed)
    model = Model()
    by_id = {i.id: i for i in items}
    checks: list[tuple[float, bool, float]] = []
    settings = Policy(new_per_day=20, top_k=TOP_K)
    exam_day = START + timedelta(days=DAYS) - timedelta(hours=6)
    for day in range(DAYS):
        day_start = START + timedelta(days=day)
        now = day_start
        end = day_start + timedelta(hours=10)
        budget = MINUTES_PER_DAY * 60
        spent = 0
        while spent + SECONDS_PER_QUESTION <= budget:
            pool = model.candidates(items, now, exam_day if policy == "quizzer" else None)
            common = dict(
                end_of_day=end,
                new_today=model.new_today(day_start),
                recent_objectives=model.recent_objectives,
                policy=settings,
            )
            if policy == "random":
                pick = pick_next(
                    pool, model.abilities, weights, now, rng, mode=Mode.random, **common
                )
            elif policy == "fsrs":
                pick = pick_next(pool, model.abilities, weights, now, rng, mode=Mode.fsrs, **common)
            else:  # quizzer, with and without the exam date set
                pick = pick_next(
                    pool, model.abilities, weights, now, rng, mode=Mode.review, **common
                )
                if pick is None:  # daily review done: practise weak areas with the time left
                    pick = pick_next(
                        pool, model.abilities, weights, now, rng, mode=Mode.weak, **common
                    )
            if pick is None:
                break
            item = by_id[pick.item_id]
            knew = rng.random() < truth.p_know(item, now)
            correct = knew or rng.random() < item.guess
            truth.study(item, now, knew)
            model.learn(item, correct, now, rng, exam_day if policy == "quizzer" else None)
            now += timedelta(seconds=SECONDS_PER_QUESTION)
            spent += SECONDS_PER_QUESTION
        if policy.startswith("quizzer") and day + 1 in CHECKPOINTS:
            # An exam taken that evening: predicted (before it) against one real sitting.
            check_time = START + timedelta(days=day + 1) - timedelta(hours=6)
            predicted = model.readiness(items, weights, check_time, random.Random(seed + day))
            outcome = one_exam(truth, items, weights, check_time, rng)
            _frac, oracle = exam_pass_probability(truth, items, weights, check_time, rng, forms=50)
            checks.append((predicted, outcome, oracle))
    return truth, checks


def main() -> None:
    bank = load_bank(REPO / "questionbank" / "lpic3-305-300")
    items = [
        Item(q.id, q.objective, q.knowledge_area, q.difficulty, guess_floor(q))
        for q in bank
        if q.type != "handson"
    ]
    present = {i.objective for i in items}
    weights = {o.id: o.weight for o in bank.exam.objectives if o.id in present}
    exam_time = START + timedelta(days=DAYS) - timedelta(hours=6)
    results: dict[str, list[tuple[float, float]]] = {
        "random": [],
        "fsrs": [],
        "quizzer_no_exam_date": [],
        "quizzer": [],
    }
    checks: list[tuple[float, bool, float]] = []
    for n in range(LEARNERS):
        base = make_truth(items, random.Random(1000 + n))
        for policy in results:
            truth = Truth(dict(base.theta), dict(base.b))
            truth, c = run(policy, truth, items, weights, seed=2000 + n)
            frac, p_pass = exam_pass_probability(
                truth, items, weights, exam_time, random.Random(3000 + n)
            )
            results[policy].append((frac, p_pass))
            checks += c
        print(
            f"learner {n + 1}/{LEARNERS}: "
            + ", ".join(f"{p} {results[p][-1][0]:.1%}" for p in results),
            flush=True,
        )

    summary = {}
    for policy, rows in results.items():
        frac = statistics.mean(r[0] for r in rows)
        summary[policy] = {
            "expected_percent": round(100 * frac, 1),
            "expected_scaled": scaled_score(round(frac * 25), 25, CUT),
            "p_pass": round(statistics.mean(r[1] for r in rows), 3),
        }
    brier = statistics.mean((p - o) ** 2 for p, o, _ in checks)
    oracle = statistics.mean((q - o) ** 2 for _p, o, q in checks)
    base_rate = statistics.mean(o for _p, o, _q in checks)
    constant = statistics.mean((base_rate - o) ** 2 for _p, o, _q in checks)
    gain_fsrs = summary["quizzer"]["expected_percent"] - summary["fsrs"]["expected_percent"]
    gain_random = summary["quizzer"]["expected_percent"] - summary["random"]["expected_percent"]
    print()
    print(f"{LEARNERS} learners, {DAYS} days, {MINUTES_PER_DAY} min/day; expected exam on day 30:")
    for policy, s in summary.items():
        print(
            f"  {policy:8} {s['expected_percent']:5.1f}% right, scaled ~{s['expected_scaled']}, "
            f"P(pass) {s['p_pass']:.2f}"
        )
    print(
        f"readiness Brier score {brier:.3f} over {len(checks)} predictions "
        f"(oracle {oracle:.3f}, constant base rate {constant:.3f})"
    )
    print(
        json.dumps(
            {
                "name": "learning_sim",
                "learners": LEARNERS,
                "days": DAYS,
                "minutes_per_day": MINUTES_PER_DAY,
                "policies": summary,
                "quizzer_minus_fsrs_points": round(gain_fsrs, 1),
                "quizzer_minus_random_points": round(gain_random, 1),
                "readiness_brier": round(brier, 4),
                "oracle_brier": round(oracle, 4),
                "constant_brier": round(constant, 4),
                "goal": "quizzer above fsrs and random on day 30; Brier below the constant",
                "ok": gain_fsrs > 0 and gain_random > 0 and brier < constant,
            }
        )
    )


if __name__ == "__main__":
    main()
