"""Books as scripts: EPUB 2 and 3, and HTML, read into a `Script` with the book's metadata.

EPUB: the zip's META-INF/container.xml names the package file (OPF); its spine gives the reading
order, its metadata the title, author, language, publisher, date and cover image. Chapters and
their titles come from the navigation document (EPUB 3) or the NCX (EPUB 2): every entry, at any
depth, starts a chapter where it points (a file, or an element in it). A book without either
falls back to headings: each spine file, and each h1/h2 in it, starts a chapter.

Front and back matter (cover, title page, table of contents, copyright page, index, colophon) is
recognised by the landmarks (EPUB 3) or guide (EPUB 2) types, the `epub:type` of the file's body
or first section, spine items marked linear="no", the navigation document itself, and a few
common titles; it is skipped unless `project.book.include` names it. `project.book.exclude`
skips more. Both take a spine item's title, id or file name (case-insensitive).

Included front or back matter that no table of contents entry starts is a chapter of its own,
and no chapter is untitled: a part's title is its toc entry, guide title, heading or <title>, else
its type ("Copyright"), else its file name.

Text: every paragraph-like element (p, li, blockquote, div with text...) is a paragraph of its
own, read by the narrator; headings are chapter titles, not read, but one below them (h3-h6)
inside a chapter is a paragraph ('Letter from Mina to Lucy'), unless the table of contents titles
the chapter with it. An XHTML file the XML parser cannot read whole (an unclosed <br>, a bare
'<', an entity no DTD declares) is read by the HTML parser. Footnote markers (noteref
links, <sup> references, back links) are dropped; footnote and endnote bodies are read where
they stand only with `project.book.footnotes: true`. Without epub:type (EPUB 2), a marker-like
link (1, [2], *) and the element it points to that links back to it are a reference and its
note; a note's link back to its reference ("1", "[2]", "↩") is never read. Images (and their alt text,
but for a drop cap's letter), scripts, styles and ruby annotations are not read. Parsing is BeautifulSoup over lxml, never regexes.

A Project Gutenberg book's header and licence are not read: the paragraphs in its marked elements
(id pg-header/pg-footer, class pg-boilerplate) and, over the whole book, those before its START
marker and from its END marker on (text/gutenberg.py); their words are counted in `Script.skipped`.

Each line's `source_line` is its paragraph's number in the book, counted from 1 over every
paragraph of every spine file (skipped ones too), so segment ids (l0042-s01) and
`project.lines.N` stay put when include, exclude or footnotes change.

A DRM-protected book (encrypted content in META-INF/encryption.xml, Adobe's rights.xml, a Readium
LCP licence) or a malformed one (not a zip, no container or package file) is a one-line error, as
is one past the bounds (MAX_MEMBER_BYTES a file, MAX_BOOK_BYTES and MAX_BOOK_TAGS the book), which
are checked before anything is inflated or parsed. Only entities a document declares itself are
expanded (never a file's or a URL's); the tree is walked with a stack, never recursion.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, List, Optional
from urllib.parse import unquote

from barkflow.errors import BarkflowError
from barkflow.text import gutenberg
from barkflow.text.decoding import ENCODING_AUTO
from barkflow.text.fates import EXCLUDED, FOOTNOTES, FRONT_MATTER, MARKERS, count_words
from barkflow.text.markup import (
    Archive,
    Budget,
    document_soup,
    open_epub,
    parse,
    xml_soup,
)
from barkflow.text.parts import clean
from barkflow.text.script import BookTags, Script, ScriptBuilder

log = logging.getLogger(__name__)


# Structural types (EPUB 3 landmarks / epub:type, EPUB 2 guide) of matter that is not read by default.
SKIPPED_TYPES = frozenset({
    "cover", "titlepage", "title-page", "halftitlepage", "toc", "copyright-page", "copyright",
    "index", "colophon", "loi", "lot", "imprint",
})
NOTE_TYPES = frozenset({"footnote", "footnotes", "endnote", "endnotes", "rearnote", "rearnotes", "note", "notes"})
NOTE_ROLES = frozenset({"doc-footnote", "doc-endnote", "doc-endnotes", "doc-footnotes"})
NOTE_CLASSES = frozenset({"footnote", "footnotes", "endnote", "endnotes"})
NOTEREF_CLASSES = frozenset({"footnote-ref", "noteref", "fnref", "footnote-back", "footnote-backref"})
# Titles of front and back matter, compared lower-cased with the spaces collapsed.
SKIPPED_TITLES = frozenset({
    "cover", "title page", "copyright", "copyright page", "contents", "table of contents", "index", "colophon",
})
NOTE_TITLES = frozenset({"notes", "footnotes", "endnotes"})
COVER_TYPES = ("image/jpeg", "image/png")  # what MP4 and ID3 cover art hold

_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CHAPTER_HEADINGS = ("h1", "h2")  # where a book without a table of contents starts chapters
_UNREAD_TAGS = frozenset({
    "head", "title", "script", "style", "noscript", "template", "rt", "rp", "img", "svg", "math", "audio",
    "video", "object", "iframe", "canvas", "map",
})
_MARKER_TEXT = re.compile(r"[\[(]?[\d*†‡§¶#]+[\])]?")  # what a footnote reference in <sup> says: 1, [2], *
_BACKLINK_TEXT = frozenset({"↩", "↩\ufe0e", "↩\ufe0f", "↑", "⤴", "^", "⮐"})  # what a link back from a note says
_MAX_NOTE_LINKS = 50  # links looked at in a note for the one back to its reference (bounds the search)
# Names of front and back matter types, for a part that has no title of its own (a chapter marker needs one).
_TYPE_TITLES = {
    "cover": "Cover", "titlepage": "Title Page", "title-page": "Title Page", "halftitlepage": "Half Title Page",
    "toc": "Contents", "copyright-page": "Copyright", "copyright": "Copyright", "index": "Index",
    "colophon": "Colophon", "loi": "List of Illustrations", "lot": "List of Tables", "imprint": "Imprint",
    "footnotes": "Notes", "endnotes": "Notes", "rearnotes": "Notes", "notes": "Notes",
}


@dataclass
class BookOptions:
    """`project.book`: which parts of an EPUB or HTML book are read."""

    include: List[str] = field(default_factory=list)  # front/back matter to read after all (title, id or file)
    exclude: List[str] = field(default_factory=list)  # more parts to skip (title, id or file)
    footnotes: bool = False  # read footnote and endnote bodies where they stand

    def __post_init__(self) -> None:
        if not isinstance(self.footnotes, bool):
            raise BarkflowError(f"project.book.footnotes is {self.footnotes!r}: set it to true or false")
        for key in ("include", "exclude"):
            value = getattr(self, key)
            if isinstance(value, str):
                value = [value]
            if not all(isinstance(entry, str) and entry.strip() for entry in value):
                raise BarkflowError(f"project.book.{key} is {value!r}: give a list of titles, ids or file names, "
                                    f"e.g. [Copyright]")
            setattr(self, key, [entry.strip() for entry in value])


def load_book(path: Path, fmt: str, *, narrator: str = "narrator", options: Optional[BookOptions] = None,
              encoding: str = ENCODING_AUTO) -> Script:
    """An EPUB or HTML file as a Script of narrated paragraphs, with the book's metadata. `encoding`
    (project.encoding) reads an HTML page that has no byte order mark or charset of its own; an
    EPUB's XHTML declares its own (XML: UTF-8 or UTF-16)."""
    options = options or BookOptions()
    source = str(path)
    if fmt == "epub":
        with open_epub(path) as archive:
            documents, metadata = _read_epub(archive, source)
    else:
        budget = Budget(source)
        budget.check(path.stat().st_size, "the page")
        data = path.read_bytes()
        budget.spend(len(data))
        documents = [_Document(id="", href=Path(path).name, linear=True, types=set(), toc=[],
                               soup=document_soup(data, xml=False, source=source, budget=budget, encoding=encoding))]
        metadata = _html_metadata(documents[0].soup)
    return _build_script(documents, metadata, narrator, options, source)


