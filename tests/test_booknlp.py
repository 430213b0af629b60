"""Speakers from BookNLP's output (project.booknlp, barkflow/text/booknlp.py): a hand-written output
for a short passage read as an Attribution and as a full-cast plan; malformed files one line each."""

from __future__ import annotations

import json
import logging
import re

import pytest
from helpers import project_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fullcast import make_plan, segments

from barkflow.errors import BarkflowError
from barkflow.planning.castfile import BOOKNLP_TEXT, cast_file_path, read_cast_file
from barkflow.text import booknlp
from barkflow.text.booknlp import read_booknlp

BOOK = """\
Anna Grey met Tom Hale at the gate.

"You are late," said Anna.

"The road was long," Tom answered. "Forgive me."

"Who goes there?" came a voice from the dark."""

# BookNLP's files for BOOK, book id "gate", as booknlp/english/english_booknlp.py writes them.
# Tokens 9-14 '"You are late,"', 18-24 '"The road was long,"', 28-32 '"Forgive me."', 33-38 '"Who goes there?"'.
QUOTES = """\
quote_start\tquote_end\tmention_start\tmention_end\tmention_phrase\tchar_id\tquote
9\t14\t16\t16\tAnna\t5\t" You are late , "
18\t24\t25\t25\tTom\t7\t" The road was long , "
28\t32\t25\t25\tTom\t7\t" Forgive me . "
33\t38\tNone\tNone\tNone\tNone\t" Who goes there ? "
"""
ENTITIES = """\
COREF\tstart_token\tend_token\tprop\tcat\ttext
5\t0\t1\tPROP\tPER\tAnna Grey
7\t3\t4\tPROP\tPER\tTom Hale
5\t16\t16\tPROP\tPER\tAnna
7\t25\t25\tPROP\tPER\tTom
9\t40\t41\tNOM\tPER\ta voice
"""
BOOK_JSON = {"characters": [
    {"id": 5, "count": 3, "g": {"inference": {"he/him/his": 0.02, "she/her": 0.96, "they/them/their": 0.02},
                                "argmax": "she/her", "max": 0.96, "total": 4.1},
     "mentions": {"proper": [{"c": 2, "n": "Anna"}, {"c": 1, "n": "Anna Grey"}], "common": [], "pronoun": []}},
    {"id": 7, "count": 2, "g": {"inference": {"he/him/his": 0.9, "she/her": 0.05, "they/them/their": 0.05},
                                "argmax": "he/him/his", "max": 0.9, "total": 2.0},
     "mentions": {"proper": [{"c": 1, "n": "Tom"}, {"c": 1, "n": "Tom Hale"}], "common": [], "pronoun": []}},
]}
HEADER = ("paragraph_ID\tsentence_ID\ttoken_ID_within_sentence\ttoken_ID_within_document\tword\tlemma\t"
          "byte_onset\tbyte_offset\tPOS_tag\tfine_POS_tag\tdependency_relation\tsyntactic_head_ID\tevent")


def tokens_file(text):
    """The .tokens rows for `text`: spaCy's tokens (words and punctuation) at their character offsets."""
    rows = [HEADER]
    for i, m in enumerate(re.finditer(r"\w+|[^\w\s]", text)):
        rows.append(f"0\t0\t{i}\t{i}\t{m.group()}\t{m.group().lower()}\t{m.start()}\t{m.end()}\tX\tX\tdep\t{i}\tO")
    return "\n".join(rows) + "\n"


def write_output(folder, text=BOOK, **files):
    folder.mkdir(parents=True, exist_ok=True)
    contents = {".tokens": tokens_file(text), ".quotes": QUOTES, ".entities": ENTITIES,
                ".book": json.dumps(BOOK_JSON), **{"." + k: v for k, v in files.items()}}
    for suffix, content in contents.items():
        if content is not None:
            path = folder / f"gate{suffix}"
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder / "gate.quotes"


def test_booknlp_output_reads_as_an_attribution(tmp_path):
    attribution, unmatched = read_booknlp(write_output(tmp_path / "nlp"), BOOK)
    assert unmatched == []
    spoken = [(BOOK[q.start:q.end], q.speaker, q.paragraph) for q in attribution.quotations]
    assert spoken == [("You are late,", 5, 1), ("The road was long,", 7, 2), ("Forgive me.", 7, 2),
                      ("Who goes there?", None, 3)]
    people = {c.id: (c.name, c.gender, c.lines, c.narrator) for c in attribution.characters}
    # the most frequent proper name; a tie goes to the fuller one; the voice .book leaves out is named by .entities
    assert people == {5: ("Anna", "F", 1, False), 7: ("Tom Hale", "M", 2, False)}
    assert set(next(c for c in attribution.characters if c.id == 5).aliases) == {"Anna", "Anna Grey"}
    # BookNLP's ids are no list positions: a quotation's speaker is found by id
    assert [attribution.speaker_name(q) for q in attribution.quotations] == ["Anna", "Tom Hale", "Tom Hale", None]
    # the folder names the book as well as its .quotes file
    assert read_booknlp(tmp_path / "nlp", BOOK)[0] == attribution


