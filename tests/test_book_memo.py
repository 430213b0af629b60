"""The book memo: a rerun takes the script a book file was read into from the cache, and whatever
the cache holds, the script is the book's."""

from __future__ import annotations

import logging

import epubs  # the EPUB builder beside this file
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow.planning import memo
from barkflow.store.cache import Store
from barkflow.text import book
from barkflow.text.book import BookOptions

OPTIONS = {"narrator": "narrator", "fountain_action": "narrate", "book": None, "encoding": "auto"}


def read(store, path, **options):
    return memo.read_script(store, path, "auto", **{**OPTIONS, **options})


@pytest.fixture
def counted(monkeypatch):
    """The EPUB reader, counting its calls and saying one warning per read."""
    calls = []
    real = book.load_book

    def load_book(path, *args, **kwargs):
        calls.append(path)
        logging.getLogger("barkflow.text.book").warning("%s: a warning of the reader", path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(book, "load_book", load_book)
    return calls


def test_a_rerun_takes_the_script_from_the_memo_and_says_the_warnings_again(tmp_path, counted, caplog):
    store, path = Store(tmp_path / "cache"), epubs.build_epub(tmp_path / "book.epub", 3)
    first = read(store, path)
    with caplog.at_level(logging.WARNING):
        again = read(store, path)
    assert again == first and len(counted) == 1
    assert "book.epub: a warning of the reader" in caplog.text
    moved = path.rename(tmp_path / "moved.epub")  # the same bytes elsewhere: the same script, named by its path
    assert read(store, moved) == type(first)(**{**first.__dict__, "source": str(moved)}) and len(counted) == 1


def test_other_bytes_or_options_read_the_book_again(tmp_path, counted):
    store, path = Store(tmp_path / "cache"), epubs.build_epub(tmp_path / "book.epub", 3)
    first = read(store, path)
    excluded = read(store, path, book=BookOptions(exclude=[first.chapter_titles[-1]]))
    assert len(counted) == 2 and len(excluded.lines) < len(first.lines)
    other = epubs.build_epub(tmp_path / "other.epub", 2)
    read(store, other)
    assert len(counted) == 3


def test_a_text_script_is_not_memoized(tmp_path, counted):
    store = Store(tmp_path / "cache")
    (tmp_path / "script.txt").write_text("ALICE: Hello.\n")
    assert read(store, tmp_path / "script.txt").lines[0].text == "Hello."
    assert not (tmp_path / "cache" / "book-memo").exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(st.binary(max_size=300), st.builds(
    lambda script, warnings: __import__("json").dumps({"script": script, "warnings": warnings}).encode(),
    st.recursive(st.none() | st.integers() | st.text(max_size=5), lambda c: st.lists(c, max_size=4), max_leaves=10),
    st.lists(st.lists(st.integers(0, 50) | st.text(max_size=5), max_size=3), max_size=2),
)))
def test_whatever_an_entry_holds_the_script_is_the_books(tmp_path_factory, payload):
    """An entry with a valid checksum (anyone can write one) holding anything but a well-formed script
    is read again from the book, with a warning; never a traceback, never another text."""
    tmp = tmp_path_factory.mktemp("forged")
    store, path = Store(tmp / "cache"), epubs.build_epub(tmp / "book.epub", 3)
    truth = read(store, path)
    [entry] = (tmp / "cache" / "book-memo").glob("*/*.npz")
    store.save("book-memo", entry.stem, {"script": np.frombuffer(payload, dtype=np.uint8)})
    assert read(store, path) == truth


def test_an_entry_whose_lines_are_not_a_scripts_is_read_again(tmp_path, counted):
    """Well-typed lines that no reader makes (a chapter past the titles, lines out of order) would
    fail later, in the plan: the entry is refused and the book read again."""
    import json

    store, path = Store(tmp_path / "cache"), epubs.build_epub(tmp_path / "book.epub", 3)
    truth = read(store, path)
    [entry] = (tmp_path / "cache" / "book-memo").glob("*/*.npz")
    data = json.loads(store.load("book-memo", entry.stem)["script"].tobytes())
    for change in (lambda lines: lines[0].__setitem__(3, 99), lambda lines: lines.reverse()):
        forged = json.loads(json.dumps(data))
        change(forged["script"]["lines"])
        store.save("book-memo", entry.stem, {"script": np.frombuffer(json.dumps(forged).encode(), dtype=np.uint8)})
        assert read(store, path) == truth
    assert len(counted) == 3


def test_a_damaged_entry_is_read_again(tmp_path, counted, caplog):
    store, path = Store(tmp_path / "cache"), epubs.build_epub(tmp_path / "book.epub", 3)
    first = read(store, path)
    [entry] = (tmp_path / "cache" / "book-memo").glob("*/*.npz")
    entry.write_bytes(entry.read_bytes()[:-100])
    with caplog.at_level(logging.WARNING):
        assert read(store, path) == first
    assert len(counted) == 2 and "book-memo" in caplog.text
    read(store, path)
    assert len(counted) == 2  # written again, whole