# ----------------------------------------------------------------------------------------------
# the EPUB's structure


@dataclass
class _TocEntry:
    title: str
    href: str  # zip path of the file
    fragment: str  # element id, "" for the file's start


@dataclass
class _Document:
    id: str  # spine item id
    href: str  # zip path
    linear: bool
    types: set  # landmark / guide / epub:type names that apply to the whole file
    toc: list  # _TocEntry-s that point into this file, in reading order
    soup: object = None
    is_nav: bool = False
    guide_title: str = ""  # the EPUB 2 guide's title for it, if any

    @functools.cached_property
    def ids(self) -> dict:
        """Its elements by id (built once, for links that point into it)."""
        return {element["id"]: element for element in self.soup.find_all(id=True)} if self.soup is not None else {}

    @functools.cached_property
    def title(self) -> str:
        """The first table-of-contents title, else the first heading's or <title>'s text (searched once:
        include/exclude, skipping and labels all ask for it)."""
        return self.toc[0].title if self.toc else self.heading_title

    @functools.cached_property
    def heading_title(self) -> str:
        heading = self.soup.find(_HEADINGS) if self.soup is not None else None
        element = heading or (self.soup.find("title") if self.soup is not None else None)
        return clean(element.get_text(" ")) if element is not None else ""

    def names(self) -> set[str]:
        """What include/exclude may call it: title, spine id, file path or name (lower case)."""
        return {name.casefold() for name in (self.title, self.guide_title, self.id, self.href,
                                             posixpath.basename(self.href)) if name}

    def chapter_title(self) -> str:
        """Its title as a chapter marker, never "": table of contents, guide, heading or <title>, else
        its front/back matter type (Copyright), else its file name."""
        title = (self.toc[0].title if self.toc else "") or self.guide_title or self.heading_title
        if title:
            return title
        types = sorted(_document_types(self) & (SKIPPED_TYPES | NOTE_TYPES))
        if types:
            return _TYPE_TITLES.get(types[0], types[0].replace("-", " ").capitalize())
        return posixpath.splitext(posixpath.basename(self.href))[0]

    def label(self) -> str:
        return f"{self.title or '(untitled)'} ({posixpath.basename(self.href)})"


