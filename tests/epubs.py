"""Small EPUBs built in code with ebooklib, for the book tests: EPUB 3 with a navigation document
or EPUB 2 with an NCX and a guide, each with a cover, front and back matter, footnotes and a nested
section. `BODY` holds what should be read, chapter by chapter, so tests compare words in and out.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from ebooklib import epub

TITLE = "The Small Test Book"
AUTHOR = "Ann Author"
PUBLISHER = "Barkflow Test Press"
DATE = "1901-02-03"

# Chapter titles as the table of contents gives them (depth first), and the paragraphs of body text
# under each: what a listener should hear. Markers and footnotes are added around them in XHTML.
BODY = {
    "Chapter One": [
        "The harbour was quiet that night, and the lamps burned low.",
        "Nobody on the quay heard the boat come in.",
    ],
    "A Nested Section": [
        "Inside the section the story went on, step by careful step.",
        "It ended with a list of three things.",
        "Rope.",
        "Lantern.",
        "Bread.",
    ],
    "Chapter Two": [
        "Morning came grey over the water.",
        "A line from an old song stayed with her all day.",
        "She walked home, 4th in the line of walkers.",
    ],
}
FOOTNOTE = "This footnote explains the lamps in rather dull detail."
ENDNOTE = "An endnote about the boat."
FRONT_MATTER_WORDS = ("Copyright", "reserved", "Contents", "Index", "entries")


def png(width: int = 2, height: int = 2) -> bytes:
    """A tiny valid PNG (grey pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


COVER = png()


def _page(book: epub.EpubBook, name: str, title: str, body: str, uid: str) -> epub.EpubHtml:
    page = epub.EpubHtml(uid=uid, title=title, file_name=name, lang="en")
    page.content = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    book.add_item(page)
    return page


def build_epub(path: Path, version: int = 3) -> Path:
    """The test book as EPUB `version` (3: nav document and landmarks; 2: NCX and guide).

    Version 3 passes EPUBCheck. Version 2's package is EPUB 2, but its content documents are broken
    on purpose, as many converted books are: the same EPUB 3 markup (sections, epub:type, no XHTML
    1.1 DOCTYPE), which EPUBCheck reports and nothing else (tests/test_readalong.py holds both to that)."""
    book = epub.EpubBook()
    book.set_identifier("barkflow-test-book")
    book.set_title(TITLE)
    book.set_language("en")
    book.add_author(AUTHOR)
    book.add_metadata("DC", "publisher", PUBLISHER)
    book.add_metadata("DC", "date", DATE)
    book.set_cover("cover.png", COVER, create_page=True)
    one, nested, two = BODY["Chapter One"], BODY["A Nested Section"], BODY["Chapter Two"]
    title_page = _page(book, "title.xhtml", "Title Page",
                       f'<section epub:type="titlepage"><h1>{TITLE}</h1><p>by {AUTHOR}</p></section>', "titlepage")
    rights = _page(book, "copyright.xhtml", "Copyright",
                   '<section epub:type="copyright-page"><p>Copyright 1901. All rights reserved.</p></section>',
                   "copyright")
    chapter_one = _page(book, "ch1.xhtml", "Chapter One", (
        '<section epub:type="chapter"><h1 id="c1">Chapter One</h1>'
        f'<p>{one[0].removesuffix(".")}<a epub:type="noteref" href="#fn1" id="r1">1</a>.</p>'
        f'<p><img src="cover.png" alt="A picture of a harbour at night"/>{one[1]}<sup>2</sup></p>'
        f'<aside epub:type="footnote" id="fn1"><p>{FOOTNOTE}</p></aside>'
        f'<section id="s12"><h2>A Nested Section</h2><p>{nested[0]}</p>'
        f'<p>{nested[1].replace("three", "<em>three</em>")}</p>'
        f'<ul><li>{nested[2]}</li><li>{nested[3]}</li><li>{nested[4]}</li></ul></section></section>'
    ), "chapter1")
    chapter_two = _page(book, "ch2.xhtml", "Chapter Two", (
        f'<section epub:type="chapter"><h1>Chapter Two</h1><p>{two[0]}</p>'
        f'<blockquote><p>{two[1]}<sup><a href="notes.xhtml#en1">[3]</a></sup></p></blockquote>'
        f'<p>{two[2].replace("4th", "4<sup>th</sup>")}</p></section>'
    ), "chapter2")
    notes = _page(book, "notes.xhtml", "Notes",
                  f'<section epub:type="endnotes"><h1>Notes</h1><p id="en1">{ENDNOTE}</p></section>', "notes")
    index = _page(book, "index.xhtml", "Index",
                  '<section epub:type="index"><h1>Index</h1><p>Harbour, entries 1 to 3.</p></section>', "index")
    book.toc = [
        epub.Link("title.xhtml", "Title Page", "toc-title"),
        epub.Link("copyright.xhtml", "Copyright", "toc-copyright"),
        (epub.Section("Chapter One", href="ch1.xhtml"), [epub.Link("ch1.xhtml#s12", "A Nested Section", "toc-s12")]),
        epub.Link("ch2.xhtml", "Chapter Two", "toc-ch2"),
        epub.Link("notes.xhtml", "Notes", "toc-notes"),
        epub.Link("index.xhtml", "Index", "toc-index"),
    ]
    book.guide = [
        {"href": "cover.xhtml", "title": "Cover", "type": "cover"},
        {"href": "title.xhtml", "title": "Title Page", "type": "title-page"},
        {"href": "copyright.xhtml", "title": "Copyright", "type": "copyright-page"},
        {"href": "ch1.xhtml", "title": "Start", "type": "text"},
    ]
    book.add_item(epub.EpubNcx())
    spine = ["cover", title_page, rights]
    if version == 3:
        book.add_item(epub.EpubNav())
        spine.append("nav")
    book.spine = [*spine, chapter_one, chapter_two, notes, index]
    options = {"epub3_landmark": version == 3, "epub3_pages": False}
    epub.write_epub(str(path), book, options)
    if version == 2:  # what makes it EPUB 2 for a reader: the package version, and no nav document
        _rewrite(path, "EPUB/content.opf", _epub2_package)
    return path


def _epub2_package(text: str) -> str:
    """ebooklib's EPUB 3 package as a conformant 2.0 one: no prefix attribute, no EPUB 3 meta, no
    item properties (the cover is found by <meta name="cover">, as EPUB 2 readers find it)."""
    text = text.replace('version="3.0"', 'version="2.0"')
    text = re.sub(r' prefix="[^"]*"', "", text, count=1)
    text = re.sub(r"<meta property=[^>]*>[^<]*</meta>\s*", "", text)
    return re.sub(r' properties="[^"]*"', "", text)


def _rewrite(path: Path, name: str, change) -> None:
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            if info.filename == name:
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data)


