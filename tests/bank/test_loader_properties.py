"""Property tests: whatever a file holds, the loader returns a Bank or raises BankError.

Valid questions generated from the schema always load intact; mutated, random-structured,
random-text and random-byte files never escape as any other exception.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzer.bank import Bank, BankError, load_bank

MINI = Path(__file__).parent / "data" / "mini"
ISSUE_LINE = re.compile(r"^[^:]+:\d+: question \S+: \S.*: .+$", re.DOTALL)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz -./", min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


@contextmanager
def bank_with(files: dict[str, bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bank"
        shutil.copytree(MINI, root)
        for name, content in files.items():
            (root / name).write_bytes(content)
        yield root


def load_or_error(root: Path) -> Bank | BankError:
    """Load, letting only BankError through (any other exception fails the test)."""
    try:
        return load_bank(root)
    except BankError as e:
        error = e
    assert error.issues, "a BankError always names at least one problem"
    for issue in error.issues:
        assert ISSUE_LINE.match(str(issue)), str(issue)
        assert issue.line >= 0
    return error


@st.composite
def valid_question(draw: st.DrawFn, qid: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["single", "multiple", "fill", "handson"]))
    q: dict[str, Any] = {
        "id": qid,
        "objective": "352.1",
        "knowledge_area": draw(st.sampled_from(["namespaces", "cgroups"])),
        "type": kind,
        "difficulty": draw(st.integers(1, 5)),
        "stem": draw(words),
        "explanation": draw(words),
        "refs": [f"man: {draw(words)}"],
    }
    if draw(st.booleans()):
        q["cites"] = draw(st.lists(st.sampled_from(["unshare", "/sys/fs/cgroup"]), unique=True))
    if kind in ("single", "multiple"):
        n = draw(st.integers(4, 6))
        texts = draw(st.lists(words, min_size=n, max_size=n, unique=True))
        texts = [t for t in texts if not re.search(r"\b(all|none|both) of the", t, re.I)]
        if len(texts) < 4:
            texts = ["alpha", "beta", "gamma", "delta"]
        n_correct = 1 if kind == "single" else draw(st.integers(2, len(texts) - 1))
        q["choices"] = [{"text": t, "correct": i < n_correct} for i, t in enumerate(texts)]
        if kind == "multiple":
            q["stem"] += " (Choose {} correct answers.)".format(
                {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}[n_correct]
            )
    elif kind == "fill":
        q["accept"] = draw(st.lists(words, min_size=1, max_size=3))
        q["rules"] = {"case_sensitive": draw(st.booleans()), "strip_path": draw(st.booleans())}
    else:
        q["task"] = draw(words)
        q["checks"] = [{"id": "c1", "description": "d", "test": "true", "message": "m"}]
        q["solution"] = draw(words)
        q["requires"] = ["ip"]
        q["timeout"] = draw(st.integers(1, 900))
    return q


@st.composite
def valid_files(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 6))
    return [draw(valid_question(f"352.1-gen-{i}")) for i in range(n)]


@SETTINGS
@given(questions=valid_files())
def test_generated_valid_questions_load_intact(questions: list[dict[str, Any]]) -> None:
    content = yaml.safe_dump({"questions": questions}, sort_keys=False).encode()
    with bank_with({"gen.yaml": content}) as root:
        result = load_or_error(root)
    assert isinstance(result, Bank), str(result)
    loaded = [q for q in result if q.id.startswith("352.1-gen-")]
    assert [q.id for q in loaded] == [q["id"] for q in questions]
    assert [q.type for q in loaded] == [q["type"] for q in questions]


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mutated_question(draw: st.DrawFn) -> dict[str, Any]:
    q = draw(valid_question("352.1-mutant"))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["drop", "replace", "add"]))
        key = draw(st.sampled_from(sorted(q))) if q else "id"
        if action == "drop":
            q.pop(key, None)
        elif action == "replace":
            q[key] = draw(junk)
        else:
            q[draw(st.text(min_size=1, max_size=10))] = draw(junk)
    return q


@SETTINGS
@given(q=mutated_question())
def test_mutated_questions_give_a_bank_or_a_bank_error(q: dict[str, Any]) -> None:
    content = yaml.safe_dump({"questions": [q]}, allow_unicode=True).encode()
    with bank_with({"mutant.yaml": content}) as root:
        load_or_error(root)


@SETTINGS
@given(doc=junk)
def test_random_structures_give_a_bank_or_a_bank_error(doc: Any) -> None:
    content = yaml.safe_dump(doc, allow_unicode=True).encode()
    with bank_with({"junk.yaml": content}) as root:
        assert isinstance(load_or_error(root), BankError)


@SETTINGS
@given(text=st.text(max_size=400))
def test_random_text_gives_a_bank_or_a_bank_error(text: str) -> None:
    with bank_with({"text.yaml": text.encode("utf-8", "surrogatepass")}) as root:
        load_or_error(root)


@SETTINGS
@given(raw=st.binary(max_size=400))
def test_random_bytes_give_a_bank_or_a_bank_error(raw: bytes) -> None:
    with bank_with({"bytes.yaml": raw}) as root:
        load_or_error(root)


@SETTINGS
@given(
    prefix=st.sampled_from(["questions:\n", "questions:\n  - ", "a: ", "- ", "{", "["]),
    body=st.text(alphabet="[]{}:,-&*!|>'\"#%@` \n\tab1", max_size=200),
)
def test_yaml_punctuation_soup_gives_a_bank_or_a_bank_error(prefix: str, body: str) -> None:
    with bank_with({"soup.yaml": (prefix + body).encode()}) as root:
        load_or_error(root)
