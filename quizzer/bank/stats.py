"""What a bank covers: counts per objective, knowledge area, type and difficulty, and the gaps.

Gaps are measured against the authoring targets in ``exam.yaml`` (``coverage``): every key
knowledge area and every cited file, term or utility of an objective that has questions should
be exercised by enough questions. Topics with no questions at all (351 and 353 while only Topic
352 is written) are listed as not started rather than as hundreds of gaps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from quizzer.bank.issues import QUESTION_TYPES

if TYPE_CHECKING:
    from quizzer.bank.loader import Bank


@dataclass(frozen=True)
class CoverageRow:
    """How many questions exercise one knowledge area or cited object, against the target."""

    objective: str
    id: str
    title: str
    questions: int
    target: int

    @property
    def gap(self) -> bool:
        """True when fewer questions than the target exist."""
        return self.questions < self.target


@dataclass(frozen=True)
class ObjectiveStats:
    """Counts for one objective."""

    id: str
    topic: str
    title: str
    weight: int
    questions: int
    by_type: dict[str, int]


@dataclass(frozen=True)
class BankStats:
    """Everything ``quizzer bank stats`` reports."""

    exam: str
    total: int
    objectives: tuple[ObjectiveStats, ...]
    by_type: dict[str, int]
    by_difficulty: dict[str, int]
    knowledge_areas: tuple[CoverageRow, ...]
    cited: tuple[CoverageRow, ...]
    not_started: tuple[str, ...]

    @property
    def gaps(self) -> tuple[CoverageRow, ...]:
        """Knowledge areas and cited objects below target, in exam order."""
        return tuple(r for r in (*self.knowledge_areas, *self.cited) if r.gap)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form with explicit gap lists."""
        d = asdict(self)
        d["gaps"] = {
            "knowledge_areas": [asdict(r) for r in self.knowledge_areas if r.gap],
            "cited": [asdict(r) for r in self.cited if r.gap],
        }
        d["missing"] = {
            "knowledge_areas": [asdict(r) for r in self.knowledge_areas if r.questions == 0],
            "cited": [asdict(r) for r in self.cited if r.questions == 0],
        }
        return d


def compute_stats(bank: Bank) -> BankStats:
    """Count the bank's questions every way the authoring workflow needs."""
    exam = bank.exam
    by_obj: Counter[str] = Counter()
    by_obj_type: Counter[tuple[str, str]] = Counter()
    by_ka: Counter[tuple[str, str]] = Counter()
    by_cited: Counter[tuple[str, str]] = Counter()
    by_type: Counter[str] = Counter()
    by_diff: Counter[int] = Counter()
    for q in bank.questions:
        by_obj[q.objective] += 1
        by_obj_type[(q.objective, q.type)] += 1
        by_ka[(q.objective, q.knowledge_area)] += 1
        by_type[q.type] += 1
        by_diff[q.difficulty] += 1
        for name in set(q.cites):
            by_cited[(q.objective, name)] += 1
    objectives = tuple(
        ObjectiveStats(
            id=o.id,
            topic=o.topic,
            title=o.title,
            weight=o.weight,
            questions=by_obj[o.id],
            by_type={t: by_obj_type[(o.id, t)] for t in QUESTION_TYPES},
        )
        for o in exam.objectives
    )
    # Coverage is reported for every objective of a topic the bank has started on.
    topics = {o.topic for o in exam.objectives if by_obj[o.id] > 0}
    started = [o for o in exam.objectives if o.topic in topics]
    target_ka = exam.coverage.min_per_knowledge_area
    target_cited = exam.coverage.min_per_cited_object
    kas = tuple(
        CoverageRow(o.id, ka.id, ka.title, by_ka[(o.id, ka.id)], target_ka)
        for o in started
        for ka in o.knowledge_areas
    )
    cited = tuple(
        CoverageRow(o.id, c.name, c.kind, by_cited[(o.id, c.name)], target_cited)
        for o in started
        for c in o.cited
    )
    return BankStats(
        exam=exam.id,
        total=len(bank.questions),
        objectives=objectives,
        by_type={t: by_type[t] for t in QUESTION_TYPES},
        by_difficulty={str(d): by_diff[d] for d in range(1, 6)},
        knowledge_areas=kas,
        cited=cited,
        not_started=tuple(o.id for o in exam.objectives if by_obj[o.id] == 0),
    )
