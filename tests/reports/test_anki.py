"""The Anki export, checked by importing the package with Anki's own collection code."""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageRequest

from quizzer.bank import load_bank
from quizzer.reports.anki import (
    FILL_MODEL_ID,
    MULTIPLE_MODEL_ID,
    SINGLE_MODEL_ID,
    deck_id_for,
    write_anki_deck,
)
from quizzer.reports.model import AnkiQuestion
from quizzer.services.report import anki_questions

DECK = "LPIC-3 305-300::quizzer"
ANSWER = '<div class="answer">'
T0 = 1_700_000_000.0

SINGLE = AnkiQuestion(
    id="352.1-test-single",
    type="single",
    objective="352.1",
    knowledge_area="namespaces",
    difficulty=3,
    stem="Which command runs `sh` in the *network* namespace of PID 42?",
    choices=(
        "ip netns exec 42 sh",
        "nsenter -t 42 -n sh",
        "unshare -n sh < /dev/null && echo done",
    ),
    correct=(1,),
    explanation="`nsenter -t PID -n` enters the target's net namespace.\n\n"
    "```sh\nnsenter -t 42 -n ip link\n```",
    refs=("man: nsenter(1)", "doc: https://man7.org/linux/man-pages/man1/nsenter.1.html"),
)
MULTIPLE = AnkiQuestion(
    id="352.3-test-multiple",
    type="multiple",
    objective="352.3",
    knowledge_area="docker-registry-images",
    difficulty=2,
    stem="Which references name Docker Hub images? (Choose TWO correct answers.)",
    choices=("ubuntu:24.04", "quay.io/x/y", "bitnami/redis", "localhost:5000/web"),
    correct=(0, 2),
    explanation="No dot, no colon, not `localhost`: the registry is `docker.io`.",
    refs=("notes: 352.3 Docker Registry",),
)
FILL = AnkiQuestion(
    id="352.1-test-fill",
    type="fill",
    objective="352.1",
    knowledge_area="runc",
    difficulty=2,
    stem="Which command writes a template `config.json` for `runc run`?",
    accept=("runc spec", "runc spec && ls"),
    hint="Specify the <command> & its subcommand, without options.",
    explanation="`runc spec` creates a starter OCI runtime configuration.",
    refs=("man: runc-spec(8)",),
)
QUESTIONS = (SINGLE, MULTIPLE, FILL)


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    (tmp_path / "anki").mkdir()
    collection = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        yield collection
    finally:
        collection.close()


def _import(col: Collection, package: Path) -> None:
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package)))


def _package_deck_ids(package: Path) -> set[int]:
    """The ids of the decks holding notes in an .apkg, read straight from its database."""
    with zipfile.ZipFile(package) as apkg:
        data = apkg.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
        used = {did for (did,) in db.execute("SELECT DISTINCT did FROM cards")}
    finally:
        db.close()
    assert used <= {int(k) for k in decks}
    return used


def _note(col: Collection, question_id: str):
    (nid,) = col.find_notes(f'"Id:{question_id}"')
    note = col.get_note(nid)
    assert note.guid == genanki.guid_for(question_id)
    return note


def test_export_imports_into_anki_with_three_note_types(tmp_path: Path, col: Collection) -> None:
    package = tmp_path / "out" / "deck.apkg"
    assert write_anki_deck(QUESTIONS, package, DECK, timestamp=T0) == 3
    _import(col, package)

    assert col.note_count() == 3
    assert col.card_count() == 3
    names = {n.name: n.id for n in col.models.all_names_and_ids()}
    assert names["quizzer: single choice"] == SINGLE_MODEL_ID
    assert names["quizzer: multiple choice"] == MULTIPLE_MODEL_ID
    assert names["quizzer: fill in the blank"] == FILL_MODEL_ID
    # Anki matches decks by name on import (and may renumber them); the package carries the
    # fixed id, which older importers match on
    did = col.decks.id(DECK, create=False)
    assert did is not None
    for nid in col.find_notes(""):
        assert {c.did for c in col.get_note(nid).cards()} == {did}
    assert _package_deck_ids(package) == {deck_id_for(DECK)}


