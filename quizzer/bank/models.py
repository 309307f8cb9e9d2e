"""The question-bank schema: pydantic v2 models for ``exam.yaml`` and for question files.

This module owns the *shape* of the bank and the rules that can be checked inside one
question (one correct choice for ``single``, a stated count for ``multiple``, non-empty
``accept`` forms for ``fill``...). Rules that need the whole bank (unique ids, references to
objectives and knowledge areas, weights) live in :mod:`quizzer.bank.loader`. Every model is
frozen and forbids unknown fields, so a typo in a YAML key is an error, never a silent default.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$", max_length=80)]
ObjectiveId = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}\.[0-9]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Ref = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^(notes|man|doc|spec): \S.*$", max_length=500
    ),
]

_COUNT_WORDS = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}
_CHOOSE = re.compile(r"\(Choose (TWO|THREE|FOUR|FIVE)( correct answers?)?\.?\)", re.IGNORECASE)
_BANNED_CHOICES = re.compile(r"\b(all|none|both) of the (above|following)\b", re.IGNORECASE)


def _no_duplicates(label: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"duplicate {label}: {name!r}")
        seen.add(name)


class _Frozen(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


# --------------------------------------------------------------------------- exam.yaml


class KnowledgeArea(_Frozen):
    """One key knowledge area of an objective, as LPI words it, with a short stable id."""

    id: Slug
    title: ShortText


class CitedObject(_Frozen):
    """A file, term or utility from LPI's "partial list of used files, terms and utilities"."""

    name: ShortText
    kind: Literal["file", "term", "utility"]


class Objective(_Frozen):
    """An exam objective such as 352.1, with its LPI weight (= expected questions on the exam)."""

    id: ObjectiveId
    topic: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
    title: ShortText
    weight: Annotated[int, Field(ge=1, le=60)]
    description: Text | None = None
    knowledge_areas: tuple[KnowledgeArea, ...] = ()
    cited: tuple[CitedObject, ...] = ()

    @field_validator("topic")
    @classmethod
    def _topic_matches_id(cls, topic: str, info: ValidationInfo) -> str:
        oid = info.data.get("id")
        if oid is not None and not oid.startswith(topic + "."):
            raise ValueError(f"objective {oid} does not belong to topic {topic}")
        return topic

    @field_validator("knowledge_areas")
    @classmethod
    def _unique_areas(cls, areas: tuple[KnowledgeArea, ...]) -> tuple[KnowledgeArea, ...]:
        _no_duplicates("knowledge area id", [ka.id for ka in areas])
        return areas

    @field_validator("cited")
    @classmethod
    def _unique_cited(cls, cited: tuple[CitedObject, ...]) -> tuple[CitedObject, ...]:
        _no_duplicates("cited object", [c.name for c in cited])
        return cited


class Topic(_Frozen):
    """A topic (351, 352, 353) grouping objectives."""

    id: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
    title: ShortText


class Scale(_Frozen):
    """LPI's reported score scale: 200-800 with 500 to pass."""

    min: int = 200
    max: int = 800
    passing: int = 500

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.min < self.passing < self.max:
            raise ValueError("scale must satisfy min < passing < max")
        return self


class Coverage(_Frozen):
    """Authoring targets that `quizzer bank stats` checks and reports gaps against."""

    min_per_knowledge_area: Annotated[int, Field(ge=0)] = 6
    min_per_cited_object: Annotated[int, Field(ge=0)] = 3


class Exam(_Frozen):
    """The exam definition: ``exam.yaml`` at the top of a bank directory."""

    id: Slug
    code: ShortText
    title: ShortText
    version: ShortText
    duration_minutes: Annotated[int, Field(ge=1, le=600)]
    questions: Annotated[int, Field(ge=1, le=500)]
    scale: Scale = Scale()
    coverage: Coverage = Coverage()
    topics: Annotated[tuple[Topic, ...], Field(min_length=1)]
    objectives: Annotated[tuple[Objective, ...], Field(min_length=1)]

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: tuple[Topic, ...]) -> tuple[Topic, ...]:
        _no_duplicates("topic id", [t.id for t in topics])
        return topics

    @field_validator("objectives")
    @classmethod
    def _consistent(
        cls, objectives: tuple[Objective, ...], info: ValidationInfo
    ) -> tuple[Objective, ...]:
        _no_duplicates("objective id", [o.id for o in objectives])
        topics = info.data.get("topics")
        if topics is not None:
            known = {t.id for t in topics}
            for o in objectives:
                if o.topic not in known:
                    raise ValueError(f"objective {o.id} refers to unknown topic {o.topic}")
        total = sum(o.weight for o in objectives)
        questions = info.data.get("questions")
        if questions is not None and total != questions:
            raise ValueError(
                f"objective weights sum to {total}, but the exam has {questions} questions"
            )
        return objectives

    def objective(self, objective_id: str) -> Objective | None:
        """The objective with this id, or None."""
        for o in self.objectives:
            if o.id == objective_id:
                return o
        return None


# --------------------------------------------------------------------------- questions


class Choice(_Frozen):
    """One answer option of a ``single`` or ``multiple`` question."""

    text: ShortText
    correct: bool = False
    why: Text | None = None
    """Optional note on why this option is right or wrong, shown after answering."""

    @field_validator("text")
    @classmethod
    def _no_position_words(cls, text: str) -> str:
        if _BANNED_CHOICES.search(text):
            raise ValueError("choices must not depend on position ('all/none of the above')")
        return text


