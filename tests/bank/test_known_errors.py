"""The 13 known errors of the study notes never become an answer key.

``../shared/reference/topic-352-reference.md`` section 4 lists them. Each rule below looks at
what the bank marks as *right* (correct choices, accepted fill forms) or, for typos, at every
text, and each rule is shown to fire on a planted example so the check cannot pass vacuously.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizzer.bank import FillQuestion, MultipleChoiceQuestion, SingleChoiceQuestion, load_bank

BANK = Path(__file__).resolve().parents[2] / "questionbank" / "lpic3-305-300"

# (number in the reference, rule name, pattern over a right answer, planted bad example)
RIGHT_ANSWER_RULES = [
    (1, "lsns -p lists one type", r"\blsns\s+(-p|--task)\s+pid\b", "lsns -p pid"),
    (2, "lxc-checkconfig takes -n", r"\blxc-checkconfig\s+-n\b", "lxc-checkconfig -n web"),
    (3, "lxc-destroy -n -s order", r"\blxc-destroy\s+-n\s+-s\b", "lxc-destroy -n -s debian01"),
    (4, "lxc --exec", r"\blxc\s+--exec\b", "lxc --exec alpine -- sh"),
    (
        6,
        "compose down removes volumes by default",
        r"compose down(?![^.]*(\s-v\b|--volumes))[^.]*\bremoves?\b[^.]*\bvolumes?\b",
        "docker compose down removes containers, networks and volumes",
    ),
    (
        7,
        "runc uses chroot",
        r"\b(runc|docker)\b(?![^.]*(pivot_root|no-pivot))[^.]*\b(uses|via|calls)\s+chroot\b",
        "runc uses chroot to change the root filesystem",
    ),
    (
        8,
        "CapInh inherited from the parent",
        r"\bCapInh\b[^.]*\binherited from (the )?parent\b",
        "CapInh lists capabilities inherited from the parent",
    ),
    (
        8,
        "CapAmb defines its own effective set",
        r"\bCapAmb\b[^.]*\bits own effective\b",
        "CapAmb defines its own effective capabilities",
    ),
    (
        9,
        "net_cls in cgroup v2",
        r"\b(v2|cgroup2|unified)\b(?![^.]*\b(not|no|only in v1|v1 only|v1-only)\b)[^.]*\bnet_(cls|prio)\b",
        "cgroup v2 limits bandwidth with net_cls",
    ),
    (
        10,
        "VOLUME creates a layer",
        r"\bVOLUME\b[^.]*\b(creates?|adds?)\s+(a\s+|an\s+)?(new\s+)?(filesystem\s+)?layer\b",
        "VOLUME creates a new filesystem layer",
    ),
    (
        12,
        "deprecated stable Helm repo as current",
        r"charts\.helm\.sh/stable|\bstable/mysql\b",
        "helm repo add stable https://charts.helm.sh/stable",
    ),
    (
        12,
        "Compose version key required",
        r"\bversion:?\s[^.]*\b(required|mandatory|must)\b",
        "the version: key is required at the top of compose.yaml",
    ),
]

# Typos are wrong anywhere, not only in answers, unless the text is correcting the notes.
ANYWHERE_RULES = [
    (5, "aaparmor_parser typo", r"\baaparmor_parser\b", "aaparmor_parser -r profile"),
    (5, "252.1 heading typo", r"\b252\.1\b", "see 252.1 ip"),
    (11, "truncated -p", r"--network\s+my-bridge3\s+-p\s*($|`)", "--network my-bridge3 -p"),
    (13, "container.sh link", r"\bcontainer\.sh\b", "curl -O https://example/container.sh"),
]


def right_answers() -> Iterator[tuple[str, str]]:
    for q in load_bank(BANK):
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            for c in q.choices:
                if c.correct:
                    yield q.id, c.text
        elif isinstance(q, FillQuestion):
            for form in q.accept:
                yield q.id, f"{q.command} {form}" if q.command else form


def all_texts() -> Iterator[tuple[str, str]]:
    for q in load_bank(BANK):
        yield q.id, q.model_dump_json()


@pytest.mark.parametrize(("number", "name", "pattern", "planted"), RIGHT_ANSWER_RULES)
def test_no_known_error_is_a_right_answer(
    number: int, name: str, pattern: str, planted: str
) -> None:
    rule = re.compile(pattern, re.IGNORECASE)
    assert rule.search(planted), f"rule {number} ({name}) does not catch its own example"
    hits = [f"{qid}: {text}" for qid, text in right_answers() if rule.search(text)]
    assert not hits, f"known error {number} ({name}) is marked right:\n" + "\n".join(hits)


@pytest.mark.parametrize(("number", "name", "pattern", "planted"), ANYWHERE_RULES)
def test_no_known_typo_anywhere(number: int, name: str, pattern: str, planted: str) -> None:
    rule = re.compile(pattern)
    assert rule.search(planted), f"rule {number} ({name}) does not catch its own example"
    hits = [
        qid
        for qid, text in all_texts()
        for m in rule.finditer(text)
        if "notes" not in text[max(0, m.start() - 150) : m.end() + 150]
    ]
    assert not rule.search(planted) or "notes" not in planted
    assert not hits, f"known error {number} ({name}) appears in: {', '.join(hits)}"
