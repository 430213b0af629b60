"""Books in: EPUB 2 (NCX) and EPUB 3 (nav) and HTML read into chapters and paragraphs, front matter
skipped, footnotes dropped, every word of the body text in the segments; DRM and malformed books
as one-line errors; the book's metadata and cover in the m4b and mp3s."""

from __future__ import annotations

import re
import shutil
import zipfile
from html import escape
from pathlib import Path

import epubs  # the EPUB builder beside this file
import pytest
from helpers import REPO, project_config, render
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.text import markup
from barkflow.text.book import BookOptions, load_book
from barkflow.text.decoding import has_words
from barkflow.text.formats import load_script


def words(text: str) -> list[str]:
    return text.split()


@pytest.fixture(params=[3, 2], ids=["epub3-nav", "epub2-ncx"])
def book(request, tmp_path) -> Path:
    return epubs.build_epub(tmp_path / f"book{request.param}.epub", request.param)


def book_plan(tmp_path: Path, script: Path, *overrides: str):
    config = project_config(tmp_path, f"project.script={script}", *overrides, project="audiobook")
    config.project.format = "auto"  # the audiobook project says prose; the extension decides here
    engine, store = build.make_engine(config), build.make_store(config)
    return plan.make_plan(config, engine, store, [REPO / "conf"])


def test_every_word_of_the_body_arrives_in_the_segments_in_chapters(book, tmp_path):
    the_plan = book_plan(tmp_path, book)
    segments = the_plan.segments()
    assert list(the_plan.script.chapter_titles) == list(epubs.BODY)
    by_chapter: dict[str, list[str]] = {}
    for unit in segments:
        by_chapter.setdefault(the_plan.script.chapter_titles[unit.line.chapter], []).extend(words(unit.shown))
    assert by_chapter == {title: words(" ".join(paragraphs)) for title, paragraphs in epubs.BODY.items()}
    spoken = " ".join(unit.text for unit in segments)
    for left_out in (*epubs.FRONT_MATTER_WORDS, "footnote", "endnote", "picture", epubs.TITLE):
        assert left_out not in spoken
    # paragraphs stay paragraphs (pauses), and segment ids are unique
    assert [line.text for line in the_plan.script.lines] == [p for ps in epubs.BODY.values() for p in ps]
    assert len({unit.segment_id for unit in segments}) == len(segments)


def test_plan_lists_the_chapters_with_their_segment_counts(book, tmp_path):
    the_plan = book_plan(tmp_path, book)
    rows = plan.chapter_table(the_plan)
    assert [(row["chapter"], row["title"]) for row in rows] == [(1, "Chapter One"), (2, "A Nested Section"), (3, "Chapter Two")]
    assert [row["segments"] for row in rows] == [
        sum(u.chapter_number == row["chapter"] for u in the_plan.segments()) for row in rows]
    assert all(row["segments"] >= 1 for row in rows)


def test_the_book_metadata_and_cover_are_read(book):
    tags = load_book(book, "epub").metadata
    assert (tags.title, tags.author, tags.language, tags.publisher, tags.date) == (
        epubs.TITLE, epubs.AUTHOR, "en", epubs.PUBLISHER, epubs.DATE)
    assert (tags.cover, tags.cover_type) == (epubs.COVER, "image/png")


def test_include_exclude_and_footnotes_choose_what_is_read(book):
    default = load_book(book, "epub")
    chosen = load_book(book, "epub", options=BookOptions(include=["COPYRIGHT"], exclude=["ch2.xhtml"], footnotes=True))
    text = " ".join(line.text for line in chosen.lines)
    assert "All rights reserved." in text and epubs.FOOTNOTE in text
    assert epubs.BODY["Chapter Two"][0] not in text and epubs.ENDNOTE in text
    assert "Title Page" not in chosen.chapter_titles
    # a paragraph keeps its number (its segment id, project.lines.N) whatever else is read
    numbers = {line.text: line.source_line for line in default.lines}
    assert all(numbers[line.text] == line.source_line for line in chosen.lines if line.text in numbers)
    assert load_book(book, "epub", options=BookOptions(include=["titlepage"])).chapter_titles[0] == "Title Page"


