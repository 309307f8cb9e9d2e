"""The bank learners actually study from: it loads, it is shaped like the exam, its schema is current."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from quizzer.bank import compute_stats, exam_schema, load_bank, question_file_schema

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "questionbank"


def test_bundled_bank_loads(bundled_bank: Path) -> None:
    bank = load_bank(bundled_bank)
    assert len(bank) >= 24
    assert {q.objective for q in bank} >= {"352.1", "352.2", "352.3", "352.4"}
    assert {q.type for q in bank} == {"single", "multiple", "fill", "handson"}


def test_exam_definition_matches_lpi(bundled_bank: Path) -> None:
    exam = load_bank(bundled_bank).exam
    weights = {o.id: o.weight for o in exam.objectives}
    assert sum(weights.values()) == exam.questions == 60
    assert exam.duration_minutes == 90
    assert (weights["352.1"], weights["352.2"], weights["352.3"], weights["352.4"]) == (7, 6, 9, 3)
    by_topic = Counter[str]()
    for o in exam.objectives:
        by_topic[o.topic] += o.weight
    assert by_topic == {"351": 25, "352": 25, "353": 10}
    kas = {o.id: len(o.knowledge_areas) for o in exam.objectives if o.topic == "352"}
    assert kas == {"352.1": 12, "352.2": 7, "352.3": 7, "352.4": 4}
    cited = {c.name for o in exam.objectives for c in o.cited}
    assert {
        "nsenter",
        "unshare",
        "ip",
        "capsh",
        "/sys/fs/cgroup",
        "/proc/[0-9]+/ns",
        "/proc/[0-9]+/status",
        "lxd",
        "lxc",
        "/etc/lxc/",
        "/etc/default/lxc",
        "/var/log/lxc/",
        "/usr/share/lxc/templates",
        "dockerd",
        "/etc/docker/daemon.json",
        "/var/lib/docker/",
        "docker",
        "Dockerfile",
    } <= cited


def test_every_question_explains_and_cites_sources(bundled_bank: Path) -> None:
    for q in load_bank(bundled_bank):
        assert len(q.explanation) >= 40, q.id
        assert any(r.startswith(("man: ", "doc: ", "spec: ")) for r in q.refs), q.id


def test_stats_count_every_question_once(bundled_bank: Path) -> None:
    bank = load_bank(bundled_bank)
    stats = compute_stats(bank)
    assert sum(o.questions for o in stats.objectives) == stats.total == len(bank)
    assert sum(stats.by_type.values()) == len(bank)
    assert sum(stats.by_difficulty.values()) == len(bank)
    assert stats.not_started == (
        "351.1",
        "351.2",
        "351.3",
        "351.4",
        "351.5",
        "353.1",
        "353.2",
        "353.3",
        "353.4",
    )


def test_committed_json_schemas_are_current() -> None:
    """questionbank/*.json must be regenerated (quizzer bank schema) when the models change."""
    on_disk = json.loads((SCHEMA_DIR / "schema.json").read_text())
    assert on_disk == json.loads(json.dumps(question_file_schema()))
    on_disk_exam = json.loads((SCHEMA_DIR / "exam.schema.json").read_text())
    assert on_disk_exam == json.loads(json.dumps(exam_schema()))
