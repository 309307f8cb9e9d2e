"""Loading a bank directory into an immutable :class:`Bank`, all or nothing.

A bank directory holds ``exam.yaml`` and any number of question files (``*.yaml``/``*.yml``,
searched recursively). Every file is read and validated, every cross-reference is checked
(unique ids, objectives, knowledge areas, cited objects, weights), and *all* problems are
reported together as :class:`BankIssue` lines ``FILE:LINE: question ID: FIELD: message``.
If there is a single problem the whole load fails with :class:`BankError`: a learner never
studies from a half-loaded bank.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from quizzer.bank.issues import BankError, BankIssue
from quizzer.bank.models import Exam, Objective, Question
from quizzer.bank.source import YamlDocument, field_name, line_of, read_yaml

EXAM_FILE = "exam.yaml"
MAX_FILES = 2_000

_question_adapter: TypeAdapter[Question] = TypeAdapter(
    Question, config=ConfigDict(defer_build=True)
)


@dataclass(frozen=True)
class Bank:
    """A validated question bank: the exam definition and its questions, in file order."""

    exam: Exam
    questions: tuple[Question, ...]
    locations: Mapping[str, tuple[str, int]] = field(repr=False)
    """Question id -> (file name, line) where it is defined."""
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def get(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return self._by_id.get(question_id)

    def question(self, question_id: str) -> Question:
        """The question with this id; ``KeyError`` if the bank has none."""
        return self._by_id[question_id]

    def for_objective(self, objective_id: str) -> tuple[Question, ...]:
        """The questions of one objective, in bank order."""
        return tuple(q for q in self.questions if q.objective == objective_id)


def content_hash(question: Question) -> str:
    """A stable hash of everything a learner sees or is graded on (16 hex digits).

    Stored with every answer so that an edited question is recognised as changed.
    """
    payload = json.dumps(question.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- validation


def _pydantic_issues(
    errors: list[ErrorDetails],
    doc: YamlDocument,
    base: tuple[str | int, ...],
    question: str | None,
    strip_tag: str | None = None,
) -> list[BankIssue]:
    issues = []
    item_error_parents = {
        tuple(e["loc"][:i]) for e in errors for i, p in enumerate(e["loc"]) if isinstance(p, int)
    }
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and loc in item_error_parents:
            continue  # "too few items" only because an item failed: the item error says it all
        if strip_tag is not None and loc[:1] == (strip_tag,):
            loc = loc[1:]
        # pydantic appends the constraint name (e.g. "function-after[...]") for some errors
        loc = tuple(p for p in loc if not (isinstance(p, str) and "[" in p))
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see questionbank/schema.json)"
        elif err["type"] == "string_too_short" and err.get("ctx", {}).get("min_length") == 1:
            msg = "must not be empty"
        elif err["type"] == "union_tag_invalid":
            msg = "type must be one of: single, multiple, fill, handson"
        elif err["type"] == "union_tag_not_found":
            loc = (*loc, "type")
            msg = "missing 'type' (single, multiple, fill or handson)"
        line = line_of(doc.node, (*base, *loc))
        issues.append(BankIssue(doc.name, line, question, field_name(loc), msg))
    return issues


class _FileHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")
    objective: str | None = None
    weight: int | None = None
    questions: list[Any]


def _question_files(directory: Path) -> list[Path]:
    files = [p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(p for p in files if p != directory / EXAM_FILE)


def _load_exam(directory: Path, issues: list[BankIssue]) -> Exam | None:
    path = directory / EXAM_FILE
    if not path.is_file():
        issues.append(BankIssue(EXAM_FILE, 0, None, "(file)", f"no {EXAM_FILE} in {directory}"))
        return None
    doc, problems = read_yaml(path, EXAM_FILE)
    issues.extend(problems)
    if doc is None or problems:
        return None
    try:
        return Exam.model_validate(doc.data)
    except ValidationError as e:
        issues.extend(_pydantic_issues(e.errors(), doc, (), None))
        return None


def _check_references(
    q: Question, exam: Exam, doc: YamlDocument, base: tuple[str | int, ...]
) -> list[BankIssue]:
    def at(*loc: str | int, message: str) -> BankIssue:
        return doc.issue(loc, q.id, message, within=base)

    obj: Objective | None = exam.objective(q.objective)
    if obj is None:
        return [at("objective", message=f"unknown objective {q.objective!r} (not in {EXAM_FILE})")]
    out = []
    if not q.id.startswith(q.objective + "-"):
        out.append(
            at("id", message=f"question ids start with their objective: '{q.objective}-...'")
        )
    if q.knowledge_area not in {ka.id for ka in obj.knowledge_areas}:
        known = ", ".join(ka.id for ka in obj.knowledge_areas) or "none defined"
        out.append(
            at(
                "knowledge_area",
                message=f"unknown knowledge area {q.knowledge_area!r} for {obj.id} ({known})",
            )
        )
    cited = {c.name for c in obj.cited}
    out.extend(
        at("cites", i, message=f"{name!r} is not a cited object of {obj.id}")
        for i, name in enumerate(q.cites)
        if name not in cited
    )
    return out


def _load_questions(
    doc: YamlDocument,
    exam: Exam | None,
    seen: dict[str, tuple[str, int]],
    issues: list[BankIssue],
) -> list[Question]:
    try:
        header = _FileHeader.model_validate(doc.data)
    except ValidationError as e:
        issues.extend(_pydantic_issues(e.errors(), doc, (), None))
        return []
    if exam is not None and header.objective is not None:
        obj = exam.objective(header.objective)
        if obj is None:
            issues.append(
                doc.issue(("objective",), None, f"unknown objective {header.objective!r}")
            )
        elif header.weight is not None and header.weight != obj.weight:
            issues.append(
                doc.issue(
                    ("weight",),
                    None,
                    f"weight {header.weight} does not match {obj.id}'s weight "
                    f"{obj.weight} in {EXAM_FILE}",
                )
            )
    elif header.weight is not None and header.objective is None:
        issues.append(
            doc.issue(("weight",), None, "a file-level weight needs a file-level objective")
        )
    if not header.questions:
        issues.append(doc.issue(("questions",), None, "no questions in the file"))
    loaded: list[Question] = []
    for i, item in enumerate(header.questions):
        base: tuple[str | int, ...] = ("questions", i)
        line = line_of(doc.node, base)
        if not isinstance(item, dict):
            issues.append(doc.issue(base, None, "each question must be a mapping of fields"))
            continue
        qid = item.get("id") if isinstance(item.get("id"), str) else None
        if qid is not None:
            if qid in seen:
                first_file, first_line = seen[qid]
                issues.append(
                    doc.issue(
                        ("id",),
                        qid,
                        f"duplicate id (first defined at {first_file}:{first_line})",
                        within=base,
                    )
                )
                continue
            seen[qid] = (doc.name, line)
        tag = item.get("type") if isinstance(item.get("type"), str) else None
        try:
            q = _question_adapter.validate_python(item)
        except ValidationError as e:
            issues.extend(_pydantic_issues(e.errors(), doc, base, qid, strip_tag=tag))
            continue
        if header.objective is not None and q.objective != header.objective:
            issues.append(
                doc.issue(
                    ("objective",),
                    q.id,
                    f"this file holds {header.objective} questions only",
                    within=base,
                )
            )
        if exam is not None:
            issues.extend(_check_references(q, exam, doc, base))
        loaded.append(q)
    return loaded


def load_bank(directory: Path) -> Bank:
    """Read, validate and cross-check a bank directory; raise :class:`BankError` on any problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BankError([BankIssue(str(directory), 0, None, "(file)", "not a directory")])
    issues: list[BankIssue] = []
    exam = _load_exam(directory, issues)
    files = _question_files(directory)
    if len(files) > MAX_FILES:
        raise BankError(
            [BankIssue(str(directory), 0, None, "(file)", f"more than {MAX_FILES} question files")]
        )
    seen: dict[str, tuple[str, int]] = {}
    questions: list[Question] = []
    for path in files:
        name = path.relative_to(directory).as_posix()
        doc, problems = read_yaml(path, name)
        issues.extend(problems)
        if doc is not None and not problems:
            questions.extend(_load_questions(doc, exam, seen, issues))
    if not files:
        issues.append(BankIssue(str(directory), 0, None, "(file)", "no question files"))
    if issues or exam is None:
        raise BankError(issues)
    locations = {q.id: seen[q.id] for q in questions}
    return Bank(exam=exam, questions=tuple(questions), locations=locations)
