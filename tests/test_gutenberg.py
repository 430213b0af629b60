"""Project Gutenberg books: the header before the START marker and the licence after the END marker
are not read, and their words are counted in the word report, for plain text and for EPUB/HTML. The
files here are tiny made-up ones in PG's shape."""

from __future__ import annotations

from html import escape
from pathlib import Path

import epubs  # the EPUB builder beside this file
import pytest
from helpers import REPO, project_config
from hypothesis import given, settings
from hypothesis import strategies as st

from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.text.book import load_book
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
    first, end = story_bounds(lines, whole_lines=True)
    assert (first, end) == (4, len(lines))
    # with no credit the story starts right after the marker; a credit further on is the story's
    lines = [lines[0], "", *lines[5:]]
    assert story_bounds(lines, whole_lines=True) == (1, len(lines))
    # a story opening with the words a credit does is no credit: a sentence goes on in small letters
    for opening in ("Produced by a storm, the waves rose high.", "Produced by the mill, the flour was fine."):
        assert story_bounds([lines[0], "", opening], whole_lines=True) == (1, 3)
    assert story_bounds([lines[0], "", "Produced by the Online Distributed Proofreading Team", "", "Chapter I"],
                        whole_lines=True) == (3, 5)


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


# --- EPUB and HTML ---

BOOK_STORY = [
    "<h1>Chapter I</h1><p>The keeper lit the lamp at dusk.</p><p>“Who is there?” he called.</p>",
    "<h1>Chapter II</h1><p>Nobody answered; only the sea.</p><p>THE END</p>",
]
# PG's EPUBs since 2023: the header and licence in marked sections, the markers in divs of their own
PG_HEADER = ('<section class="pg-boilerplate pgheader" id="pg-header"><h2>The Project Gutenberg eBook of The Lamp</h2>'
             "<p>This ebook is for the use of anyone anywhere in the United States and most other parts of the world "
             "at no cost and with almost no restrictions whatsoever.</p><p>Title: The Lamp</p><p>Author: Ann Author</p>"
             '<div id="pg-start-separator"><span>*** START OF THE PROJECT GUTENBERG EBOOK THE LAMP ***</span></div>'
             "</section>")
PG_FOOTER = ('<section class="pg-boilerplate pgheader" id="pg-footer"><div id="pg-end-separator">'
             "<span>*** END OF THE PROJECT GUTENBERG EBOOK THE LAMP ***</span></div>"
             "<h2>THE FULL PROJECT GUTENBERG LICENSE</h2><p>To protect the Project Gutenberg mission of promoting "
             "the free distribution of electronic works, you agree to comply with all the terms.</p></section>")
# older EPUBs and PG's HTML files: the header and licence as <pre> blocks, the markers in them
PRE_HEADER = ("<pre>The Project Gutenberg EBook of The Lamp, by Ann Author\n\nThis eBook is for the use of anyone "
              "anywhere at no cost.\n\nTitle: The Lamp\n\n*** START OF THIS PROJECT GUTENBERG EBOOK THE LAMP ***\n"
              "</pre><p>Produced by A. Volunteer</p>")
PRE_FOOTER = ("<pre>End of the Project Gutenberg EBook of The Lamp, by Ann Author\n\n*** END OF THIS PROJECT "
              "GUTENBERG EBOOK THE LAMP ***\n\n***** This file should be named 99999-h.htm *****\n</pre>"
              "<p>Section 1. General Terms of Use and Redistributing Project Gutenberg-tm electronic works</p>")
# (headings are titles, not paragraphs: neither read nor counted, and a chapter with no paragraph is dropped)
HEADER_WORDS = {PG_HEADER: count_words("This ebook is for the use of anyone "
                                       "anywhere in the United States and most other parts of the world at no cost "
                                       "and with almost no restrictions whatsoever. Title: The Lamp Author: Ann Author "
                                       "START OF THE PROJECT GUTENBERG EBOOK THE LAMP"),
                PRE_HEADER: count_words("The Project Gutenberg EBook of The Lamp, by Ann Author This eBook is for the "
                                        "use of anyone anywhere at no cost. Title: The Lamp START OF THIS PROJECT "
                                        "GUTENBERG EBOOK THE LAMP Produced by A. Volunteer")}
