"""Project Gutenberg books: the header before the START marker and the licence after the END marker
are not read, and their words are counted in the word report, for plain text and for EPUB/HTML. The
files here are tiny made-up ones in PG's shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO, project_config
from hypothesis import given, settings
from hypothesis import strategies as st

from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.text.fates import count_words
from barkflow.text.gutenberg import SKIPPED, story_bounds
from barkflow.text.script import Script, parse_script

HEADER = """\ufeffThe Project Gutenberg EBook of The Lamp, by Ann Author

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.  You may copy it, give it away or
re-use it under the terms of the Project Gutenberg License included
with this eBook or online at www.gutenberg.org

Title: The Lamp

Author: Ann Author

Release Date: May 1, 2001 [EBook #99999]

Language: English

Character set encoding: UTF-8

*** START OF THIS PROJECT GUTENBERG EBOOK THE LAMP ***




Produced by A. Volunteer and the Online Distributed
Proofreading Team




"""
STORY = """THE LAMP

# Chapter I

The keeper lit the lamp at dusk, as he had every night for forty years.

"Who is there?" he called down the stairs.

# Chapter II

Nobody answered; only the sea.
"""
FOOTER = """



End of the Project Gutenberg EBook of The Lamp, by Ann Author

*** END OF THIS PROJECT GUTENBERG EBOOK THE LAMP ***

***** This file should be named 99999.txt or 99999.zip *****

Section 1.  General Terms of Use and Redistributing Project Gutenberg-tm
electronic works

1.A.  By reading or using any part of this Project Gutenberg-tm
electronic work, you indicate that you have read, understand, agree to
and accept all the terms of this license.
"""


def spoken(script: Script) -> list[tuple]:
    """What a reader's contract keeps whatever comes before the story: who says what, where."""
    return [(line.speaker, line.text, line.chapter, line.paragraph) for line in script.lines]


def header_lines(header: str) -> int:
    return header.count("\n")


# --- plain text ---


@pytest.mark.parametrize("fmt", ["prose", "auto"])
def test_the_header_and_licence_of_a_text_are_skipped_and_counted(fmt):
    script = parse_script(HEADER + STORY + FOOTER, fmt)
    alone = parse_script(STORY, fmt)
    assert spoken(script) == spoken(alone)
    assert script.chapter_titles == alone.chapter_titles == ("", "Chapter I", "Chapter II")
    # source_line is still the line in the file: the story's lines moved down by the header's
    assert [line.source_line for line in script.lines] == [n + header_lines(HEADER) for n in
                                                           (line.source_line for line in alone.lines)]
    assert script.skipped == ((SKIPPED, count_words(HEADER) + count_words(FOOTER)),)
    said = " ".join(line.text for line in script.lines)
    assert "Gutenberg" not in said and "Produced" not in said and "license" not in said


@pytest.mark.parametrize("start", [
    "*** START OF THE PROJECT GUTENBERG EBOOK THE LAMP ***",
    "***START OF THE PROJECT GUTENBERG EBOOK THE LAMP***",
    "*** START OF THIS PROJECT GUTENBERG EBOOK ***",
    "*** START OF THE PROJECT GUTENBERG EBOOK, THE LAMP ***",
    "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*",
])
@pytest.mark.parametrize("end", [
    "*** END OF THE PROJECT GUTENBERG EBOOK THE LAMP ***",
    "***END OF THE PROJECT GUTENBERG EBOOK THE LAMP***",
    "End of Project Gutenberg's The Lamp, by Ann Author",
    "End of Project Gutenberg’s The Lamp, by Ann Author",
    "End of The Project Gutenberg Etext of The Lamp by Ann Author",
])
def test_pg_marker_variants(start, end):
    header = f"The Project Gutenberg EBook of The Lamp\n\nLicence words here.\n\n{start}\n\n"
    footer = f"\n\n{end}\n\nSection 1. General Terms of Use.\n"
    script = parse_script(header + STORY + footer, "prose")
    assert spoken(script) == spoken(parse_script(STORY, "prose"))
    assert script.skipped == ((SKIPPED, count_words(header) + count_words(footer)),)


def test_a_file_with_no_markers_is_untouched():
    text = "The Project Gutenberg EBook of The Lamp\n\n" + STORY + "\n\nSection 1. General Terms of Use.\n"
    script = parse_script(text, "prose")
    assert script.skipped == ()
    assert script.lines[0].text == "The Project Gutenberg EBook of The Lamp"
    assert script.lines[-1].text == "Section 1. General Terms of Use."


def test_a_novel_that_mentions_project_gutenberg_is_untouched():
    story = ("She had found it on Project Gutenberg, the end of the Project Gutenberg EBook of Dracula\n"
             "being where she stopped: *** START OF THE PROJECT GUTENBERG EBOOK DRACULA *** said the page.\n\n"
             "End of Project Gutenberg's gift to her, she thought, was a sleepless night.\n\n"
             "Produced by nobody, the play went on.\n")
    script = parse_script(story, "prose")
    assert script.skipped == ()
    paragraphs = story.strip().split("\n\n")
    assert [count_words(line.text) for line in script.lines] == [count_words(p) for p in paragraphs]
    assert "START OF THE PROJECT GUTENBERG EBOOK DRACULA" in script.lines[0].text
    assert script.lines[-1].text == paragraphs[-1].strip()


def test_a_start_without_an_end_keeps_the_rest_and_an_end_without_a_start_drops_the_licence():
    script = parse_script(HEADER + STORY, "prose")
    assert spoken(script) == spoken(parse_script(STORY, "prose"))
    assert script.skipped == ((SKIPPED, count_words(HEADER)),)
    script = parse_script(STORY + FOOTER, "prose")
    assert spoken(script) == spoken(parse_script(STORY, "prose"))
    assert [line.source_line for line in script.lines] == [line.source_line for line in parse_script(STORY).lines]
    assert script.skipped == ((SKIPPED, count_words(FOOTER)),)


def test_a_credit_after_the_start_is_pg_s_but_the_story_s_first_paragraph_is_not():
    lines = ["*** START OF THIS PROJECT GUTENBERG EBOOK X ***", "", "Transcribed from the 1897 edition by",
             "A. Person, email a@b.org", "", "Chapter I", "", "Produced by the mill, the flour was fine."]
    (first, _), _ = story_bounds(lines, whole_lines=True)
    assert lines[first:] == lines[4:]
    # with no credit the story starts right after the marker; a credit further on is the story's
    lines = [lines[0], "", *lines[5:]]
    assert story_bounds(lines, whole_lines=True)[0] == (1, 0)


def test_the_header_does_not_sway_the_format_detection():
    """The header's 'Title: The Lamp' lines look like dialogue; only the story decides."""
    header = ("Title: The Lamp\nAuthor: Ann Author\nEditor: Bo Editor\nRelease Date: May 1, 2001\n"
              "Language: English\nCharacter set encoding: UTF-8\n\n*** START OF THE PROJECT GUTENBERG EBOOK ***\n\n")
    script = parse_script(header + "The sea was calm.\nThe lamp was lit.\n", "auto")
    assert spoken(script) == [("narrator", "The sea was calm. The lamp was lit.", 0, 0)]


def test_the_word_report_shows_the_skipped_header_and_licence(tmp_path):
    path = tmp_path / "lamp.txt"
    path.write_text(HEADER + STORY + FOOTER, encoding="utf-8")
    config = project_config(tmp_path, f"project.script={path}", "project.normalize=false", project="audiobook")
    words = plan.make_plan(config, build.make_engine(config), build.make_store(config), [REPO / "conf"]).words
    skipped = count_words(HEADER) + count_words(FOOTER)
    assert dict(words.skipped) == {SKIPPED: skipped}
    assert words.total == sum(count_words(line.text) for line in parse_script(STORY).lines) + skipped
    assert f"({SKIPPED} {skipped:,})" in words.line()


_paragraph = st.lists(st.text("abcdefgXYZ019.,;'\"!?-*_ ", min_size=1, max_size=30), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(st.lists(_paragraph, min_size=1, max_size=6))
def test_any_story_wrapped_in_pg_s_header_and_licence_reads_as_the_story_alone(paragraphs):
    story = "\n\n".join("\n".join(lines) for lines in paragraphs) + "\n"
    try:
        alone = parse_script(story, "prose")
    except BarkflowError:  # nothing to say in it (punctuation only): nothing to compare
        return
    wrapped = parse_script(HEADER + story + FOOTER, "prose")
    assert spoken(wrapped) == spoken(alone)
    assert [line.source_line for line in wrapped.lines] == [line.source_line + header_lines(HEADER)
                                                            for line in alone.lines]
    assert wrapped.skipped == ((SKIPPED, count_words(HEADER) + count_words(FOOTER)),)
