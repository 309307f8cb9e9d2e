"""Choosing the next question with 10,000 cards and 1,000,000 review rows, against bare SQL.

A learner who has answered every one of 10,000 generated questions (so 10,000 FSRS cards, one
million rows in the review log, item statistics and abilities) asks for the next question of
the daily review. quizzer's ``Services.next_question()`` (learner settings, the daily new
count, the indexed due query, the candidates' cards and statistics, FSRS retrievability, the
ability model and the pick) is timed against the bare indexed SQL query for due cards
(``SELECT * FROM card_state WHERE learner_id = ? AND due <= ? ORDER BY due``) on the same file
in the same run. The path without due cards (new and weak questions, which reads every card)
is reported too. The last line is JSON with the ratio and the goal (3x).
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bank_load import generate  # noqa: E402
from fsrs import Card, State  # noqa: E402

from quizzer.bank import load_bank  # noqa: E402
from quizzer.services import Services  # noqa: E402
from quizzer.storage import open_database  # noqa: E402

N_REVIEWS = 1_000_000
DUE_FRACTION = 0.08
RUNS = 30
GOAL = 3.0
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def populate(db_path: Path, question_ids: list[str], rng: random.Random) -> None:
    open_database(f"sqlite:///{db_path}").close()  # the real schema, indexes included
    con = sqlite3.connect(db_path)
    now = NOW.timestamp()
    con.execute(
        "INSERT INTO learner (id, name, created_at, new_per_day, cut_fraction, target) "
        "VALUES (1, 'default', ?, 20, 0.65, 0.75)",
        (now - 86400 * 200,),
    )
    cards, stats = [], []
    for n, qid in enumerate(question_ids, start=1):
        overdue = rng.random() < DUE_FRACTION
        due = now - rng.uniform(0, 5 * 86400) if overdue else now + rng.uniform(2, 90) * 86400
        last = due - rng.uniform(3, 60) * 86400
        card = Card(
            card_id=n,
            state=State.Review,
            stability=rng.uniform(3, 80),
            difficulty=rng.uniform(2, 8),
            due=datetime.fromtimestamp(due, UTC),
            last_review=datetime.fromtimestamp(last, UTC),
        )
        cards.append((n, 1, qid, card.to_json(), due, 2, 5, 0, last, 0))
        stats.append((1, qid, rng.gauss(0, 1), 100, 70, 1, last - 86400 * 30, last, 1))
    con.executemany("INSERT INTO card_state VALUES (?,?,?,?,?,?,?,?,?,?)", cards)
    con.executemany("INSERT INTO item_stat VALUES (?,?,?,?,?,?,?,?,?)", stats)
    con.executemany(
        "INSERT INTO objective_ability VALUES (1, ?, ?, 100)",
        [("global", 0.3), ("objective:352.1", 0.1), ("objective:352.3", -0.2)],
    )
    batch = []
    for i in range(N_REVIEWS):
        qid = question_ids[i % len(question_ids)]
        batch.append(
            (
                1,
                qid,
                "0123456789abcdef",
                "review",
                "0",
                i % 3 != 0,
                1.0,
                3,
                5000,
                now - 86400 * 180 + i * 15.0,
                None,
            )
        )
        if len(batch) == 100_000:
            con.executemany(
                "INSERT INTO review_log (learner_id, question_id, content_hash, mode, answer, "
                "correct, score, rating, response_ms, answered_at, exam_session_id) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                batch,
            )
            batch.clear()
    con.commit()
    con.execute("ANALYZE")
    con.close()


def time_runs(fn, runs: int = RUNS) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), result


def main() -> None:
    rng = random.Random(352)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bank_dir = root / "bank"
        bank_dir.mkdir()
        generate(bank_dir)
        bank = load_bank(bank_dir)
        ids = [q.id for q in bank]
        db = root / "learner.sqlite"
        t0 = time.perf_counter()
        populate(db, ids, rng)
        took = time.perf_counter() - t0
        print(f"populated {len(ids)} cards and {N_REVIEWS} reviews in {took:.1f} s")

        svc = Services(
            bank_dir, f"sqlite:///{db}", clock=lambda: NOW, rng=random.Random(1), timezone=UTC
        )
        svc.bank()
        svc.next_question()  # warm: open the database, build caches

        con = sqlite3.connect(db)
        end = (NOW + timedelta(hours=19)).timestamp()

        def bare() -> int:
            return len(
                con.execute(
                    "SELECT * FROM card_state WHERE learner_id = ? AND due <= ? ORDER BY due",
                    (1, end),
                ).fetchall()
            )

        bare()
        t_bare, n_due = time_runs(bare)
        t_ours, picked = time_runs(svc.next_question)
        assert picked is not None, "no question picked"
        assert picked.reason == "due", picked

        # The other path: nothing due, so new and weak questions are scored over every card.
        con.execute("UPDATE card_state SET due = due + 200 * 86400 WHERE due <= ?", (end,))
        con.commit()
        t_new, _picked_new = time_runs(lambda: svc.next_question("weak"), runs=5)
        con.close()
        svc.close()

    ratio = t_ours / t_bare
    print(f"due cards: {n_due} of {len(ids)}; review rows: {N_REVIEWS}")
    print(f"bare indexed due query:      {t_bare * 1000:8.2f} ms (median of {RUNS})")
    print(f"Services.next_question():    {t_ours * 1000:8.2f} ms (median of {RUNS})")
    print(f"weak-area pick over all cards: {t_new * 1000:6.1f} ms (median of 5, no due cards)")
    print(
        json.dumps(
            {
                "name": "next_question",
                "ratio": round(ratio, 3),
                "goal": GOAL,
                "ok": ratio <= GOAL,
                "bare_ms": round(t_bare * 1000, 3),
                "quizzer_ms": round(t_ours * 1000, 3),
                "weak_pick_all_cards_ms": round(t_new * 1000, 1),
                "cards": len(ids),
                "due": n_due,
                "reviews": N_REVIEWS,
            }
        )
    )


if __name__ == "__main__":
    main()
