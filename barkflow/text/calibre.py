"""MOBI, AZW, AZW3 and every other format Calibre reads, as scripts: Calibre's `ebook-convert`
turns the book into an EPUB in a temporary folder, and book.py reads that (its chapters, front
matter rules and `project.book` options apply). Without Calibre, or for a DRM-protected book, the
error says so in one line; the conversion is bounded in time."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from barkflow.errors import BarkflowError
from barkflow.text.script import Script

CONVERT_TIMEOUT_S = 600  # a long novel converts in well under a minute
_KFX_DRM = b"\xeaDRMION\xee"


def load_calibre(path: Path, fmt: str = "mobi", *, narrator: str = "narrator", options=None, encoding: str = "auto") -> Script:
    from barkflow.text.book import load_book

    source, suffix = str(path), path.suffix.lower() or f".{fmt}"
    _check_drm(path, source)
    tool = shutil.which("ebook-convert")
    if tool is None:
        raise BarkflowError(f"{source}: install Calibre (ebook-convert) to read {suffix} books, "
                            "or convert the book to EPUB")
    with tempfile.TemporaryDirectory(prefix="barkflow-book-") as folder:
        book = Path(folder) / f"book{suffix}"  # Calibre picks its reader by the extension
        shutil.copyfile(path, book)
        epub = Path(folder) / "book.epub"
        environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # no display needed
        try:
            result = subprocess.run([tool, str(book), str(epub)], capture_output=True, text=True, errors="replace",
                                    timeout=CONVERT_TIMEOUT_S, env=environment, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BarkflowError(f"{source}: Calibre took over {CONVERT_TIMEOUT_S} s to convert the book; "
                                "convert it to EPUB yourself and read that") from None
        output = f"{result.stdout}\n{result.stderr}"
        if "DRMError" in output or "DRM" in output and result.returncode:
            raise BarkflowError(f"{source}: the book is DRM-protected; barkflow cannot read encrypted books, "
                                "use a DRM-free copy")
        if result.returncode or not epub.is_file():
            last = next((line.strip() for line in reversed(output.splitlines()) if line.strip()), "no output")
            raise BarkflowError(f"{source}: Calibre could not convert the book ({last[:160]}); "
                                "check the file, or convert it to EPUB yourself")
        try:
            script = load_book(epub, "epub", narrator=narrator, options=options)
        except BarkflowError as error:  # name the user's file, not the temporary EPUB
            raise BarkflowError(str(error).replace(str(epub), source)) from None
    return replace(script, source=source)


def _check_drm(path: Path, source: str) -> None:
    """A Mobipocket book says in its first record whether it is encrypted; a KFX one in its magic."""
    with open(path, "rb") as file:
        head = file.read(4096)
        if head.startswith(_KFX_DRM):
            raise BarkflowError(f"{source}: the book is DRM-protected (KFX); barkflow cannot read encrypted books, "
                                "use a DRM-free copy")
        if len(head) < 86 or head[60:68] not in (b"BOOKMOBI", b"TEXtREAd"):
            return  # not a Mobipocket file: Calibre says what it is
        (offset,) = struct.unpack(">I", head[78:82])
        file.seek(offset)
        record = file.read(16)
    if len(record) == 16 and struct.unpack(">H", record[12:14])[0] != 0:
        raise BarkflowError(f"{source}: the book is DRM-protected (an encrypted Mobipocket book); barkflow cannot "
                            "read encrypted books, use a DRM-free copy")
