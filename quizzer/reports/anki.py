"""The bank's knowledge questions as an Anki deck (an ``.apkg`` package).

:func:`write_anki_deck` turns :class:`~quizzer.reports.model.AnkiQuestion` values into one Anki
deck with genanki. Everything that identifies something in Anki is stable, so exporting again
after the bank changed and importing the new file updates the learner's deck in place:

* the deck id is derived from the deck name (a hash), so re-exports target the same deck;
* each question type (single, multiple, fill) has its own note type with a fixed model id;
* each note's GUID is derived from the question id, so Anki updates the note (keeping its
  review history) instead of adding a duplicate.

Stems and explanations are Markdown and are rendered to HTML with markdown-it (raw HTML in the
Markdown is escaped, not passed through); choices, accepted answers, hints and references are
plain text and are HTML-escaped. The tags carry the objective, the knowledge area and the
difficulty, e.g. ``lpic3::352.1``, ``lpic3::352.1::namespaces`` and ``difficulty::3``.

The package is written to a temporary file next to the target and moved into place with
:func:`os.replace`, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import re
import secrets
import sqlite3
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import genanki  # type: ignore[import-untyped]
from markdown_it import MarkdownIt

from quizzer.reports.model import AnkiQuestion

__all__ = [
    "FILL_MODEL_ID",
    "MULTIPLE_MODEL_ID",
    "SINGLE_MODEL_ID",
    "TAG_ROOT",
    "deck_id_for",
    "note_tags",
    "write_anki_deck",
]

# Fixed note type ids: never change them, or re-imports create new note types (and duplicate
# notes) in every learner's collection. Anki model ids are arbitrary 64-bit integers;
# genanki suggests the range [2**30, 2**31).
SINGLE_MODEL_ID = 1_587_304_101
MULTIPLE_MODEL_ID = 1_587_304_102
FILL_MODEL_ID = 1_587_304_103

TAG_ROOT = "lpic3"
"""Root of the objective and knowledge area tags."""

_MODEL_NAMES = {
    "single": "quizzer: single choice",
    "multiple": "quizzer: multiple choice",
    "fill": "quizzer: fill in the blank",
}
_MODEL_IDS = {"single": SINGLE_MODEL_ID, "multiple": MULTIPLE_MODEL_ID, "fill": FILL_MODEL_ID}

_CHOICE_FIELDS = (
    "Id",
    "Stem",
    "Choices",
    "Answer",
    "Explanation",
    "Refs",
    "Objective",
    "KnowledgeArea",
    "Hint",
)
_FILL_FIELDS = (
    "Id",
    "Stem",
    "Hint",
    "Answer",
    "Explanation",
    "Refs",
    "Objective",
    "KnowledgeArea",
)

_META = '<div class="meta">{{Objective}} &middot; {{KnowledgeArea}}</div>\n'
_STEM = '<div class="stem">{{Stem}}</div>\n'
_HINT = '{{#Hint}}<div class="hint">{{Hint}}</div>{{/Hint}}\n'
_BACK = (
    "{{FrontSide}}\n"
    '<hr id="answer">\n'
    '<div class="answer">{{Answer}}</div>\n'
    '<div class="explanation">{{Explanation}}</div>\n'
    '{{#Refs}}<div class="refs">{{Refs}}</div>{{/Refs}}\n'
)
_CHOICE_FRONT = _META + _STEM + '<div class="choices">{{Choices}}</div>\n' + _HINT
_FILL_FRONT = _META + _STEM + _HINT

_CSS = """\
.card {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 18px;
  line-height: 1.45;
  text-align: left;
  color: #1f2328;
  background: #ffffff;
  max-width: 46em;
  margin: 0 auto;
}
.nightMode.card, .night_mode .card { color: #e6edf3; background: #0d1117; }
.meta { font-size: 0.75em; color: #6e7781; margin-bottom: 0.6em; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
code { font-size: 0.92em; background: rgba(127, 127, 127, 0.15); padding: 0 0.2em;
  border-radius: 3px; }
pre { background: rgba(127, 127, 127, 0.12); padding: 0.6em 0.8em; border-radius: 4px;
  overflow-x: auto; }
pre code { background: none; padding: 0; }
ul.choices { list-style: none; padding-left: 0; }
ul.choices li { margin: 0.35em 0; }
.letter { display: inline-block; min-width: 1.6em; font-weight: 600; }
.hint { margin-top: 0.8em; font-style: italic; color: #6e7781; }
.answer { font-weight: 600; color: #1a7f37; margin-bottom: 0.8em; }
.nightMode .answer, .night_mode .answer { color: #3fb950; }
.answer ul { margin: 0.2em 0; }
.refs { margin-top: 0.8em; font-size: 0.8em; color: #6e7781; }
.refs ul { padding-left: 1.2em; }
"""

_MD = MarkdownIt("commonmark", {"html": False})
_URL = re.compile(r"https?://[^\s<>\"']+")
_TAG_UNSAFE = re.compile(r"[\s\"]+")


def _markdown(text: str) -> str:
    """Markdown (stems, explanations) as an HTML fragment."""
    rendered: str = _MD.render(text)
    return rendered.strip()


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _letter(index: int) -> str:
    return chr(ord("A") + index) if 0 <= index < 26 else str(index + 1)


def _choices_html(question: AnkiQuestion) -> str:
    items = "".join(
        f'<li><span class="letter">{_letter(i)}.</span> {_esc(text)}</li>'
        for i, text in enumerate(question.choices)
    )
    return f'<ul class="choices">{items}</ul>'


def _answer_html(question: AnkiQuestion) -> str:
    if question.type == "fill":
        forms = "".join(f"<li><code>{_esc(form)}</code></li>" for form in question.accept)
        return f'<ul class="accept">{forms}</ul>'
    return "<br>".join(
        f'<span class="letter">{_letter(i)}.</span> {_esc(question.choices[i])}'
        for i in question.correct
    )


def _ref_html(ref: str) -> str:
    """One reference, escaped, with any web address made a link."""
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(ref):
        url = match.group(0).rstrip(".,;:)")
        end = match.start() + len(url)
        out.append(_esc(ref[pos : match.start()]))
        out.append(f'<a href="{_esc(url)}">{_esc(url)}</a>')
        pos = end
    out.append(_esc(ref[pos:]))
    return "".join(out)


def _refs_html(refs: Sequence[str]) -> str:
    if not refs:
        return ""
    return "<ul>" + "".join(f"<li>{_ref_html(ref)}</li>" for ref in refs) + "</ul>"


def _tag(*parts: str) -> str:
    """An Anki tag: ``::`` separates levels, and tags may not contain spaces."""
    return "::".join(_TAG_UNSAFE.sub("_", part.strip()) for part in parts)


def note_tags(question: AnkiQuestion) -> list[str]:
    """The note's tags: objective, knowledge area (under its objective) and difficulty."""
    return [
        _tag(TAG_ROOT, question.objective),
        _tag(TAG_ROOT, question.objective, question.knowledge_area),
        _tag("difficulty", str(question.difficulty)),
    ]


def deck_id_for(deck_name: str) -> int:
    """A deck id derived from the deck name alone, so every export targets the same deck."""
    digest = hashlib.sha256(deck_name.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _model(kind: str) -> Any:
    fields = _FILL_FIELDS if kind == "fill" else _CHOICE_FIELDS
    front = _FILL_FRONT if kind == "fill" else _CHOICE_FRONT
    return genanki.Model(
        model_id=_MODEL_IDS[kind],
        name=_MODEL_NAMES[kind],
        fields=[{"name": name} for name in fields],
        templates=[{"name": "Card 1", "qfmt": front, "afmt": _BACK}],
        css=_CSS,
        sort_field_index=0,
    )


def _check(question: AnkiQuestion) -> None:
    if question.type not in _MODEL_IDS:
        raise ValueError(f"{question.id}: no Anki note type for question type {question.type!r}")
    if question.type == "fill":
        if not question.accept:
            raise ValueError(f"{question.id}: a fill question needs at least one accepted answer")
        return
    if not question.choices or not question.correct:
        raise ValueError(f"{question.id}: a {question.type} question needs choices and answers")
    bad = [i for i in question.correct if not 0 <= i < len(question.choices)]
    if bad:
        raise ValueError(f"{question.id}: correct choice index out of range: {bad}")


def _fields(question: AnkiQuestion) -> list[str]:
    values = {
        "Id": _esc(question.id),
        "Stem": _markdown(question.stem),
        "Choices": _choices_html(question) if question.type != "fill" else "",
        "Answer": _answer_html(question),
        "Explanation": _markdown(question.explanation),
        "Refs": _refs_html(question.refs),
        "Objective": _esc(question.objective),
        "KnowledgeArea": _esc(question.knowledge_area),
        "Hint": _esc(question.hint) if question.hint else "",
    }
    names = _FILL_FIELDS if question.type == "fill" else _CHOICE_FIELDS
    return [values[name] for name in names]


def _package_bytes(deck: Any, timestamp: float) -> bytes:
    """The deck's collection as the bytes of an SQLite database (genanki's schema).

    genanki's own ``Package.write_to_file`` leaves its temporary database in the system
    temporary directory; building the database in memory avoids that.
    """
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        genanki.Package(deck).write_to_db(cursor, timestamp, itertools.count(int(timestamp * 1000)))
        conn.commit()
        cursor.close()
        return conn.serialize()
    finally:
        conn.close()


def write_anki_deck(
    questions: Sequence[AnkiQuestion],
    path: Path,
    deck_name: str,
    *,
    timestamp: float | None = None,
) -> int:
    """Write ``questions`` as the Anki deck ``deck_name`` to the package ``path``.

    ``timestamp`` (seconds since the epoch, default now) stamps the notes' modification time:
    Anki updates an existing note on import only if the incoming one is newer. Returns the
    number of notes written. Raises :class:`ValueError` for a question Anki cannot represent
    (an unknown type, a choice index out of range, a duplicate id).
    """
    seen: set[str] = set()
    for question in questions:
        _check(question)
        if question.id in seen:
            raise ValueError(f"duplicate question id {question.id!r}: Anki GUIDs must be unique")
        seen.add(question.id)

    models = {kind: _model(kind) for kind in _MODEL_IDS}
    deck = genanki.Deck(deck_id_for(deck_name), deck_name)
    for question in questions:
        deck.add_note(
            genanki.Note(
                model=models[question.type],
                fields=_fields(question),
                tags=note_tags(question),
                guid=genanki.guid_for(question.id),
            )
        )
    database = _package_bytes(deck, time.time() if timestamp is None else timestamp)

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never clobber a stranger's file; mode 0o666 lets the umask decide, as open() does
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as apkg:
                apkg.writestr("collection.anki2", database)
                apkg.writestr("media", "{}")
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(questions)
