"""The text's front door: a file in, a Script out (`load_script`), whatever its format.

Text formats (prose, dialogue, Fountain) are decoded and parsed by script.py. Books are read from
the file itself by their format's reader (BOOK_READERS): EPUB and HTML (book.py), PDF (pdf.py),
DOCX (docx.py), FB2 (fb2.py), and MOBI/AZW3 or anything else Calibre reads (calibre.py). A book is
known by `project.format`, else by its extension, else by its first bytes; a book given a text
format is a one-line error saying so. Every book file's size is bounded before its reader opens it.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Optional

from barkflow.errors import BarkflowError, user_path
from barkflow.text.decoding import ENCODING_AUTO, decode_script
from barkflow.text.script import TEXT_FORMATS, Script, parse_script

# Each format's reader (module:function, imported when a book of that format is read, so a script
# never loads pdfminer or python-docx), called as reader(path, fmt, narrator=, options=, encoding=).
# "mobi" is any Mobipocket book (.mobi, .azw, .azw3); "calibre" any other format ebook-convert reads.
# `encoding` (project.encoding) matters to an HTML page only: the other formats declare their own.
BOOK_READERS = {
    "epub": "barkflow.text.book:load_book",
    "html": "barkflow.text.book:load_book",
    "pdf": "barkflow.text.pdf:load_pdf",
    "docx": "barkflow.text.docx:load_docx",
    "fb2": "barkflow.text.fb2:load_fb2",
    "mobi": "barkflow.text.calibre:load_calibre",
    "calibre": "barkflow.text.calibre:load_calibre",
}
FORMATS = (*TEXT_FORMATS, *BOOK_READERS)  # project.format's choices
BOOK_EXTENSIONS = {
    ".epub": "epub", ".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".docx": "docx",
    ".fb2": "fb2", ".mobi": "mobi", ".azw": "mobi", ".azw3": "mobi", ".prc": "mobi",
    ".lit": "calibre", ".pdb": "calibre", ".rtf": "calibre", ".odt": "calibre", ".lrf": "calibre",
    ".snb": "calibre", ".tcr": "calibre", ".chm": "calibre", ".kepub": "calibre",
}
MAX_BOOK_FILE_BYTES = 512 << 20  # a book file: past any real novel (a PDF of page scans reaches a few hundred MiB)
SNIFF_BYTES = 4096  # how much of a file `sniff_book` reads
_HTML_START = re.compile(rb"(\s|<\?xml[^>]*>|<!--.*?-->)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_SNIFFED = {"epub": "an EPUB book (a zip archive)", "html": "an HTML page", "pdf": "a PDF"}


def load_script(path, fmt: str = "auto", *, book=None, encoding: str = ENCODING_AUTO, **kw) -> Script:
    """Read a script or book file into a Script. Text is decoded (`decode_script`; `encoding`:
    project.encoding) and parsed (`parse_script`, with `kw`); a book goes to its reader, with
    `book` (BookOptions) and the narrator."""
    path = user_path(path)
    if not path.exists():
        raise BarkflowError(f"script file not found: {path}; check the path "
                            f"(relative paths start from {Path.cwd()})")
    if not path.is_file():
        raise BarkflowError(f"{path} is not a file; give the path of a script or book file (.txt, .md, .epub...)")
    try:
        with path.open("rb") as file:  # its start first: a book is read (and bounded) by its reader
            head = file.read(SNIFF_BYTES)
            kind = book_format(path, fmt, head)
            data = head + file.read() if kind is None else b""
        if kind is not None:
            return load_book_file(path, kind, narrator=kw.get("narrator", "narrator"), options=book, encoding=encoding)
    except OSError as exc:
        raise BarkflowError(f"cannot read script file {path}: {exc.strerror or exc}; check its permissions") from None
    text = decode_script(data, str(path), encoding)
    if not text.strip():
        raise BarkflowError(f"{path}: the script file is empty; write the text to speak into it")
    return parse_script(text, fmt, source=str(path), **kw)


def book_format(path, fmt: str, head: bytes = b"") -> Optional[str]:
    """The book format `path` is read as (by `fmt`; with auto by its extension, else by its first
    bytes, `head`), else None: it is text. A book given a text format is a one-line error: read as
    text, an EPUB was "not valid UTF-8" and an HTML page's tags were spoken."""
    if fmt in BOOK_READERS:
        return fmt
    sniffed = sniff_book(head)
    if fmt == "auto":
        return BOOK_EXTENSIONS.get(Path(path).suffix.lower()) or sniffed
    if sniffed:
        raise BarkflowError(f"{path}: this is {_SNIFFED[sniffed]}, but project.format is {fmt}, a text format; "
                            f"set project.format=auto (or project.format={sniffed})")
    return None


def sniff_book(head: bytes) -> Optional[str]:
    """'epub' for a zip archive, 'pdf' for a PDF, 'html' for a page that opens as one (after an XML
    declaration or comments), from a file's first bytes; else None."""
    if head.startswith(b"PK\x03\x04"):
        return "epub"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return "html" if _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")[:SNIFF_BYTES]) else None


def load_book_file(path: Path, fmt: str, *, narrator: str = "narrator", options=None,
                   encoding: str = ENCODING_AUTO) -> Script:
    """A book file through its format's reader (BOOK_READERS), its size bounded first for all of them."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BarkflowError(f"cannot read book file {path}: {exc.strerror or exc}; check its permissions") from None
    if size > MAX_BOOK_FILE_BYTES:
        raise BarkflowError(f"{path}: the book file is {size / 2**20:.0f} MiB, over the {MAX_BOOK_FILE_BYTES >> 20} "
                            "MiB a book may have; check the file, or split the book")
    module, _, function = BOOK_READERS[fmt].partition(":")
    reader = getattr(importlib.import_module(module), function)
    return reader(path, fmt, narrator=narrator, options=options, encoding=encoding)
