"""Word documents (.docx) as scripts, read with python-docx: paragraphs in the Title, Heading 1 and
Heading 2 styles start chapters (their text is the title, not read), other headings are not read,
every other paragraph (table cells' too, in order) is a paragraph read by the narrator. Footnotes,
comments, headers and footers are not read. The title, author, language and date come from the
core properties. The zip is checked before python-docx opens it (sizes bounded, not a .doc)."""

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


def _style(paragraph) -> str:
    style = paragraph.style
    return " ".join(((style.name or "") if style is not None else "").casefold().split())


def _parts(document) -> Iterator:
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            seen = set()  # a merged cell comes back once per grid column it spans
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc not in seen:  # the elements themselves: lxml keeps their proxies while held
                        seen.add(cell._tc)
                        yield from (Paragraph(paragraph.text) for paragraph in cell.paragraphs)
            continue
        style, text = _style(block), clean(block.text)
        if style in CHAPTER_STYLES or (block.style is not None and (block.style.style_id or "").casefold() in CHAPTER_STYLES):
            yield Chapter(text)
        elif not style.startswith("heading"):
            yield Paragraph(text)


def _metadata(core) -> BookTags:
    created = core.created
    return BookTags(title=clean(core.title or ""), author=clean(core.author or ""),
                    language=clean(core.language or ""), date=created.date().isoformat() if created else "")
