"""Plain line mode, run as a script runs it: piped stdin, a real subprocess, a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quizzer.plain import render


def run(args: list[str], stdin: str, db: Path, bank: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quizzer", "--bank", str(bank), "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_review_with_piped_answers_stores_every_answer_and_ends_at_eof(
    mini_bank: Path, tmp_path: Path
) -> None:
    db = tmp_path / "l.sqlite"
    # Two "I don't know" answers (valid for any question type), then end of input.
    r = run(["review", "--plain"], "\n\n", db, mini_bank)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "answer> " in r.stdout
    assert r.stdout.count("Next review:") == 2
    assert "Answered 2, right 0" in r.stdout
    assert "Traceback" not in r.stdout
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), sum(correct) FROM review_log").fetchone() == (2, 0)
    con.close()


def test_malformed_letters_are_asked_again_and_q_stops(mini_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    r = run(
        ["review", "--plain", "--mode", "objective", "--objective", "352.1"],
        "Z\nA B C D E\n:q\n",
        db,
        mini_bank,
    )
    assert r.returncode == 0, r.stderr
    # Z (and for a single question a list of letters) is refused with a hint and asked again.
    assert "Please type" in r.stdout
    assert "Answered" in r.stdout


def test_review_ends_when_nothing_is_left(mini_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    answers = "\n".join(["A", "A C", "unshare", "lxc.uts.name"] * 3) + "\n"
    r = run(["review", "--plain"], answers, db, mini_bank)
    assert r.returncode == 0, r.stderr
    assert "today's review is done" in r.stdout
    assert r.stdout.count("Next review:") == 4


def test_exam_in_plain_mode_submits_and_scores(bundled_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    # 3 questions for 352.4: answer A / A B / text, then submit from the review prompt.
    stdin = "A\n:f\nA\n\n:submit\n"
    r = run(["exam", "--plain", "--objectives", "352.4"], stdin, db, bundled_bank)
    assert r.returncode == 0, r.stderr
    assert "Mock exam 1: 3 questions" in r.stdout
    assert "Result:" in r.stdout
    assert "352.4:" in r.stdout
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM exam_item").fetchone() == (3,)
    assert con.execute("SELECT submitted_at IS NOT NULL FROM exam_session").fetchone() == (1,)
    con.close()


def test_exam_left_at_eof_resumes_with_its_answers(bundled_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    first = run(["exam", "--plain", "--objectives", "352.4"], "A\n", db, bundled_bank)
    assert first.returncode == 0, first.stderr
    assert "left open" in first.stdout
    second = run(["exam", "--plain"], ":submit\n", db, bundled_bank)
    assert second.returncode == 0, second.stderr
    assert "Resuming mock exam 1" in second.stdout
    assert "Question 2/3" in second.stdout  # question 1 was already answered
    assert "Result:" in second.stdout


def test_status_and_settings(mini_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    r = run(["settings", "--exam-date", "2027-01-15", "--new-per-day", "7"], "", db, mini_bank)
    assert r.returncode == 0, r.stderr
    assert "exam_date: 2027-01-15" in r.stdout
    assert "new_per_day: 7" in r.stdout
    r = run(["status", "--format", "json"], "", db, mini_bank)
    data = json.loads(r.stdout)
    assert data["new_limit"] == 7
    assert data["exam_date"] == "2027-01-15"
    assert 0.0 <= data["readiness"]["p_pass"] <= 1.0
    bad = run(["settings", "--new-per-day", "-3"], "", db, mini_bank)
    assert bad.returncode == 2
    assert "new_per_day" in bad.stderr
    r = run(["settings", "--retention", "0.85", "--theme", "nord"], "", db, mini_bank)
    assert r.returncode == 0, r.stderr
    assert "desired_retention: 0.85" in r.stdout
    assert "theme: nord" in r.stdout
    bad = run(["settings", "--retention", "0.5"], "", db, mini_bank)
    assert bad.returncode == 2
    assert "desired_retention" in bad.stderr


def test_a_corrupt_database_is_one_line_not_a_traceback(mini_bank: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.sqlite"
    db.write_bytes(b"\x00garbage" * 500)
    r = run(["review", "--plain"], "", db, mini_bank)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    [line] = r.stderr.strip().splitlines()
    assert str(db) in line
    assert "a copy was kept" in line


@pytest.mark.parametrize(
    ("markdown", "lines"),
    [
        ("one\ntwo\n\nthree", ["one two", "three"]),
        (
            "Run:\n```\nip netns add blue\n  ip link\n```\ndone",
            ["Run:", "    ip netns add blue", "      ip link", "done"],
        ),
        ("- a\n- b", ["- a", "- b"]),
    ],
)
def test_render_keeps_code_blocks(markdown: str, lines: list[str]) -> None:
    assert render(markdown) == lines
