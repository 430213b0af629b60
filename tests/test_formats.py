"""Books in other formats: PDF (running heads, page numbers, hyphenation, outline or heading
chapters, info), DOCX (heading styles, core properties), FB2 (sections, notes, description) and
MOBI through Calibre: every word of the text arrives, in chapters, with the book's metadata; a
scanned, encrypted, malformed or oversized file is a one-line error, whatever its bytes."""

from __future__ import annotations

import base64
import shutil
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import epubs  # the EPUB builder beside this file
import pdfs  # the PDF builder beside this file
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow.errors import BarkflowError
from barkflow.text import calibre
from barkflow.text import docx as docx_reader
from barkflow.text import pdf as pdf_reader
from barkflow.text.formats import FORMATS, load_script


def words(text: str) -> list[str]:
    return text.split()


def one_line_error(path: Path, match: str) -> str:
    with pytest.raises(BarkflowError, match=match) as caught:
        load_script(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
    return str(caught.value)


# --- PDF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["outline", "headings", "word-by-word"])
def test_pdf_words_in_are_words_out_without_heads_page_numbers_or_broken_words(tmp_path, kind):
    path = pdfs.build_pdf(tmp_path / "novel.pdf", outline=kind != "headings", word_by_word=kind == "word-by-word")
    script = load_script(path)
    assert list(script.chapter_titles) == list(pdfs.BODY)
    # paragraph for paragraph: no running head, page number or "extra- ordinary" among them
    assert [line.text for line in script.lines] == [p for ps in pdfs.BODY.values() for p in ps]
    by_chapter = {title: [line.text for line in script.lines if script.chapter_titles[line.chapter] == title]
                  for title in script.chapter_titles}
    assert by_chapter == pdfs.BODY
    assert [line.source_line for line in script.lines] == list(range(1, len(script.lines) + 1))
    assert script.metadata.title == pdfs.TITLE and script.metadata.author == pdfs.AUTHOR


def test_pdf_hyphens_follow_the_books_own_words(tmp_path):
    body = {"Chapter 1": ["An extraordinary day, a well-known song.",
                          "It was extraordinary, it was well-known, it was a continuation."]}
    # every first "extraordinary", "well-known" and "continuation" is broken at a line's end, two lines a page
    breaks = {**pdfs.BREAKS, "continuation": 3}
    script = load_script(pdfs.build_pdf(tmp_path / "h.pdf", body, breaks=breaks, lines_per_page=2))
    text = " ".join(line.text for line in script.lines)
    assert text.count("extraordinary") == 2 and text.count("well-known") == 2
    assert "continuation" in text and "extra-" not in text and "wellknown" not in text


def test_a_pdf_without_a_text_layer_needs_ocr(tmp_path):
    one_line_error(pdfs.build_pdf(tmp_path / "scan.pdf", text=False), "no text layer.*OCR")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_malformed_pdf_is_a_one_line_error(tmp_path, damage):
    good = pdfs.build_pdf(tmp_path / "good.pdf").read_bytes()
    data = {"truncated": good[:300], "garbage": b"%PDF-1.4\n" + bytes(range(256)) * 8, "empty": b""}[damage]
    (tmp_path / "bad.pdf").write_bytes(data)
    one_line_error(tmp_path / "bad.pdf", "malformed PDF|no text layer")


def _pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of these objects (1 0 obj first, the catalog), with a correct cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_with_no_pages_is_a_one_line_error(tmp_path):
    (tmp_path / "none.pdf").write_bytes(_pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]))
    one_line_error(tmp_path / "none.pdf", "no pages")  # was an IndexError


def test_bookmarks_too_many_to_walk_leave_the_book_read_by_its_headings(tmp_path, monkeypatch):
    """pdfminer walks the outline's /Next chain recursively: some 3,000 bookmarks overflow it."""
    from pdfminer.pdfdocument import PDFDocument

    def too_deep(self):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(PDFDocument, "get_outlines", too_deep)
    script = load_script(pdfs.build_pdf(tmp_path / "novel.pdf"))
    assert script.lines and script.chapter_titles


def test_a_pdf_stream_that_inflates_past_the_bound_is_a_one_line_error(tmp_path, monkeypatch):
    path = pdfs.build_pdf(tmp_path / "novel.pdf")
    monkeypatch.setattr(pdf_reader, "MAX_STREAM_BYTES", 200)
    one_line_error(path, "inflates past")