def test_a_full_cast_plan_from_booknlp(tmp_path):
    script = tmp_path / "book.txt"
    script.write_text(BOOK + "\n", encoding="utf-8")
    nlp = write_output(tmp_path / "nlp")
    config = project_config(tmp_path, f"project.script={script}", "project.format=prose",
                            "project.cast_from_book=true", f"project.booknlp={nlp}")
    assert segments(make_plan(config)) == [
        ("l0001-s01", "narrator", "Anna Grey met Tom Hale at the gate."),
        ("l0003-s01", "Anna", '"You are late,"'),
        ("l0003-s02", "narrator", "said Anna."),
        ("l0005-s01", "Tom Hale", '"The road was long,"'),
        ("l0005-s02", "narrator", "Tom answered."),
        ("l0005-s03", "Tom Hale", '"Forgive me."'),
        ("l0007-s01", "narrator", '"Who goes there?" came a voice from the dark.'),  # no speaker: the narrator's
    ]
    cast = read_cast_file(cast_file_path(config))
    assert {name: (e["gender"], e["lines"]) for name, e in cast["characters"].items()} == {
        "Tom Hale": ("M", 2), "Anna": ("F", 1)}
    # the text to give BookNLP is written for the user, and is the text the offsets are into
    written = cast_file_path(config).parent / BOOKNLP_TEXT
    assert written.read_text(encoding="utf-8") == BOOK


def test_a_speaker_dotbook_leaves_out_is_named_by_dotentities_and_an_unsure_gender_is_unknown(tmp_path):
    book = json.loads(json.dumps(BOOK_JSON))
    book["characters"][1]["g"]["max"] = 0.45  # he/him/his by a hair, of three
    quotes = QUOTES.replace("None\tNone\t\"", "None\t9\t\"")  # the voice from the dark: seen once
    attribution, _ = read_booknlp(write_output(tmp_path, quotes=quotes, book=json.dumps(book)), BOOK)
    people = {c.id: (c.name, c.gender, c.lines) for c in attribution.characters}
    assert people[9] == ("a voice", "?", 1) and people[7] == ("Tom Hale", "?", 2)


def test_a_first_person_narrator_and_a_quotation_over_paragraphs(tmp_path):
    text = '"Come in," I said.\n\n"It is late," said Tom, "and the road\n\nwas long."'
    quotes = ("quote_start\tquote_end\tmention_start\tmention_end\tmention_phrase\tchar_id\tquote\n"
              "0\t4\t5\t5\tI\t0\tq\n8\t13\t15\t15\tTom\t7\tq\n17\t24\t15\t15\tTom\t7\tq\n")
    attribution, _ = read_booknlp(write_output(tmp_path, text, quotes=quotes), text)
    assert [(text[q.start:q.end], q.speaker, q.group) for q in attribution.quotations] == [
        ("Come in,", 0, 0), ("It is late,", 7, 1), ("and the road", 7, 2), ("was long.", 7, 2)]
    narrator = next(c for c in attribution.characters if c.id == 0)
    assert narrator.narrator and narrator.name == "I"


def test_quotations_that_do_not_line_up_are_reported_not_dropped_unseen(tmp_path, caplog):
    # BookNLP run on another text: the last paragraph moved by two characters
    shifted = BOOK.replace('"Who', '  "Who')
    nlp = write_output(tmp_path / "nlp", tokens=tokens_file(shifted))
    attribution, unmatched = read_booknlp(nlp, BOOK)
    assert len(attribution.quotations) == 3 and len(unmatched) == 1
    assert "gate.quotes line 5: tokens 33-38 ('\" Who goes there ? \"')" in unmatched[0]
    # a plan says so: how many, and the first
    script = tmp_path / "book.txt"
    script.write_text(BOOK + "\n", encoding="utf-8")
    config = project_config(tmp_path, f"project.script={script}", "project.format=prose",
                            "project.cast_from_book=true", f"project.booknlp={nlp}")
    with caplog.at_level(logging.WARNING):
        make_plan(config)
    assert "1 of BookNLP's quotations do not line up" in caplog.text and "line 5" in caplog.text
    # none lining up: BookNLP read another text; one line, naming the text to give it
    with pytest.raises(BarkflowError, match="none of its 4 quotations lines up") as error:
        read_booknlp(write_output(tmp_path / "other", tokens=tokens_file("X" + BOOK)), BOOK)
    assert "\n" not in str(error.value)


def test_booknlp_needs_cast_from_book(tmp_path):
    with pytest.raises(BarkflowError, match="project.cast_from_book is false"):
        project_config(tmp_path, "project.booknlp=nlp/gate.quotes")