def test_an_include_that_names_no_part_is_a_one_line_error(book):
    with pytest.raises(BarkflowError) as error:
        load_book(book, "epub", options=BookOptions(include=["Apendix"]))
    message = str(error.value)
    assert "\n" not in message and "project.book.include" in message and "'Apendix'" in message
    assert "Chapter Two (ch2.xhtml)" in message  # the parts to choose from


@pytest.mark.parametrize("damage, expected", [
    (lambda p: epubs.add_file(p, "META-INF/encryption.xml", epubs.encryption_xml("EPUB/ch1.xhtml")),
     "DRM-protected .*encrypts EPUB/ch1.xhtml"),
    (lambda p: epubs.add_file(p, "META-INF/rights.xml", "<rights/>"), r"DRM-protected \(META-INF/rights.xml\)"),
    (lambda p: p.write_bytes(b"not a zip at all"), "not a zip archive"),
    (lambda p: epubs.remove_file(p, "META-INF/container.xml"), "META-INF/container.xml is missing"),
    (lambda p: epubs.remove_file(p, "EPUB/content.opf"), "package file EPUB/content.opf is missing"),
])
def test_drm_and_malformed_books_are_one_line_errors(tmp_path, damage, expected):
    path = epubs.build_epub(tmp_path / "book.epub")
    damage(path)
    with pytest.raises(BarkflowError) as error:
        load_script(path)
    message = str(error.value)
    assert "\n" not in message and re.search(expected, message) and str(path) in message


