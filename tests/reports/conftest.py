"""A hand-built, realistic progress report for the renderers' tests.

Topic 352's four objectives (weights 7/6/9/3) fall in all three colour bands (green >= 75%,
amber >= 60%, red below), a knowledge area has never been answered (every None field), two weak
areas carry questions to practise, one mock exam failed and one passed, and the title, learner
and a question summary hold ``<``, ``>``, ``&`` and both quotes to prove escaping.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from quizzer.reports.model import (
    AreaRow,
    ExamRow,
    ForecastDay,
    PracticeQuestion,
    ReadinessSummary,
    Report,
    ReviewRow,
    WeakArea,
)

NASTY_TITLE = "LPIC-3 305 <script>alert(\"pwned\")</script> & 'Virtualization'"
NASTY_LEARNER = 'Ana "A." O\'Neil <ana>'
NASTY_SUMMARY = 'Which flag makes `docker run` use <host> & "bridge" networking?'
GENERATED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _objective(objective: str, title: str, weight: int, predicted: float, **kw: object) -> AreaRow:
    fields: dict[str, object] = {
        "questions": 40,
        "answered": 20,
        "attempts": 30,
        "correct": 21,
        "accuracy": 0.7,
        "ability": 0.4,
        "retention_now": 0.88,
        "retention_exam": 0.71,
        "coverage": 0.5,
        "trend": 0.05,
    }
    fields.update(kw)
    return AreaRow.model_validate(
        {"objective": objective, "title": title, "weight": weight, "predicted": predicted, **fields}
    )


@pytest.fixture
def sample_report() -> Report:
    objectives = (
        _objective("352.1", "Container Virtualization Concepts", 7, 0.81, ability=1.12),
        _objective("352.2", "LXC", 6, 0.66, trend=-0.08, accuracy=0.62),
        _objective("352.3", "Docker", 9, 0.52, ability=-0.35, trend=None, coverage=0.3),
        _objective(
            "352.4",
            "Container Orchestration Platforms",
            3,
            0.44,
            answered=3,
            attempts=4,
            correct=1,
            accuracy=0.25,
            ability=-0.9,
            coverage=0.12,
            trend=0.0,
        ),
    )
    areas = (
        _objective("352.1", "Understand and analyze kernel namespaces", 7, 0.84, area="namespaces"),
        _objective("352.1", "Understand the principle of runc", 7, 0.77, area="runc"),
        _objective("352.2", "Use LXD profiles", 6, 0.63, area="lxd-profiles"),
        _objective(
            "352.3",
            "Understand and manage networking for Docker",
            9,
            0.41,
            area="docker-networking",
            accuracy=0.3,
            trend=-0.2,
        ),
        _objective(
            "352.4",
            "Awareness of OpenShift, Rancher and DC/OS",
            3,
            0.5,
            area="openshift-rancher-dcos",
            answered=0,
            attempts=0,
            correct=0,
            accuracy=None,
            ability=0.0,
            retention_now=None,
            retention_exam=None,
            coverage=0.0,
            trend=None,
        ),
    )
    weakest = (
        WeakArea(
            objective="352.3",
            area="docker-networking",
            title="Understand and manage networking for Docker",
            predicted=0.41,
            coverage=0.3,
            questions=(
                PracticeQuestion(
                    id="352.3-net-host-mode", summary=NASTY_SUMMARY, reason="never answered"
                ),
                PracticeQuestion(
                    id="352.3-net-user-bridge-dns",
                    summary="Containers on a user-defined bridge resolve each other by ...",
                    reason="answered wrong last time",
                ),
            ),
        ),
        WeakArea(
            objective="352.4",
            area="openshift-rancher-dcos",
            title="Awareness of OpenShift, Rancher and DC/OS",
            predicted=0.5,
            coverage=0.0,
            questions=(
                PracticeQuestion(
                    id="352.4-openshift-routes",
                    summary="What exposes a service ...",
                    reason="fading",
                ),
            ),
        ),
    )
    exams = (
        ExamRow(
            id=1,
            started_at=datetime(2025, 2, 10, 18, 0, tzinfo=UTC),
            submitted_at=datetime(2025, 2, 10, 19, 20, tzinfo=UTC),
            objectives=("352.1", "352.2", "352.3", "352.4"),
            raw=33,
            total=60,
            scaled=430,
            passed=False,
            predicted_p_pass=0.28,
            predicted_scaled=470,
            by_objective={"352.1": (11, 17), "352.2": (8, 14), "352.3": (11, 22), "352.4": (3, 7)},
        ),
        ExamRow(
            id=2,
            started_at=datetime(2025, 2, 24, 18, 0, tzinfo=UTC),
            submitted_at=datetime(2025, 2, 24, 19, 5, tzinfo=UTC),
            objectives=("352.1", "352.2", "352.3", "352.4"),
            raw=42,
            total=60,
            scaled=560,
            passed=True,
            predicted_p_pass=0.61,
            predicted_scaled=535,
            by_objective={"352.1": (15, 17), "352.2": (10, 14), "352.3": (13, 22), "352.4": (4, 7)},
        ),
    )
    dues = (12, 5, 0, 8, 3, 14, 2, 1, 0, 6, 9, 4, 2, 7)
    forecast = tuple(
        ForecastDay(day=GENERATED.date() + timedelta(days=i), due=n) for i, n in enumerate(dues)
    )
    reviews = tuple(
        ReviewRow(
            answered_at=GENERATED - timedelta(hours=i),
            question_id=qid,
            objective=qid[:5],
            knowledge_area=area,
            mode=mode,
            correct=ok,
            rating=rating,
            response_ms=ms,
        )
        for i, (qid, area, mode, ok, rating, ms) in enumerate(
            [
                ("352.1-runc-spec-template", "runc", "review", True, 3, 8400),
                ("352.3-net-user-bridge-dns", "docker-networking", "review", False, 1, 15200),
                ("352.2-lxd-profile-assign", "lxd-profiles", "exam", True, None, None),
                ("352.1-namespaces-unshare", "namespaces", "review", True, 4, 5100),
            ]
        )
    )
    return Report(
        generated_at=GENERATED,
        learner=NASTY_LEARNER,
        exam_id="305-300",
        exam_title=NASTY_TITLE,
        exam_date=date(2025, 3, 29),
        readiness=ReadinessSummary(
            p_pass=0.58,
            expected_scaled=512,
            scaled_low=448,
            scaled_high=577,
            questions=60,
            cut_fraction=0.65,
            answers=412,
        ),
        objectives=objectives,
        areas=areas,
        weakest=weakest,
        exams=exams,
        forecast=forecast,
        reviews=reviews,
    )