def test_single_choice_note(tmp_path: Path, col: Collection) -> None:
    write_anki_deck(QUESTIONS, tmp_path / "deck.apkg", DECK, timestamp=T0)
    _import(col, tmp_path / "deck.apkg")
    note = _note(col, SINGLE.id)

    assert note.note_type()["name"] == "quizzer: single choice"
    assert note.keys() == [
        "Id",
        "Stem",
        "Choices",
        "Answer",
        "Explanation",
        "Refs",
        "Objective",
        "KnowledgeArea",
        "Hint",
    ]
    assert note["Stem"] == (
        "<p>Which command runs <code>sh</code> in the <em>network</em> namespace of PID 42?</p>"
    )
    # plain texts are escaped, choices are lettered
    assert '<span class="letter">A.</span> ip netns exec 42 sh' in note["Choices"]
    assert (
        '<span class="letter">C.</span> unshare -n sh &lt; /dev/null &amp;&amp; echo done'
        in note["Choices"]
    )
    assert note["Answer"] == '<span class="letter">B.</span> nsenter -t 42 -n sh'
    assert "<pre><code" in note["Explanation"]
    assert "<code>nsenter -t PID -n</code>" in note["Explanation"]
    assert '<a href="https://man7.org/linux/man-pages/man1/nsenter.1.html">' in note["Refs"]
    assert "man: nsenter(1)" in note["Refs"]
    assert (note["Objective"], note["KnowledgeArea"], note["Hint"]) == ("352.1", "namespaces", "")
    assert sorted(note.tags) == ["difficulty::3", "lpic3::352.1", "lpic3::352.1::namespaces"]

    card = note.cards()[0]
    front, back = card.question(), card.answer()
    assert note["Stem"] in front
    assert note["Choices"] in front
    assert ANSWER not in front
    assert note["Explanation"] not in front
    assert note["Stem"] in back
    assert f"{ANSWER}{note['Answer']}</div>" in back
    assert note["Explanation"] in back
    assert note["Refs"] in back


def test_multiple_choice_note_shows_every_right_answer(tmp_path: Path, col: Collection) -> None:
    write_anki_deck(QUESTIONS, tmp_path / "deck.apkg", DECK, timestamp=T0)
    _import(col, tmp_path / "deck.apkg")
    note = _note(col, MULTIPLE.id)

    assert note.note_type()["name"] == "quizzer: multiple choice"
    assert note["Answer"] == (
        '<span class="letter">A.</span> ubuntu:24.04<br>'
        '<span class="letter">C.</span> bitnami/redis'
    )
    assert "<code>localhost</code>" in note["Explanation"]
    assert sorted(note.tags) == [
        "difficulty::2",
        "lpic3::352.3",
        "lpic3::352.3::docker-registry-images",
    ]
    card = note.cards()[0]
    assert ANSWER not in card.question()
    assert f"{ANSWER}{note['Answer']}</div>" in card.answer()


def test_fill_note_shows_hint_on_front_and_accepted_forms_on_back(
    tmp_path: Path, col: Collection
) -> None:
    write_anki_deck(QUESTIONS, tmp_path / "deck.apkg", DECK, timestamp=T0)
    _import(col, tmp_path / "deck.apkg")
    note = _note(col, FILL.id)

    assert note.note_type()["name"] == "quizzer: fill in the blank"
    assert note.keys() == [
        "Id",
        "Stem",
        "Hint",
        "Answer",
        "Explanation",
        "Refs",
        "Objective",
        "KnowledgeArea",
    ]
    assert "<code>config.json</code>" in note["Stem"]
    assert note["Hint"] == "Specify the &lt;command&gt; &amp; its subcommand, without options."
    assert note["Answer"] == (
        '<ul class="accept"><li><code>runc spec</code></li>'
        "<li><code>runc spec &amp;&amp; ls</code></li></ul>"
    )
    assert sorted(note.tags) == ["difficulty::2", "lpic3::352.1", "lpic3::352.1::runc"]
    card = note.cards()[0]
    assert f'<div class="hint">{note["Hint"]}</div>' in card.question()
    assert ANSWER not in card.question()
    assert f"{ANSWER}{note['Answer']}</div>" in card.answer()


