"""The ``quizzer`` command line (typer): the TUI by default, plus bank tooling.

Exit codes follow Unix practice: 0 success, 1 the checked thing has problems, 2 usage error.
The CLI talks to :mod:`quizzer.services` only; Textual is imported lazily, so ``quizzer bank
...`` starts fast and works on machines without a terminal.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from quizzer.services import BankError, BankStats, Mode, RootfsError, Services, StorageError

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
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Learner database: a SQLAlchemy URL or a SQLite file path "
        "(default: quizzer.sqlite in the user data directory; env QUIZZER_DB).",
    ),
]


@dataclass(frozen=True)
class Options:
    """Global options, shared by every command through the typer context."""

    bank: Path | None = None
    db: str | None = None


def _options(ctx: typer.Context) -> Options:
    obj = ctx.obj
    return obj if isinstance(obj, Options) else Options()


def _services(ctx: typer.Context) -> Services:
    opts = _options(ctx)
    _existing_dir(opts.bank)
    return Services(opts.bank, opts.db)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"quizzer: {message}", err=True)
    return typer.Exit(1)


def _existing_dir(directory: Path | None) -> None:
    if directory is not None and not directory.is_dir():
        typer.echo(f"quizzer: {directory}: no such directory", err=True)
        raise typer.Exit(2)


@app.callback(invoke_without_command=True)
def main_callback(ctx: typer.Context, bank: BankOption = None, db: DbOption = None) -> None:
    """Open the study app on the bundled bank (or --bank DIR)."""
    ctx.obj = Options(bank, db)
    if ctx.invoked_subcommand is not None:
        return
    _run_app(_services(ctx))


@bank_app.command("validate")
def bank_validate(
    ctx: typer.Context,
    directory: DirArgument = None,
    fmt: FormatOption = Format.text,
) -> None:
    """Load and cross-check a bank; list every problem as FILE:LINE: question ID: FIELD: message."""
    directory = directory or _options(ctx).bank
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
    directory = directory or _options(ctx).bank
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


PlainOption = Annotated[
    bool, typer.Option("--plain", help="Line mode: questions on stdout, answers from stdin.")
]


@app.command("review")
def review(
    ctx: typer.Context,
    plain: PlainOption = False,
    mode: Annotated[
        str, typer.Option("--mode", help="review (daily), weak (weak areas) or objective.")
    ] = "review",
    objective: Annotated[
        str | None, typer.Option("--objective", help="The objective for --mode objective.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Stop after N questions (0: no limit).")
    ] = 0,
) -> None:
    """Daily spaced-repetition review, or practice of weak areas or one objective."""
    if mode not in (Mode.review, Mode.weak, Mode.objective):
        typer.echo("quizzer: --mode must be review, weak or objective", err=True)
        raise typer.Exit(2)
    if mode == Mode.objective and not objective:
        typer.echo("quizzer: --mode objective needs --objective ID", err=True)
        raise typer.Exit(2)
    services = _services(ctx)
    if not plain:
        _run_app(services)
        return
    from quizzer.plain import PlainSession

    try:
        code = PlainSession(services, sys.stdin, sys.stdout).review(Mode(mode), objective, limit)
    except (BankError, StorageError) as e:
        raise _fail(str(e)) from None
    raise typer.Exit(code)


@app.command("exam")
def exam(
    ctx: typer.Context,
    plain: PlainOption = False,
    objectives: Annotated[
        str | None,
        typer.Option(
            "--objectives", help="Comma-separated objective ids (default: all with questions)."
        ),
    ] = None,
    questions: Annotated[
        int | None,
        typer.Option("--questions", help="Form length (default: by weight, 25 for 352)."),
    ] = None,
) -> None:
    """A timed mock exam in the LPI format (resumes the open one)."""
    services = _services(ctx)
    if not plain:
        _run_app(services)
        return
    from quizzer.plain import PlainSession

    chosen = [o.strip() for o in objectives.split(",") if o.strip()] if objectives else None
    try:
        code = PlainSession(services, sys.stdin, sys.stdout).exam(chosen, questions)
    except ValueError as e:
        typer.echo(f"quizzer: {e}", err=True)
        raise typer.Exit(2) from None
    except (BankError, StorageError) as e:
        raise _fail(str(e)) from None
    raise typer.Exit(code)


@app.command("status")
def status(ctx: typer.Context, fmt: FormatOption = Format.text) -> None:
    """Due today, new today, readiness (P(pass), expected scaled score) and exam history."""
    services = _services(ctx)
    try:
        st = services.study_status()
        ready = services.readiness()
        history = services.exam_history()
    except (BankError, StorageError) as e:
        raise _fail(str(e)) from None
    r = ready.readiness
    exams = [
        {
            "id": v.id,
            "raw": v.result.score.raw,
            "total": v.result.score.total,
            "scaled": v.result.score.scaled,
            "passed": v.result.score.passed,
            "predicted_p_pass": v.result.predicted_p_pass,
            "predicted_scaled": v.result.predicted_scaled,
        }
        for v in history
        if v.result is not None
    ]
    data: dict[str, object] = {
        "due_today": st.due_today,
        "new_today": st.new_today,
        "new_limit": st.new_limit,
        "answered_today": st.answered_today,
        "unseen": st.unseen,
        "exam_date": st.exam_date.isoformat() if st.exam_date else None,
        "open_exam": st.open_exam,
        "readiness": {
            "p_pass": round(r.p_pass, 4),
            "expected_scaled": r.expected_scaled,
            "scaled_low": r.scaled_low,
            "scaled_high": r.scaled_high,
            "questions": r.questions,
            "cut_fraction": r.cut_fraction,
            "answers": ready.answered,
        },
        "exams": exams,
    }
    if fmt is Format.json:
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(
        f"Today: {st.due_today} due, {st.new_today}/{st.new_limit} new done, "
        f"{st.answered_today} answers; {st.unseen} questions never seen."
    )
    if st.exam_date:
        typer.echo(f"Exam date: {st.exam_date.isoformat()}")
    typer.echo(
        f"Readiness (estimate, cut {round(r.cut_fraction * 100)}%): P(pass) {r.p_pass:.0%}, "
        f"expected scaled {r.expected_scaled} (80% interval {r.scaled_low}-{r.scaled_high}) "
        f"from {ready.answered} answers."
    )
    for x in exams:
        verdict = "pass" if x["passed"] else "fail"
        typer.echo(f"Exam {x['id']}: {x['raw']}/{x['total']}, scaled {x['scaled']} ({verdict})")


@app.command("settings")
def settings(
    ctx: typer.Context,
    exam_date: Annotated[
        str | None, typer.Option("--exam-date", help="Your exam date (YYYY-MM-DD), or 'none'.")
    ] = None,
    new_per_day: Annotated[
        int | None, typer.Option("--new-per-day", help="New questions per day in daily review.")
    ] = None,
    cut: Annotated[
        float | None,
        typer.Option("--cut", help="Estimated raw fraction needed to pass (default 0.65)."),
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--timezone", help="IANA time zone for 'due today', or 'none'.")
    ] = None,
    retention: Annotated[
        float | None,
        typer.Option(
            "--retention", help="Desired retention, 0.7-0.97: recall chance when a question is due."
        ),
    ] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", help="The TUI's colour theme, or 'none'.")
    ] = None,
) -> None:
    """Show or change study settings."""
    services = _services(ctx)
    changes: dict[str, object] = {}
    try:
        if exam_date is not None:
            changes["exam_date"] = (
                None if exam_date == "none" else date.fromisoformat(exam_date).isoformat()
            )
        if new_per_day is not None:
            changes["new_per_day"] = new_per_day
        if cut is not None:
            changes["cut_fraction"] = cut
        if tz is not None:
            changes["timezone"] = None if tz == "none" else tz
        if retention is not None:
            changes["desired_retention"] = retention
        if theme is not None:
            changes["theme"] = None if theme == "none" else theme
        values = services.update_settings(**changes) if changes else services.settings()
    except ValueError as e:
        typer.echo(f"quizzer: {e}", err=True)
        raise typer.Exit(2) from None
    except StorageError as e:
        raise _fail(str(e)) from None
    for key, value in values.items():
        typer.echo(f"{key}: {value}")


class ReportFormat(StrEnum):
    """Formats of ``quizzer report``."""

    md = "md"
    html = "html"
    json = "json"
    csv = "csv"


OutOption = Annotated[
    Path | None, typer.Option("--out", help="Directory to write to (default: ./exports).")
]


@app.command("report")
def report(
    ctx: typer.Context,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ReportFormat.md
    ),
    out: OutOption = None,
) -> None:
    """Write the progress report: readiness, weak areas, exams, review forecast."""
    services = _services(ctx)
    try:
        written = services.write_report(fmt.value, out)
    except (BankError, StorageError) as e:
        raise _fail(str(e)) from None
    for path in written:
        typer.echo(str(path))


export_app = typer.Typer(help="Export questions or progress.", no_args_is_help=True)
import_app = typer.Typer(help="Import progress.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


@export_app.command("anki")
def export_anki(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="The .apkg file (default: exports/<exam>.apkg).")
    ] = None,
) -> None:
    """The bank's knowledge questions as an Anki deck (re-importing updates, never duplicates)."""
    services = _services(ctx)
    try:
        target, n = services.write_anki_deck(out)
    except BankError as e:
        raise _fail(str(e)) from None
    typer.echo(f"{target}: {n} notes")


