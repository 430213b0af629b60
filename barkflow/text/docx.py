"""Word documents (.docx) as scripts, read with python-docx: paragraphs in the Title, Heading 1 and
Heading 2 styles start chapters (their text is the title, not read); every other paragraph, a
lesser heading too, is a paragraph read by the narrator, in the order Word shows them: table cells
(nested ones too), content controls, custom XML, text boxes (after the paragraph holding them),
tracked insertions, fields' results, smart tags. Deleted or moved-away text, footnotes, comments,
headers and footers are not read. The title, author, language and date come from the core
properties. The zip is checked before python-docx opens it (sizes bounded, not a .doc)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterator

from barkflow.errors import BarkflowError
from barkflow.text.parts import Chapter, Paragraph, build_script, clean, error_detail
from barkflow.text.script import BookTags, Script

MAX_MEMBER_BYTES = 64 << 20  # one part of the document, inflated
MAX_INFLATED_BYTES = 512 << 20  # all of them
CHAPTER_STYLES = frozenset({"title", "heading 1", "heading 2", "heading1", "heading2"})
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a .doc, or a password-protected .docx


def load_docx(path: Path, fmt: str = "docx", *, narrator: str = "narrator", options=None, encoding: str = "auto") -> Script:
    """A DOCX as a Script of narrated paragraphs, with its core properties. `options` are for EPUBs."""
    import docx

    source = str(path)
    _check_zip(path, source)
    try:
        document = docx.Document(str(path))
        parts = list(_parts(document))
        metadata = _metadata(document.core_properties)
    except BarkflowError:
        raise
    except Exception as error:  # noqa: BLE001  python-docx raises KeyError, ValueError, lxml's... on a damaged file
        detail = error_detail(error)
        raise BarkflowError(f"{source}: malformed DOCX ({type(error).__name__}: {detail}); open it in Word or "
                            "LibreOffice and save it again as .docx") from None
    return build_script(parts, metadata, source, narrator, "DOCX")


def _check_zip(path: Path, source: str) -> None:
    with open(path, "rb") as file:
        if file.read(8) == _OLE:
            raise BarkflowError(f"{source}: this is an old Word .doc or a password-protected document, not a DOCX; "
                                "save it as .docx without a password")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise BarkflowError(f"{source}: not a readable DOCX (not a zip archive: {error}); "
                            "save it again as .docx") from None
    if "word/document.xml" not in {member.filename for member in members}:
        raise BarkflowError(f"{source}: not a Word document (no word/document.xml); save it again as .docx")
    big = next((member for member in members if member.file_size > MAX_MEMBER_BYTES), None)
    if big is not None or sum(member.file_size for member in members) > MAX_INFLATED_BYTES:
        raise BarkflowError(f"{source}: the DOCX unpacks past {MAX_MEMBER_BYTES >> 20} MiB a part or "
                            f"{MAX_INFLATED_BYTES >> 20} MiB in all; check the file (a zip bomb?)")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Elements whose words Word does not show (deleted or moved-away text, field codes) or shows apart
# (a ruby's annotation), or that hold no text; and the fallback of content Word shows its own way.
_UNREAD = {f"{_W}{name}" for name in ("del", "moveFrom", "delText", "instrText", "rt", "pPr", "rPr", "sectPr",
                                      "footnoteReference", "endnoteReference", "commentReference")} | {f"{_MC}Fallback"}
_SPACES = {f"{_W}{name}" for name in ("tab", "ptab", "br", "cr")}


def _parts(document) -> Iterator:
    """Chapters and paragraphs in the body's order, from its XML: python-docx's paragraphs and
    tables leave out content controls, custom XML, text boxes and the runs inside insertions,
    fields and smart tags."""
    yield from _blocks(document.element.body, _chapter_styles(document))


def _blocks(root, chapter_styles: set) -> Iterator:
    """The paragraphs under `root` in document order, into tables (nested too), content controls
    and custom XML, each a Chapter or a Paragraph; a text box's paragraphs after the one holding it."""
    from lxml import etree

    walk = etree.iterwalk(root, events=("start",))
    for _, element in walk:
        if element.tag in _UNREAD or not isinstance(element.tag, str):
            walk.skip_subtree()
        elif element.tag == f"{_W}p":
            walk.skip_subtree()
            words, boxes = _paragraph_text(element)
            # its w:pStyle, None for the default style
            yield (Chapter if element.style in chapter_styles else Paragraph)(clean(words))
            for box in boxes:
                yield from _blocks(box, chapter_styles)


def _chapter_styles(document) -> set:
    """The ids of the styles that start a chapter (by name or id: Title, Heading 1, Heading 2),
    None among them where the default paragraph style is one. Looked up once: python-docx finds a
    paragraph's style by scanning the styles, three times a paragraph (a long novel: 28 s)."""
    from docx.enum.style import WD_STYLE_TYPE

    chosen = set()
    for style in document.styles:
        name = " ".join((style.name or "").casefold().split())
        if name in CHAPTER_STYLES or (style.style_id or "").casefold() in CHAPTER_STYLES:
            chosen.add(style.style_id)
            if style.type == WD_STYLE_TYPE.PARAGRAPH and style.element.default:
                chosen.add(None)
    return chosen


def _paragraph_text(paragraph) -> tuple[str, list]:
    """A paragraph's words as Word shows them, and the text boxes it holds."""
    from lxml import etree

    words, boxes = [], []
    walk = etree.iterwalk(paragraph, events=("start",))
    for _, element in walk:
        if element.tag in _UNREAD or not isinstance(element.tag, str):
            walk.skip_subtree()
        elif element.tag == f"{_W}t":
            words.append(element.text or "")
        elif element.tag in _SPACES:
            words.append(" ")
        elif element.tag == f"{_W}noBreakHyphen":
            words.append("-")  # 'well-known' kept on one line: still a hyphen
        elif element.tag == f"{_W}txbxContent":
            boxes.append(element)
            walk.skip_subtree()
    return "".join(words), boxes


def _metadata(core) -> BookTags:
    created = core.created
    return BookTags(title=clean(core.title or ""), author=clean(core.author or ""),
                    language=clean(core.language or ""), date=created.date().isoformat() if created else "")