FOOTER_WORDS = {PG_FOOTER: count_words("END OF THE PROJECT GUTENBERG EBOOK THE LAMP To protect the Project Gutenberg "
                                       "mission of promoting the free distribution of electronic works, you agree to "
                                       "comply with all the terms."),
                PRE_FOOTER: count_words("End of the Project Gutenberg EBook of The Lamp, by Ann Author END OF THIS "
                                        "PROJECT GUTENBERG EBOOK THE LAMP This file should be named 99999-h.htm "
                                        "Section 1. General Terms of Use and Redistributing Project Gutenberg-tm "
                                        "electronic works")}
HEADER_PARAGRAPHS = {PG_HEADER: 4, PRE_HEADER: 2}


def read_epub(tmp_path: Path, name: str, chapters: list[str]) -> Script:
    return load_book(epubs.raw_epub(tmp_path / name, [epubs.xhtml(body) for body in chapters]), "epub")


def read_html(tmp_path: Path, name: str, chapters: list[str]) -> Script:
    page = tmp_path / name
    page.write_text(f"<!DOCTYPE html><html><head><title>The Lamp</title></head><body>{''.join(chapters)}</body></html>",
                    encoding="utf-8")
    return load_book(page, "html")


@pytest.mark.parametrize("read", [read_epub, read_html], ids=["epub", "html"])
@pytest.mark.parametrize("header, footer", [(PG_HEADER, PG_FOOTER), (PRE_HEADER, PRE_FOOTER)], ids=["sections", "pre"])
def test_the_header_and_licence_of_a_book_are_skipped_and_counted(tmp_path, read, header, footer):
    wrapped = [header + BOOK_STORY[0], *BOOK_STORY[1:-1], BOOK_STORY[-1] + footer]
    script, alone = read(tmp_path, "pg", wrapped), read(tmp_path, "story", BOOK_STORY)
    assert spoken(script) == spoken(alone)
    assert script.chapter_titles == alone.chapter_titles == ("Chapter I", "Chapter II")
    # source_line counts every paragraph of the book, the header's too (the book reader's contract)
    assert [line.source_line for line in script.lines] == [line.source_line + HEADER_PARAGRAPHS[header]
                                                           for line in alone.lines]
    assert dict(script.skipped) == {**dict(alone.skipped), SKIPPED: HEADER_WORDS[header] + FOOTER_WORDS[footer]}


def test_pg_boilerplate_elements_are_skipped_without_markers_and_a_book_without_either_is_untouched(tmp_path):
    boiler = '<div class="pg-boilerplate"><p>Project Gutenberg licence lines.</p></div>'
    script = read_epub(tmp_path, "marked", [BOOK_STORY[0] + boiler, BOOK_STORY[1]])
    assert spoken(script) == spoken(read_epub(tmp_path, "plain", BOOK_STORY))
    assert dict(script.skipped)[SKIPPED] == count_words("Project Gutenberg licence lines.")
    mention = ("<h1>Chapter I</h1><p>She read it in a Project Gutenberg EBook; its *** START OF THE PROJECT "
               "GUTENBERG EBOOK DRACULA *** line she skipped.</p><p>End of the chapter, and of Project Gutenberg "
               "for her.</p><p>She said *** END OF THE PROJECT GUTENBERG EBOOK *** twice.</p>")
    script = read_epub(tmp_path, "mention", [mention])
    assert SKIPPED not in dict(script.skipped)
    assert len(script.lines) == 3


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text("abcdefgXYZ019.,;'\"!?-*<>& ", min_size=1, max_size=40), min_size=1, max_size=5),
       st.sampled_from([(PG_HEADER, PG_FOOTER), (PRE_HEADER, PRE_FOOTER)]))
def test_any_book_wrapped_in_pg_s_header_and_licence_reads_as_the_book_alone(tmp_path_factory, paragraphs, boilerplate):
    header, footer = boilerplate
    story = "<h1>One</h1>" + "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    folder = tmp_path_factory.mktemp("book")
    try:
        alone = read_html(folder, "alone.html", [story])
    except BarkflowError:  # nothing to say in it: nothing to compare
        return
    wrapped = read_html(folder, "wrapped.html", [header, story, footer])
    assert spoken(wrapped) == spoken(alone)
    assert [line.source_line for line in wrapped.lines] == [line.source_line + HEADER_PARAGRAPHS[header]
                                                            for line in alone.lines]
    assert dict(wrapped.skipped) == {**dict(alone.skipped), SKIPPED: HEADER_WORDS[header] + FOOTER_WORDS[footer]}
