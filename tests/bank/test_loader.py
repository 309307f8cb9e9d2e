"""The loader on real YAML files: good banks load, every kind of bad input is named precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quizzer.bank import BankError, load_bank
from quizzer.bank.source import MAX_FILE_BYTES

BAD = Path(__file__).parent / "data" / "bad"


def errors(directory: Path) -> list[str]:
    with pytest.raises(BankError) as info:
        load_bank(directory)
    return [str(i) for i in info.value.issues]


def test_mini_bank_loads_every_type(mini_bank: Path) -> None:
    bank = load_bank(mini_bank)
    assert [q.id for q in bank] == [
        "352.1-good-single",
        "352.1-good-multiple",
        "352.1-good-fill",
        "352.1-good-handson",
        "352.2-good-fill",
    ]
    assert {q.type for q in bank} == {"single", "multiple", "fill", "handson"}
    assert bank.locations["352.1-good-fill"] == ("352.1-good.yaml", 34)
    assert bank.question("352.2-good-fill").objective == "352.2"
    assert len(bank.for_objective("352.1")) == 4


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "tabs.yaml",
            "tabs.yaml:4: question -: (indentation): tab character in indentation; use spaces",
        ),
        (
            "duplicate-key.yaml",
            "duplicate-key.yaml:9: question 352.1-dup-key: stem: duplicate key (first at line 7); YAML would silently keep only the last value",
        ),
        (
            "alias-bomb.yaml",
            "alias-bomb.yaml:6: question -: (yaml): document expands to too many nodes (alias bomb?)",
        ),
        (
            "top-level-list.yaml",
            "top-level-list.yaml:2: question -: (document): expected a mapping at the top, found a list",
        ),
        (
            "syntax-error.yaml",
            "syntax-error.yaml:6: question -: (yaml): YAML syntax error: while scanning a quoted scalar (from line 4) found unexpected end of stream",
        ),
        (
            "two-documents.yaml",
            "two-documents.yaml:2: question -: (yaml): YAML syntax error: expected a single document in the stream (from line 1) but found another document",
        ),
        (
            "python-tag.yaml",
            "python-tag.yaml:3: question 352.1-python-tag: (yaml): unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
        (
            "unknown-field.yaml",
            "unknown-field.yaml:9: question 352.1-unknown-field: answer: unknown field (check the spelling; see questionbank/schema.json)",
        ),
        (
            "wrong-type.yaml",
            "wrong-type.yaml:6: question 352.1-wrong-type: difficulty: Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "two-correct-single.yaml",
            "two-correct-single.yaml:8: question 352.1-two-correct: choices: a 'single' question needs exactly one correct choice (found 2)",
        ),
        (
            "no-correct-single.yaml",
            "no-correct-single.yaml:8: question 352.1-no-correct: choices: a 'single' question needs exactly one correct choice (found 0)",
        ),
        (
            "multiple-one-correct.yaml",
            "multiple-one-correct.yaml:8: question 352.1-multi-one: choices: a 'multiple' question needs two or more correct choices (found 1)",
        ),
        (
            "multiple-count-unstated.yaml",
            "multiple-count-unstated.yaml:8: question 352.1-multi-unstated: choices: 2 choices are correct, so the stem must say '(Choose TWO correct answers.)'",
        ),
        (
            "empty-fill-answer.yaml",
            "empty-fill-answer.yaml:8: question 352.1-empty-accept: accept[1]: must not be empty",
        ),
        (
            "duplicate-id.yaml",
            "duplicate-id.yaml:2: question 352.1-good-fill: id: duplicate id (first defined at 352.1-good.yaml:34)",
        ),
        (
            "weight-mismatch.yaml",
            "weight-mismatch.yaml:2: question -: weight: weight 6 does not match 352.2's weight 2 in exam.yaml",
        ),
        (
            "missing-type.yaml",
            "missing-type.yaml:2: question 352.1-no-type: type: missing 'type' (single, multiple, fill or handson)",
        ),
        (
            "question-not-mapping.yaml",
            "question-not-mapping.yaml:2: question -: questions[0]: each question must be a mapping of fields",
        ),
    ],
)
def test_bad_fixture_is_reported_exactly(mini_bank: Path, fixture: str, expected: str) -> None:
    shutil.copy(BAD / fixture, mini_bank / fixture)
    assert errors(mini_bank) == [expected]


def test_bad_references_are_all_reported_at_once(mini_bank: Path) -> None:
    shutil.copy(BAD / "bad-references.yaml", mini_bank)
    assert errors(mini_bank) == [
        "bad-references.yaml:4: question 352.1-bad-ka: knowledge_area: unknown knowledge area 'capabilities' for 352.1 (namespaces, cgroups)",
        "bad-references.yaml:11: question 352.1-bad-ka: cites[0]: 'nsenter' is not a cited object of 352.1",
        "bad-references.yaml:13: question 352.9-bad-objective: objective: unknown objective '352.9' (not in exam.yaml)",
    ]


def test_every_bad_file_at_once_reports_every_problem(mini_bank: Path) -> None:
    for f in BAD.glob("*.yaml"):
        shutil.copy(f, mini_bank)
    found = errors(mini_bank)
    files = {line.split(":", 1)[0] for line in found}
    assert files == {f.name for f in BAD.glob("*.yaml")}


def test_non_utf8_bytes_name_the_line(mini_bank: Path) -> None:
    (mini_bank / "latin1.yaml").write_bytes(
        b"questions:\n  - id: 352.1-latin1\n    stem: caf\xe9\n"
    )
    assert errors(mini_bank) == [
        "latin1.yaml:3: question -: (encoding): not valid UTF-8 (byte 0xe9)"
    ]


def test_oversized_file_is_refused_without_parsing(mini_bank: Path) -> None:
    big = mini_bank / "huge.yaml"
    big.write_bytes(b"questions:\n" + b"  # padding\n" * (MAX_FILE_BYTES // 12 + 1))
    assert errors(mini_bank) == [
        f"huge.yaml:0: question -: (size): file is larger than the {MAX_FILE_BYTES // 1024} KiB limit"
    ]


def test_exam_weights_must_sum_to_question_count(mini_bank: Path) -> None:
    exam = mini_bank / "exam.yaml"
    exam.write_text(exam.read_text().replace("weight: 2", "weight: 4"))
    assert errors(mini_bank) == [
        "exam.yaml:10: question -: objectives: objective weights sum to 7, but the exam has 5 questions"
    ]


def test_missing_exam_file(mini_bank: Path) -> None:
    (mini_bank / "exam.yaml").unlink()
    msgs = errors(mini_bank)
    assert msgs[0].startswith("exam.yaml:0: question -: (file): no exam.yaml in ")


def test_nothing_is_half_loaded(mini_bank: Path) -> None:
    """One bad question anywhere means no Bank object at all, not a bank without it."""
    shutil.copy(BAD / "wrong-type.yaml", mini_bank)
    with pytest.raises(BankError):
        load_bank(mini_bank)
    (mini_bank / "wrong-type.yaml").unlink()
    assert len(load_bank(mini_bank)) == 5


def test_deep_nesting_is_refused(mini_bank: Path) -> None:
    (mini_bank / "deep.yaml").write_text("questions: " + "[" * 200 + "]" * 200 + "\n")
    assert errors(mini_bank) == ["deep.yaml:1: question -: (yaml): nesting deeper than 48 levels"]


def test_position_dependent_choices_are_banned(mini_bank: Path) -> None:
    path = mini_bank / "352.1-good.yaml"
    path.write_text(path.read_text().replace('- text: "--ipc"', '- text: "All of the above"'))
    assert errors(mini_bank) == [
        "352.1-good.yaml:14: question 352.1-good-single: choices[2].text: choices must not depend on position ('all/none of the above')"
    ]
