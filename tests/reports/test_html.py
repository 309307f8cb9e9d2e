"""The HTML report: self-contained, escaped, accessible, and really drawn by a browser.

The first tests read the generated source. The others open it in headless Chromium (Debian's
``chromium``; CI installs it): the serialised DOM, a screenshot whose charts must show green,
amber and red pixels, and a printed PDF. Without Chromium they skip, which CI turns into a
failure.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from quizzer.reports.html import AMBER, BAR, GREEN, RED, render_html
from quizzer.reports.model import Report

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# inside <svg>, elements such as <line/>, <rect/>, <circle/> are self-closing
SVG_LEAVES = {"line", "rect", "circle", "path", "polyline"}


class Page(HTMLParser):
    """A strict reader: balanced tags, plus what the assertions need."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter[str] = Counter()
        self.attrs: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}  # tag -> texts found directly inside it
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.doctype = ""
        self.feed(source)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attrs.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag == "br" and self._cell is not None:
            self._cell.append(" ")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attrs.append((tag, dict(attrs)))
        if tag not in VOID and tag not in SVG_LEAVES:
            self.errors.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:
                del self.stack[self.stack.index(tag) :]
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.text.setdefault(self.stack[-1], []).append(data)
        if self._cell is not None:
            self._cell.append(data)

    def all_text(self, tag: str) -> str:
        return "".join(self.text.get(tag, []))

    def row(self, first: str, second: str | None = None) -> list[str]:
        """The table row whose first cells are ``first`` (and ``second``)."""
        for row in self.rows:
            if row and row[0] == first and (second is None or second in row[1]):
                return row
        raise AssertionError(f"no row {first} {second}")


