"""FictionBook (.fb2) books as scripts, read straight from their XML with lxml (no entities, no
DTD, no network). Every <section> with a <title> starts a chapter, at any depth; paragraphs,
verse lines, epigraphs, citations and their authors are paragraphs read by the narrator; titles
and subtitles are not read, nor the body's own title (the title page). Note bodies (<body
name="notes">) are read only with `project.book.footnotes: true`; note links are dropped. The
title, authors, language, date, publisher and cover come from the <description>."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Iterator

from barkflow.errors import BarkflowError
from barkflow.text.markup import safe_xml_parser
from barkflow.text.parts import Chapter, Paragraph, build_script, clean, error_detail
from barkflow.text.script import BookTags, Script

COVER_TYPES = {"image/jpeg": "image/jpeg", "image/jpg": "image/jpeg", "image/png": "image/png"}
MAX_COVER_BYTES = 16 << 20
_READ = frozenset({"p", "v", "text-author", "th", "td"})  # what holds the words that are read
_UNREAD = frozenset({"title", "subtitle", "image", "binary", "annotation"})


def _name(element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _attribute(element, name: str) -> str:
    """An attribute by its local name, whatever its namespace prefix (l:href, xlink:href)."""
    return next((value for key, value in element.attrib.items() if key.rpartition("}")[2] == name), "")


def load_fb2(path: Path, fmt: str = "fb2", *, narrator: str = "narrator", options=None, encoding: str = "auto") -> Script:
    from lxml import etree

    source = str(path)
    parser = safe_xml_parser(resolve_entities=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (etree.XMLSyntaxError, OSError, ValueError) as error:
        detail = error_detail(error)
        raise BarkflowError(f"{source}: malformed FB2 (not well-formed XML: {detail}); check the download, "
                            "or convert the book to EPUB") from None
    if _name(root) != "FictionBook":
        raise BarkflowError(f"{source}: not a FictionBook (the root element is <{_name(root)}>); "
                            "check the file, or convert the book to EPUB")
    footnotes = bool(getattr(options, "footnotes", False))
    return build_script(_parts(root, footnotes), _metadata(root, source), source, narrator, "FB2")


def _text(element) -> str:
    """An element's words, without note links and images."""
    words = [element.text or ""] if isinstance(element.tag, str) else []
    for child in element:
        name = _name(child)
        if not (name == "a" and _attribute(child, "type") == "note") and name not in ("image", "binary") and name:
            words.append(_text(child))
        words.append(child.tail or "")
    return "".join(words)


def _parts(root, footnotes: bool) -> Iterator:
    for body in (child for child in root if _name(child) == "body"):
        notes = _attribute(body, "name") in ("notes", "comments")
        yield from _walk(body, read=footnotes or not notes)


def _walk(element, read: bool) -> Iterator:
    for child in element:
        name = _name(child)
        if name == "section":
            title = next((grand for grand in child if _name(grand) == "title"), None)
            if title is not None and read:
                yield Chapter(" ".join(clean(_text(p)) for p in title if _name(p) == "p") or clean(_text(title)))
            yield from _walk(child, read)
        elif name in _READ:
            yield Paragraph(_text(child), read=read)
        elif name and name not in _UNREAD:  # epigraph, cite, poem, stanza, table, tr, td...
            yield from _walk(child, read)


def _metadata(root, source: str) -> BookTags:
    def find(parent, *path):
        for step in path:
            parent = next((child for child in parent if _name(child) == step), None) if parent is not None else None
        return parent

    def text(parent, *path) -> str:
        element = find(parent, *path)
        return clean(_text(element)) if element is not None else ""

    description = find(root, "description")
    info = find(description, "title-info")
    authors = []
    for author in (child for child in (info if info is not None else ()) if _name(child) == "author"):
        name = " ".join(part for part in (text(author, "first-name"), text(author, "middle-name"),
                                          text(author, "last-name")) if part)
        authors.append(name or text(author, "nickname"))
    date = find(info, "date")
    cover, cover_type = _cover(root, find(info, "coverpage"), source)
    return BookTags(title=text(info, "book-title"), author=" & ".join(a for a in authors if a),
                    language=text(info, "lang"), publisher=text(description, "publish-info", "publisher"),
                    date=(_attribute(date, "value") or clean(_text(date))) if date is not None else "",
                    cover=cover, cover_type=cover_type)


def _cover(root, coverpage, source: str) -> tuple[bytes, str]:
    image = next((child for child in coverpage if _name(child) == "image"), None) if coverpage is not None else None
    wanted = _attribute(image, "href").lstrip("#") if image is not None else ""
    binary = next((child for child in root if _name(child) == "binary" and child.get("id") == wanted), None)
    if not wanted or binary is None:
        return b"", ""
    kind = COVER_TYPES.get((binary.get("content-type") or "").lower())
    data = binary.text or ""
    if kind is None or len(data) > MAX_COVER_BYTES * 4 // 3 + 4:
        return b"", ""
    try:
        return base64.b64decode("".join(data.split()), validate=True), kind
    except (binascii.Error, ValueError):
        return b"", ""  # a damaged cover is left out, the book is still read
