"""PDF books as scripts, read with pdfminer.six's layout analysis (lines with their positions and
font sizes; pypdf's plain extraction loses the lines of a page whose words are placed one by one).

A page's running head, running foot and page number are not read: a line at the top or bottom of
the page, set apart from the text by a wider gap than the line spacing, that is a bare number
("12", "xii", "- 12 -", "Page 12 of 300") or whose text (digits aside) comes back at the top or
bottom of other pages. Lines join into paragraphs; a new one starts at a wider vertical gap, an
indented first line, or after a short line that ends a sentence. A word hyphenated across a line
break is joined ("extra-" + "ordinary") unless the book's own words say the hyphen is real: the
hyphenated form appears elsewhere, or both halves do and the joined word does not ("well-known").

Chapters start where the PDF's outline (bookmarks) points, every entry at any depth; without one,
at heading lines (a larger font than the text's, or a line of its own such as "Chapter 1" or
"CHAPTER IV"). Headings are titles, not read. The title, author and date come from the document
information. A PDF without a text layer (page scans: under 20 characters a page) is a one-line error: it
needs OCR first.
"""

from __future__ import annotations

import logging
import re
import statistics
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from barkflow.errors import BarkflowError
from barkflow.text.parts import Chapter, Paragraph, build_script, clean, error_detail
from barkflow.text.script import BookTags, Script

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns about every odd font; the text is what counts

MAX_PAGES = 5000  # a long novel is under 1500 pages
MAX_STREAM_BYTES = 64 << 20  # one inflated stream (a page's content, a font)
MAX_INFLATED_BYTES = 1 << 30  # all inflated streams of one book: a flate bomb stops here, not in swap
HEADING_SIZE = 1.15  # a line this many times the text's font size is a heading
_CHAPTER = re.compile(r"(?i)(chapter|part|book|letter)\s+[\w.-]{1,12}(\s*[.:—–-]?\s+\S.{0,60})?"
                      r"|prologue|epilogue|preface|foreword|introduction|afterword")
_PAGE_NUMBER = re.compile(r"(?i)[-–—\s]*(page\s*)?(\d{1,5}|[ivxlc]{1,8})(\s*(of|/)\s*\d{1,5})?[-–—\s]*")
_DOT_LEADER = re.compile(r"(\.\s?){4,}\s*\d+$")  # a table of contents' "Chapter 1 ....... 5"
_SENTENCE_END = re.compile(r"[.!?…:][\"'”’»)\]]*$")


class _Inflated:
    """pdfminer inflates every stream whole; this stands in for its zlib with a bounded inflate."""

    error = zlib.error
    total = 0

    @classmethod
    def decompress(cls, data: bytes) -> bytes:
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, MAX_STREAM_BYTES + 1)
        cls.total += len(out)
        if len(out) > MAX_STREAM_BYTES or cls.total > MAX_INFLATED_BYTES:
            raise _Bomb()
        return out

    @staticmethod
    def decompressobj(*args):
        return zlib.decompressobj(*args)


class _Bomb(Exception):
    pass


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    text: str


def load_pdf(path: Path, fmt: str = "pdf", *, narrator: str = "narrator", options=None, encoding: str = "auto") -> Script:
    """A PDF as a Script of narrated paragraphs, with its metadata. `options` (BookOptions) are for EPUBs."""
    source = str(path)
    with open(path, "rb") as file, _reading(source):
        pages, outline, metadata, page_ids = _read(file, source)
    characters = sum(len(line.text) for page in pages for line in page)
    if not pages:
        raise BarkflowError(f"{source}: the PDF has no pages; export the book again")
    if characters < 20 * len(pages):  # a page or two of text is 2000 characters; a scan's stamps a few
        raise BarkflowError(f"{source}: the PDF has no text layer (scanned pages?); it needs OCR first, "
                            "e.g. `ocrmypdf --skip-text book.pdf book-ocr.pdf`, then read book-ocr.pdf")
    starts = _outline_starts(outline, page_ids)
    known = {clean(value).casefold() for value in (metadata.title, metadata.author) if value}
    return build_script(_parts(pages, starts, known), metadata, source, narrator, "PDF")


@contextmanager
def _reading(source: str) -> Iterator[None]:
    """pdfminer's errors on a damaged file as one line; its inflate bounded meanwhile."""
    from pdfminer import pdftypes
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    real_zlib, pdftypes.zlib, _Inflated.total = pdftypes.zlib, _Inflated, 0
    try:
        yield
    except BarkflowError:
        raise
    except _Bomb:
        raise BarkflowError(f"{source}: a stream of the PDF inflates past {MAX_STREAM_BYTES >> 20} MiB (or all of "
                            f"them past {MAX_INFLATED_BYTES >> 30} GiB); check the file (a zip bomb?)") from None
    except PDFPasswordIncorrect:
        raise BarkflowError(f"{source}: the PDF is password-protected; remove the password (e.g. `qpdf "
                            "--decrypt --password=... in.pdf out.pdf`) or use a DRM-free copy") from None
    except PDFEncryptionError as error:
        raise BarkflowError(f"{source}: the PDF is encrypted in a way barkflow cannot read ({error}); "
                            "use a DRM-free copy") from None
    except Exception as error:  # noqa: BLE001  a damaged file makes pdfminer raise almost any type
        detail = error_detail(error)
        raise BarkflowError(f"{source}: malformed PDF ({type(error).__name__}: {detail}); check the download, "
                            "or print the book to a new PDF") from None
    finally:
        pdftypes.zlib = real_zlib