def _resolve(base_file: str, href: str) -> tuple[str, str]:
    """A link's (zip path, fragment), relative to the file it is in."""
    path, _, fragment = href.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), unquote(path))) if path else base_file
    return target, unquote(fragment)


def _read_epub(archive: Archive, source: str) -> tuple[list[_Document], BookTags]:
    container = xml_soup(archive.read("META-INF/container.xml", "the container file"), source, "META-INF/container.xml")
    rootfile = container.find("rootfile", attrs={"full-path": True})
    if rootfile is None:
        raise BarkflowError(f"{source}: malformed EPUB: META-INF/container.xml names no package file (OPF); "
                            "export the book again as EPUB")
    opf_path = unquote(rootfile["full-path"])
    opf = xml_soup(archive.read(opf_path, "the package file"), source, opf_path)
    manifest = {}
    for item in opf.find_all("item"):
        if item.get("id") and item.get("href"):
            manifest[item["id"]] = (_resolve(opf_path, item["href"])[0], item.get("media-type", ""),
                                    set(item.get("properties", "").split()))
    spine = opf.find("spine")
    if spine is None or not manifest:
        raise BarkflowError(f"{source}: malformed EPUB: {opf_path} has no manifest or spine; export the book again as EPUB")

    toc, types_by_file, guide_titles = [], {}, {}
    nav = next((href for href, _, properties in manifest.values() if "nav" in properties), None)
    if nav and nav in archive.names:
        nav_soup = parse(archive.read(nav, "the navigation document"), xml=True, source=f"{source}: {nav}")
        toc = _nav_entries(nav_soup, nav, "toc")
        for entry in _nav_entries(nav_soup, nav, "landmarks"):
            types_by_file.setdefault(entry.href, set()).update(entry.title.split())
    ncx = manifest.get(spine.get("toc", ""), (None,))[0] or next(
        (href for href, media_type, _ in manifest.values() if media_type == "application/x-dtbncx+xml"), None)
    if not toc and ncx and ncx in archive.names:
        toc = _ncx_entries(xml_soup(archive.read(ncx, "the NCX"), source, ncx), ncx)
    for reference in opf.find_all("reference"):  # EPUB 2's guide
        if reference.get("href") and reference.get("type"):
            href = _resolve(opf_path, reference["href"])[0]
            types_by_file.setdefault(href, set()).add(reference["type"].lower())
            if reference.get("title") and clean(reference["title"]):
                guide_titles.setdefault(href, clean(reference["title"]))

    spine_files = {manifest[ref["idref"]][0] for ref in spine.find_all("itemref", idref=True)
                   if ref["idref"] in manifest and "html" in manifest[ref["idref"]][1]}
    archive.budget.check(sum(map(archive.size, spine_files)), "its spine files")  # before inflating any
    documents = []
    for itemref in spine.find_all("itemref"):
        href, media_type, properties = manifest.get(itemref.get("idref", ""), (None, "", set()))
        if href is None or "html" not in media_type:
            continue
        document = _Document(
            id=itemref["idref"], href=href, linear=itemref.get("linear", "yes") != "no",
            types=set(types_by_file.get(href, ())), toc=[entry for entry in toc if entry.href == href],
            soup=document_soup(archive.read(href, "the spine file"), xml="xhtml" in media_type or "xml" in media_type,
                       source=f"{source}: {href}", budget=archive.budget),
            is_nav="nav" in properties or href == nav, guide_title=guide_titles.get(href, ""),
        )
        documents.append(document)
    if not documents:
        raise BarkflowError(f"{source}: malformed EPUB: the spine of {opf_path} lists no (X)HTML files; "
                            "export the book again as EPUB")
    return documents, _epub_metadata(opf, manifest, archive, source)


