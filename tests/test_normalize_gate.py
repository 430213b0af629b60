"""The normaliser's digit gate: rules that need a digit are skipped for a text without one, and
that never changes what is said (every back end language, any text)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barkflow.text.chunks import chunks_of, replace_in
from barkflow.text.normalize import evaluation
from barkflow.text.normalize.rules import RulesNormaliser, _or_as_written, needed_characters, needs_digit


@pytest.mark.parametrize("pattern, needs", [
    (r"\d+", True), (r"(?<![\w.])(?P<n>\d{1,3})(?:,\d{3})*", True), (r"[0-9]", True), (r"(?:\d|x)", False),
    (r"\d?", False), (r"\d*", False), (r"(?<=\d)a", False), (r"[^0-9]", False), (r"Mr\.", False),
    (r"(?:1[0-2]|0?\d)h", True), (r"[0-9a]", False), (r"(?i:[IVX]+|\d+)e", False), ("\u00b2", False),
])
def test_needs_digit_reads_the_pattern_conservatively(pattern, needs):
    assert needs_digit(re.compile(pattern)) is needs


@pytest.mark.parametrize("pattern, flags, characters", [
    (r"(?<![\w.])Mr\.(?!\w)", 0, ["M", "r", "."]), (r"Mr\.", re.IGNORECASE, ["."]), (r"(?i:ab)c", 0, ["c"]),
    (r"a(?:b|bc)d", 0, ["a", "b", "d"]), (r"x?y*z+", 0, ["z"]), (r"(?=q)r", 0, ["r"]), (r"[ab]c", 0, ["ab", "c"]),
    (r"(?i)(?-i:K)k", 0, ["K"]), (r"(?P<r>[IVX]{2,6}|V|X)", 0, ["IVX"]), (r"[^a]b", 0, ["b"]), (r"\wb|c", 0, ["bc"]),
    (r"(?:x|\w)y", 0, ["y"]), (r"[a-z]", re.IGNORECASE, []),
])
def test_needed_characters_reads_the_pattern_conservatively(pattern, flags, characters):
    assert needed_characters(re.compile(pattern, flags)) == {frozenset(needed) for needed in characters}


def _ungated(normaliser: RulesNormaliser, text: str) -> str:
    chunks = chunks_of(text)
    for pattern, replace in normaliser.rules:
        chunks = replace_in(chunks, pattern, _or_as_written(replace))
    return "".join(t for t, _ in chunks)


_NORMALISERS = {language: RulesNormaliser(language) for language in evaluation.languages()}
_WORDS = st.sampled_from(["Mr.", "Dr.", "St.", "Henry", "VIII", "Chapter", "IV", "XIXe", "%", "$", "€", "km",
                          "the", "a.m.", "1st", "mr.", "MR.", "CHAPTER", "chapter", "No.", "e.g.", "²", "½", "٣", "-", "/", ".", ",", "'", "’", "bis", "zum"])


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(_NORMALISERS)), st.lists(st.one_of(_WORDS, st.text(max_size=4)), max_size=12))
def test_the_gate_never_changes_what_is_said(language, tokens):
    normaliser, text = _NORMALISERS[language], " ".join(tokens)
    assert "".join(t for t, _ in normaliser(chunks_of(text))) == _ungated(normaliser, text)