def test_a_pdf_over_the_page_bound_is_a_one_line_error(tmp_path, monkeypatch):
    path = pdfs.build_pdf(tmp_path / "novel.pdf")
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 2)
    one_line_error(path, "over 2 pages")


def test_a_book_over_the_file_size_bound_is_refused_before_reading(tmp_path, monkeypatch):
    from barkflow.text import formats as formats_module

    path = pdfs.build_pdf(tmp_path / "novel.pdf")
    monkeypatch.setattr(formats_module, "MAX_BOOK_FILE_BYTES", 100)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before the size check"))
    one_line_error(path, "over the 0 MiB")


# --- DOCX --------------------------------------------------------------------------------------

MINOR_HEADING = "A minor heading"
DOCX_BODY = {
    "The First Part": ["It began in the cellar, among the barrels.", "Nobody heard the door."],
    "Second Part": ["Morning came, and the cellar was empty.", "Only the barrels remained."],
}


def build_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title, document.core_properties.author = "A Word Book", "Wendy Writer"
    document.core_properties.language = "en"
    for level, (title, paragraphs) in enumerate(DOCX_BODY.items(), start=1):
        document.add_heading(title, level)
        document.add_heading(MINOR_HEADING, 3)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def test_docx_headings_are_chapters_and_paragraphs_are_read(tmp_path):
    """Title and Heading 1-2 start chapters; a lesser heading is read, as an EPUB's h3 is."""
    script = load_script(build_docx(tmp_path / "book.docx"))
    assert list(script.chapter_titles) == list(DOCX_BODY)
    assert [line.text for line in script.lines] == [p for ps in DOCX_BODY.values() for p in (MINOR_HEADING, *ps)]
    assert [line.source_line for line in script.lines] == [1, 2, 3, 4, 5, 6]
    assert (script.metadata.title, script.metadata.author, script.metadata.language) == ("A Word Book", "Wendy Writer", "en")


