"""A prose book read by a full cast (project.cast_from_book): quotations split from their paragraphs
in their speakers' voices, the cast file written, read back and edited, line overrides on them."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import REPO, project_config, render
from hypothesis import given, settings
from hypothesis import strategies as st

from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.planning.castfile import (
    cast_file_path,
    preset_language,
    presets,
    read_cast_file,
)
from barkflow.store.cache import Store
from barkflow.studio.session import Studio
from barkflow.text.attribution import Attribution, Quotation
from barkflow.text.characters import Character
from barkflow.text.fullcast import (
    _pieces,
    attribute_script,
    book_text,
    speaker_names,
    voice_lines,
)
from barkflow.text.script import parse_script

# Characters are named often enough to be found; every speech has an explicit tag.
BOOK = """\
Mrs. Pell looked at Mr. Crane, and Mr. Crane looked at Mrs. Pell.

"It is cold," said Mrs. Pell.

"It is," said Mr. Crane.
"""
EXPECTED = [  # (segment id, speaker, text shown)
    ("l0001-s01", "narrator", "Mrs. Pell looked at Mr. Crane, and Mr. Crane looked at Mrs. Pell."),
    ("l0003-s01", "Mrs. Pell", '"It is cold,"'),
    ("l0003-s02", "narrator", "said Mrs. Pell."),
    ("l0005-s01", "Mr. Crane", '"It is,"'),
    ("l0005-s02", "narrator", "said Mr. Crane."),
]


def book_config(tmp_path, *extra):
    script = tmp_path / "book.txt"
    if not script.exists():
        script.write_text(BOOK, encoding="utf-8")
    return project_config(tmp_path, f"project.script={script}", "project.format=prose",
                          "project.cast_from_book=true", *extra)


def make_plan(config):
    return plan.make_plan(config, build.make_engine(config), Store(config.paths.cache_dir), [REPO / "conf"])


def segments(the_plan):
    return [(u.segment_id, u.line.speaker, u.shown) for u in the_plan.segments()]


def edit_cast(config, name, voice):
    path = cast_file_path(config)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["characters"][name]["voice"] = voice
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


# The split: quotations in their speakers' lines, the narration the narrator's.

def script_of(text):
    return parse_script(text, "prose")


def test_a_paragraph_splits_at_its_quotation_marks_and_keeps_them():
    script = script_of('Tom met Ann. Ann met Tom.\n\n"I am glad," said Tom, "very glad."\n\n"So am I," said Ann.')
    attribution = attribute_script(script, "narrator")
    names = speaker_names(attribution, ("narrator", "unknown"))
    lines = voice_lines(script, attribution, names, narrator="narrator").lines
    assert [(l.source_line, l.speaker, l.text, l.attributed) for l in lines] == [
        (1, "narrator", "Tom met Ann. Ann met Tom.", False),
        (3, "Tom", '"I am glad,"', True), (3, "narrator", "said Tom,", False), (3, "Tom", '"very glad."', True),
        (5, "Ann", '"So am I,"', True), (5, "narrator", "said Ann.", False),
    ]
    assert [l.index for l in lines] == list(range(len(lines)))


def _attribution(text, speakers):
    """An Attribution with one quotation per paragraph of `text` (between its first two quote marks)."""
    quotations, at = [], 0
    for n, paragraph in enumerate(text.split("\n\n")):
        s = paragraph.find('"')
        e = paragraph.find('"', s + 1)
        quotations.append(Quotation(at + s + 1, at + e, speakers[n], 0.9, "explicit", n, n))
        at += len(paragraph) + 2
    return Attribution([Character(0, "Tom", ("Tom",), "M", 1)], quotations)


def test_a_quotation_without_a_confident_speaker_is_the_narrators_or_unknowns():
    text = '"Hello," said Tom.\n\n"Who is there?" came a voice.'
    script = script_of(text)
    attribution = _attribution(text, [0, None])
    plain = voice_lines(script, attribution, {0: "Tom"}, narrator="narrator").lines
    assert [(l.speaker, l.text) for l in plain] == [
        ("Tom", '"Hello,"'), ("narrator", "said Tom."), ("narrator", '"Who is there?" came a voice.')]
    voiced = voice_lines(script, attribution, {0: "Tom"}, narrator="narrator", unknown="unknown").lines
    assert [(l.speaker, l.text) for l in voiced][2:] == [("unknown", '"Who is there?"'), ("narrator", "came a voice.")]
    # and attribute() itself leaves a speaker out below its threshold
    assert all(q.speaker is None for q in attribute_script(script_of(text), "narrator", threshold=1.01).quotations)


def test_a_first_person_narrators_own_words_are_in_the_narrators_voice():
    text = '"Hello," said Tom.\n\n"Hello," said I.'
    script = script_of(text)
    attribution = _attribution(text, [0, 1])
    attribution.characters.append(Character(1, "Hastings", ("Hastings",), "M", 1, narrator=True))
    names = speaker_names(attribution, ("narrator",))
    assert names == {0: "Tom"}  # no cast entry of its own: the narrator's voice is the narrator's
    voiced = voice_lines(script, attribution, names, narrator="narrator", unknown="unknown").lines
    assert [(l.speaker, l.text) for l in voiced] == [
        ("Tom", '"Hello,"'), ("narrator", "said Tom."), ("narrator", '"Hello," said I.')]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('ab ,."“”\'-—'), min_size=1, max_size=30), min_size=1, max_size=4))
def test_every_character_of_a_paragraph_is_in_one_of_its_lines(paragraphs):
    """Whatever the quotation marks, the split loses, doubles and reorders nothing."""
    script = script_of("\n\n".join(f"w{p}w" for p in paragraphs))
    attribution = attribute_script(script, "narrator")
    # every quotation given a speaker of its own, the split's hardest case
    attribution.quotations = [Quotation(q.start, q.end, 0, 1.0, "explicit", q.paragraph, q.group)
                              for q in attribution.quotations]
    split = voice_lines(script, attribution, {0: "X"}, narrator="narrator")
    for line in script.lines:
        pieces = [l for l in split.lines if l.source_line == line.source_line]
        assert "".join(p.text for p in pieces).replace(" ", "") == line.text.replace(" ", "")
        assert all(p.text.strip() and any(c.isalnum() for c in p.text) or len(pieces) == 1 for p in pieces)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab .…*(\u200b"“”-—'), min_size=1, max_size=40), st.data())
def test_cutting_a_paragraph_at_its_quotations_keeps_every_character_once(text, data):
    """_pieces, the one place a paragraph is cut into voiced lines, on any spans: a paragraph
    opening with wordless narration ('... "Hello," said Tom.') once lost 'said Tom.' and read the
    quotation twice."""
    bounds = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    spans = [(s, e, f"S{i}") for i, (s, e) in enumerate(zip(bounds[::2], bounds[1::2]))]
    pieces = _pieces(text, spans, "narrator")
    assert "".join(piece for _, piece in pieces).replace(" ", "") == text.replace(" ", "")


def test_wordless_narration_opening_a_paragraph_joins_its_quotation():
    assert _pieces('... "Hello," said Tom.', [(5, 11, "Tom")], "narrator") == [
        ("Tom", '... "Hello,"'), ("narrator", "said Tom.")]


def test_book_text_offsets_are_each_lines_start():
    script = script_of("One.\n\nTwo two.\n\nThree.")
    text, starts = book_text(list(script.lines))
    assert [text[s:s + len(l.text)] for s, l in zip(starts, script.lines)] == ["One.", "Two two.", "Three."]


# The cast file and its voices.

def test_presets_by_language_and_gender():
    assert presets("en", "F") == ["v2/en_speaker_9"]
    assert "v2/de_speaker_3" in presets("de", "F") and "v2/de_speaker_3" not in presets("de", "M")
    assert preset_language("fre") == "fr" and preset_language("en-GB") == "en" and preset_language("xx") == "en"


def test_a_plan_with_cast_from_book_writes_the_cast_file_and_splits_segments(tmp_path):
    config = book_config(tmp_path)
    assert segments(make_plan(config)) == EXPECTED
    cast = read_cast_file(cast_file_path(config))
    assert cast["narrator"] == "v2/en_speaker_0"  # the project's own narrator voice
    assert set(cast["characters"]) == {"Mrs. Pell", "Mr. Crane"}
    assert cast["characters"]["Mrs. Pell"]["gender"] == "F" and cast["characters"]["Mrs. Pell"]["lines"] == 1
    # The tiny model has three presets: the suggestions are among them, not the narrator's.
    voices = {entry["voice"] for entry in cast["characters"].values()}
    assert voices <= {"v2/en_speaker_1", "v2/en_speaker_2"}


def test_the_cast_file_is_the_truth_and_changes_only_its_characters_segments(tmp_path):
    config = book_config(tmp_path)
    before = {u.segment_id: u.uid for u in make_plan(config).segments()}
    edit_cast(config, "Mr. Crane", "announcer")
    after_plan = make_plan(config)
    after = {u.segment_id: u.uid for u in after_plan.segments()}
    changed = {sid for sid in before if before[sid] != after[sid]}
    assert changed == {"l0005-s01"}
    assert {u.voice.name for u in after_plan.segments() if u.line.speaker == "Mr. Crane"} == {"announcer"}
    # project.cast still wins over the file
    crane = book_config(tmp_path)
    crane.project.cast["Mr. Crane"] = "v2/en_speaker_2"
    assert {u.voice.name for u in make_plan(crane).segments() if u.line.speaker == "Mr. Crane"} == {"v2/en_speaker_2"}


def test_a_line_voice_override_recasts_the_paragraphs_quotation_not_its_narration(tmp_path):
    config = book_config(tmp_path, "+project.lines.3.voice=announcer")
    voices = [(u.segment_id, u.voice.name) for u in make_plan(config).segments() if u.line.source_line == 3]
    assert voices == [("l0003-s01", "announcer"), ("l0003-s02", "v2/en_speaker_0")]


def test_cast_confidence_gives_the_narrator_the_quotations_barkflow_is_less_sure_of(tmp_path):
    (tmp_path / "book.txt").write_text(BOOK + '\n"Shall we go in?"\n', encoding="utf-8")
    # The untagged reply is Mrs. Pell's by turn-taking, less sure than a tag.
    assert segments(make_plan(book_config(tmp_path)))[-1] == ("l0007-s01", "Mrs. Pell", '"Shall we go in?"')
    sure = segments(make_plan(book_config(tmp_path, "project.cast_confidence=0.94")))
    assert sure[-1] == ("l0007-s01", "narrator", '"Shall we go in?"') and sure[:-1] == EXPECTED
    with pytest.raises(BarkflowError, match="project.cast_confidence") as error:
        book_config(tmp_path, "project.cast_confidence=2")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("content, message", [
    ("characters: [1, 2]", "expected narrator"),
    ("characters:\n  Tom: {lines: 3}", "'Tom' needs a voice"),
    ("narrator: [x]", r"narrator is \['x'\]"),
    (": : :", "cannot be read"),
    ("characters:\n  Tom: {voice: v2/en_speaker_77}", "'Tom': voice 'v2/en_speaker_77' not found"),
    ('characters:\n  "Tom\\nHale": {voice: v2/en_speaker_77}', r"'Tom\\nHale': voice"),  # a name over two lines
    ("narrator: 1999-99-99", "month must be in 1..12"),  # PyYAML's ValueError, once a crash
    ("characters:\n  Tom: {voice: v2/en_speaker_1}\ncharacters:\n  Ann: {voice: v2/en_speaker_2}",
     "'characters' is given twice"),
])
def test_a_broken_cast_file_is_one_line(tmp_path, content, message):
    config = book_config(tmp_path)
    path = cast_file_path(config)
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BarkflowError, match=message) as error:
        make_plan(config)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_a_full_cast_render_has_each_segments_speaker_and_rerenders_one_character(tmp_path):
    config = book_config(tmp_path)
    render(config)
    manifest = json.loads((tmp_path / "out/manifest.json").read_text(encoding="utf-8"))
    assert [(s["id"], s["speaker"], s["text"]) for s in manifest["segments"]] == EXPECTED
    edit_cast(config, "Mrs. Pell", "announcer")
    after = render(config)
    assert after.rendered == {"semantic": 1, "coarse": 1, "fine": 1, "decode": 1}  # her one quotation
    # The studio's voice field on his quotation's segment: that quotation is recast, its tag is not.
    manifest = json.loads((tmp_path / "out/manifest.json").read_text(encoding="utf-8"))
    uid = {s["id"]: s["uid"] for s in manifest["segments"]}["l0005-s01"]
    Studio(config, [REPO / "conf"]).set_line(uid, "v2/en_speaker_1", "")
    voices = {u.segment_id: u.voice.name for u in make_plan(config).segments()}
    assert (voices["l0005-s01"], voices["l0005-s02"]) == ("v2/en_speaker_1", "v2/en_speaker_0")