def _read(file, source: str):
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFNoOutlines
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    document = PDFDocument(PDFParser(file))
    try:
        outline = list(document.get_outlines())
    except (PDFNoOutlines, RecursionError):  # pdfminer walks /Next recursively: 3,000 bookmarks overflow it
        outline = []  # chapters then come from the headings, as in a book without bookmarks
    outline = [(title, _destination(document, dest, action)) for _, title, dest, action, _ in outline[:MAX_PAGES]]
    resources = PDFResourceManager()
    device = PDFPageAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    pages, page_ids = [], {}
    for number, page in enumerate(PDFPage.create_pages(document)):
        if number == MAX_PAGES:
            raise BarkflowError(f"{source}: the PDF has over {MAX_PAGES} pages, more than a book; check the file, "
                                "or split it")
        page_ids[page.pageid] = number
        interpreter.process_page(page)
        pages.append(_page_lines(device.get_result(), number))
    return pages, outline, _metadata(document), page_ids


def _page_lines(layout, number: int) -> list[_Line]:
    from pdfminer.layout import LTChar, LTTextLineHorizontal

    lines = []

    def walk(item) -> None:
        if isinstance(item, LTTextLineHorizontal):
            text = clean(item.get_text())
            sizes = [char.size for char in item if isinstance(char, LTChar) and char.get_text().strip()]
            if text and sizes:
                lines.append(_Line(number, item.y1, item.y0, item.x0, item.x1, statistics.median(sizes), text))
        elif hasattr(item, "__iter__"):
            for child in item:
                walk(child)

    walk(layout)
    return lines


def _destination(document, dest, action) -> Optional[tuple]:
    """An outline entry's (page object id, top or None), or None where it points nowhere."""
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral

    if dest is None and action is not None:
        action = resolve1(action)
        if isinstance(action, dict) and getattr(resolve1(action.get("S")), "name", None) == "GoTo":
            dest = action.get("D")
    dest = resolve1(dest)
    if isinstance(dest, (str, bytes, PSLiteral)):  # a named destination
        try:
            dest = resolve1(document.get_dest(dest.name if isinstance(dest, PSLiteral) else dest))
        except Exception:  # noqa: BLE001  a name that is not there: the entry points nowhere
            return None
    if isinstance(dest, dict):
        dest = resolve1(dest.get("D"))
    if not isinstance(dest, list) or not dest:
        return None
    page = getattr(dest[0], "objid", None)
    kind = getattr(resolve1(dest[1]), "name", "") if len(dest) > 1 else ""
    top = resolve1(dest[3]) if kind == "XYZ" and len(dest) > 3 else resolve1(dest[2]) if kind == "FitH" and len(dest) > 2 else None
    return page, top if isinstance(top, (int, float)) else None


def _metadata(document) -> BookTags:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    info = {}
    for entry in document.info:
        info.update(resolve1(entry) if isinstance(resolve1(entry), dict) else {})

    def text(key: str) -> str:
        value = resolve1(info.get(key))
        return clean(decode_text(value) if isinstance(value, bytes) else value if isinstance(value, str) else "")

    date = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", text("CreationDate"))
    language = resolve1(document.catalog.get("Lang"))
    return BookTags(title=text("Title"), author=text("Author"),
                    language=clean(decode_text(language)) if isinstance(language, bytes) else "",
                    date="-".join(part for part in date.groups() if part) if date else "")


def _outline_starts(outline, page_ids: dict) -> list[tuple[int, float, str]]:
    """(page number, top, title) where each outline entry starts a chapter, in reading order."""
    starts = []
    for title, target in outline:
        if target is not None and target[0] in page_ids:
            starts.append((page_ids[target[0]], float("inf") if target[1] is None else target[1], title))
    return starts


# ----------------------------------------------------------------------------------------------
# from lines to paragraphs


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold())


