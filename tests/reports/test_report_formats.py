"""Reports from a real database filled through the plain mode: Markdown, JSON, CSV, progress."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quizzer.reports.data import json_schema
from quizzer.reports.model import SCHEMA_VERSION, Report


def quizzer(bank: Path, db: Path, *args: str, stdin: str = "", cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "quizzer", "--bank", str(bank), "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A learner who did a daily review and a mock exam through the plain mode."""
    root = tmp_path_factory.mktemp("studied")
    bank = Path(__file__).resolve().parents[2] / "questionbank" / "lpic3-305-300"
    db = root / "learner.sqlite"
    answers = "\n".join(["A", "A B", "lsns", "B", "C D", "docker", ""] * 4) + "\n"
    r = quizzer(bank, db, "review", "--plain", "--limit", "12", stdin=answers)
    assert r.returncode == 0, r.stderr
    r = quizzer(bank, db, "exam", "--plain", "--objectives", "352.4", stdin="A\nA B\nx\n:submit\n")
    assert r.returncode == 0, r.stderr
    r = quizzer(bank, db, "settings", "--exam-date", "2099-01-15")
    assert r.returncode == 0, r.stderr
    return root, bank, db


def test_markdown_report(studied: tuple[Path, Path, Path]) -> None:
    root, bank, db = studied
    r = quizzer(bank, db, "report", "--format", "md", "--out", str(root / "md"))
    assert r.returncode == 0, r.stderr
    [path] = (root / "md").glob("report-*.md")
    assert r.stdout.strip() == str(path)
    text = path.read_text()
    assert text.startswith("# Progress report: 305-300")
    for heading in (
        "## Readiness (estimate)",
        "## Objectives",
        "## Knowledge areas",
        "## Study next",
        "## Mock exams",
        "## Reviews due, next 14 days",
    ):
        assert heading in text
    assert "Probability of passing" in text
    assert "Exam date 2099-01-15" in text
    assert "| 352.4 |" in text or "| 352.4 " in text
    assert text.count("| Mon ") + text.count("| Tue ") + text.count("| Wed ") >= 2


def test_json_report_follows_its_schema(studied: tuple[Path, Path, Path]) -> None:
    root, bank, db = studied
    r = quizzer(bank, db, "report", "--format", "json", "--out", str(root / "json"))
    assert r.returncode == 0, r.stderr
    [path] = (root / "json").glob("report-*.json")
    data = json.loads(path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    report = Report.model_validate(data)  # the documented schema reads it back
    assert {o.objective for o in report.objectives} == {"352.1", "352.2", "352.3", "352.4"}
    assert sum(o.attempts for o in report.objectives) == 12 + 3
    assert len(report.exams) == 1
    assert report.exams[0].total == 3
    assert report.exams[0].predicted_p_pass is not None
    assert len(report.forecast) == 14
    assert sum(d.due for d in report.forecast) >= 1
    assert report.weakest
    assert all(w.questions for w in report.weakest)
    schema = json_schema()
    assert schema["title"].endswith(f"schema version {SCHEMA_VERSION}")
    assert set(schema["required"]) >= {"generated_at", "readiness", "objectives", "areas"}


def test_csv_report_has_one_row_per_knowledge_area_and_the_review_log(studied) -> None:
    root, bank, db = studied
    r = quizzer(bank, db, "report", "--format", "csv", "--out", str(root / "csv"))
    assert r.returncode == 0, r.stderr
    [areas] = (root / "csv").glob("knowledge-areas-*.csv")
    [log] = (root / "csv").glob("review-log-*.csv")
    rows = list(csv.DictReader(io.StringIO(areas.read_text())))
    assert len(rows) == 30  # Topic 352's key knowledge areas
    assert {r["objective"] for r in rows} == {"352.1", "352.2", "352.3", "352.4"}
    reviews = list(csv.DictReader(io.StringIO(log.read_text())))
    con = sqlite3.connect(db)
    assert len(reviews) == con.execute("SELECT count(*) FROM review_log").fetchone()[0] == 15
    con.close()
    assert {r["mode"] for r in reviews} == {"review", "exam"}


def test_progress_moves_to_another_database_and_imports_once(studied, tmp_path: Path) -> None:
    _root, bank, db = studied
    out = tmp_path / "progress.json"
    r = quizzer(bank, db, "export", "progress", "--out", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["format"] == "quizzer-progress"
    assert len(data["reviews"]) == 15
    other = tmp_path / "other.sqlite"
    first = quizzer(bank, other, "import", "progress", str(out))
    assert first.returncode == 0, first.stderr
    assert "15 reviews added" in first.stdout
    assert "1 exams added" in first.stdout
    second = quizzer(bank, other, "import", "progress", str(out))
    assert second.returncode == 0, second.stderr
    assert all(part.startswith("0 ") for part in second.stdout.strip().split(", "))

    def snapshot(path: Path) -> dict[str, object]:
        con = sqlite3.connect(path)
        try:
            return {
                "reviews": con.execute(
                    "SELECT question_id, answered_at, mode, correct FROM review_log ORDER BY 2, 1"
                ).fetchall(),
                "cards": con.execute(
                    "SELECT question_id, due, reps, lapses FROM card_state ORDER BY 1"
                ).fetchall(),
                "skills": con.execute(
                    "SELECT scope, theta, n FROM objective_ability ORDER BY 1"
                ).fetchall(),
                "exams": con.execute("SELECT started_at, raw, scaled FROM exam_session").fetchall(),
                "exam_date": con.execute("SELECT exam_date FROM learner").fetchall(),
            }
        finally:
            con.close()

    assert snapshot(other) == snapshot(db)
    # The moved history gives the same report.
    a = json.loads(quizzer(bank, db, "status", "--format", "json").stdout)
    b = json.loads(quizzer(bank, other, "status", "--format", "json").stdout)
    assert a["readiness"] == b["readiness"]
    assert a["exams"] == b["exams"]


def test_a_bad_progress_file_is_one_line(studied, tmp_path: Path) -> None:
    _root, bank, _db = studied
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    r = quizzer(bank, tmp_path / "x.sqlite", "import", "progress", str(bad))
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0
    assert "not a quizzer progress file" in r.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  nope")
    r = quizzer(bank, tmp_path / "x.sqlite", "import", "progress", str(broken))
    assert r.returncode == 1
    assert f"{broken}:2: not JSON" in r.stderr