BAD = [  # (file, content, the message)
    ("quotes", None, r"gate.quotes: not found"),
    ("tokens", "word\tbyte_onset\n", r"gate.tokens line 1: no token_ID_within_document, byte_offset column"),
    ("tokens", HEADER + "\n0\t0\t0\tzero\tAnna\tanna\t0\t4\tX\tX\tdep\t0\tO\n",
     r"gate.tokens line 2: token_ID_within_document is 'zero'"),
    ("tokens", HEADER + "\n0\t0\t0\t1\tAnna\tanna\t0\t4\tX\tX\tdep\t0\tO\n", r"gate.tokens line 2: token 1 where 0"),
    ("tokens", HEADER + "\n0\t0\t0\t0\tAnna\tanna\t4\t0\tX\tX\tdep\t0\tO\n", r"gate.tokens line 2: byte_offset is '0'"),
    ("tokens", b"\xff\xfe\n", r"gate.tokens line 1 is not UTF-8"),
    ("tokens", "", r"gate.tokens is empty"),
    ("quotes", QUOTES.replace("33\t38", "33\t99"), r"gate.quotes line 5: quote_end is '99', not a whole number from 33 to 45"),
    ("quotes", QUOTES.replace("\t5\t", "\tAnna\t"), r"gate.quotes line 2: char_id is 'Anna'"),
    ("quotes", QUOTES + "1\t2\n", r"gate.quotes line 6: 2 columns where the header has 7"),
    ("quotes", QUOTES.replace("\n", "\r"), r"gate.quotes line 1 holds a carriage return: its lines end in CR alone"),
    ("book", "{not json", r"gate.book line 1 is not JSON"),
    ("book", '{"characters": {}}', r"gate.book: expected"),
    ("book", '{"characters": [{"id": "5"}]}', r"gate.book: character 0 has no whole-number id"),
]


@pytest.mark.parametrize("name, content, message", BAD)
def test_a_malformed_booknlp_file_is_one_line(tmp_path, name, content, message):
    with pytest.raises(BarkflowError, match=message) as error:
        read_booknlp(write_output(tmp_path, **{name: content}), BOOK)
    assert "\n" not in str(error.value) and "BookNLP" in str(error.value)


def test_oversized_files_and_unclear_sources_are_one_line(tmp_path, monkeypatch):
    quotes = write_output(tmp_path / "a")
    monkeypatch.setattr(booknlp, "MAX_TABLE_BYTES", 100)
    with pytest.raises(BarkflowError, match=r"gate.tokens is over 0 MiB"):
        read_booknlp(quotes, BOOK)
    monkeypatch.setattr(booknlp, "MAX_TABLE_BYTES", 1 << 20)
    monkeypatch.setattr(booknlp, "MAX_BOOK_BYTES", 100)
    with pytest.raises(BarkflowError, match=r"gate.book is over 0 MiB"):
        read_booknlp(quotes, BOOK)
    monkeypatch.undo()
    (tmp_path / "a" / "other.quotes").write_text(QUOTES, encoding="utf-8")
    with pytest.raises(BarkflowError, match=r"2 books \(gate, other\)"):
        read_booknlp(tmp_path / "a", BOOK)
    with pytest.raises(BarkflowError, match=r"nowhere: not found"):
        read_booknlp(tmp_path / "nowhere", BOOK)


FILE_BYTES = st.one_of(st.binary(max_size=300),
                       st.text(alphabet=st.sampled_from("0123456789-\t\nNone\"{}[]:,idgcn"), max_size=300)
                       .map(str.encode))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["tokens", "quotes", "entities", "book"]), content=FILE_BYTES,
       keep_header=st.booleans())
def test_any_bytes_in_a_file_give_an_attribution_or_one_barkflow_error(tmp_path, name, content, keep_header):
    headers = {"tokens": HEADER, "quotes": QUOTES.splitlines()[0], "entities": ENTITIES.splitlines()[0], "book": ""}
    if keep_header and headers[name]:
        content = headers[name].encode() + b"\n" + content
    try:
        attribution, _unmatched = read_booknlp(write_output(tmp_path / "h", **{name: content}), BOOK)
    except BarkflowError as e:
        assert "\n" not in str(e)
        return
    for q in attribution.quotations:
        assert 0 <= q.start < q.end <= len(BOOK)


def test_a_render_before_booknlp_has_run_writes_its_text_and_says_what_to_do(tmp_path):
    script = tmp_path / "book.txt"
    script.write_text(BOOK + "\n", encoding="utf-8")
    config = project_config(tmp_path, f"project.script={script}", "project.format=prose",
                            "project.cast_from_book=true", f"project.booknlp={tmp_path / 'nlp' / 'gate.quotes'}")
    written = cast_file_path(config).parent / BOOKNLP_TEXT
    with pytest.raises(BarkflowError, match=r"gate.tokens: not found; run BookNLP on booknlp.txt") as error:
        make_plan(config)
    assert str(written) in str(error.value) and "\n" not in str(error.value)
    assert written.read_text(encoding="utf-8") == BOOK
