"""The progress report as one self-contained HTML page.

:func:`render_html` turns a :class:`~quizzer.reports.model.Report` into a single HTML5 document:
inline CSS, inline SVG charts, no JavaScript and no external reference of any kind (fonts,
images, scripts, style sheets), so the file reads the same offline, in a mail attachment or on
paper (an ``@media print`` block keeps the background white and charts and tables unbroken).

The page, top to bottom: the readiness estimate, a bar chart of predicted mastery per objective,
the per-objective and per-knowledge-area tables, the weakest knowledge areas with questions to
practise, the mock-exam history (chart and table), the 14-day review forecast (chart and
table) and the newest answers of the review log. Every chart is an ``<svg role="img">`` with an
``aria-label`` and a ``<title>``, and its numbers are also given as text or in a table.

Every string taken from the report is escaped with :func:`html.escape`. The function is pure:
it reads no file, no clock and no network (days left until the exam count from
``generated_at``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, datetime

from quizzer.reports.model import AreaRow, ExamRow, ForecastDay, Report, WeakArea

__all__ = ["render_html"]

GREEN = "#2f9e44"
AMBER = "#e09f1f"
RED = "#d63939"
BAR = "#5b7db1"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#d9dee3"

PASS_SCALED = 500
SCALE_MIN = 200
SCALE_MAX = 800
RECENT_REVIEWS = 15

_NUM = ' class="num"'
_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")

_CSS = f"""
:root {{
  --ink: {INK}; --muted: {MUTED}; --line: {GRID}; --panel: #f5f7f9;
  --green: {GREEN}; --amber: {AMBER}; --red: {RED};
}}
* {{ box-sizing: border-box; }}
html {{ -webkit-text-size-adjust: 100%; }}
body {{
  margin: 0; background: #fff; color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Liberation Sans", sans-serif;
}}
main {{ max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }}
h1 {{ font-size: 1.6rem; line-height: 1.2; margin: 0 0 .25rem; }}
h2 {{
  font-size: 1.15rem; margin: 2rem 0 .7rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line);
}}
h3 {{ font-size: 1rem; margin: 0 0 .35rem; }}
p {{ margin: .35rem 0; }}
code {{
  white-space: nowrap; background: var(--panel); padding: 0 3px; border-radius: 3px;
  font: .85em/1.3 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
}}
.meta, .note, .sub {{ color: var(--muted); }}
.sub {{ font-size: .85em; }}
.nw {{ white-space: nowrap; }}
.note {{ font-size: .85rem; }}
.cards {{
  display: grid; gap: 12px; margin-top: 1rem;
  grid-template-columns: repeat(auto-fit, minmax(200px, 1fr));
}}
.card {{
  background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 10px 14px;
}}
.card .label {{ color: var(--muted); font-size: .8rem; text-transform: uppercase;
  letter-spacing: .04em; }}
.card .big {{ font-size: 1.9rem; font-weight: 650; line-height: 1.2;
  font-variant-numeric: tabular-nums; }}