def test_docx_text_python_docx_leaves_out_is_read_and_deleted_text_is_not(tmp_path):
    """Content controls, custom XML, a nested table, a text box, a tracked insertion, a field's
    result and a smart tag all show in Word; a tracked deletion and a field's code do not."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    document.add_heading("One", 1)
    body = document.element.body
    for xml in [
        f'<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>Control words.</w:t></w:r></w:p></w:sdtContent></w:sdt>',
        f'<w:customXml {w} w:element="x"><w:p><w:r><w:t>Custom words.</w:t></w:r></w:p></w:customXml>',
        f'<w:tbl {w}><w:tr><w:tc><w:p><w:r><w:t>Outer cell.</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r>'
        f'<w:t>Inner cell.</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>',
        f'<w:p {w}><w:r><w:t xml:space="preserve">Kept </w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>inserted</w:t>'
        f'</w:r></w:ins><w:del w:id="2" w:author="a"><w:r><w:delText>deleted</w:delText></w:r></w:del>'
        f'<w:r><w:t xml:space="preserve"> and </w:t></w:r><w:fldSimple w:instr="PAGE"><w:r><w:t>field</w:t></w:r></w:fldSimple>'
        f'<w:smartTag w:element="x"><w:r><w:t xml:space="preserve"> tagged.</w:t></w:r></w:smartTag></w:p>',
        f'<w:p {w}><w:r><w:t>Beside a box.</w:t></w:r><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>Boxed words.</w:t>'
        f'</w:r></w:p></w:txbxContent></w:pict></w:r></w:p>',
        f'<w:p {w}><w:r><w:t>A well</w:t><w:noBreakHyphen/><w:t>known</w:t><w:tab/><w:t>word.</w:t></w:r></w:p>',
        f'<w:p {w}><w:moveFrom w:id="3" w:author="a"><w:r><w:t>Moved away.</w:t></w:r></w:moveFrom>'
        f'<w:moveTo w:id="4" w:author="a"><w:r><w:t>Moved here.</w:t></w:r></w:moveTo></w:p>',
    ]:
        body.insert(len(body) - 1, parse_xml(xml))  # before the section properties
    document.save(str(tmp_path / "word.docx"))
    assert [line.text for line in load_script(tmp_path / "word.docx").lines] == [
        "Control words.", "Custom words.", "Outer cell.", "Inner cell.", "Kept inserted and field tagged.",
        "Beside a box.", "Boxed words.", "A well-known word.", "Moved here."]


@pytest.mark.parametrize("data, expected", [
    (b"PK\x03\x04 not really a zip", "not a readable DOCX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old Word .doc or a password-protected"),
    ("zip-without-document", "no word/document.xml"),
    ("broken-xml", "malformed DOCX"),
])
def test_a_malformed_docx_is_a_one_line_error(tmp_path, data, expected):
    path = tmp_path / "bad.docx"
    if data == "zip-without-document":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hi")
    elif data == "broken-xml":
        good = build_docx(tmp_path / "good.docx")
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as archive:
            for item in source.infolist():
                archive.writestr(item, b"<w:document" if item.filename == "word/document.xml" else source.read(item))
    else:
        path.write_bytes(data)
    one_line_error(path, expected)


def test_a_docx_that_unpacks_past_the_bound_is_a_one_line_error(tmp_path, monkeypatch):
    path = build_docx(tmp_path / "book.docx")
    monkeypatch.setattr(docx_reader, "MAX_MEMBER_BYTES", 1000)
    one_line_error(path, "zip bomb")


# --- FB2 ---------------------------------------------------------------------------------------

FB2 = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE FictionBook [<!ENTITY secret SYSTEM "file:///etc/hostname"><!ENTITY lol "lollollol">]>
<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" xmlns:l="http://www.w3.org/1999/xlink">
 <description><title-info><author><first-name>Fyodor</first-name><last-name>Feebee</last-name></author>
  <book-title>The Snow Book</book-title><lang>en</lang><date value="1880-01-01">1880</date>
  <coverpage><image l:href="#cover.png"/></coverpage></title-info>
  <publish-info><publisher>Winter Press</publisher></publish-info></description>
 <body><title><p>The Snow Book</p></title>
  <section><title><p>Chapter One</p></title>
   <epigraph><p>Cold is the night.</p><text-author>Old Saying</text-author></epigraph>
   <p>Snow fell on the <emphasis>quiet</emphasis> village.<a l:href="#n1" type="note">1</a></p>
   <subtitle>* * *</subtitle>
   <poem><stanza><v>White roofs, white roads,</v><v>white hills.</v></stanza></poem>
   <p>&secret;&lol;</p>
  </section>
  <section><title><p>Chapter Two</p></title><p>Spring came late that year.</p></section>
 </body>
 <body name="notes"><section id="n1"><title><p>1</p></title><p>A note on snow.</p></section></body>
 <binary id="cover.png" content-type="image/png">COVER</binary>
</FictionBook>
"""
FB2_BODY = {"Chapter One": ["Cold is the night.", "Old Saying", "Snow fell on the quiet village.",
                            "White roofs, white roads,", "white hills."],
            "Chapter Two": ["Spring came late that year."]}


def test_fb2_sections_are_chapters_notes_are_not_read_and_entities_are_not_expanded(tmp_path):
    path = tmp_path / "book.fb2"
    path.write_text(FB2.replace("COVER", base64.b64encode(epubs.COVER).decode()), encoding="utf-8")
    script = load_script(path)
    assert list(script.chapter_titles) == list(FB2_BODY)
    assert [line.text for line in script.lines] == [p for ps in FB2_BODY.values() for p in ps]
    tags = script.metadata
    assert (tags.title, tags.author, tags.language, tags.publisher, tags.date) == (
        "The Snow Book", "Fyodor Feebee", "en", "Winter Press", "1880-01-01")
    assert tags.cover == epubs.COVER and tags.cover_type == "image/png"
    from barkflow.text.book import BookOptions
    with_notes = load_script(path, book=BookOptions(footnotes=True))
    assert with_notes.lines[-1].text == "A note on snow." and with_notes.lines[-1].source_line == 7


def test_fb2_table_cells_are_read(tmp_path):
    (tmp_path / "t.fb2").write_text(
        '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0"><body><section><title><p>One</p></title>'
        "<p>Before.</p><table><tr><th>Head words</th><td>Cell words</td></tr></table></section></body></FictionBook>",
        encoding="utf-8")
    assert [line.text for line in load_script(tmp_path / "t.fb2").lines] == ["Before.", "Head words", "Cell words"]


