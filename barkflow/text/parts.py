"""A book read as a stream of parts (chapter starts and paragraphs) into a `Script`: what the PDF,
DOCX and FB2 readers share with book.py's rule that a line's `source_line` is its paragraph's
number in the book, counted from 1 over every paragraph, read or not."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Union

from barkflow.errors import BarkflowError
from barkflow.text.decoding import bark_characters
from barkflow.text.script import BookTags, Script, ScriptBuilder

MAX_TEXT_CHARS = 64 << 20  # a book's text: a few dozen novels; past it a file is not one book


@dataclass(frozen=True)
class Chapter:
    title: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    read: bool = True  # False: counted (so numbers stay put) but not read, e.g. a footnote


def clean(text: str) -> str:
    """Text as spoken, for every book reader (book.py's too): the script's character policy
    (`bark_characters`: invisibles gone, controls as spaces), whitespace collapsed."""
    return " ".join(bark_characters(text).split())


def error_detail(error: BaseException) -> str:
    """A library's error as a short clause of a one-line BarkflowError (lxml's and pdfminer's span lines)."""
    return " ".join(str(error).split())[:120]


def build_script(parts: Iterable[Union[Chapter, Paragraph]], metadata: BookTags, source: str, narrator: str,
                 what: str) -> Script:
    """The Script of `parts`, with the book's metadata; `what` names the format in errors."""
    builder = ScriptBuilder(source, narrator)  # numbers chapters and paragraphs as a plain script's
    number = chars = 0
    for part in parts:
        if isinstance(part, Chapter):
            builder.chapter(clean(part.title))
            continue
        text = clean(part.text)
        if not text:
            continue
        number += 1  # every paragraph counts, read or not
        chars += len(text)
        if chars > MAX_TEXT_CHARS:
            raise BarkflowError(f"{source}: the {what} holds over {MAX_TEXT_CHARS >> 20} M characters of text, "
                                "more than a book; check the file, or split it")
        if part.read:
            builder.next_paragraph()
            builder.add(narrator, text, number)
    if not builder.lines:
        raise BarkflowError(f"{source}: no text to read in this {what}; check the file (is it empty?)")
    return replace(builder.build("book"), metadata=metadata)