def test_a_file_that_unpacks_past_the_bound_is_a_one_line_error(tmp_path, monkeypatch):
    path = epubs.build_epub(tmp_path / "book.epub")
    monkeypatch.setattr(markup, "MAX_MEMBER_BYTES", 200)  # a zip bomb's file, scaled down
    with pytest.raises(BarkflowError, match=r"unpacks to .* MiB, over the .* a book.s file may hold") as error:
        load_script(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_obfuscated_fonts_are_not_drm(tmp_path):
    path = epubs.build_epub(tmp_path / "book.epub")
    epubs.add_file(path, "EPUB/font.otf", "font")
    epubs.add_file(path, "META-INF/encryption.xml",
                   epubs.encryption_xml("EPUB/font.otf", "http://www.idpf.org/2008/embedding"))
    assert load_script(path).chapter_titles == tuple(epubs.BODY)


def test_html_chapters_come_from_headings_and_markers_are_dropped(tmp_path):
    page = tmp_path / "story.html"
    page.write_text(
        '<!DOCTYPE html><html lang="de"><head><title>Story</title><meta name="author" content="Bo"></head><body>'
        "<h1>Story</h1><h2>First</h2><p>One paragraph<a href=\"#fn1\" class=\"footnote-ref\" role=\"doc-noteref\">"
        "<sup>1</sup></a> here.</p><p>Two<br>lines.</p><script>var x = 1;</script>"
        "<h2>Second</h2><div>Loose text in a div.<p>Nested.</p></div>"
        '<section class="footnotes" role="doc-endnotes"><ol><li id="fn1"><p>Note text.'
        '<a href="#fnref1" class="footnote-back" role="doc-backlink">↩</a></p></li></ol></section>'
        "</body></html>", encoding="utf-8")
    script = load_script(page)
    assert script.chapter_titles == ("First", "Second")
    assert [line.text for line in script.lines] == ["One paragraph here.", "Two lines.", "Loose text in a div.", "Nested."]
    assert (script.metadata.author, script.metadata.language) == ("Bo", "de")
    with_notes = load_book(page, "html", options=BookOptions(footnotes=True))
    assert with_notes.lines[-1].text == "Note text."


def test_the_book_example_renders_with_cover_chapters_and_tags(tmp_path):
    """examples/book end to end with the tiny model: the m4b carries the cover and the chapter
    titles, every chapter mp3 its cover (APIC) and tags; the project's read_by is the narrator credit."""
    epub = tmp_path / "fables.epub"
    shutil.copy(REPO / "examples/book/fables.epub", epub)
    config = project_config(tmp_path, f"project.script={epub}", project="book")
    render(config)
    out = tmp_path / "out"
    m4b = MP4(str(out / "book.m4b"))
    assert m4b["©nam"] == ["Three Fables"] and m4b["©ART"] == ["Aesop"] and m4b["©wrt"] == ["barkflow tiny model"]
    with zipfile.ZipFile(epub) as archive:
        cover = archive.read("EPUB/cover.png")
    assert bytes(m4b["covr"][0]) == cover
    assert [chapter.title for chapter in m4b.chapters] == [
        "The Fox and the Grapes", "The North Wind and the Sun", "The Tortoise and the Hare"]
    mp3s = sorted((out / "book-chapters").glob("*.mp3"))
    assert len(mp3s) == 3
    for number, path in enumerate(mp3s, start=1):
        tags = ID3(str(path))
        assert tags.getall("APIC")[0].data == cover and tags.getall("APIC")[0].mime == "image/png"
        assert str(tags["TRCK"]) == str(number) and str(tags["TALB"]) == "Three Fables"
        assert str(tags["TCOM"]) == "barkflow tiny model" and str(tags["TLAN"]) == "eng"


def test_project_keys_win_over_the_book_and_a_bad_cover_is_one_line(tmp_path):
    epub = epubs.build_epub(tmp_path / "book.epub")
    cover = tmp_path / "mine.png"
    cover.write_bytes(epubs.png(3, 3))
    the_plan = book_plan(tmp_path, epub, "project.title=Mine", f"project.cover={cover}", "project.read_by=Reader")
    tags = the_plan.tags
    assert (tags.title, tags.author, tags.read_by, tags.cover) == ("Mine", "barkflow examples", "Reader", cover.read_bytes())
    assert the_plan.script.metadata.title != "Mine"  # the book's own tags stay as the book says
    the_plan = book_plan(tmp_path, epub, "project.title=Mine", "export.title=Export", "project.author=Me")
    assert (the_plan.tags.title, the_plan.tags.author) == ("Export", "Me")  # export.* first, then project.*
    cover.write_text("not an image")
    with pytest.raises(BarkflowError, match=r"^project.cover=.*not a JPEG or PNG image; convert it[^\n]*$"):
        book_plan(tmp_path, epub, f"project.cover={cover}")


PLAIN_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄéß0123456789.,;!?'", min_size=1, max_size=8)
INLINE = ("{}", "<em>{}</em>", "<b>{}</b>", "<span class='x'>{}</span>", "<a href='#x'>{}</a>")


@pytest.mark.parametrize("head", ["", '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=latin-1">'])
def test_an_html_page_is_read_in_its_declared_charset_else_utf8(tmp_path, head):
    """Left to guess, BeautifulSoup read a short UTF-8 page without a charset ("bbbÄ") as another encoding."""
    page = tmp_path / "page.html"
    encoding = "latin-1" if "latin-1" in head else "utf-8"
    page.write_bytes(f"<html><head>{head}</head><body><h1>T</h1><p>bbbÄ</p></body></html>".encode(encoding))
    assert [line.text for line in load_script(page).lines] == ["bbbÄ"]


@settings(max_examples=40, deadline=None)
@given(paragraphs=st.lists(st.lists(st.tuples(PLAIN_WORD, st.sampled_from(INLINE)), min_size=1, max_size=6),
                           min_size=1, max_size=6),
       markers=st.lists(st.booleans(), min_size=6, max_size=6))
def test_html_words_in_are_words_out_whatever_the_inline_markup(tmp_path_factory, paragraphs, markers):
    """Every word of every paragraph arrives, once and in order, whatever inline markup wraps it;
    footnote markers never do; paragraph numbers rise one by one (a paragraph of punctuation alone
    is never spoken, but keeps its number)."""
    body = "".join(
        "<p>" + " ".join(markup.format(escape(word)) for word, markup in paragraph)
        + ('<sup><a href="#n">7</a></sup>' if marker else "") + "</p>"
        for paragraph, marker in zip(paragraphs, markers)
    )
    page = tmp_path_factory.mktemp("html") / "page.html"
    page.write_text(f"<html><body><h1>T</h1>{body}</body></html>", encoding="utf-8")
    spoken = [number for number, p in enumerate(paragraphs, start=1) if has_words(" ".join(word for word, _ in p))]
    if not spoken:  # nothing to say at all: a one-line error, not an empty book
        with pytest.raises(BarkflowError, match="no text to read"):
            load_script(page)
        return
    script = load_script(page)
    assert [line.text.split() for line in script.lines] == [[word for word, _ in paragraphs[n - 1]] for n in spoken]
    assert [line.source_line for line in script.lines] == spoken


def test_a_plain_script_has_no_book_metadata_and_its_outputs_take_the_project_tags(tmp_path):
    the_plan = book_plan(tmp_path, REPO / "examples/audiobook/book.md", "project.title=T")
    assert the_plan.script.metadata is None
    assert (the_plan.tags.title, the_plan.tags.cover) == ("T", b"")


def test_plan_mode_prints_a_line_per_chapter(tmp_path):
    import io

    from rich.console import Console

    from barkflow.cli import _print_plan

    the_plan = book_plan(tmp_path, epubs.build_epub(tmp_path / "book.epub"))
    piped = io.StringIO()
    _print_plan(plan.plan_table(the_plan, build.make_store(the_plan_config(tmp_path))), Console(file=piped),
                plan.chapter_table(the_plan))
    counts = [row["segments"] for row in plan.chapter_table(the_plan)]
    assert f"chapter 2: A Nested Section: {counts[1]} segments" in piped.getvalue()


def the_plan_config(tmp_path: Path):
    return project_config(tmp_path, project="audiobook")


# ----------------------------------------------------------------------------------------------
# hostile and odd books: every one gives its words or a one-line error, in bounded time and memory

SUBSET = '<!DOCTYPE html [ <!ENTITY foo "bar"> ]>'


def one_line_error(call) -> str:
    with pytest.raises(BarkflowError) as error:
        call()
    assert "\n" not in str(error.value)
    return str(error.value)


def test_an_internal_dtd_subset_keeps_the_chapter_and_resolves_only_internal_entities(tmp_path):
    """Some converters write an internal DTD subset: lxml's XML parser (with BeautifulSoup's doctype
    hook) returned an empty document and the chapter vanished; the HTML parser read "]>" aloud."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRETWORD")
    doctype = f'<!DOCTYPE html [ <!ENTITY foo "bar"> <!ENTITY leak SYSTEM "file://{secret}"> ]>'
    body = "<h1>One</h1><p>Before &foo; after.</p><p>Leak &leak; here.</p>"
    epub = epubs.raw_epub(tmp_path / "book.epub", [epubs.xhtml(body, doctype), epubs.xhtml("<h1>Two</h1><p>Plain.</p>")])
    page = tmp_path / "page.html"
    page.write_bytes(epubs.xhtml(body, doctype))
    for script in (load_script(epub), load_script(page)):
        assert script.lines[0].text == "Before bar after."  # an internal entity: expanded
        assert "SECRETWORD" not in " ".join(line.text for line in script.lines)  # an external one: never


def test_billion_laughs_is_bounded(tmp_path):
    """libxml2 stops expanding past its amplification bound (the rest of that file is lost, bounded)."""
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    epub = epubs.raw_epub(tmp_path / "book.epub", [epubs.xhtml("<h1>T</h1><p>&a9;</p><p>Real words.</p>",
                                                               f"<!DOCTYPE html [ {entities} ]>")])
    try:
        text = " ".join(line.text for line in load_script(epub).lines)
    except BarkflowError as error:
        assert "\n" not in str(error)
    else:
        assert len(text) < 1_000_000


def test_a_document_that_reads_no_words_while_its_bytes_hold_text_warns_with_counts(tmp_path, caplog, monkeypatch):
    from bs4 import BeautifulSoup

    parse = markup.parse
    monkeypatch.setattr(markup, "parse", lambda data, xml, source, *rest: BeautifulSoup("", "lxml-xml")
                        if source.endswith("c0.xhtml") else parse(data, xml, source))  # a parser that loses it all
    epub = epubs.raw_epub(tmp_path / "book.epub", [epubs.xhtml("<h1>T</h1><p>Three little words.</p><script>x = 1</script>")])
    with caplog.at_level("WARNING", logger="barkflow.text.markup"):
        with pytest.raises(BarkflowError):
            load_script(epub)
    warning = " ".join(record.getMessage() for record in caplog.records)
    assert "OEBPS/c0.xhtml" in warning and "0 of the 5 words" in warning  # t, T, Three little words.


def test_a_heading_inside_a_chapter_is_read_as_a_paragraph(tmp_path):
    """h3-h6 within a chapter ('Letter from Mina to Lucy', a journal's dated head) were neither
    read, nor chapter titles, nor counted."""
    body = ("<h1>Chapter One</h1><p>Intro words.</p><h3>Letter from Mina to Lucy</h3>"
            "<p>Dear Lucy, hello.</p><h4>9 May.</h4><p>End.</p>")
    script = load_script(epubs.raw_epub(tmp_path / "book.epub", [epubs.xhtml(body)]))
    assert [line.text for line in script.lines] == [
        "Intro words.", "Letter from Mina to Lucy", "Dear Lucy, hello.", "9 May.", "End."]
    assert script.chapter_titles == ("Chapter One",)


def test_a_drop_cap_image_keeps_its_letter(tmp_path):
    body = '<h1>One</h1><p><img alt="T" src="t.png"/>he night was dark.</p><p><img alt="A map" src="m.png"/>Later.</p>'
    script = load_script(epubs.raw_epub(tmp_path / "book.epub", [epubs.xhtml(body)]))
    assert [line.text for line in script.lines] == ["The night was dark.", "Later."]


@pytest.mark.parametrize("body, read", [
    ("<p>One<br>two<br>three words.</p><p>Second para.</p>", ["One two three words.", "Second para."]),
    ('<p><img src="x.png">After image words.</p><p>Next para.</p>', ["After image words.", "Next para."]),
    ("<p>Caf&eacute; au lait.</p><p>Next&nbsp;para&mdash;words.</p>", ["Café au lait.", "Next para—words."]),
    ("<p>If a < b then c.</p><p>Next para words.</p>", ["If a < b then c.", "Next para words."]),
])
def test_xhtml_a_strict_parser_stops_at_is_read_whole(tmp_path, body, read):
    """An unclosed <br>, a bare '<', an HTML entity no DTD declares: recovering, lxml's XML parser
    dropped the rest of the file (or the entity) without a word; such a file is read as HTML."""
    path = epubs.raw_epub(tmp_path / "book.epub", [epubs.xhtml("<h1>One</h1>" + body)])
    assert [" ".join(line.text.split()) for line in load_script(path).lines] == read


@pytest.mark.parametrize("kind", ["epub", "html"])
def test_5000_levels_of_nesting_are_read_without_recursion(tmp_path, kind):
    depth = 5000
    body = "<h1>Deep</h1>" + "<div>" * depth + "<p>At the bottom.</p>" + "<span>x</span>" * 3 + "</div>" * depth + "<p>Back up.</p>"
    if kind == "epub":
        path = epubs.raw_epub(tmp_path / "deep.epub", [epubs.xhtml(body)])
    else:
        path = tmp_path / "deep.html"
        path.write_text(f"<html><body>{body}</body></html>")
    script = load_script(path)
    assert [line.text for line in script.lines] == ["At the bottom.", "xxx", "Back up."]
    assert script.chapter_titles == ("Deep",)


def test_a_book_whose_files_unpack_past_the_book_bound_fails_before_inflating(tmp_path, monkeypatch):
    """40 members of 60 MiB each passed the per-file bound and cost 5 GB: the book as a whole is
    bounded too, from the declared sizes, before anything is inflated."""
    chapters = [epubs.xhtml("<h1>T</h1><p>" + "word " * 2000 + "</p>") for _ in range(5)]
    path = epubs.raw_epub(tmp_path / "bomb.epub", chapters)
    monkeypatch.setattr(markup, "MAX_BOOK_BYTES", 30_000)
    inflated, open_member = [], zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        inflated.append(getattr(name, "filename", name))
        return open_member(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    message = one_line_error(lambda: load_script(path))
    assert str(path) in message and "unpack to" in message and "zip bomb" in message
    assert not any(name.endswith(".xhtml") for name in inflated)


def test_a_member_that_inflates_past_its_declared_size_is_a_one_line_error(tmp_path):
    path = epubs.raw_epub(tmp_path / "liar.epub", [epubs.xhtml("<h1>T</h1><p>" + "word " * 5000 + "</p>")])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("OEBPS/c0.xhtml")
    # its central directory entry (46 bytes before the name) declares 100 bytes uncompressed: a lie
    entry = data.find(b"OEBPS/c0.xhtml", data.find(b"PK\x01\x02")) - 46
    assert data[entry:entry + 4] == b"PK\x01\x02"
    data[entry + 24:entry + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert info.file_size > 100
    message = one_line_error(lambda: load_script(path))
    assert str(path) in message and "c0.xhtml" in message


@pytest.mark.parametrize("kind", ["epub", "html"])
@pytest.mark.parametrize("fmt", ["dialogue", "prose", "fountain"])
def test_a_book_given_with_a_text_format_says_to_set_the_format(tmp_path, kind, fmt):
    if kind == "epub":
        path = epubs.build_epub(tmp_path / "book.epub")
    else:
        path = tmp_path / "book.html"
        path.write_text("<!DOCTYPE html>\n<html><body><h1>T</h1><p>Words.</p></body></html>")
    message = one_line_error(lambda: load_script(path, fmt))
    assert str(path) in message and "project.format=auto" in message and f"project.format={kind}" in message
    renamed = path.rename(tmp_path / "book.txt")  # auto reads it by its content whatever its name
    assert load_script(renamed).lines


@pytest.mark.parametrize("kind", ["epub", "html"])
def test_a_book_past_the_markup_bound_is_a_one_line_error(tmp_path, monkeypatch, kind):
    """Markup bounds memory more than bytes do (BeautifulSoup spends over a kilobyte an element)."""
    body = "<h1>T</h1>" + "<p>a</p>" * 100
    if kind == "epub":
        path = epubs.raw_epub(tmp_path / "tags.epub", [epubs.xhtml(body)] * 3)
    else:
        path = tmp_path / "tags.html"
        path.write_bytes(epubs.xhtml(body) * 3)
    monkeypatch.setattr(markup, "MAX_BOOK_TAGS", 250)  # one file fits, the three of them do not
    message = one_line_error(lambda: load_script(path))
    assert str(path) in message and "250 tags" in message


def words_or_one_line_error(path: Path, fmt: str = "auto") -> list[str]:
    """The book's words, or [] after a one-line BarkflowError: never another exception, never slow."""
    import time

    start = time.monotonic()
    try:
        script = load_script(path, fmt)
        if fmt in ("epub", "html") or fmt == "auto" and path.suffix in (".epub", ".html"):
            assert all(script.chapter_titles), script.chapter_titles  # every chapter marker has a title
        return [word for line in script.lines for word in line.text.split()]
    except BarkflowError as error:
        assert "\n" not in str(error) and str(path) in str(error)
        return []
    finally:
        assert time.monotonic() - start < 10


@pytest.fixture(scope="module")
def small_books(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("small")
    epub = epubs.raw_epub(folder / "small.epub", [
        epubs.xhtml("<h1>One</h1><p>First <em>words</em>.</p>", SUBSET),
        epubs.xhtml('<h2 id="x">Two</h2><div><p>Second<sup>1</sup> words.</p></div>')])
    return {"epub": epub.read_bytes(), "html": epubs.xhtml("<h1>One</h1><p>First &amp; <b>words</b>.</p>", SUBSET)}


MUTATION = st.tuples(st.integers(min_value=0), st.sampled_from(["flip", "drop", "insert"]), st.binary(min_size=1, max_size=8))


def mutate(data: bytes, mutations) -> bytes:
    for position, kind, chunk in mutations:
        position %= len(data) + 1
        if kind == "flip":
            data = data[:position] + chunk + data[position + len(chunk):]
        elif kind == "drop":
            data = data[:position] + data[position + len(chunk):]
        else:
            data = data[:position] + chunk + data[position:]
    return data


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["epub", "html"]), mutations=st.lists(MUTATION, min_size=1, max_size=6))
def test_a_mutated_book_gives_words_or_a_one_line_error(tmp_path_factory, small_books, kind, mutations):
    path = tmp_path_factory.mktemp("mutated") / f"book.{kind}"
    path.write_bytes(mutate(small_books[kind], mutations))
    words_or_one_line_error(path)


@settings(max_examples=60, deadline=None)
@given(member=st.integers(min_value=0), mutations=st.lists(MUTATION, min_size=1, max_size=6))
def test_an_epub_with_a_mutated_file_gives_words_or_a_one_line_error(tmp_path_factory, small_books, member, mutations):
    """Mutations inside a file (its CRC made right again), so they reach the XML parsers."""
    import io

    folder = tmp_path_factory.mktemp("member")
    with zipfile.ZipFile(io.BytesIO(small_books["epub"])) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    member %= len(entries)
    path = folder / "book.epub"
    with zipfile.ZipFile(path, "w") as archive:
        for number, (name, data) in enumerate(entries):
            archive.writestr(name, mutate(data, mutations) if number == member else data)
    words_or_one_line_error(path)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=2000), kind=st.sampled_from(["epub", "html", "txt"]),
       fmt=st.sampled_from(["auto", "epub", "html", "dialogue"]))
