"""The progress report as Markdown: readable in a terminal, a merge request or a wiki."""

from __future__ import annotations

from quizzer.reports.model import AreaRow, Report

__all__ = ["render_markdown"]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _trend(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 100:+.0f} pts"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _area_table(rows: tuple[AreaRow, ...], with_area: bool) -> list[str]:
    head = (
        "| objective | "
        + ("knowledge area | " if with_area else "")
        + (
            "weight | answered | accuracy | predicted | retention now | retention on exam day "
            "| coverage | trend |"
        )
    )
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for r in rows:
        area = f"{_cell(r.area or '')} | " if with_area else ""
        lines.append(
            f"| {r.objective} {_cell(r.title) if not with_area else ''}".rstrip()
            + f" | {area}{r.weight} | {r.answered}/{r.questions} | {_pct(r.accuracy)} "
            f"| {_pct(r.predicted)} | {_pct(r.retention_now)} | {_pct(r.retention_exam)} "
            f"| {_pct(r.coverage)} | {_trend(r.trend)} |"
        )
    return lines


def render_markdown(report: Report) -> str:
    """The report as a Markdown document."""
    r = report.readiness
    out = [
        f"# Progress report: {report.exam_title}",
        "",
        f"Learner **{report.learner}**, generated {report.generated_at:%Y-%m-%d %H:%M} UTC.",
    ]
    if report.exam_date:
        days = (report.exam_date - report.generated_at.date()).days
        out.append(f"Exam date {report.exam_date.isoformat()} ({days} days left).")
    out += [
        "",
        "## Readiness (estimate)",
        "",
        f"- Probability of passing: **{r.p_pass * 100:.0f}%**",
        f"- Expected score: **{r.expected_scaled}** on the 200-800 scale "
        f"(80% interval {r.scaled_low}-{r.scaled_high}; 500 passes)",
        f"- Form: {r.questions} questions by objective weight; cut assumed at "
        f"{r.cut_fraction * 100:.0f}% of the raw score (LPI does not publish it)",
        f"- Based on {r.answers} answers",
        "",
        "## Objectives",
        "",
        *_area_table(report.objectives, with_area=False),
        "",
        "## Knowledge areas",
        "",
        *_area_table(report.areas, with_area=True),
        "",
        "## Study next",
        "",
    ]
    if not report.weakest:
        out.append("Nothing stands out yet: answer a few questions first.")
    for w in report.weakest:
        out.append(
            f"### {w.objective} {w.title} (predicted {_pct(w.predicted)}, "
            f"covered {_pct(w.coverage)})"
        )
        out.append("")
        for q in w.questions:
            out.append(f"- `{q.id}` ({q.reason}): {q.summary}")
        out.append("")
    out += ["## Mock exams", ""]
    if not report.exams:
        out.append("No mock exam yet.")
    else:
        out += [
            "| # | date | objectives | score | scaled | result | predicted before |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for e in report.exams:
            score = f"{e.raw}/{e.total}" if e.raw is not None else "open"
            result = "-" if e.passed is None else ("pass" if e.passed else "fail")
            predicted = (
                f"P(pass) {e.predicted_p_pass * 100:.0f}%, ~{e.predicted_scaled}"
                if e.predicted_p_pass is not None
                else "-"
            )
            out.append(
                f"| {e.id} | {e.started_at:%Y-%m-%d %H:%M} | {', '.join(e.objectives)} "
                f"| {score} | {e.scaled if e.scaled is not None else '-'} | {result} "
                f"| {predicted} |"
            )
    out += ["", "## Reviews due, next 14 days", ""]
    out += ["| day | due |", "| --- | --- |"]
    out += [f"| {d.day:%a %Y-%m-%d} | {d.due} |" for d in report.forecast]
    out.append("")
    return "\n".join(out)