class _QuestionBase(_Frozen):
    id: Slug
    objective: ObjectiveId
    knowledge_area: Slug
    difficulty: Annotated[int, Field(ge=1, le=5)]
    stem: Text
    explanation: Text
    refs: Annotated[tuple[Ref, ...], Field(min_length=1)]
    tags: tuple[Slug, ...] = ()
    cites: tuple[ShortText, ...] = ()
    """Names of the objective's cited files, terms and utilities this question exercises."""


class SingleChoiceQuestion(_QuestionBase):
    """Multiple choice with exactly one correct answer."""

    type: Literal["single"]
    choices: Annotated[tuple[Choice, ...], Field(min_length=3, max_length=6)]

    @field_validator("choices")
    @classmethod
    def _one_correct(cls, choices: tuple[Choice, ...]) -> tuple[Choice, ...]:
        _no_duplicates("choice text", [c.text for c in choices])
        n = sum(c.correct for c in choices)
        if n != 1:
            raise ValueError(f"a 'single' question needs exactly one correct choice (found {n})")
        return choices


class MultipleChoiceQuestion(_QuestionBase):
    """Multiple choice with two or more correct answers; the stem says how many."""

    type: Literal["multiple"]
    choices: Annotated[tuple[Choice, ...], Field(min_length=4, max_length=7)]

    @field_validator("choices")
    @classmethod
    def _several_correct(
        cls, choices: tuple[Choice, ...], info: ValidationInfo
    ) -> tuple[Choice, ...]:
        _no_duplicates("choice text", [c.text for c in choices])
        n = sum(c.correct for c in choices)
        if n < 2:
            raise ValueError(f"a 'multiple' question needs two or more correct choices (found {n})")
        if n == len(choices):
            raise ValueError("a 'multiple' question needs at least one wrong choice")
        stem = info.data.get("stem")
        want = _COUNT_WORDS.get(n, str(n))
        m = _CHOOSE.search(stem) if stem is not None else None
        if stem is not None and (m is None or m.group(1).upper() != want):
            raise ValueError(
                f"{n} choices are correct, so the stem must say '(Choose {want} correct answers.)'"
            )
        return choices


class FillRules(_Frozen):
    """How a typed answer is normalised before it is compared with the accepted forms."""

    case_sensitive: bool = True
    """Commands and options are case sensitive (``-p`` is not ``-P``); terms usually are not."""
    collapse_spaces: bool = True
    strip_path: bool = False
    """Accept a leading directory on the answer: ``/usr/bin/nsenter`` counts as ``nsenter``."""
    strip_quotes: bool = False
    """Ignore single and double quotes: ``--format '{{.Id}}'`` counts as ``--format {{.Id}}``."""
    trailing_slash: bool = True
    """Ignore a trailing ``/`` on paths: ``/etc/lxc/`` counts as ``/etc/lxc``."""


class FillQuestion(_QuestionBase):
    """Fill in the blank: a command, option, path or term typed by the learner."""

    type: Literal["fill"]
    accept: Annotated[tuple[ShortText, ...], Field(min_length=1)]
    hint: ShortText | None = None
    """LPI-style hint shown with the stem, e.g. 'Specify the file name only, without any path.'"""
    rules: FillRules = FillRules()
    command: ShortText | None = None
    """When the answer is an option alone, the command it belongs to (e.g. ``docker build``):
    the test suite checks every accepted option against that command's ``--help``."""


class HandsOnCheck(_Frozen):
    """One graded criterion of a hands-on question: a read-only test of the sandbox's state."""

    id: Slug
    description: ShortText
    """What this criterion verifies, shown to the learner when it passes."""
    test: Text
    """Shell test run by the checker against the sandbox; exit status 0 means it holds."""
    weight: Annotated[int, Field(ge=1, le=100)] = 1
    message: ShortText
    """Shown when the criterion fails: a hint, never the solution."""


class HandsOnQuestion(_QuestionBase):
    """A task done in a throwaway sandbox and graded by the state it leaves behind."""

    type: Literal["handson"]
    task: Text
    setup: str = ""
    checks: Annotated[tuple[HandsOnCheck, ...], Field(min_length=1)]
    solution: Text
    requires: Annotated[tuple[ShortText, ...], Field(min_length=1)]
    """Tools the task needs inside the sandbox (``ip``, ``unshare``, ``runc``, ``docker``...)."""
    timeout: Annotated[int, Field(ge=1, le=900)] = 60
    engine: Literal["none", "runc", "lxc", "docker"] = "none"
    """A container engine the sandbox must start for this task."""
    needs_rootfs: bool = False
    """Only the prepared sandbox (``quizzer sandbox prepare``) can host it, not the bwrap
    fallback over the read-only host root: it writes ``/etc`` or ``/var/lib``, creates cgroups,
    or runs an engine (``dockerd``, LXC) that needs them."""

    @field_validator("checks")
    @classmethod
    def _unique_checks(cls, checks: tuple[HandsOnCheck, ...]) -> tuple[HandsOnCheck, ...]:
        _no_duplicates("check id", [c.id for c in checks])
        return checks


Question = Annotated[
    SingleChoiceQuestion | MultipleChoiceQuestion | FillQuestion | HandsOnQuestion,
    Field(discriminator="type"),
]


class QuestionFile(_Frozen):
    """A question file: optional objective/weight header, then the questions.

    When ``objective`` is given, every question in the file must belong to it; when ``weight``
    is given it must equal that objective's weight in ``exam.yaml`` (a visible tag for authors).
    """

    objective: ObjectiveId | None = None
    weight: Annotated[int, Field(ge=1, le=60)] | None = None
    questions: Annotated[list[Question], Field(min_length=1)]