def svgs(source: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", source, flags=re.DOTALL)


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def count_near(image: Image.Image, colour: str, tolerance: int = 28) -> int:
    """Pixels within ``tolerance`` of ``colour`` on every channel."""
    bands = image.convert("RGB").split()
    mask: Image.Image | None = None
    for band, target in zip(bands, rgb(colour), strict=True):
        m = band.point(lambda v, t=target: 255 if abs(v - t) <= tolerance else 0)
        mask = m if mask is None else ImageChops.multiply(mask, m)
    assert mask is not None
    return mask.histogram()[255]


# --------------------------------------------------------------------------- the source


def test_self_contained_without_scripts_or_external_references(sample_report: Report) -> None:
    source = render_html(sample_report)
    page = Page(source)
    assert page.doctype.lower() == "doctype html"
    assert page.errors == []
    assert "<script" not in source.lower()
    assert page.tags["script"] == 0
    assert "http://" not in source
    assert "https://" not in source
    for tag, attrs in page.attrs:
        for name in ("src", "href", "xlink:href", "srcset", "action"):
            value = attrs.get(name)
            assert value is None or "//" not in value, (tag, name, value)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert page.tags["link"] == page.tags["img"] == page.tags["iframe"] == 0
    assert "url(" not in source
    assert "@import" not in source
    assert "@font-face" not in source
    assert page.tags["style"] == 1
    assert "@media print" in source
    assert re.search(r"break-inside:\s*avoid", source)
    assert source.endswith("</html>\n")


def test_three_accessible_charts(sample_report: Report) -> None:
    source = render_html(sample_report)
    charts = svgs(source)
    assert len(charts) == 3
    assert source.count("<svg") == 3
    for chart in charts:
        page = Page(chart)
        [(_tag, attrs)] = [a for a in page.attrs if a[0] == "svg"]
        assert attrs["role"] == "img"
        assert attrs["aria-label"]
        assert page.all_text("title").startswith(attrs["aria-label"])
    mastery, exams, forecast = (Page(c) for c in charts)
    # one bar per objective, coloured by band; the labels carry id and weight
    bars = [a for t, a in mastery.attrs if t == "rect"]
    assert [b["fill"] for b in bars] == [GREEN, AMBER, RED, RED]
    assert "352.3" in mastery.all_text("tspan")
    assert "w9" in mastery.all_text("tspan")
    assert "cut 65%" in charts[0]
    label = dict(mastery.attrs[0][1])["aria-label"] or ""
    assert "352.1 (weight 7) 81%" in label
    assert "352.4 (weight 3) 44%" in label
    # mock exams: a dot per score, a diamond per prediction, the 500 line
    dots = [a for t, a in exams.attrs if t == "circle"]
    assert [d["fill"] for d in dots] == [RED, GREEN]
    assert len([a for t, a in exams.attrs if t == "path"]) == 2
    assert "pass 500" in charts[1]
    assert "exam #1 scored 430, predicted 470" in charts[1]
    # forecast: 14 bars with their counts
    assert len([a for t, a in forecast.attrs if t == "rect"]) == 14
    assert "73 in all" in charts[2]
    assert "2025-03-06 14" in charts[2]


def test_every_report_text_is_escaped(sample_report: Report) -> None:
    source = render_html(sample_report)
    assert "<script>" not in source
    assert 'alert("pwned")' not in source
    assert (
        "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#x27;Virtualization&#x27;"
        in source
    )
    assert "<ana>" not in source
    assert "&lt;ana&gt;" in source
    assert "&lt;host&gt; &amp; &quot;bridge&quot;" in source
    assert "<host>" not in source
    page = Page(source)
    assert page.errors == []
    assert page.all_text("h1") == sample_report.exam_title
    assert sample_report.exam_title in page.all_text("title")


def test_sections_come_in_order_with_the_numbers(sample_report: Report) -> None:
    source = render_html(sample_report)
    order = ["h-readiness", "<svg", "h-areas", "h-weakest", "h-exams", "<svg", "h-forecast", "<svg"]
    positions, start = [], 0
    for marker in order:
        start = source.index(marker, start)
        positions.append(start)
    assert positions == sorted(positions)
    page = Page(source)
    body = " ".join(" ".join(v) for v in page.text.values())
    assert "58%" in body
    assert "512" in body
    assert "448" in body
    assert "577" in body
    assert "estimate" in body
    assert "assumed at 65% of 60 questions" in body
    assert "2025-03-29" in body
    assert "28 days left" in body
    # per-objective and per-area rows: accuracy, ability, predicted, retentions, coverage, trend
    assert page.row("352.1") == [
        "352.1",
        "Container Virtualization Concepts",
        "7",
        "70% (21/30)",
        "+1.12",
        "81%",
        "88%",
        "71%",
        "50% (20/40)",
        "▲ +5 pts",
    ]
    assert page.row("352.2")[-1] == "▼ -8 pts"
    assert page.row("352.3")[-1] == "-"
    assert page.row("352.4")[-1] == "▶ 0 pts"
    never = page.row("352.4", "openshift-rancher-dcos")
    assert never[3:] == ["-", "+0.00", "50%", "-", "-", "0% (0/40)", "-"]
    # weakest areas with their questions
    weak = source[source.index("h-weakest") : source.index("h-exams")]
    for qid in ("352.3-net-host-mode", "352.3-net-user-bridge-dns", "352.4-openshift-routes"):
        assert qid in weak
    assert "answered wrong last time" in weak
    assert "fading" in weak
    # exam table, forecast table
    assert page.row("#1")[4:10] == ["33/60", "430", "failed", "28%", "470", "-40"]
    assert page.row("#2")[4:10] == ["42/60", "560", "passed", "61%", "535", "+25"]
    assert page.row("Due")[1:] == [str(n) for n in (12, 5, 0, 8, 3, 14, 2, 1, 0, 6, 9, 4, 2, 7)]
    assert page.row("Day")[1] == "Sa 03-01"


def test_without_mock_exams_there_is_text_not_an_empty_chart(sample_report: Report) -> None:
    report = sample_report.model_copy(update={"exams": (), "exam_date": None})
    source = render_html(report)
    page = Page(source)
    assert page.errors == []
    assert "no mock exam yet" in source
    assert len(svgs(source)) == 2
    assert "pass 500" not in source
    assert "days left" not in source
    assert "not set" in source


# --------------------------------------------------------------------------- in a browser


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        pytest.skip("chromium not installed")
    return found


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run headless Chromium once with a throwaway profile."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return path


def test_chromium_renders_the_dom(sample_report: Report, tmp_path: Path) -> None:
    path = write(tmp_path, "report.html", render_html(sample_report))
    dom = chromium(tmp_path, "--dump-dom", path.as_uri()).stdout.decode()
    page = Page(dom)
    assert page.tags["svg"] == 3
    assert page.tags["script"] == 0
    assert page.all_text("h1") == sample_report.exam_title  # text, not markup
    assert page.tags["table"] == 5  # objectives, areas, exams, forecast, recent answers
    assert page.tags["rect"] == 4 + 14
    assert page.tags["circle"] == 2
    assert [a.get("role") for t, a in page.attrs if t == "svg"] == ["img"] * 3
    assert "no mock exam yet" not in dom


def test_chromium_renders_the_page_without_exams(sample_report: Report, tmp_path: Path) -> None:
    report = sample_report.model_copy(update={"exams": ()})
    path = write(tmp_path, "empty.html", render_html(report))
    dom = chromium(tmp_path, "--dump-dom", path.as_uri()).stdout.decode()
    page = Page(dom)
    assert page.tags["svg"] == 2
    assert page.tags["circle"] == 0
    assert "no mock exam yet" in page.all_text("p")


def screenshot(tmp_path: Path, name: str, source: str, size: str) -> Image.Image:
    path = write(tmp_path, f"{name}.html", source)
    png = tmp_path / f"{name}.png"
    chromium(tmp_path, f"--screenshot={png}", f"--window-size={size}", path.as_uri())
    with Image.open(png) as image:
        image.load()
        return image.convert("RGB")


def test_the_charts_really_draw(sample_report: Report, tmp_path: Path) -> None:
    source = render_html(sample_report)
    page = screenshot(tmp_path, "report", source, "1200,2000")
    assert page.size == (1200, 2000)
    for colour in (GREEN, AMBER, RED):  # bars and badges; the forecast may be below 2000 px
        assert count_near(page, colour) > 500, colour
    assert count_near(page, "#ffffff", 0) > 1200 * 2000 // 2  # a light, printable page

    # each chart alone, in the page's own <head> (same CSS)
    head = source[: source.index("<body>")]
    mastery, exams, forecast = (
        screenshot(tmp_path, f"chart{i}", f"{head}<body>{chart}</body></html>", "900,600")
        for i, chart in enumerate(svgs(source))
    )
    # bars 540 px * predicted wide, 18 px high: 81% green, 66% amber, 52% + 44% red
    assert count_near(mastery, GREEN) > 0.8 * 540 * 0.81 * 18
    assert count_near(mastery, AMBER) > 0.8 * 540 * 0.66 * 18
    assert count_near(mastery, RED) > 0.8 * 540 * (0.52 + 0.44) * 18
    # a red dot (failed) and a green one (passed), about pi * 7^2 px each
    assert 80 < count_near(exams, RED) < 400
    assert 80 < count_near(exams, GREEN) < 400
    assert count_near(exams, AMBER) == 0
    # 14 bars, 32 px wide, up to 140 px high: sum(due) / max(due) * 140 * 32
    assert count_near(forecast, BAR) > 0.8 * 73 / 14 * 140 * 32


def test_chromium_prints_a_pdf(sample_report: Report, tmp_path: Path) -> None:
    path = write(tmp_path, "report.html", render_html(sample_report))
    pdf = tmp_path / "report.pdf"
    chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", path.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 20_000
    assert b"%%EOF" in data[-1024:]


def test_sparse_reports_still_render(sample_report: Report) -> None:
    """A fresh learner: nothing answered, an unfinished exam, nothing due."""
    unfinished = sample_report.exams[0].model_copy(
        update={"submitted_at": None, "raw": None, "scaled": None, "passed": None}
    )
    report = sample_report.model_copy(
        update={
            "objectives": (),
            "areas": (),
            "weakest": (),
            "exams": (unfinished,),
            "forecast": (),
            "reviews": (),
        }
    )
    source = render_html(report)
    page = Page(source)
    assert page.errors == []
    assert svgs(source) == []
    assert "no mock exam finished yet" in source
    assert page.row("#1")[2] == "-"
    assert "in progress" in page.row("#1")
    assert "No review scheduled." in source
    assert "Recent answers" not in source


def test_many_exams_and_an_idle_fortnight(sample_report: Report) -> None:
    first = sample_report.exams[0]
    exams = tuple(
        first.model_copy(update={"id": i, "scaled": 200 + 25 * i, "passed": 200 + 25 * i >= 500})
        for i in range(1, 31)
    )
    idle = tuple(d.model_copy(update={"due": 0}) for d in sample_report.forecast)
    source = render_html(sample_report.model_copy(update={"exams": exams, "forecast": idle}))
    assert Page(source).errors == []
    charts = svgs(source)
    assert len(charts) == 3
    assert Page(charts[1]).tags["circle"] == 30
    assert "0 in all" in charts[2]
