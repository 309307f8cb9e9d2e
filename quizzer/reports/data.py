"""The progress report as data: versioned JSON (with its JSON Schema) and CSV files."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from quizzer.reports.model import SCHEMA_VERSION, Report

__all__ = ["json_schema", "render_csv", "render_json"]

AREA_COLUMNS = (
    "objective",
    "area",
    "title",
    "weight",
    "questions",
    "answered",
    "attempts",
    "correct",
    "accuracy",
    "ability",
    "predicted",
    "retention_now",
    "retention_exam",
    "coverage",
    "trend",
)
REVIEW_COLUMNS = (
    "answered_at",
    "question_id",
    "objective",
    "knowledge_area",
    "mode",
    "correct",
    "rating",
    "response_ms",
)


def render_json(report: Report) -> str:
    """The report as JSON (``schema_version`` tells readers which schema it follows)."""
    return report.model_dump_json(indent=2) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the report."""
    schema = Report.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"quizzer progress report, schema version {SCHEMA_VERSION}"
    return schema


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})
    return buf.getvalue()


def render_csv(report: Report) -> dict[str, str]:
    """CSV files by name: one row per knowledge area, and the review log."""
    areas = [json.loads(a.model_dump_json()) for a in report.areas]
    reviews = [json.loads(r.model_dump_json()) for r in report.reviews]
    return {
        "knowledge-areas.csv": _csv(AREA_COLUMNS, areas),
        "review-log.csv": _csv(REVIEW_COLUMNS, reviews),
    }