.estimate {{
  display: inline-block; font-size: .7rem; text-transform: uppercase; letter-spacing: .06em;
  background: #fff3cd; color: #6b5000; border-radius: 4px; padding: 0 6px; margin-left: 6px;
  vertical-align: middle;
}}
.scroll {{ overflow-x: auto; }}
table {{
  border-collapse: collapse; width: 100%; font-size: .88rem;
  font-variant-numeric: tabular-nums; margin: .3rem 0 1rem;
}}
caption {{ text-align: left; color: var(--muted); font-size: .8rem; padding: 0 0 4px; }}
th, td {{ padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }}
thead th {{ background: var(--panel); font-weight: 600; vertical-align: bottom; }}
.num {{ text-align: right; }}
td.num {{ white-space: nowrap; }}
.pill {{
  display: inline-block; min-width: 3.3em; padding: 0 6px; border-radius: 10px;
  text-align: center; font-weight: 600;
}}
.good {{ background: var(--green); color: #fff; }}
.fair {{ background: var(--amber); color: {INK}; }}
.poor {{ background: var(--red); color: #fff; }}
.up {{ color: #237a35; }}
.down {{ color: #b42323; }}
.flat {{ color: var(--muted); }}
.passed {{ color: #237a35; font-weight: 600; }}
.failed {{ color: #b42323; font-weight: 600; }}
figure {{ margin: 0 0 .6rem; }}
figcaption {{ color: var(--muted); font-size: .8rem; }}
svg {{ display: block; max-width: 100%; height: auto; }}
svg text {{ font-family: inherit; }}
.weak {{ list-style: none; padding: 0; margin: 0; display: grid; gap: 10px; }}
.weak > li {{ border: 1px solid var(--line); border-left: 4px solid var(--red);
  border-radius: 6px; padding: 8px 12px; }}
.weak ul {{ margin: .2rem 0 0; padding-left: 1.2rem; }}
.reason {{ color: var(--muted); font-size: .85em; white-space: nowrap; }}
footer {{ margin-top: 2.5rem; color: var(--muted); font-size: .8rem; }}
@media print {{
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  body {{ background: #fff; color: #000; font-size: 10pt; }}
  main {{ max-width: none; padding: 0; }}
  .card, thead th, code {{ background: #fff; }}
  .scroll {{ overflow: visible; }}
  table, tr, figure, svg, .card, .weak > li {{ break-inside: avoid; page-break-inside: avoid; }}
  h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
}}
"""


def _e(text: object) -> str:
    """Escape any report value for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _band(value: float) -> str:
    """The CSS class for a predicted success rate: green, amber or red."""
    if value >= 0.75:
        return "good"
    if value >= 0.6:
        return "fair"
    return "poor"


def _colour(value: float) -> str:
    return {"good": GREEN, "fair": AMBER, "poor": RED}[_band(value)]


def _pill(value: float | None) -> str:
    if value is None:
        return "-"
    return f'<span class="pill {_band(value)}">{_pct(value)}</span>'


def _trend(value: float | None) -> str:
    if value is None:
        return "-"
    points = round(value * 100)
    if points > 0:
        return f'<span class="up" title="up {points} points">&#9650; +{points} pts</span>'
    if points < 0:
        return f'<span class="down" title="down {-points} points">&#9660; {points} pts</span>'
    return '<span class="flat" title="unchanged">&#9654; 0 pts</span>'


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    text = moment.strftime("%Y-%m-%d %H:%M")
    zone = moment.tzname()
    return f"{text} {zone}" if zone else text


def _day(day: date) -> str:
    """A forecast column head: weekday over month-day."""
    return f"{_WEEKDAYS[day.weekday()]}<br>{_e(day.strftime('%m-%d'))}"


def _fmt(value: float) -> str:
    """A coordinate for SVG: short and locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _table(
    headers: Iterable[tuple[str, bool]], rows: Iterable[Iterable[str]], caption: str = ""
) -> str:
    """A table; ``headers`` are (label, numeric) pairs, cells are ready-made HTML."""
    heads = list(headers)
    numeric = [num for _, num in heads]
    out = ['<div class="scroll"><table>']
    if caption:
        out.append(f"<caption>{caption}</caption>")
    out.append("<thead><tr>")
    out.extend(f'<th scope="col"{_NUM if num else ""}>{label}</th>' for label, num in heads)
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = list(row)
        out.append("<tr>")
        out.extend(f"<td{_NUM if numeric[i] else ''}>{cell}</td>" for i, cell in enumerate(cells))
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg role="img" aria-label="{_e(label)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-size="12" fill="{INK}">'
        f"<title>{_e(label)}</title>{''.join(body)}</svg>"
    )


# --------------------------------------------------------------------------- sections


def _header(report: Report) -> str:
    r = report.readiness
    band = _band(r.p_pass)
    cut = f"{r.cut_fraction * 100:.0f}%"
    cards = [
        '<div class="card"><div class="label">Chance to pass<span class="estimate">estimate'
        f'</span></div><div class="big"><span class="pill {band}">{_pct(r.p_pass)}</span></div>'
        f'<div class="note">based on {r.answers} answers</div></div>',
        '<div class="card"><div class="label">Expected score<span class="estimate">estimate'
        f'</span></div><div class="big">{r.expected_scaled}</div>'
        f'<div class="note">80% interval {r.scaled_low}&ndash;{r.scaled_high} '
        f"on the {SCALE_MIN}&ndash;{SCALE_MAX} scale</div></div>",
        '<div class="card"><div class="label">Cut used</div>'
        f'<div class="big">{PASS_SCALED}</div><div class="note">assumed at {cut} of '
        f"{r.questions} questions right (LPI does not publish its cut)</div></div>",
    ]
    if report.exam_date is not None:
        left = (report.exam_date - report.generated_at.date()).days
        if left > 1:
            when = f"{left} days left"
        elif left == 1:
            when = "tomorrow"
        elif left == 0:
            when = "today"
        else:
            when = f"{-left} days ago"
        cards.append(
            f'<div class="card"><div class="label">Exam date</div>'
            f'<div class="big">{_e(report.exam_date.isoformat())}</div>'
            f'<div class="note">{when}</div></div>'
        )
    else:
        cards.append(
            '<div class="card"><div class="label">Exam date</div><div class="big">-</div>'
            '<div class="note">not set</div></div>'
        )
    return (
        f"<header><h1>{_e(report.exam_title)}</h1>"
        f'<p class="meta">{_e(report.exam_id)} &middot; learner <strong>{_e(report.learner)}'
        f"</strong> &middot; generated {_e(_when(report.generated_at))}</p></header>"
        f'<section id="readiness" aria-labelledby="h-readiness"><h2 id="h-readiness">Readiness'
        f'</h2><div class="cards">{"".join(cards)}</div>'
        '<p class="note">P(pass) and the score are model estimates from your answers so far, '
        "not a promise.</p></section>"
    )


def _mastery_chart(report: Report) -> str:
    rows = report.objectives
    if not rows:
        return '<p class="note">No objective to chart yet.</p>'
    left, bar_w, right, row_h, top = 130, 540, 60, 28, 22
    width = left + bar_w + right
    height = top + row_h * len(rows) + 24
    body: list[str] = []
    for tick in (0, 25, 50, 75, 100):
        x = left + bar_w * tick / 100
        body.append(
            f'<line x1="{_fmt(x)}" y1="{top - 4}" x2="{_fmt(x)}" y2="{height - 20}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_fmt(x)}" y="{height - 6}" text-anchor="middle" fill="{MUTED}" '
            f'font-size="11">{tick}%</text>'
        )
    for i, row in enumerate(rows):
        y = top + i * row_h
        w = bar_w * min(max(row.predicted, 0.0), 1.0)
        tip = f"{row.objective} {row.title}: predicted {_pct(row.predicted)}"
        body.append(
            f"<g><title>{_e(tip)}</title>"
            f'<text x="{left - 8}" y="{y + row_h / 2 + 4:.0f}" text-anchor="end">'
            f'<tspan font-weight="600">{_e(row.objective)}</tspan>'
            f'<tspan fill="{MUTED}"> &#183; w{row.weight}</tspan></text>'
            f'<rect x="{left}" y="{y + 5}" width="{_fmt(w)}" height="{row_h - 10}" rx="3" '
            f'fill="{_colour(row.predicted)}"/>'
            f'<text x="{_fmt(left + w + 6)}" y="{y + row_h / 2 + 4:.0f}">'
            f"{_pct(row.predicted)}</text></g>"
        )
    cut = report.readiness.cut_fraction
    if 0 < cut < 1:
        x = left + bar_w * cut
        body.append(
            f'<line x1="{_fmt(x)}" y1="{top - 6}" x2="{_fmt(x)}" y2="{height - 20}" '
            f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{_fmt(x)}" y="{top - 9}" text-anchor="middle" font-size="11">'
            f"cut {_pct(cut)}</text>"
        )
    summary = "; ".join(f"{r.objective} (weight {r.weight}) {_pct(r.predicted)}" for r in rows)
    label = f"Predicted mastery per objective: {summary}."
    return (
        f"<figure>{_svg(width, height, label, body)}"
        "<figcaption>Predicted success on a typical question per objective (green &ge; 75%, "
        "amber &ge; 60%, red below); the dashed line is the assumed cut. The numbers are in the "
        "table below.</figcaption></figure>"
    )


_AREA_HEADERS = [
    ("Weight", True),
    ("Accuracy", True),
    ("Ability", True),
    ("Predicted", True),
    ("Retention now", True),
    ("Retention on exam&nbsp;day", True),
    ("Coverage", True),
    ("Trend, 7&nbsp;days", True),
]


def _area_cells(row: AreaRow) -> list[str]:
    accuracy = _pct(row.accuracy)
    if row.attempts:
        accuracy += f' <span class="note">({row.correct}/{row.attempts})</span>'
    return [
        str(row.weight),
        accuracy,
        f"{row.ability:+.2f}",
        _pill(row.predicted),
        _pct(row.retention_now),
        _pct(row.retention_exam),
        f'{_pct(row.coverage)} <span class="note">({row.answered}/{row.questions})</span>',
        _trend(row.trend),
    ]


def _tables(report: Report) -> str:
    objectives = _table(
        [("Objective", False), ("Title", False), *_AREA_HEADERS],
        (
            [f"<strong>{_e(r.objective)}</strong>", _e(r.title), *_area_cells(r)]
            for r in report.objectives
        ),
        caption="Ability in logits; trend is the accuracy change over the last 7 days.",
    )
    areas = _table(
        [("Objective", False), ("Knowledge area", False), *_AREA_HEADERS],
        (
            [
                _e(r.objective),
                f'<code>{_e(r.area or "")}</code><br><span class="sub">{_e(r.title)}</span>',
                *_area_cells(r),
            ]
            for r in report.areas
        ),
    )
    if not report.areas:
        areas = '<p class="note">No knowledge area yet.</p>'
    return (
        '<section id="objectives" aria-labelledby="h-objectives">'
        '<h2 id="h-objectives">Mastery per objective</h2>'
        f"{_mastery_chart(report)}{objectives}</section>"
        '<section id="areas" aria-labelledby="h-areas">'
        f'<h2 id="h-areas">Knowledge areas</h2>{areas}</section>'
    )


def _weak_item(area: WeakArea) -> str:
    questions = "".join(
        f"<li><code>{_e(q.id)}</code> {_e(q.summary)} "
        f'<span class="reason">({_e(q.reason)})</span></li>'
        for q in area.questions
    )
    practise = f"<ul>{questions}</ul>" if questions else '<p class="note">No question left.</p>'
    return (
        f"<li><h3>{_e(area.objective)} &middot; <code>{_e(area.area)}</code> {_e(area.title)}</h3>"
        f'<p class="note">predicted {_pill(area.predicted)} &middot; coverage '
        f"{_pct(area.coverage)}</p>{practise}</li>"
    )


def _weakest(report: Report) -> str:
    if report.weakest:
        content = f'<ol class="weak">{"".join(_weak_item(a) for a in report.weakest)}</ol>'
    else:
        content = '<p class="note">No weak knowledge area stands out.</p>'
    return (
        '<section id="weakest" aria-labelledby="h-weakest">'
        f'<h2 id="h-weakest">Weakest knowledge areas: what to practise</h2>{content}</section>'
    )


def _exam_chart(exams: list[ExamRow]) -> str:
    left, right, top, bottom, plot_h = 48, 64, 16, 40, 220
    width = max(730, left + right + 34 * len(exams))
    plot_w = width - left - right
    height = top + plot_h + bottom

    def y_of(scaled: int) -> float:
        clamped = min(max(scaled, SCALE_MIN), SCALE_MAX)
        return top + plot_h * (SCALE_MAX - clamped) / (SCALE_MAX - SCALE_MIN)

    def x_of(i: int) -> float:
        return left + plot_w * (i + 0.5) / len(exams)

    body: list[str] = []
    for s in range(SCALE_MIN, SCALE_MAX + 1, 100):
        y = y_of(s)
        body.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{width - right}" y2="{_fmt(y)}" '
            f'stroke="{GRID}"/><text x="{left - 6}" y="{_fmt(y + 4)}" text-anchor="end" '
            f'fill="{MUTED}" font-size="11">{s}</text>'
        )
    y_pass = y_of(PASS_SCALED)
    body.append(
        f'<line x1="{left}" y1="{_fmt(y_pass)}" x2="{width - right}" y2="{_fmt(y_pass)}" '
        f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{width - right + 6}" y="{_fmt(y_pass + 4)}" font-size="11">'
        f"pass {PASS_SCALED}</text>"
    )
    points = [(x_of(i), y_of(e.scaled)) for i, e in enumerate(exams) if e.scaled is not None]
    if len(points) > 1:
        path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{MUTED}" stroke-width="2"/>')
    for i, exam in enumerate(exams):
        x = x_of(i)
        body.append(
            f'<text x="{_fmt(x)}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11">'
            f'#{exam.id}</text><text x="{_fmt(x)}" y="{top + plot_h + 30}" '
            f'text-anchor="middle" fill="{MUTED}" font-size="10">'
            f"{_e(exam.started_at.strftime('%m-%d'))}</text>"
        )
        if exam.predicted_scaled is not None:
            yp = y_of(exam.predicted_scaled)
            body.append(
                f"<g><title>{_e(f'exam #{exam.id}: predicted {exam.predicted_scaled}')}</title>"
                f'<path d="M{_fmt(x - 6)},{_fmt(yp)} l6,-6 l6,6 l-6,6 z" fill="#fff" '
                f'stroke="{MUTED}" stroke-width="1.5"/></g>'
            )
        if exam.scaled is not None:
            y = y_of(exam.scaled)
            colour = GREEN if exam.scaled >= PASS_SCALED else RED
            if exam.passed is not None:
                colour = GREEN if exam.passed else RED
            body.append(
                f"<g><title>{_e(f'exam #{exam.id}: scored {exam.scaled}')}</title>"
                f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="7" fill="{colour}" stroke="#fff" '
                f'stroke-width="1.5"/><text x="{_fmt(x + 10)}" y="{_fmt(y - 8)}" '
                f'font-size="11" font-weight="600">{exam.scaled}</text></g>'
            )
    parts = []
    for exam in exams:
        got = "not finished" if exam.scaled is None else f"scored {exam.scaled}"
        pred = "" if exam.predicted_scaled is None else f", predicted {exam.predicted_scaled}"
        parts.append(f"exam #{exam.id} {got}{pred}")
    label = f"Mock-exam scaled scores against the pass mark {PASS_SCALED}: {'; '.join(parts)}."
    return (
        f"<figure>{_svg(width, height, label, body)}"
        "<figcaption>Filled dots: scaled score (green passed, red failed); hollow diamonds: the "
        f"score predicted before the exam; dashed line: pass at {PASS_SCALED}.</figcaption>"
        "</figure>"
    )


def _exam_cells(exam: ExamRow) -> list[str]:
    if exam.passed is None:
        result = "-" if exam.submitted_at is not None else "in progress"
    elif exam.passed:
        result = '<span class="passed">passed</span>'
    else:
        result = '<span class="failed">failed</span>'
    delta = "-"
    if exam.scaled is not None and exam.predicted_scaled is not None:
        delta = f"{exam.scaled - exam.predicted_scaled:+d}"
    split = "<br>".join(
        f"{_e(obj)} {right}/{total}" for obj, (right, total) in sorted(exam.by_objective.items())
    )
    return [
        f"#{exam.id}",
        f'<span class="nw">{_e(_when(exam.started_at))}</span>',
        f'<span class="nw">{_e(_when(exam.submitted_at))}</span>',
        _e(", ".join(exam.objectives)) or "-",
        "-" if exam.raw is None else f"{exam.raw}/{exam.total}",
        "-" if exam.scaled is None else str(exam.scaled),
        result,
        _pct(exam.predicted_p_pass),
        "-" if exam.predicted_scaled is None else str(exam.predicted_scaled),
        delta,
        split or "-",
    ]


def _exams(report: Report) -> str:
    head = '<section id="exams" aria-labelledby="h-exams"><h2 id="h-exams">Mock exams</h2>'
    if not report.exams:
        return head + '<p class="note">no mock exam yet</p></section>'
    exams = sorted(report.exams, key=lambda e: (e.started_at, e.id))
    if any(e.scaled is not None for e in exams):
        chart = _exam_chart(exams)
    else:
        chart = '<p class="note">no mock exam finished yet</p>'
    table = _table(
        [
            ("Exam", False),
            ("Started", False),
            ("Submitted", False),
            ("Objectives", False),
            ("Raw", True),
            ("Scaled", True),
            ("Result", False),
            ("Predicted P(pass)", True),
            ("Predicted score", True),
            ("Score &minus; predicted", True),
            ("Right per objective", False),
        ],
        (_exam_cells(e) for e in exams),
    )
    return f"{head}{chart}{table}</section>"


def _forecast_chart(days: tuple[ForecastDay, ...]) -> str:
    left, right, top, bottom, plot_h = 16, 16, 22, 36, 140
    step = 48
    width = max(400, left + right + step * len(days))
    height = top + plot_h + bottom
    peak = max(d.due for d in days)
    base = top + plot_h
    body = [f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{GRID}"/>']
    for i, d in enumerate(days):
        x = left + step * i
        h = plot_h * d.due / peak if peak else 0
        cx = x + step / 2
        body.append(
            f"<g><title>{_e(f'{d.day.isoformat()}: {d.due} due')}</title>"
            f'<rect x="{_fmt(x + 8)}" y="{_fmt(base - h)}" width="{step - 16}" '
            f'height="{_fmt(h)}" rx="3" fill="{BAR}"/>'
            f'<text x="{_fmt(cx)}" y="{_fmt(base - h - 5)}" text-anchor="middle" '
            f'font-size="11" font-weight="600">{d.due}</text>'
            f'<text x="{_fmt(cx)}" y="{base + 15}" text-anchor="middle" font-size="10">'
            f"{_WEEKDAYS[d.day.weekday()]}</text>"
            f'<text x="{_fmt(cx)}" y="{base + 28}" text-anchor="middle" font-size="10" '
            f'fill="{MUTED}">{_e(d.day.strftime("%m-%d"))}</text></g>'
        )
    total = sum(d.due for d in days)
    summary = "; ".join(f"{d.day.isoformat()} {d.due}" for d in days)
    label = f"Reviews due per day over the next {len(days)} days, {total} in all: {summary}."
    return f"<figure>{_svg(width, height, label, body)}</figure>"


def _forecast(report: Report) -> str:
    head = (
        '<section id="forecast" aria-labelledby="h-forecast">'
        '<h2 id="h-forecast">Review forecast</h2>'
    )
    days = report.forecast
    if not days:
        return head + '<p class="note">No review scheduled.</p></section>'
    total = sum(d.due for d in days)
    table = (
        '<div class="scroll"><table><caption>Reviews falling due per day '
        f'({total} in {len(days)} days)</caption><thead><tr><th scope="row">Day</th>'
        + "".join(f'<th scope="col" class="num">{_day(d.day)}</th>' for d in days)
        + '</tr></thead><tbody><tr><th scope="row">Due</th>'
        + "".join(f'<td class="num">{d.due}</td>' for d in days)
        + "</tr></tbody></table></div>"
    )
    return f"{head}{_forecast_chart(days)}{table}</section>"


def _reviews(report: Report) -> str:
    if not report.reviews:
        return ""
    shown = report.reviews[:RECENT_REVIEWS]
    table = _table(
        [
            ("Answered", False),
            ("Question", False),
            ("Objective", False),
            ("Knowledge area", False),
            ("Mode", False),
            ("Result", False),
            ("Rating", True),
            ("Time", True),
        ],
        (
            [
                _e(_when(r.answered_at)),
                f"<code>{_e(r.question_id)}</code>",
                _e(r.objective),
                _e(r.knowledge_area),
                _e(r.mode),
                '<span class="passed">right</span>'
                if r.correct
                else '<span class="failed">wrong</span>',
                "-" if r.rating is None else str(r.rating),
                "-" if r.response_ms is None else f"{r.response_ms / 1000:.1f} s",
            ]
            for r in shown
        ),
        caption=f"The newest {len(shown)} of {len(report.reviews)} answers.",
    )
    return (
        '<section id="reviews" aria-labelledby="h-reviews">'
        f'<h2 id="h-reviews">Recent answers</h2>{table}</section>'
    )


def render_html(report: Report) -> str:
    """Render ``report`` as one self-contained, printable HTML5 document."""
    title = f"{report.exam_title} - {report.learner} - quizzer report"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="quizzer">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{_header(report)}{_tables(report)}{_weakest(report)}"
        f"{_exams(report)}{_forecast(report)}{_reviews(report)}"
        f"<footer>quizzer report &middot; schema version {report.schema_version}"
        "</footer></main></body></html>\n"
    )