def _nav_entries(soup, nav_file: str, kind: str) -> list[_TocEntry]:
    """The links of the EPUB 3 navigation document's <nav epub:type="toc|landmarks">, depth first.
    For landmarks, `title` holds the link's epub:type."""
    nav = next((n for n in soup.find_all("nav") if kind in _types(n) or n.get("role") == f"doc-{kind}"), None)
    if nav is None:
        return []
    entries = []
    for link in nav.find_all("a", href=True):
        href, fragment = _resolve(nav_file, link["href"])
        title = " ".join(_types(link)) if kind == "landmarks" else clean(link.get_text(" "))
        entries.append(_TocEntry(title, href, fragment))
    return entries


def _ncx_entries(ncx, ncx_file: str) -> list[_TocEntry]:
    entries = []
    for point in ncx.find_all("navPoint"):  # document order: depth first, as read
        content, label = point.find("content", recursive=False), point.find("navLabel", recursive=False)
        if content is not None and content.get("src"):
            href, fragment = _resolve(ncx_file, content["src"])
            entries.append(_TocEntry(clean(label.get_text(" ")) if label is not None else "", href, fragment))
    return entries


def _epub_metadata(opf, manifest: dict, archive: Archive, source: str) -> BookTags:
    metadata = opf.find("metadata") or opf

    def first(name: str) -> str:
        element = metadata.find(name)
        return clean(element.get_text(" ")) if element is not None else ""

    refines = {meta["refines"].lstrip("#"): clean(meta.get_text()) for meta in metadata.find_all("meta", refines=True)
               if meta.get("property") == "role"}
    authors = [
        clean(creator.get_text(" ")) for creator in metadata.find_all("creator")
        if (creator.get("role") or creator.get("opf:role") or refines.get(creator.get("id", ""), "aut")) == "aut"
    ]
    cover_href = next((href for href, _, properties in manifest.values() if "cover-image" in properties), None)
    if cover_href is None:  # EPUB 2: <meta name="cover" content="item id">
        meta = metadata.find("meta", attrs={"name": "cover"})
        cover_href = manifest.get(meta.get("content", ""), (None,))[0] if meta is not None else None
    cover, cover_type = b"", ""
    if cover_href and cover_href in archive.names:
        media_type = next(t for h, t, _ in manifest.values() if h == cover_href).replace("image/jpg", "image/jpeg")
        if media_type in COVER_TYPES:
            cover, cover_type = archive.read(cover_href, "the cover image"), media_type
        else:
            log.warning("%s: the cover image is %s; only JPEG and PNG covers go into the outputs", source, media_type)
    return BookTags(
        title=first("title"), author=" & ".join(a for a in authors if a), language=first("language"),
        publisher=first("publisher"), date=first("date"), cover=cover, cover_type=cover_type,
    )


def _html_metadata(soup) -> BookTags:
    def meta(name: str) -> str:
        element = soup.find("meta", attrs={"name": name})
        return clean(element.get("content", "")) if element is not None else ""

    html, title = soup.find("html"), soup.find("title")
    return BookTags(title=clean(title.get_text(" ")) if title is not None else "", author=meta("author"),
                    language=(html.get("lang", "") if html is not None else ""), date=meta("date"))


# ----------------------------------------------------------------------------------------------
# what is read