def test_arbitrary_bytes_as_a_book_give_words_or_a_one_line_error(tmp_path_factory, data, kind, fmt):
    path = tmp_path_factory.mktemp("bytes") / f"book.{kind}"
    path.write_bytes(data)
    words_or_one_line_error(path, fmt)


@settings(max_examples=25, deadline=None)
@given(paragraphs=st.lists(st.lists(st.tuples(PLAIN_WORD, st.sampled_from(INLINE)), min_size=1, max_size=5),
                           min_size=1, max_size=4),
       depth=st.sampled_from([0, 1, 50, 1500]), subset=st.booleans(), kind=st.sampled_from(["epub", "html"]))
def test_words_in_are_words_out_with_dtd_subsets_and_deep_nesting(tmp_path_factory, paragraphs, depth, subset, kind):
    """The body's words arrive, once and in order, whatever internal DTD subset the document opens
    with and however deep its paragraphs sit (its entities used in the text)."""
    doctype = '<!DOCTYPE html [ <!ENTITY amp2 "&#38;"> <!ENTITY word "Entity"> ]>' if subset else ""
    body = "<h1>T</h1>" + "<div>" * depth + "".join(
        "<p>" + " ".join(markup.format(escape(word)) for word, markup in paragraph) + (" &word;" if subset else "") + "</p>"
        for paragraph in paragraphs) + "</div>" * depth
    folder = tmp_path_factory.mktemp("words")
    if kind == "epub":
        path = epubs.raw_epub(folder / "book.epub", [epubs.xhtml(body, doctype)])
    else:
        path = folder / "book.html"
        path.write_bytes(epubs.xhtml(body, doctype))
    # a paragraph of punctuation alone is never spoken (the entity gives each one a word)
    spoken = [p for p in paragraphs if subset or has_words(" ".join(word for word, _ in p))]
    if not spoken:
        with pytest.raises(BarkflowError, match="no text to read"):
            load_script(path)
        return
    script = load_script(path)
    assert [line.text.split() for line in script.lines] == [
        [word for word, _ in p] + (["Entity"] if subset else []) for p in spoken]


