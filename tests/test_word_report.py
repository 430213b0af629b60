"""The word report: every word of the book counted by its fate (spoken as written, normalised,
respelled, skipped), in the plan and the render's summary, adding up to the book's words."""

from __future__ import annotations

import epubs  # the EPUB builder beside this file
import pytest
from helpers import REPO, project_config
from hypothesis import example, given, settings
from hypothesis import strategies as st

from barkflow.planning import build, plan
from barkflow.text.fates import FOOTNOTES, FRONT_MATTER, MARKERS, count_words, segment_fates


def book_plan(tmp_path, *overrides):
    script = epubs.build_epub(tmp_path / "book.epub", 3)
    config = project_config(tmp_path, f"project.script={script}", *overrides, project="audiobook")
    config.project.format = "auto"
    return plan.make_plan(config, build.make_engine(config), build.make_store(config), [REPO / "conf"])


@pytest.mark.parametrize("memo", [False, True])
def test_each_word_of_the_book_has_its_fate_and_they_add_up(tmp_path, monkeypatch, memo):
    """From a cold plan, and from the split memo (which keeps each part's fates beside its spelling:
    a memo plan counts none again)."""
    overrides = ("project.normalize=true", "+project.lexicon={words: {harbour: HAR-bur}}")
    if memo:
        book_plan(tmp_path, *overrides)
        monkeypatch.setattr(plan, "segment_fates", lambda *a: pytest.fail("counted again"))
    the_plan = book_plan(tmp_path, *overrides)
    words = the_plan.words
    body = sum(count_words(p) for ps in epubs.BODY.values() for p in ps)
    assert words.respelled == 1  # "harbour"
    assert words.normalised == 1  # "4th" (fourth)
    assert words.as_written == body - 2
    skipped = dict(words.skipped)
    assert skipped[FOOTNOTES] == count_words(epubs.FOOTNOTE) + count_words(epubs.ENDNOTE)
    assert skipped[MARKERS] == 3  # 1, 2 and [3]
    # the title page's byline, the copyright page, the index, and the nav document's contents and landmarks
    nav = count_words("Title Page Copyright Chapter One A Nested Section Chapter Two Notes Index") \
        + count_words("Cover Title Page Copyright Start")
    assert skipped[FRONT_MATTER] == count_words("by Ann Author") + count_words("Copyright 1901. All rights reserved.") \
        + count_words("Harbour, entries 1 to 3.") + nav
    assert words.total == body + sum(skipped.values())
    line = words.line()
    assert line.startswith(f"words: {words.total:,} in the book: {body - 2:,} spoken as written, 1 normalised, "
                           f"1 respelled") and "footnotes 2" not in line and f"{FOOTNOTES} " in line


def test_without_normalisation_or_lexicon_every_read_word_is_as_written(tmp_path):
    words = book_plan(tmp_path, "project.normalize=false").words
    assert (words.normalised, words.respelled) == (0, 0)
    assert words.as_written == sum(count_words(p) for ps in epubs.BODY.values() for p in ps)


_word = st.text("abcXYZ19,.", min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(_word, max_size=30), st.lists(_word, max_size=30), st.lists(_word, max_size=30))
def test_a_segments_fates_always_add_up_to_its_words(book, respelled, spoken):
    written, normalised, by_lexicon = segment_fates(" ".join(book), " ".join(respelled), " ".join(spoken))
    assert min(written, normalised, by_lexicon) >= 0
    assert written + normalised + by_lexicon == count_words(" ".join(book))


@settings(max_examples=300, deadline=None)
@given(before=st.lists(st.sampled_from("abcde"), max_size=12), after=st.lists(st.sampled_from("abcxy"), max_size=12))
@example(before=list("aabcab"), after=list("aba"))  # trimming the common start cost difflib its longest block
def test_the_kept_words_are_an_alignment_at_least_as_long_as_difflibs(before, after):
    """The words a segment kept are an in-order alignment of the book's words with the spoken ones
    (the shortcut where the shared words agree, else difflib's), never shorter than difflib's own."""
    import difflib

    from barkflow.text.fates import _kept

    kept = sorted(_kept(before, after))
    remaining = iter(after)
    assert all(any(word == before[i] for word in remaining) for i in kept)  # a subsequence of `after`
    blocks = difflib.SequenceMatcher(None, before, after, autojunk=False).get_matching_blocks()
    assert len(kept) >= sum(block.size for block in blocks)