def _types(element) -> list[str]:
    """An element's structural types: epub:type (any prefix form) and role without doc-, lower case."""
    values = []
    for key, value in element.attrs.items():
        if key == "epub:type" or key.endswith("}type") or key == "type" and element.name in ("a", "section", "aside", "body", "nav", "div"):
            values += str(value).lower().split()
        if key == "role":
            values += [v.removeprefix("doc-") for v in str(value).lower().split()]
    return [v.rpartition(":")[2] for v in values]


def _classes(element) -> set[str]:
    value = element.get("class") or []
    return {c.lower() for c in (value.split() if isinstance(value, str) else value)}


def _document_types(document: _Document) -> set[str]:
    types = set(document.types)
    body = document.soup.find("body")
    if body is not None:
        types.update(_types(body))
        first = body.find(("section", "div", "article"))
        if first is not None:
            types.update(_types(first))
    return types


def _is_note_document(document: _Document) -> bool:
    return bool(_document_types(document) & NOTE_TYPES) or _title_key(document.title) in NOTE_TITLES


def _skip_reason(document: _Document) -> str:
    """Why a spine file is front or back matter (skipped by default), or ""."""
    if document.is_nav:
        return "table of contents"
    types = _document_types(document) & SKIPPED_TYPES
    if types:
        return sorted(types)[0]
    if _title_key(document.title) in SKIPPED_TITLES:
        return document.title.lower()
    if not document.linear:
        return "not in the reading order (linear=no)"
    return ""


def _title_key(title: str) -> str:
    return " ".join(title.lower().split()).strip(" .:")


def _selected(documents: list[_Document], options: BookOptions, source: str) -> list[bool]:
    """Per spine file: read it? Front/back matter and note files not by default; include/exclude win."""
    for key in ("include", "exclude"):
        for wanted in getattr(options, key):
            if not any(wanted.casefold() in document.names() for document in documents):
                parts = "; ".join(document.label() for document in documents)
                raise BarkflowError(f"project.book.{key} has {wanted!r}, which names no part of {source} "
                                    f"(its parts: {parts}); use a title, spine id or file name from that list")
    chosen = []
    for document in documents:
        names = document.names()
        if any(wanted.casefold() in names for wanted in options.exclude):
            chosen.append(False)
        elif any(wanted.casefold() in names for wanted in options.include):
            chosen.append(True)
        else:
            reason = _skip_reason(document) or ("notes" if _is_note_document(document) and not options.footnotes else "")
            if reason:
                log.info("%s: skipping %s (%s); project.book.include can add it", source, document.label(), reason)
            chosen.append(not reason)
    return chosen


def _note_links(documents: list[_Document]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(file, id) of every element a footnote reference points to (note bodies), and of every
    reference's anchor (what a note's back link points to: "1", "[2]", "↩" are not read).

    EPUB 2 has no epub:type: there a link that says what a marker says (1, [2], *) and whose target
    holds a link back to it is a reference, and that link back its back link."""
    by_file = {document.href: document for document in documents}
    targets, anchors = set(), set()
    for document in documents:
        for link in document.soup.find_all("a", href=True):
            target = _resolve(document.href, link["href"])
            own = {(document.href, anchor) for anchor in _anchor_ids(link)}
            if _is_marker(link, set()):
                targets.add(target)
                anchors |= own
            elif own and target[1] and _MARKER_TEXT.fullmatch(clean(link.get_text())):
                note = by_file[target[0]].ids.get(target[1]) if target[0] in by_file else None
                if note is None:
                    continue
                backs = [note] if note.name == "a" else note.find_all("a", href=True, limit=_MAX_NOTE_LINKS)
                if any(back.get("href") and _resolve(target[0], back["href"]) in own for back in backs):
                    targets.add(target)
                    anchors |= own
    return targets, anchors


def _anchor_ids(link) -> list[str]:
    """The ids a link back to this link may point at: its own, or its <sup>/<span> wrapper's."""
    ids = [link.get("id")]
    if link.parent is not None and link.parent.name in ("sup", "span"):
        ids.append(link.parent.get("id"))
    return [anchor for anchor in ids if anchor]


def _is_marker(element, note_ids: set[str]) -> bool:
    """A footnote reference or back link: not read."""
    if element.name == "a":
        if set(_types(element)) & {"noteref", "backlink"} or _classes(element) & NOTEREF_CLASSES:
            return True
        href = element.get("href", "")
        if href.startswith("#") and unquote(href[1:]) in note_ids:
            return True
        if href and clean(element.get_text()) in _BACKLINK_TEXT:
            return True
        parent = element.parent
        return href != "" and parent is not None and parent.name == "sup" and clean(parent.get_text()) == clean(element.get_text())
    if element.name == "sup":
        return element.find("a", href=True) is not None or bool(_MARKER_TEXT.fullmatch(clean(element.get_text())))
    return False