@export_app.command("progress")
def export_progress(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="The JSON file (default: exports/progress-*.json).")
    ] = None,
) -> None:
    """The learner's full history as JSON, to move to another machine or database."""
    services = _services(ctx)
    try:
        target, data = services.write_progress(out)
    except (BankError, StorageError) as e:
        raise _fail(str(e)) from None
    typer.echo(f"{target}: {len(data['reviews'])} answers, {len(data['exams'])} exams")


@import_app.command("progress")
def import_progress(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by quizzer export progress.")],
) -> None:
    """Merge exported history into this database; importing the same file twice changes nothing."""
    services = _services(ctx)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        counts = services.import_progress(data)
    except FileNotFoundError:
        raise _fail(f"{file}: no such file") from None
    except json.JSONDecodeError as e:
        raise _fail(f"{file}:{e.lineno}: not JSON: {e.msg}") from None
    except (ValueError, KeyError, TypeError) as e:
        raise _fail(f"{file}: not a usable progress file: {e}") from None
    except StorageError as e:
        raise _fail(str(e)) from None
    typer.echo(", ".join(f"{n} {k.replace('_', ' ')} added" for k, n in counts.items()))


sandbox_app = typer.Typer(help="The hands-on sandbox.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")


@sandbox_app.command("prepare")
def sandbox_prepare(ctx: typer.Context) -> None:
    """Build the sandbox's root file system once (debootstrap; about a minute; idempotent)."""
    services = _services(ctx)
    try:
        st = services.prepare_sandbox(progress=lambda line: typer.echo(line, err=True))
    except RootfsError as e:
        raise _fail(str(e)) from None
    typer.echo(f"{st.path}: {st.detail}")