def test_raw_html_in_markdown_is_escaped(tmp_path: Path, col: Collection) -> None:
    evil = SINGLE.model_copy(update={"stem": "Is <script>alert(1)</script> & `<b>` shown?"})
    write_anki_deck([evil], tmp_path / "deck.apkg", DECK, timestamp=T0)
    _import(col, tmp_path / "deck.apkg")
    stem = _note(col, SINGLE.id)["Stem"]
    assert "<script>" not in stem
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <code>&lt;b&gt;</code>" in stem


def test_reexport_updates_notes_instead_of_duplicating(tmp_path: Path, col: Collection) -> None:
    write_anki_deck(QUESTIONS, tmp_path / "v1.apkg", DECK, timestamp=T0)
    _import(col, tmp_path / "v1.apkg")
    before = _note(col, SINGLE.id)
    cards_before = sorted(col.find_cards(""))

    changed = SINGLE.model_copy(update={"explanation": "Rewritten: use `nsenter --net`."})
    assert (
        write_anki_deck((changed, MULTIPLE, FILL), tmp_path / "v2.apkg", DECK, timestamp=T0 + 60)
        == 3
    )
    _import(col, tmp_path / "v2.apkg")

    assert col.note_count() == 3
    assert sorted(col.find_cards("")) == cards_before
    assert len(col.models.all_names_and_ids()) == len(
        {n.name for n in col.models.all_names_and_ids()}
    )
    after = _note(col, SINGLE.id)
    assert after.id == before.id
    assert after["Explanation"] == "<p>Rewritten: use <code>nsenter --net</code>.</p>"
    assert _note(col, FILL.id)["Explanation"] == (
        "<p><code>runc spec</code> creates a starter OCI runtime configuration.</p>"
    )
    assert [d.name for d in col.decks.all_names_and_ids()].count(DECK) == 1


def test_deck_id_depends_only_on_the_name() -> None:
    assert deck_id_for(DECK) == deck_id_for(DECK)
    assert deck_id_for(DECK) != deck_id_for(DECK + " (copy)")
    assert 1 << 30 <= deck_id_for(DECK) < 1 << 31


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir" / "deck.apkg"
    write_anki_deck(QUESTIONS, out, DECK)
    assert sorted(p.name for p in out.parent.iterdir()) == ["deck.apkg"]

    # overwriting replaces the file in place, again without leftovers
    write_anki_deck([FILL], out, DECK)
    assert sorted(p.name for p in out.parent.iterdir()) == ["deck.apkg"]


def test_failed_write_keeps_the_old_file_and_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "deck.apkg"
    write_anki_deck(QUESTIONS, out, DECK)
    old = out.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_anki_deck([FILL], out, DECK)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg"]
    assert out.read_bytes() == old


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (FILL.model_copy(update={"type": "handson"}), "no Anki note type"),
        (SINGLE.model_copy(update={"correct": (3,)}), "out of range"),
        (FILL.model_copy(update={"accept": ()}), "accepted answer"),
    ],
)
def test_rejects_questions_anki_cannot_show(
    tmp_path: Path, question: AnkiQuestion, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        write_anki_deck([question], tmp_path / "deck.apkg", DECK)
    assert list(tmp_path.iterdir()) == []


def test_rejects_duplicate_ids(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="duplicate question id"):
        write_anki_deck([SINGLE, SINGLE], tmp_path / "deck.apkg", DECK)
    assert list(tmp_path.iterdir()) == []


def test_bundled_bank_imports_completely(
    bundled_bank: Path, tmp_path: Path, col: Collection
) -> None:
    """Every knowledge question of the real bank becomes one note (and genanki finds no bad
    HTML: its warning would fail the test)."""
    questions = anki_questions(list(load_bank(bundled_bank)))
    assert {q.type for q in questions} == {"single", "multiple", "fill"}
    n = write_anki_deck(questions, tmp_path / "bank.apkg", DECK)
    assert n == len(questions)
    _import(col, tmp_path / "bank.apkg")
    assert col.note_count() == n
    assert sorted(col.get_note(nid).guid for nid in col.find_notes("")) == sorted(
        genanki.guid_for(q.id) for q in questions
    )