@pytest.fixture
def notes_book(tmp_path) -> Path:
    return epubs.build_epub2_notes(tmp_path / "notes2.epub")


def test_epub2_footnotes_are_read_without_their_references_or_back_links(notes_book):
    """No epub:type in EPUB 2: a reference and its note are known by linking to each other, and the
    note's link back ("1", "[2]", "↩") is a marker, not words."""
    default = load_book(notes_book, "epub")
    assert [line.text for line in default.lines] == epubs.NOTES_BODY
    with_notes = load_book(notes_book, "epub", options=BookOptions(footnotes=True))
    assert [line.text for line in with_notes.lines] == epubs.NOTES_BODY + epubs.NOTES


def test_included_front_and_back_matter_is_a_chapter_of_its_own_with_a_title(notes_book):
    """A part only the guide names (no toc entry, no heading) is still a chapter when included, titled
    by its <title>, else its guide/landmark type: never "" in the m4b's chapter markers."""
    script = load_script(notes_book, book=BookOptions(include=["Copyright", "colophon.xhtml"]))
    assert script.chapter_titles == ("Copyright", "Chapter One", "Colophon")
    by_chapter = {script.chapter_titles[line.chapter]: line.text for line in script.lines}
    assert (by_chapter["Copyright"], by_chapter["Colophon"]) == (epubs.RIGHTS, epubs.COLOPHON)