@sandbox_app.command("doctor")
def sandbox_doctor(
    ctx: typer.Context,
    fmt: FormatOption = Format.text,
) -> None:
    """What the hands-on sandbox can do on this machine, and why not where it cannot."""
    findings = _services(ctx).sandbox_doctor()
    if fmt is Format.json:
        typer.echo(json.dumps([f.__dict__ for f in findings], indent=2))
    else:
        for f in findings:
            typer.echo(f"{'ok ' if f.ok else 'NO '} {f.name:16} {f.detail}")
    raise typer.Exit(0 if all(f.ok for f in findings) else 1)


@app.command("check")
def check(
    ctx: typer.Context,
    question_id: Annotated[str, typer.Argument(help="A hands-on question id.")],
    commands: Annotated[
        str, typer.Option("--commands", help="A file with the commands to run, or - for stdin.")
    ] = "-",
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="Store the outcome as an answer.")
    ] = False,
) -> None:
    """Run commands for a hands-on question in a fresh sandbox; print the JSON verdict.

    Exit 0 when every check passes, 1 when one fails, 2 on an error (unknown question,
    no sandbox).
    """
    services = _services(ctx)
    try:
        script = sys.stdin.read() if commands == "-" else Path(commands).read_text()
    except OSError as e:
        typer.echo(f"quizzer: {commands}: {e.strerror}", err=True)
        raise typer.Exit(2) from None
    try:
        result = services.check_handson(question_id, script, record=record)
    except KeyError:
        typer.echo(f"quizzer: no question {question_id}", err=True)
        raise typer.Exit(2) from None
    except ValueError as e:
        typer.echo(f"quizzer: {e}", err=True)
        raise typer.Exit(2) from None
    except (BankError, StorageError) as e:
        typer.echo(f"quizzer: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result.to_dict(), indent=2))
    if result.error is not None:
        raise typer.Exit(2)
    raise typer.Exit(0 if result.passed else 1)


def _run_app(services: Services) -> None:
    from quizzer.tui.app import QuizzerApp  # lazy: keeps the CLI free of Textual

    QuizzerApp(services).run()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
