"""Tests for barkflow.text.script: prose, dialogue and Fountain parsing, auto-detection, file errors."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from barkflow.errors import BarkflowError
from barkflow.text.decoding import file_lines, split_lines
from barkflow.text.formats import load_script
from barkflow.text.script import Script, ScriptLine, parse_script

DATA = Path(__file__).parent / "data" / "scripts"


def said(script: Script) -> list[tuple[str, str]]:
    return [(line.speaker, line.text) for line in script.lines]


# --- prose ---


def test_prose_paragraphs_chapters_and_cues():
    script = load_script(DATA / "story.md", "prose")
    assert script.chapter_titles == ("", "The Lighthouse", "The Storm")
    assert said(script) == [
        ("narrator", "A short preface, read before any chapter."),
        ("narrator", "The keeper climbed the stairs every night, counting the steps out loud."),
        ("narrator", "He never missed a night — not ONE. [sighs]"),
        ("narrator", "Rain hammered the glass. ♪ A sailor's song drifted up. ♪ "
                     "# This line starts with a hash but is not a heading."),
    ]
    assert [line.chapter for line in script.lines] == [0, 1, 1, 2]
    assert [line.paragraph for line in script.lines] == [0, 1, 2, 3]
    assert [line.source_line for line in script.lines] == [1, 5, 8, 12]
    assert [line.index for line in script.lines] == [0, 1, 2, 3]
    assert script.source == str(DATA / "story.md")


def test_prose_heading_first_has_no_untitled_chapter_and_empty_chapters_are_dropped():
    script = parse_script("# Part One\n## Chapter 1\nText.\n\n# Closing ##\nBye.", "prose")
    assert script.chapter_titles == ("Chapter 1", "Closing")
    assert [(line.chapter, line.paragraph) for line in script.lines] == [(0, 0), (1, 1)]


def test_prose_custom_narrator_and_hashtag_is_not_a_heading():
    script = parse_script("#hashtag is text\nstill the same paragraph", "prose", narrator="Ann")
    assert said(script) == [("Ann", "#hashtag is text still the same paragraph")]
    assert script.speakers() == ["Ann"]
    assert script.chapter_titles == ("",)


@pytest.mark.parametrize("fmt", ["prose", "dialogue"])
def test_emphasis_markup_in_plain_text_is_removed_and_its_words_kept(fmt):
    """Plain-text books mark italics with underscores, Markdown with * and _: markup, not words."""
    text = ('"_You_ want to\ntell me?" said *Ann*, **very** ***slowly*** and __firmly__.\n\n'
            "snake_case_name, 5 * 3 and * * * stay.")
    if fmt == "dialogue":
        text = text.replace("to\ntell", "to tell").replace('"_You_', 'ANN: "_You_').replace("snake", "BOB: snake")
    assert [line.text for line in parse_script(text, fmt).lines] == [
        '"You want to tell me?" said Ann, very slowly and firmly.', "snake_case_name, 5 * 3 and * * * stay.",
    ]


def test_crlf_and_bom_are_handled():
    script = parse_script("\ufeffOne.\r\n\r\nTwo\r\nlines.", "prose")
    assert said(script) == [("narrator", "One."), ("narrator", "Two lines.")]
    assert [line.source_line for line in script.lines] == [1, 3]


# --- dialogue ---


def test_dialogue_speakers_directions_narration_escape_and_chapters():
    script = load_script(DATA / "podcast.txt")  # auto: most lines are NAME: text
    assert said(script) == [
        ("HOST", "Welcome back to the show! [laughs]"),
        ("GUEST", "Thanks for having me... I think."),
        ("HOST", "So, tell us about [MAN] voices."),
        ("Dr. O'Neil-Smith Jr.", "I'll jump in here — it's complicated."),
        ("narrator", "The studio lights flicker."),
        ("narrator", "Note: this line is narration, not a speaker called Note."),
        ("HOST", "That's all for today. ♪ la la la ♪"),
    ]
    assert script.lines[1].direction == "nervously"
    assert script.lines[0].direction is None
    assert script.chapter_titles == ("Episode 12: Bark in the wild", "Outro")
    assert [line.chapter for line in script.lines] == [0, 0, 0, 0, 0, 0, 1]
    assert [line.paragraph for line in script.lines] == [0, 0, 1, 1, 1, 1, 2]
    assert [line.source_line for line in script.lines] == [3, 4, 6, 7, 8, 9, 12]
    assert script.speakers() == ["HOST", "GUEST", "Dr. O'Neil-Smith Jr.", "narrator"]


@pytest.mark.parametrize("direction, text", [
    ("laughing", "[laughs] Hi."), ("Laughs.", "[laughs] Hi."), ("laughter", "[laughter] Hi."),
    ("sighs", "[sighs] Hi."), ("sighing", "[sighs] Hi."), ("gasps", "[gasps] Hi."),
    ("clears her throat", "[clears throat] Hi."), ("singing", "♪ Hi. ♪"), ("beat", "... Hi."),
])
def test_dialogue_directions_bark_can_perform_become_its_cues(direction, text):
    line = parse_script(f"ANN ({direction}): Hi.", "dialogue").lines[0]
    assert (line.text, line.direction, line.dropped_directions) == (text, direction, ())


def test_dialogue_directions_bark_cannot_perform_are_recorded_as_dropped():
    script = parse_script("ANN (surprised): What?\nBOB: Nothing.\nANN (laughing, to Bob): Sure.", "dialogue")
    assert said(script) == [("ANN", "What?"), ("BOB", "Nothing."), ("ANN", "Sure.")]
    assert [line.dropped_directions for line in script.lines] == [("surprised",), (), ("laughing, to Bob",)]


def test_dialogue_name_rules():
    text = "\n".join([
        "Zoë: unicode names are fine",
        "राम (धीरे से): नमस्ते",  # combining marks in a name
        "O’Neil: typographic apostrophe",
        "R2-D2: digits after the first letter",
        "2PAC: cannot start with a digit",
        "http://example.com: no space after the colon in the URL",
        "A" * 41 + ": too long for a name",
        "Time: 10:30",
        "BOB:no space after colon",
    ])
    script = parse_script(text, "dialogue")
    assert [line.speaker for line in script.lines] == [
        "Zoë", "राम", "O’Neil", "R2-D2", "narrator", "narrator", "narrator", "Time", "narrator"]
    assert script.lines[1].direction == "धीरे से"
    assert script.lines[7].text == "10:30"


def test_dialogue_speaker_without_text_goes_to_narrator_with_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="barkflow.text.script"):
        script = parse_script("ALICE:\nHello.", "dialogue", source="talk.txt")
    assert said(script) == [("narrator", "ALICE:"), ("narrator", "Hello.")]
    assert "talk.txt:1" in caplog.text and "ALICE: Hello" in caplog.text


def test_dialogue_blank_lines_make_paragraphs():
    script = parse_script("A: one\nB: two\n\n\n\nA: three", "dialogue")
    assert [line.paragraph for line in script.lines] == [0, 0, 1]


# --- auto-detection ---


@pytest.mark.parametrize(("text", "expected"), [
    ("HOST: hi\nGUEST: hello\nSome narration.", "dialogue"),
    ("Once upon a time.\nNote: a remark\nThe end.", "prose"),
    ("# Title\nA: one\nB: two", "dialogue"),
])
def test_auto_detects_dialogue_by_majority(text, expected):
    assert parse_script(text) == parse_script(text, expected)


def test_auto_uses_fountain_extension(tmp_path):
    path = tmp_path / "short.spmd"
    path.write_text("JOHN\nHello.\n", encoding="utf-8")
    assert said(load_script(path)) == [("JOHN", "Hello.")]
    txt = tmp_path / "short.txt"
    txt.write_text("JOHN\nHello.\n", encoding="utf-8")
    assert said(load_script(txt)) == [("narrator", "JOHN Hello.")]


# --- Fountain ---


@pytest.fixture(scope="module")
def fountain() -> Script:
    return load_script(DATA / "scene.fountain")


def test_fountain_cues_dialogue_and_parentheticals(fountain):
    martha = [line for line in fountain.lines if line.speaker == "MARTHA"]
    assert [(line.text, line.direction, line.dropped_directions) for line in martha] == [
        ("Is anyone out there? Anyone at all?", "whispering", ("whispering",)),  # Bark has no whisper cue
        ("Hold on. I'm coming.", None, ()),  # (CONT'D) stripped from the name
    ]
    radio = [(line.text, line.direction) for line in fountain.lines if line.speaker == "RADIO"]
    assert radio == [("This is the Mary Rose. [gasps]", None), ("We are taking on water!", "urgent")]
    assert radio and len({line.paragraph for line in fountain.lines if line.speaker == "RADIO"}) == 1


def test_fountain_dual_forced_cue_lyrics_and_speakers(fountain):
    sailor = next(line for line in fountain.lines if line.speaker == "SAILOR")
    assert sailor.dual and sailor.text == "We're waiting!"
    assert not any(line.dual for line in fountain.lines if line.speaker != "SAILOR")
    assert ("McAllister", "Steady, lads!") in said(fountain)
    assert ("narrator", "♪ Heave away, haul away ♪") in said(fountain)
    assert fountain.speakers() == ["narrator", "MARTHA", "RADIO", "SAILOR", "McAllister"]


def test_fountain_action_is_narrated_and_markup_is_not_spoken(fountain):
    assert said(fountain)[0] == ("narrator", "The keeper, MARTHA (60s), stares at the radio. Static.")
    assert ("narrator", "Waves crash against the hull. The ship lists to port.") in said(fountain)
    assert said(fountain)[-1] == ("narrator", "THE END")  # centered text is action
    spoken = " ".join(line.text for line in fountain.lines)
    for unspoken in ("Title", "Last Signal", "INT.", "EXT.", "UNDERWATER", "CUT TO", "FADE OUT",
                     "check the radio prop", "older draft", "keeper receives", "ACT ONE", "*", "[["):
        assert unspoken not in spoken
    assert fountain.chapter_titles == ("ACT ONE",)
    assert fountain.lines[0].source_line == 12


def test_fountain_action_skip(fountain):
    skipped = load_script(DATA / "scene.fountain", fountain_action="skip")
    assert "narrator" not in skipped.speakers()
    assert [line.text for line in skipped.lines] == [
        line.text for line in fountain.lines if line.speaker != "narrator"]
    assert [line.index for line in skipped.lines] == list(range(len(skipped.lines)))
    paragraphs = sorted({line.paragraph for line in skipped.lines})
    assert paragraphs == list(range(len(paragraphs)))  # renumbered without gaps


def test_fountain_parentheticals_become_cues_or_are_recorded():
    text = "\n".join([
        "BOB", "(laughing)", "Hi there.", "(beat)", "(sighs)", "OK.", "(whispering)", "",
        "ANN", "(beat)", "",  # no words: nothing to say, a warning
        "CARL", "Yo.", "(softly)", "(clears throat)", "", "DEE", "(singing)", "La la.",
    ])
    script = parse_script(text, "fountain")
    assert [(line.speaker, line.text, line.dropped_directions) for line in script.lines] == [
        ("BOB", "[laughs] Hi there.", ()),
        ("BOB", "[sighs] OK.", ("beat", "whispering")),  # a pause without words, and one after the last words
        ("CARL", "Yo.", ()),
        ("CARL", "[clears throat]", ("softly",)),  # a sound can stand alone
        ("DEE", "♪ La la. ♪", ()),
    ]
    assert [line.source_line for line in script.lines] == [3, 6, 13, 15, 19]


def test_fountain_parenthetical_without_words_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="barkflow.text.script"):
        script = parse_script("ANN\n(beat)\n\nBOB\nHi.", "fountain", source="s.fountain")
    assert said(script) == [("BOB", "Hi.")]
    assert "s.fountain:2: ANN has only the direction(s) (beat)" in caplog.text


def test_fountain_cue_rules():
    text = "\n".join([
        "BOOM!",  # first line, followed by text: a cue (Fountain's rule; use ! to force action)
        "It explodes.",
        "",
        "!LOUD NOISES",
        "continue as action",
        "",
        "HANS (on the radio)",
        "Ja.",
        "",
        "LONELY CAPS",
        "",
        "中文",
        "no case, so no cue",
    ])
    script = parse_script(text, "fountain")
    assert said(script) == [
        ("BOOM!", "It explodes."),
        ("narrator", "LOUD NOISES continue as action"),
        ("HANS", "Ja."),
        ("narrator", "LONELY CAPS"),
        ("narrator", "中文 no case, so no cue"),
    ]


def test_fountain_notes_spanning_lines_and_two_space_dialogue_lines():
    text = "BOB\nFirst part [[a note\nover two lines]] and more.\n  \nAfter a two-space line.\n\nEnd."
    script = parse_script(text, "fountain")
    assert said(script) == [("BOB", "First part and more. After a two-space line."), ("narrator", "End.")]
    assert script.lines[1].source_line == 7


def test_fountain_boneyard_with_blank_lines_does_not_split_dialogue():
    text = "BOB\n/* an old line\n\nand another */\nStill Bob.\n\nJOHN /* x */  SMITH\nHi."
    script = parse_script(text, "fountain")
    assert said(script) == [("BOB", "Still Bob."), ("JOHN SMITH", "Hi.")]
    assert [line.source_line for line in script.lines] == [5, 8]


def test_fountain_unclosed_boneyard_is_an_error():
    with pytest.raises(BarkflowError, match=r"scene\.fountain:3: .*'/\*'.*'\*/'"):
        parse_script("Action.\n\n/* never closed\nmore", "fountain", source="scene.fountain")


def test_fountain_only_action_with_skip_explains():
    with pytest.raises(BarkflowError, match="fountain_action='skip'.*narrate"):
        parse_script("Just action here.", "fountain", fountain_action="skip")


# --- errors ---


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(BarkflowError, match="not found") as info:
        load_script(missing)
    assert str(missing) in str(info.value) and "\n" not in str(info.value)


def test_directory_path(tmp_path):
    with pytest.raises(BarkflowError, match="not a file") as info:
        load_script(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_bad_encoding_names_the_line_and_byte_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("First line.\nCaf\u00e9 au lait.\n".encode("latin-1"))
    with pytest.raises(BarkflowError, match=r"latin1\.txt:2: .*UTF-8.*0xe9 at byte offset 15; save it as UTF-8"):
        load_script(path)
    path.write_bytes(codecs.BOM_UTF8 + b"Ok.\n\xff")  # the offset counts the BOM: it is the file's
    with pytest.raises(BarkflowError, match=r"latin1\.txt:2: .*0xff at byte offset 7;"):
        load_script(path)


DIALOGUE = "HOST: Caf\u00e9 \u6211\u4eec [laughs]\r\nGUEST (softly): \u041f\u0440\u0438\u0432\u0435\u0442 \U0001f389\n"


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""), ("utf-16-be", b""),  # told apart by their zero bytes
    ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE),
])
def test_unicode_encodings_load_like_utf8(tmp_path, encoding, bom):
    path = tmp_path / "talk.txt"
    path.write_bytes(bom + DIALOGUE.encode(encoding))
    expected = parse_script(DIALOGUE, source=str(path))
    script = load_script(path)
    assert script == expected and said(script)[0] == ("HOST", "Caf\u00e9 \u6211\u4eec [laughs]")
    assert not any("\0" in line.text for line in script.lines)


def test_utf32_without_bom_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("Hello.\n".encode("utf-32-le"))
    with pytest.raises(BarkflowError) as info:
        load_script(path)
    message = str(info.value)
    assert message.startswith(f"{path}:1: ") and "NUL" in message and "save it as UTF-8" in message
    assert "\n" not in message


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_characters_are_an_error_at_their_line(character):
    with pytest.raises(BarkflowError, match=rf"talk\.txt:3: .*U\+{ord(character):04X}.* column 5; delete it") as info:
        parse_script(f"A: one\r\n\nB: t{character}wo", source="talk.txt")
    assert "\n" not in str(info.value)


def test_whitespace_control_characters_are_spaces():
    script = parse_script("Page one.\fPage two.\x85Three\x0bfour\x1cfive\tsix", "prose")
    assert said(script) == [("narrator", "Page one. Page two. Three four five\tsix")]


@pytest.mark.parametrize("content", ["", "  \n\n\t\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BarkflowError, match="empty") as info:
        load_script(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("fmt", ["prose", "dialogue", "fountain"])
def test_no_spoken_lines(fmt):
    with pytest.raises(BarkflowError, match=f"<string>: no spoken lines found when read as {fmt}"):
        parse_script("# Only a heading\n\n", fmt)


def test_bad_options():
    with pytest.raises(BarkflowError, match="unknown script format 'yaml'.*prose"):
        parse_script("hi", "yaml")
    with pytest.raises(BarkflowError, match="fountain_action 'read'"):
        parse_script("hi", fountain_action="read")
    with pytest.raises(BarkflowError, match="narrator name is empty"):
        parse_script("hi", narrator=" ")


def test_script_lines_are_frozen():
    line = parse_script("Hello.").lines[0]
    assert isinstance(line, ScriptLine)
    with pytest.raises(AttributeError):
        line.text = "changed"  # type: ignore[misc]


@given(st.lists(st.sampled_from(["a", " ", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"]),
                max_size=40).map("".join))
def test_a_rewrite_counts_the_lines_the_parser_counts(text):
    """The studio rewrites line N of a file by `file_lines`; the parser numbers lines by `split_lines`.
    Only \\n, \\r\\n and \\r end a line in both (str.splitlines would also split at \\x0c, \\u2028...)."""
    lines = file_lines(text)
    assert "".join(lines) == text
    assert [line.removesuffix("\n").removesuffix("\r") for line in lines] == split_lines(text)