@pytest.mark.parametrize("data, expected", [
    ("<FictionBook><body><p>unclosed", "malformed FB2"),
    ("<html><body><p>hi</p></body></html>", "not a FictionBook"),
    ("", "malformed FB2"),
])
def test_a_malformed_fb2_is_a_one_line_error(tmp_path, data, expected):
    (tmp_path / "bad.fb2").write_text(data)
    one_line_error(tmp_path / "bad.fb2", expected)


# --- MOBI and other Calibre formats ------------------------------------------------------------


def test_mobi_is_read_through_calibre(tmp_path):
    if shutil.which("ebook-convert") is None:
        pytest.skip("Calibre's ebook-convert is not installed (apt-get install calibre)")
    epub = epubs.build_epub(tmp_path / "book.epub", 3)
    subprocess.run(["ebook-convert", str(epub), str(tmp_path / "book.mobi")], check=True, capture_output=True,
                   timeout=300, env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    script = load_script(tmp_path / "book.mobi")
    assert script.source == str(tmp_path / "book.mobi")
    assert (script.metadata.title, script.metadata.author) == (epubs.TITLE, epubs.AUTHOR)
    def letters(text: str) -> list[str]:  # MOBI keeps footnote markers as text: "low1."
        return [word.strip("0123456789.,") for word in words(text)]

    spoken = iter(letters(" ".join(line.text for line in script.lines)))
    # MOBI keeps no front-matter types, so the contents page is read too; the body comes whole, in order
    assert all(word in spoken for word in letters(" ".join(p for ps in epubs.BODY.values() for p in ps)))
    assert set(epubs.BODY) <= set(script.chapter_titles)


def test_without_calibre_a_mobi_is_a_one_line_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(calibre.shutil, "which", lambda name: None)
    (tmp_path / "book.azw3").write_bytes(b"not much of a book")
    message = one_line_error(tmp_path / "book.azw3", r"install Calibre \(ebook-convert\) to read .azw3 books")
    assert "convert the book to EPUB" in message


def mobi_header(encryption: int) -> bytes:
    """A Palm database with one Mobipocket record whose header says how it is encrypted."""
    head = b"Book".ljust(32, b"\0") + bytes(28) + b"BOOKMOBI" + bytes(8) + struct.pack(">H", 1)
    head += struct.pack(">I", 88) + bytes(4) + bytes(2)
    return head + struct.pack(">HHIHHH", 2, 0, 100, 1, 4096, encryption) + bytes(200)


def test_a_drm_protected_mobi_is_a_one_line_error_with_or_without_calibre(tmp_path):
    (tmp_path / "locked.mobi").write_bytes(mobi_header(2))
    one_line_error(tmp_path / "locked.mobi", "DRM-protected")
    (tmp_path / "locked.azw").write_bytes(b"\xeaDRMION\xee" + bytes(100))
    one_line_error(tmp_path / "locked.azw", "DRM-protected")


def test_every_book_format_is_a_project_format():
    assert {"pdf", "docx", "fb2", "mobi", "calibre"} <= set(FORMATS)


# --- any bytes --------------------------------------------------------------------------------

MAGIC = {".pdf": b"%PDF-1.4\n", ".docx": b"PK\x03\x04", ".fb2": b"<?xml version='1.0'?><FictionBook>",
         ".mobi": b"", ".azw3": b""}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(sorted(MAGIC)), magic=st.booleans(), data=st.binary(max_size=2000))
def test_any_bytes_with_a_book_extension_are_a_script_or_a_one_line_error(tmp_path_factory, monkeypatch,
                                                                          suffix, magic, data):
    monkeypatch.setattr(calibre.shutil, "which", lambda name: None)  # Calibre's seconds a try are its own
    path = tmp_path_factory.mktemp("any") / f"book{suffix}"
    path.write_bytes((MAGIC[suffix] if magic else b"") + data)
    start = time.monotonic()
    try:
        script = load_script(path)
    except BarkflowError as error:
        assert "\n" not in str(error)
    else:
        assert script.lines
    assert time.monotonic() - start < 5
