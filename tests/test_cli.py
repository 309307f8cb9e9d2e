"""The command line, run as a learner runs it: a real subprocess, real files, real exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

BAD = Path(__file__).parent / "bank" / "data" / "bad"


def quizzer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quizzer", *args], capture_output=True, text=True, timeout=60
    )


def test_validate_clean_bank_exits_0(mini_bank: Path) -> None:
    r = quizzer("bank", "validate", str(mini_bank))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{mini_bank}: OK, 5 questions"


def test_validate_bundled_bank_by_default() -> None:
    r = quizzer("bank", "validate")
    assert r.returncode == 0, r.stdout + r.stderr


def test_validate_reports_problems_and_exits_1(mini_bank: Path) -> None:
    shutil.copy(BAD / "two-correct-single.yaml", mini_bank)
    shutil.copy(BAD / "tabs.yaml", mini_bank)
    r = quizzer("bank", "validate", str(mini_bank))
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "tabs.yaml:4: question -: (indentation): tab character in indentation; use spaces",
        "two-correct-single.yaml:8: question 352.1-two-correct: choices: a 'single' question needs exactly one correct choice (found 2)",
    ]
    assert "2 problems" in r.stderr


def test_validate_json(mini_bank: Path) -> None:
    shutil.copy(BAD / "unknown-field.yaml", mini_bank)
    r = quizzer("bank", "validate", str(mini_bank), "--format", "json")
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert report["ok"] is False
    assert report["issues"] == [
        {
            "file": "unknown-field.yaml",
            "line": 9,
            "question": "352.1-unknown-field",
            "field": "answer",
            "message": "unknown field (check the spelling; see questionbank/schema.json)",
        }
    ]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert quizzer("bank", "validate", str(tmp_path / "nowhere")).returncode == 2
    assert quizzer("bank", "validate", "--format", "xml").returncode == 2
    assert quizzer("bank", "frobnicate").returncode == 2


def test_stats_json_counts_and_gaps(mini_bank: Path) -> None:
    r = quizzer("bank", "stats", str(mini_bank), "--format", "json")
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert stats["total"] == 5
    assert stats["by_type"] == {"single": 1, "multiple": 1, "fill": 2, "handson": 1}
    assert {o["id"]: o["questions"] for o in stats["objectives"]} == {"352.1": 4, "352.2": 1}
    ka = {(r["objective"], r["id"]): r["questions"] for r in stats["knowledge_areas"]}
    assert ka == {("352.1", "namespaces"): 3, ("352.1", "cgroups"): 1, ("352.2", "lxc-config"): 1}
    assert [r["id"] for r in stats["gaps"]["cited"]] == ["unshare", "/sys/fs/cgroup"]
    assert stats["missing"]["knowledge_areas"] == []


def test_stats_text_flags_gaps(mini_bank: Path) -> None:
    r = quizzer("bank", "stats", str(mini_bank))
    assert r.returncode == 0
    assert "352.1  namespaces                         3/6  GAP" in r.stdout
    assert "Gaps: 5 below target, 0 with no question yet" in r.stdout


def test_stats_on_broken_bank_exits_1(mini_bank: Path) -> None:
    shutil.copy(BAD / "tabs.yaml", mini_bank)
    r = quizzer("bank", "stats", str(mini_bank))
    assert r.returncode == 1
    assert "tabs.yaml:4:" in r.stderr


def test_schema_is_json_schema_of_a_question_file() -> None:
    r = quizzer("bank", "schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert schema["title"] == "quizzer question file"
    assert set(schema["properties"]) == {"objective", "weight", "questions"}
    assert {
        "SingleChoiceQuestion",
        "MultipleChoiceQuestion",
        "FillQuestion",
        "HandsOnQuestion",
    } <= set(schema["$defs"])


def test_global_bank_option_applies_to_bank_commands(mini_bank: Path) -> None:
    r = quizzer("--bank", str(mini_bank), "bank", "validate")
    assert r.returncode == 0
    assert r.stdout.strip() == f"{mini_bank}: OK, 5 questions"
