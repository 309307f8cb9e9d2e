"""Every hands-on question of the bank, graded for real in the sandbox.

For each: its setup plus its model solution passes every check, and its setup alone fails.
For the questions listed in ``data/alternatives*.yaml``, other valid solutions pass too and
plausible wrong ones fail, so the checks test the state, not the commands typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quizzer.bank import HandsOnQuestion, load_bank
from quizzer.sandbox.grading import Check, Task, attempt

BANK = Path(__file__).resolve().parents[2] / "questionbank" / "lpic3-305-300"
HANDSON = [q for q in load_bank(BANK) if isinstance(q, HandsOnQuestion)]
ALTERNATIVES: dict[str, dict[str, list[str]]] = {}
for _file in sorted((Path(__file__).parent / "data").glob("alternatives*.yaml")):
    ALTERNATIVES.update(yaml.safe_load(_file.read_text()) or {})


def task_of(q: HandsOnQuestion) -> Task:
    return Task(
        q.id,
        q.setup,
        tuple(Check(c.id, c.description, c.test, c.weight, c.message) for c in q.checks),
        q.timeout,
        q.engine,
        needs_rootfs=q.needs_rootfs,
        requires=q.requires,
    )


@pytest.mark.parametrize("question", HANDSON, ids=[q.id for q in HANDSON])
def test_model_solution_passes_and_doing_nothing_fails(question, rootfs, scratch) -> None:
    task = task_of(question)
    good = attempt(task, question.solution, rootfs, scratch)
    assert good.error is None, good.error
    failed = [c.id for c in good.checks if not c.passed]
    assert good.passed, f"solution fails {failed}; output:\n{good.output}"
    idle = attempt(task, "true", rootfs, scratch)
    assert idle.error is None, idle.error
    assert not idle.passed, "the checks pass without doing anything"
    assert idle.score < 1.0


CASES = [
    (qid, kind, script)
    for qid, entry in sorted(ALTERNATIVES.items())
    for kind in ("valid", "invalid")
    for script in entry.get(kind, [])
]


@pytest.mark.parametrize(
    ("qid", "kind", "script"), CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_other_solutions_are_judged_by_their_effect(qid, kind, script, rootfs, scratch) -> None:
    question = next(q for q in HANDSON if q.id == qid)
    result = attempt(task_of(question), script, rootfs, scratch)
    assert result.error is None, result.error
    if kind == "valid":
        assert result.passed, (
            f"a valid solution fails {[c.id for c in result.checks if not c.passed]}:\n{result.output}"
        )
    else:
        assert not result.passed, "a wrong solution passes"


def test_enough_questions_have_alternative_solutions() -> None:
    with_both = [q for q, e in ALTERNATIVES.items() if e.get("valid") and e.get("invalid")]
    assert len(with_both) >= 12
    assert set(ALTERNATIVES) <= {q.id for q in HANDSON}
