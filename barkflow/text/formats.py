"""Books: the formats read from the file itself rather than as text, and the reader of each; the
table load_script dispatches on, with every book file's size bounded before its reader opens it."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Optional

from barkflow.errors import BarkflowError

# Each format's reader named here (module:function,
# called as load_book is). "mobi" is any Mobipocket book (.mobi, .azw, .azw3); "calibre" any other
# format Calibre's ebook-convert reads.
BOOK_READERS = {
    "epub": "barkflow.text.book:load_book",
    "html": "barkflow.text.book:load_book",
    "pdf": "barkflow.text.pdf:load_pdf",
    "docx": "barkflow.text.docx:load_docx",
    "fb2": "barkflow.text.fb2:load_fb2",
    "mobi": "barkflow.text.calibre:load_calibre",
    "calibre": "barkflow.text.calibre:load_calibre",
}
BOOK_EXTENSIONS = {
    ".epub": "epub", ".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".docx": "docx",
    ".fb2": "fb2", ".mobi": "mobi", ".azw": "mobi", ".azw3": "mobi", ".prc": "mobi",
    ".lit": "calibre", ".pdb": "calibre", ".rtf": "calibre", ".odt": "calibre", ".lrf": "calibre",
    ".snb": "calibre", ".tcr": "calibre", ".chm": "calibre", ".kepub": "calibre",
}
MAX_BOOK_BYTES = 512 << 20  # a book file: past any real novel (a PDF of page scans reaches a few hundred MiB)


def book_format(path, fmt: str) -> Optional[str]:
    """The book format `path` is read as (by `fmt`, or by its extension with auto), else None."""
    if fmt in BOOK_READERS:
        return fmt
    return BOOK_EXTENSIONS.get(Path(path).suffix.lower()) if fmt == "auto" else None


def load_book_file(path: Path, fmt: str, *, narrator: str = "narrator", options=None):  # -> Script
    """A book file through its format's reader (BOOK_READERS), its size bounded first for all of them."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BarkflowError(f"cannot read book file {path}: {exc.strerror or exc}; check its permissions") from None
    if size > MAX_BOOK_BYTES:
        raise BarkflowError(f"{path}: the book file is {size / 2**20:.0f} MiB, over the {MAX_BOOK_BYTES >> 20} MiB "
                            "a book may have; check the file, or split the book")
    module, _, function = BOOK_READERS[fmt].partition(":")
    reader = getattr(importlib.import_module(module), function)
    return reader(path, fmt, narrator=narrator, options=options)