def _is_note_body(element, note_ids: set[str]) -> bool:
    if set(_types(element)) & NOTE_TYPES or element.get("role") in NOTE_ROLES or _classes(element) & NOTE_CLASSES:
        return True
    return element.get("id") in note_ids and element.name not in ("a", "span")


@dataclass
class _Paragraph:
    text: str
    is_note: bool
    is_boilerplate: bool = False  # in Project Gutenberg's header or licence element (_is_pg_boilerplate)


@dataclass
class _Chapter:
    title: str


@dataclass
class _Markers:
    words: int  # footnote markers dropped from a file's text (for the word report)


class _Walker:
    """One file's reading: _Chapter and _Paragraph events in document order."""

    def __init__(self, starts: dict[str, list[str]], note_ids: set[str], heading_chapters: bool,
                 href: str = "", anchors: frozenset = frozenset(), titles: frozenset = frozenset()):
        self.starts = starts  # element id -> titles of the chapters that start there
        self.titles = titles  # _title_key of each chapter title the table of contents gives the file
        self.note_ids = note_ids
        self.href = href  # the file, which links are relative to
        self.anchors = anchors  # (file, id) of footnote references: a link to one is a back link
        self.heading_chapters = heading_chapters
        self.events: list = []
        self.buffer: list[str] = []
        self.note_depth = 0
        self.pg_depth = 0  # open Project Gutenberg header/licence elements
        self.marker_words = 0

    def flush(self) -> None:
        text = clean("".join(self.buffer))
        self.buffer.clear()
        if text:
            self.events.append(_Paragraph(text, self.note_depth > 0, self.pg_depth > 0))

    def walk(self, node) -> None:
        """Depth first with a stack of open elements, not recursion: a book's HTML may nest
        thousands deep (a div soup) and Python's recursion stops at about a thousand."""
        from bs4 import NavigableString, Tag
        from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

        # (children left, whether a block ends with them: its note flag, its PG boilerplate flag)
        stack = [(iter(node.children), None, False)]
        while stack:
            children, block_note, block_pg = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if block_note is not None:
                    self.flush()
                    self.note_depth -= block_note
                    self.pg_depth -= block_pg
                continue
            if isinstance(child, NavigableString):
                if not isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                    self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = (child.name or "").lower().rpartition(":")[2]
            for title in self.starts.get(child.get("id", ""), ()):
                self.flush()
                self.events.append(_Chapter(title))
            if name == "img" and _drop_cap(child):
                self.buffer.append(child["alt"])  # '<img alt="T"/>he night': the word's first letter
                continue
            if name in _UNREAD_TAGS or child.has_attr("hidden"):
                continue
            if _is_marker(child, self.note_ids):
                self.marker_words += count_words(child.get_text())
                continue
            if name == "a" and self.anchors and child.get("href") and (
                    _resolve(self.href, child["href"]) in self.anchors  # a note's link back to its reference
                    or any((self.href, anchor) in self.anchors for anchor in _anchor_ids(child))):  # the reference
                continue
            if name == "br":
                self.buffer.append(" ")
            elif name in _HEADINGS:
                self.flush()
                if self.heading_chapters and name in _CHAPTER_HEADINGS:
                    self.events.append(_Chapter(_inline_text(child, self.note_ids)))
                elif name not in _CHAPTER_HEADINGS and _title_key(_inline_text(child, self.note_ids)) not in self.titles:
                    # a heading inside a chapter ('Letter from Mina to Lucy'): read, as a paragraph of its own
                    stack.append((iter(child.children), False, False))
            elif name in _BLOCK_TAGS or _is_note_body(child, self.note_ids):
                note, pg = _is_note_body(child, self.note_ids), _is_pg_boilerplate(child)
                self.flush()
                self.note_depth += note
                self.pg_depth += pg
                stack.append((iter(child.children), note, pg))
            else:
                stack.append((iter(child.children), None, False))


