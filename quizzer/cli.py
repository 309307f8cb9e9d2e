"""The ``quizzer`` command line (typer): the TUI by default, plus bank tooling.

Exit codes follow Unix practice: 0 success, 1 the checked thing has problems, 2 usage error.
The CLI talks to :mod:`quizzer.services` only; Textual is imported lazily, so ``quizzer bank
...`` starts fast and works on machines without a terminal.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from quizzer.services import BankError, BankStats, Services

app = typer.Typer(
    name="quizzer",
    help="Exam practice and adaptive quizzes for LPIC-3 305-300 (Topic 352 first).",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
bank_app = typer.Typer(help="Check and describe the question bank.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")


class Format(StrEnum):
    """Output format of reporting commands."""

    text = "text"
    json = "json"


BankOption = Annotated[
    Path | None,
    typer.Option(
        "--bank",
        help="Exam directory holding exam.yaml (default: the bundled bank; env QUIZZER_BANK).",
    ),
]
DirArgument = Annotated[
    Path | None, typer.Argument(help="Exam directory (default: --bank or the bundled bank).")
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def _existing_dir(directory: Path | None) -> None:
    if directory is not None and not directory.is_dir():
        typer.echo(f"quizzer: {directory}: no such directory", err=True)
        raise typer.Exit(2)


@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context, bank: BankOption = None) -> None:
    """Open the study app on the bundled bank (or --bank DIR)."""
    ctx.obj = bank
    if ctx.invoked_subcommand is not None:
        return
    _existing_dir(bank)
    services = Services(bank)
    from quizzer.tui.app import QuizzerApp  # lazy: keeps the CLI free of Textual

    QuizzerApp(services).run()


@bank_app.command("validate")
def bank_validate(
    ctx: typer.Context,
    directory: DirArgument = None,
    fmt: FormatOption = Format.text,
) -> None:
    """Load and cross-check a bank; list every problem as FILE:LINE: question ID: FIELD: message."""
    directory = directory or ctx.obj
    _existing_dir(directory)
    report = Services(directory).validate_bank()
    if fmt is Format.json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    elif report.ok:
        typer.echo(f"{report.directory}: OK, {report.questions} questions")
    else:
        for issue in report.issues:
            typer.echo(str(issue))
        n = len(report.issues)
        typer.echo(f"{report.directory}: {n} problem{'s' if n != 1 else ''}", err=True)
    raise typer.Exit(0 if report.ok else 1)


def _stats_text(stats: BankStats) -> str:
    lines = [f"{stats.exam}: {stats.total} questions", "", "Objectives"]
    for o in stats.objectives:
        types = " ".join(f"{t}={n}" for t, n in o.by_type.items() if n)
        lines.append(
            f"  {o.id:6} w{o.weight:<2} {o.questions:4}  {o.title}"
            + (f"  ({types})" if types else "")
        )
    lines.append("")
    lines.append("Types       " + "  ".join(f"{t}={n}" for t, n in stats.by_type.items()))
    lines.append("Difficulty  " + "  ".join(f"{d}={n}" for d, n in stats.by_difficulty.items()))
    for title, rows in (("Knowledge areas", stats.knowledge_areas), ("Cited objects", stats.cited)):
        lines += ["", f"{title} (target per row in exam.yaml)"]
        for r in rows:
            flag = "  GAP" if r.gap else ""
            lines.append(f"  {r.objective:6} {r.id:32} {r.questions:3}/{r.target}{flag}")
    gaps = stats.gaps
    lines.append("")
    missing = [r for r in gaps if r.questions == 0]
    lines.append(f"Gaps: {len(gaps)} below target, {len(missing)} with no question yet")
    for r in missing:
        lines.append(f"  no question yet: {r.objective} {r.id}")
    if stats.not_started:
        lines.append("Objectives not started: " + ", ".join(stats.not_started))
    return "\n".join(lines)


@bank_app.command("stats")
def bank_stats(
    ctx: typer.Context,
    directory: DirArgument = None,
    fmt: FormatOption = Format.text,
) -> None:
    """Questions per objective, knowledge area, type and difficulty, and the coverage gaps."""
    directory = directory or ctx.obj
    _existing_dir(directory)
    try:
        stats = Services(directory).bank_stats()
    except BankError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from None
    if fmt is Format.json:
        typer.echo(json.dumps(stats.to_dict(), indent=2))
    else:
        typer.echo(_stats_text(stats))


@bank_app.command("schema")
def bank_schema(
    exam: Annotated[
        bool, typer.Option("--exam", help="Print the schema of exam.yaml instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of a question file (for editors' YAML language servers)."""
    schema = Services.exam_schema() if exam else Services.question_file_schema()
    typer.echo(json.dumps(schema, indent=2, sort_keys=True))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