def _furniture(pages: list[list[_Line]], body_size: float, leading: float, known: set[str]) -> set[int]:
    """ids of the lines that are running heads, running feet and page numbers. `known`: the book's
    title and author (lower case), a running head even where it comes once."""
    candidates = []  # (line, band) for lines set apart at a page's top or bottom
    for lines in pages:
        ordered = sorted(lines, key=lambda line: -line.top)
        for band, run in (("top", ordered), ("bottom", ordered[::-1])):
            for index, line in enumerate(run[:2]):
                rest = run[index + 1:]
                gap = abs(line.top - rest[0].top) if rest else float("inf")
                if gap < 1.4 * leading or line.size > body_size * HEADING_SIZE or _CHAPTER.fullmatch(line.text):
                    break
                candidates.append((line, band))
    recurring = Counter((band, _key(line.text)) for line, band in candidates)
    return {id(line) for line, band in candidates
            if _PAGE_NUMBER.fullmatch(line.text) or recurring[band, _key(line.text)] >= 2
            or line.text.casefold() in known}


def _join(previous: str, line: str, words: set[str], compounds: set[str]) -> str:
    """Two lines of one paragraph as one: a hyphen at the break joined or kept as the book's words say."""
    match = re.search(r"(\w+)[-\u00ad]$", previous)
    following = re.match(r"\w+", line)
    if previous.endswith(("—", "–")):
        return previous + line
    if not match or not following:
        return f"{previous} {line}"
    head, tail = match.group(1), following.group(0)
    if previous.endswith("\u00ad") or (head + tail).casefold() in words:
        return previous[:-1] + line
    if f"{head}-{tail}".casefold() in compounds or (head.casefold() in words and tail.casefold() in words):
        return previous + line
    return previous + line if tail[0].isupper() else previous[:-1] + line


def _parts(pages: list[list[_Line]], starts: list[tuple[int, float, str]], known: set[str]) -> Iterator:
    all_lines = [line for lines in pages for line in lines]
    sizes = Counter()
    for line in all_lines:
        sizes[round(line.size, 1)] += len(line.text)
    body_size = sizes.most_common(1)[0][0]
    gaps = [round(a.top - b.top, 1) for lines in pages for a, b in zip(lines, lines[1:])
            if 0 < a.top - b.top < 4 * body_size and abs(a.size - body_size) < 0.5 and abs(b.size - body_size) < 0.5]
    leading = statistics.median(gaps) if gaps else body_size * 1.2
    furniture = _furniture(pages, body_size, leading, known)

    # The book's own words: whole ones and hyphenated ones, but not the halves of line-end breaks.
    words, compounds = set(), set()
    for lines in pages:
        body = [line for line in lines if id(line) not in furniture]
        for index, line in enumerate(body):
            tokens = line.text.split()
            if line.text.endswith("-") and tokens:
                tokens = tokens[:-1]
            if index and body[index - 1].text.endswith("-") and tokens:
                tokens = tokens[1:]
            for token in tokens:
                token = token.strip(".,;:!?\"'“”‘’()[]«»—–").casefold()
                if "-" in token.strip("-"):
                    compounds.add(token)
                    words.update(part for part in token.split("-") if part)
                else:
                    words.add(token)

    starts = sorted(starts, key=lambda start: (start[0], -start[1]))
    use_headings = not starts
    paragraph, heading, previous = "", [], None
    bodies = [[line for line in lines if id(line) not in furniture and not _DOT_LEADER.search(line.text)]
              for lines in pages]
    widths = {body[0].page: max(line.x1 for line in body) - min(line.x0 for line in body) for body in bodies if body}
    for body in bodies:
        margin = min((line.x0 for line in body if abs(line.size - body_size) < 0.5), default=0)
        for line in body:
            chapter_titles = []
            while starts and (starts[0][0] < line.page or starts[0][0] == line.page and starts[0][1] >= line.top - 1):
                chapter_titles.append(starts.pop(0)[2])
            is_heading = line.size > body_size * HEADING_SIZE
            new = (previous is None or chapter_titles or is_heading or heading
                   or line.x0 > margin + 0.4 * body_size
                   or line.page == previous.page and previous.top - line.top > 1.4 * leading
                   or previous.x1 - margin < 0.75 * widths.get(previous.page, 0) and _SENTENCE_END.search(previous.text))
            if is_heading and heading and line.page == previous.page and previous.top - line.top < 3 * line.size:
                heading.append(line.text)  # a heading over two lines: "Chapter 1" / "The Storm"
                previous = line
                continue
            if new:
                if heading and use_headings:  # with an outline, headings are only titles, not read
                    yield Chapter(": ".join(heading))
                if heading:
                    heading = []
                elif paragraph:
                    yield from _paragraph(paragraph, use_headings)
                paragraph = ""
            for title in chapter_titles:
                yield Chapter(title)
            if is_heading:
                heading = [line.text]
            else:
                paragraph = _join(paragraph, line.text, words, compounds) if paragraph else line.text
            previous = line
    if heading and use_headings:
        yield Chapter(": ".join(heading))
    if paragraph:
        yield from _paragraph(paragraph, use_headings)


def _paragraph(text: str, use_headings: bool) -> Iterator:
    """A paragraph, or the chapter that a heading line of the text's own size ("Chapter 1") starts."""
    if use_headings and _CHAPTER.fullmatch(text):
        yield Chapter(text)
    else:
        yield Paragraph(text)