NOTE_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)
REFERENCE = ('<sup><a id="r{n}" href="{href}#fn{n}">{text}</a></sup>', '<a id="r{n}" href="{href}#fn{n}">{text}</a>',
             '<span id="r{n}"><a href="{href}#fn{n}">{text}</a></span>')
BACK_TEXT = ("{n}", "[{n}]", "({n})", "↩", "↑", "^")
NOTE = ('<p id="fn{n}">{start}{words}{end}</p>', '<div id="fn{n}"><p>{start}{words}{end}</p></div>')


@settings(max_examples=30, deadline=None)
@given(notes=st.lists(st.tuples(st.lists(NOTE_WORD, min_size=1, max_size=4), st.sampled_from(REFERENCE),
                                st.sampled_from(BACK_TEXT), st.sampled_from(NOTE), st.booleans(), st.booleans()),
                      min_size=1, max_size=3),
       footnotes=st.booleans())
def test_epub2_note_links_are_never_read_whatever_their_shape(tmp_path_factory, notes, footnotes):
    """Every shape of reference and back link converters write, in the same file as the note or in a
    notes file: the body's words, then (with footnotes) each note's words, and no marker."""
    body, in_file, in_notes = [], [], []
    for n, (note_words, reference, back, note, at_start, same_file) in enumerate(notes, 1):
        body.append(f"<p>Word{n}" + reference.format(n=n, href="" if same_file else "c1.xhtml", text=n) + ".</p>")
        link = f'<a href="{"" if same_file else "c0.xhtml"}#r{n}">{back.format(n=n)}</a>'
        text = note.format(n=n, words=" ".join(note_words), start=link + " " if at_start else "",
                           end="" if at_start else " " + link)
        (in_file if same_file else in_notes).append(text)
    path = epubs.raw_epub(tmp_path_factory.mktemp("notes") / "book.epub", [
        epubs.xhtml("<h1>Story</h1>" + "".join(body) + "".join(in_file)), epubs.xhtml("".join(in_notes))])
    script = load_book(path, "epub", options=BookOptions(footnotes=footnotes))
    expected = [f"Word{n}." for n in range(1, len(notes) + 1)]
    if footnotes:  # in reading order: the first file's notes, then the notes file's
        expected += [" ".join(words) for words, *_, same in notes if same] + [
            " ".join(words) for words, *_, same in notes if not same]
    assert [line.text for line in script.lines] == expected


def test_included_front_matter_has_its_title_in_the_m4b_chapter_markers(notes_book, tmp_path):
    config = project_config(tmp_path, f"project.script={notes_book}", "project.book.include=[Copyright]",
                            project="book")
    render(config)
    m4b = MP4(str(tmp_path / "out" / "book.m4b"))
    assert [chapter.title for chapter in m4b.chapters] == ["Copyright", "Chapter One"]
