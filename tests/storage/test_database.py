"""The learner database on SQLite and PostgreSQL: tables, transactions, versions, bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from quizzer.storage import SCHEMA_VERSION, StorageError, database, open_database
from quizzer.storage import repository as repo


def test_a_new_database_has_every_table_and_the_schema_version(db_url: str) -> None:
    db = open_database(db_url)
    try:
        names = set(inspect(db.engine).get_table_names())
        assert {
            "learner",
            "card_state",
            "review_log",
            "item_stat",
            "objective_ability",
            "exam_session",
            "exam_item",
            "quizzer_schema",
        } <= names
        due_index = {i["name"] for i in inspect(db.engine).get_indexes("card_state")}
        assert "ix_card_learner_due" in due_index
        with db.read() as s:
            assert s.execute(text("SELECT value FROM quizzer_schema")).scalar_one() == str(
                SCHEMA_VERSION
            )
    finally:
        db.close()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    db.close()


def test_learner_cards_reviews_and_skills_round_trip(db_url: str) -> None:
    db = open_database(db_url)
    with db.write() as s:
        learner = repo.learner(s, "ada", 1000.0)
        cid = repo.new_card_id(s, learner.id, "352.1-q", 1000.0)
        repo.save_card(
            s,
            learner.id,
            cid,
            card_json='{"x": 1}',
            due=5000.0,
            state=2,
            last_review=1000.0,
            lapsed=True,
        )
        repo.add_review(
            s,
            learner.id,
            question_id="352.1-q",
            content_hash="abc",
            mode="review",
            answer=[0, 2],
            correct=False,
            score=0.0,
            rating=1,
            response_ms=4200,
            answered_at=1000.0,
        )
        repo.record_item(
            s,
            learner.id,
            "352.1-q",
            correct=False,
            now=1000.0,
            prior_difficulty=0.0,
            new_difficulty=0.2,
        )
        repo.save_skills(s, learner.id, {"global": (-0.3, 1), "objective:352.1": (-0.2, 1)})
    with db.read() as s:
        assert repo.learner(s, "ada", 0).id == learner.id  # found, not created again
        card = repo.card(s, learner.id, "352.1-q")
        assert card is not None
        assert (card.due, card.reps, card.lapses) == (5000.0, 1, 1)
        assert repo.due_count(s, learner.id, 5000.0) == 1
        assert repo.due_count(s, learner.id, 4999.0) == 0
        [review] = repo.reviews(s, learner.id)
        assert (review.answer, review.correct, review.response_ms) == ([0, 2], False, 4200)
        stat = repo.item_stats(s, learner.id)["352.1-q"]
        assert (stat.difficulty, stat.attempts, stat.first_correct) == (0.2, 1, False)
        assert repo.skills(s, learner.id)["global"] == (-0.3, 1)
        assert repo.new_first_attempts_since(s, learner.id, 999.0) == 1
    db.close()


def test_a_failed_transaction_leaves_nothing_behind(db_url: str) -> None:
    db = open_database(db_url)
    with db.write() as s:
        learner = repo.learner(s, "ada", 0.0)
    with pytest.raises(RuntimeError), db.write() as s:  # noqa: PT012 (the crash is mid-transaction)
        repo.add_review(
            s,
            learner.id,
            question_id="q",
            content_hash="h",
            mode="review",
            answer="x",
            correct=True,
            score=1.0,
            rating=3,
            response_ms=1,
            answered_at=1.0,
        )
        raise RuntimeError("crash in the middle of an answer")
    with db.read() as s:
        assert repo.review_count(s, learner.id) == 0
    db.close()


def test_exam_items_answers_and_flags(db_url: str) -> None:
    db = open_database(db_url)
    with db.write() as s:
        learner = repo.learner(s, "ada", 0.0)
        exam_id = repo.create_exam(
            s,
            learner.id,
            exam_id="lpic3",
            objectives=["352.1"],
            started_at=10.0,
            deadline=2260.0,
            cut_fraction=0.65,
            items=[("352.1-a", "h1", "352.1", [2, 0, 1]), ("352.1-b", "h2", "352.1", [])],
            prediction=(0.4, 480, 400, 560),
        )
    with db.write() as s:
        repo.set_exam_answer(s, exam_id, 0, 1, 20.0)
        repo.set_exam_flag(s, exam_id, 1, True)
    with db.read() as s:
        assert repo.open_exam_id(s, learner.id) == exam_id
        record = repo.exam(s, learner.id, exam_id)
    assert record is not None
    assert record.deadline == 2260.0
    assert record.predicted_scaled == 480
    assert [i.choice_order for i in record.items] == [(2, 0, 1), ()]
    assert [i.answer for i in record.items] == [1, None]
    assert [i.flagged for i in record.items] == [False, True]
    with db.write() as s:
        repo.finish_exam(
            s,
            exam_id,
            submitted_at=30.0,
            auto=False,
            raw=1,
            scaled=420,
            passed=False,
            correct={0: True, 1: False},
        )
    with db.read() as s:
        assert repo.open_exam_id(s, learner.id) is None
        assert repo.last_seen(s, learner.id) == {"352.1-a": 10.0, "352.1-b": 10.0}
    db.close()


def test_a_newer_schema_is_refused_with_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite"
    open_database(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    con.execute(
        "UPDATE quizzer_schema SET value = ? WHERE key = 'version'", (str(SCHEMA_VERSION + 5),)
    )
    con.commit()
    con.close()
    with pytest.raises(StorageError) as err:
        open_database(f"sqlite:///{path}")
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    assert "newer quizzer" in message
    backups = list(tmp_path.glob("q.sqlite.newer-*"))
    assert len(backups) == 1
    assert backups[0].read_bytes()[:15] == b"SQLite format 3"
    assert path.exists()  # the original is left as it was


@pytest.mark.parametrize(
    "content", [b"\x00" * 4096, b"garbage " * 1000, b"SQLite format 3\x00" + b"\xff" * 5000]
)
def test_a_corrupt_file_gives_one_line_and_a_backup(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "q.sqlite"
    path.write_bytes(content)
    with pytest.raises(StorageError) as err:
        open_database(f"sqlite:///{path}")
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    assert len(list(tmp_path.glob("q.sqlite.*-*"))) == 1
    assert path.read_bytes() == content


def test_a_foreign_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(StorageError, match="not a quizzer database"):
        open_database(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["invoices"]
    con.close()


def test_forward_migration_runs_each_step_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "q.sqlite"
    db = open_database(f"sqlite:///{path}")
    with db.write() as s:
        repo.learner(s, "ada", 0.0)
    db.close()
    ran: list[int] = []

    def add_column(conn) -> None:  # a realistic step: a new column with a default
        ran.append(SCHEMA_VERSION + 1)
        conn.execute(text("ALTER TABLE learner ADD COLUMN daily_minutes INTEGER DEFAULT 30"))

    monkeypatch.setattr(database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(database.MIGRATIONS, SCHEMA_VERSION + 1, add_column)
    db = open_database(f"sqlite:///{path}")
    with db.read() as s:
        assert s.execute(text("SELECT daily_minutes FROM learner")).scalar_one() == 30
        assert s.execute(text("SELECT value FROM quizzer_schema")).scalar_one() == str(
            SCHEMA_VERSION + 1
        )
    db.close()
    open_database(f"sqlite:///{path}").close()
    assert ran == [SCHEMA_VERSION + 1]
    assert len(list(tmp_path.glob("q.sqlite.pre-migration-*"))) == 1


def test_a_schema_1_database_gains_retention_and_theme_and_keeps_its_data(db_url: str) -> None:
    """Schema 2 adds learner.desired_retention (default 0.9) and learner.theme (NULL)."""
    db = open_database(db_url)
    with db.write() as s:
        learner = repo.learner(s, "ada", 0.0)
        repo.update_learner(s, learner.id, new_per_day=7, exam_date="2027-01-15")
    with db.engine.begin() as conn:  # the database as schema 1 wrote it
        conn.execute(text("ALTER TABLE learner DROP COLUMN desired_retention"))
        conn.execute(text("ALTER TABLE learner DROP COLUMN theme"))
        conn.execute(text("UPDATE quizzer_schema SET value = '1' WHERE key = 'version'"))
    db.close()
    assert SCHEMA_VERSION >= 2
    db = open_database(db_url)
    with db.read() as s:
        migrated = repo.learner(s, "ada", 0.0)
        version = s.execute(text("SELECT value FROM quizzer_schema")).scalar_one()
    db.close()
    assert (migrated.new_per_day, migrated.exam_date) == (7, "2027-01-15")
    assert (migrated.desired_retention, migrated.theme) == (0.9, None)
    assert version == str(SCHEMA_VERSION)