def add_file(path: Path, name: str, text: str) -> Path:
    """Add a file (e.g. META-INF/encryption.xml) to an EPUB."""
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, text)
    return path


def remove_file(path: Path, name: str) -> Path:
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist() if info.filename != name]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            target.writestr(info, data)
    return path


def encryption_xml(uri: str, algorithm: str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc") -> str:
    return (
        '<?xml version="1.0"?><encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        f'<enc:EncryptionMethod Algorithm="{algorithm}"/><enc:CipherData><enc:CipherReference URI="{uri}"/>'
        "</enc:CipherData></enc:EncryptedData></encryption>"
    )


def raw_epub(path: Path, chapters: list[bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A minimal EPUB written byte for byte (no nav, no NCX: chapters come from headings), so a test
    controls every byte of its XHTML files (ebooklib would rewrite a DOCTYPE). Not conformant on
    purpose (no identifier, no nav, whatever XHTML the test gives): the reader's edge cases."""
    items = "".join(f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
                    for i in range(len(chapters)))
    refs = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", (
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"))
        archive.writestr("OEBPS/content.opf", (
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Raw</dc:title></metadata>'
            f"<manifest>{items}</manifest><spine>{refs}</spine></package>"))
        for i, chapter in enumerate(chapters):
            archive.writestr(f"OEBPS/c{i}.xhtml", chapter)
    return path


def xhtml(body: str, doctype: str = "") -> bytes:
    """An XHTML content document with `body` inside <body>, after `doctype` (e.g. one with an internal subset)."""
    return (f'<?xml version="1.0" encoding="utf-8"?>{doctype}<html xmlns="http://www.w3.org/1999/xhtml">'
            f"<head><title>t</title></head><body>{body}</body></html>").encode("utf-8")


NOTES_BODY = ["The lamps burned low that night.", "The boat came in at dawn.", "Nobody saw it."]
NOTES = ["A note on lamps.", "A note on boats.", "A note on nobody."]
RIGHTS = "Copyright 1901. All rights reserved."
COLOPHON = "Set in a plain type."


def build_epub2_notes(path: Path) -> Path:
    """An EPUB 2 book as converters write them: no epub:type anywhere, footnotes as plain links whose
    note bodies link back to the reference ("1", "[2]", "↩"), and a copyright page and a colophon
    that only the guide names (no table of contents entry, no heading)."""
    book = epub.EpubBook()
    book.set_identifier("barkflow-test-notes")
    book.set_title(TITLE)
    book.set_language("en")
    rights = _page(book, "copyright.xhtml", "Copyright", f"<div><p>{RIGHTS}</p></div>", "copyright")
    colophon = _page(book, "colophon.xhtml", "", f"<div><p>{COLOPHON}</p></div>", "colophon")
    one, two, three = NOTES_BODY
    chapter = _page(book, "ch1.xhtml", "Chapter One", (
        f'<h1>Chapter One</h1><p>{one.removesuffix(".")}<sup><a id="r1" href="#fn1">1</a></sup>.</p>'
        f'<p>{two.removesuffix(".")}<a id="r2" href="notes.xhtml#fn2">[2]</a>.</p>'
        f'<p>{three.removesuffix(".")}<span id="r3"><a href="notes.xhtml#fn3">3</a></span>.</p>'
        f'<div id="fn1"><p><a href="#r1">1</a> {NOTES[0]}</p></div>'
    ), "chapter1")
    notes = _page(book, "notes.xhtml", "", (
        f'<p id="fn2"><a href="ch1.xhtml#r2">[2]</a> {NOTES[1]}</p>'
        f'<div id="fn3"><p>{NOTES[2]} <a href="ch1.xhtml#r3">↩</a></p></div>'
    ), "notes")
    book.toc = [epub.Link("ch1.xhtml", "Chapter One", "toc-ch1")]
    book.guide = [
        {"href": "copyright.xhtml", "title": "Copyright", "type": "copyright-page"},
        {"href": "colophon.xhtml", "title": "", "type": "colophon"},
    ]
    book.add_item(epub.EpubNcx())
    book.spine = [rights, chapter, notes, colophon]
    epub.write_epub(str(path), book, {"epub3_landmark": False, "epub3_pages": False})
    _rewrite(path, "EPUB/content.opf", _epub2_package)
    return path