def _drop_cap(image) -> bool:
    """Whether an image is a drop cap: its alt text one capital letter, the text right after it
    going on with a small one ('<img alt="T" .../>he night was dark')."""
    from bs4 import NavigableString

    alt, after = image.get("alt", ""), image.next_sibling
    return len(alt) == 1 and alt.isupper() and isinstance(after, NavigableString) and after[:1].islower()


def _is_pg_boilerplate(element) -> bool:
    """Project Gutenberg's header or licence, as its EPUBs and HTML files mark them."""
    return element.get("id") in ("pg-header", "pg-footer") or "pg-boilerplate" in _classes(element)


def _inline_text(element, note_ids: set[str]) -> str:
    walker = _Walker({}, note_ids, False)
    walker.walk(element)
    return clean("".join(walker.buffer))


def _document_events(document: _Document, note_ids: set[str], heading_chapters: bool,
                     anchors: frozenset = frozenset()) -> Iterator:
    starts: dict[str, list[str]] = {}
    body = document.soup.find("body") or document.soup
    ids = {element.get("id") for element in body.find_all(id=True)}
    for entry in document.toc:
        if entry.fragment and entry.fragment in ids:
            starts.setdefault(entry.fragment, []).append(entry.title)
        else:  # the file's start (or an anchor that is not there)
            yield _Chapter(entry.title)
    if heading_chapters:
        yield _Chapter(document.title if not document.soup.find(_CHAPTER_HEADINGS) else "")
    walker = _Walker(starts, note_ids, heading_chapters, document.href, anchors,
                     frozenset(_title_key(entry.title) for entry in document.toc))
    walker.walk(body)
    walker.flush()
    yield from walker.events
    if walker.marker_words:
        yield _Markers(walker.marker_words)


def _build_script(documents: list[_Document], metadata: BookTags, narrator: str, options: BookOptions,
                  source: str) -> Script:
    chosen = _selected(documents, options, source)
    targets, anchors = _note_links(documents)
    anchors = frozenset(anchors)
    heading_chapters = not any(document.toc for document, read in zip(documents, chosen) if read)
    builder = ScriptBuilder(source, narrator)  # numbers chapters and paragraphs as a plain script's
    number = 0
    skipped: Counter[str] = Counter()  # why -> the book's words not read (the word report)
    every = [list(_document_events(document, {fragment for href, fragment in targets if href == document.href},
                                   heading_chapters, anchors)) for document in documents]
    # Project Gutenberg's header and licence: before its START marker and after its END, over the whole book
    paragraphs = [event.text for events in every for event in events if isinstance(event, _Paragraph)]
    bounds = gutenberg.story_bounds(paragraphs, whole_lines=False)
    for document, read, events in zip(documents, chosen, every):
        why = "" if read else _why_unread(document, options)
        # Every chapter has a title (the m4b's chapter markers): the text before the first chapter, and
        # front or back matter read after all (project.book.include) that no table of contents entry
        # starts, is a chapter of its own, titled as the part is.
        matter = _skip_reason(document) or _is_note_document(document)
        if read and not (events and isinstance(events[0], _Chapter)) and (len(builder.titles) == 1 or matter):
            builder.chapter(document.chapter_title())
        for event in events:
            if isinstance(event, _Chapter):
                if read:
                    builder.chapter(event.title or document.chapter_title())
                continue
            if isinstance(event, _Markers):
                if read:
                    skipped[MARKERS] += event.words
                continue
            number += 1  # every paragraph counts, read or not, so numbers stay put when options change
            if not read:
                reason = why or FOOTNOTES
                skipped[reason] += count_words(event.text)
                continue
            if event.is_boilerplate or (bounds and not bounds[0] < number <= bounds[1]):  # PG's header or licence
                skipped[gutenberg.SKIPPED] += count_words(event.text)
            elif options.footnotes or not event.is_note:
                builder.next_paragraph()
                builder.add(narrator, event.text, number)
            else:
                skipped[FOOTNOTES] += count_words(event.text)
    if not builder.lines:
        raise BarkflowError(f"{source}: no text to read (front and back matter is skipped); check the file, "
                            "or name the parts to read in project.book.include")
    return replace(builder.build("book"), metadata=metadata, skipped=tuple(skipped.items()))


def _why_unread(document: _Document, options: BookOptions) -> str:
    """The word report's reason for a spine file left unread (see _selected)."""
    if any(wanted.casefold() in document.names() for wanted in options.exclude):
        return EXCLUDED
    return FRONT_MATTER if _skip_reason(document) else FOOTNOTES
