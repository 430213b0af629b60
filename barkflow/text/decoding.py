"""Bytes to the text Bark may read: a script file's encoding (`decode_script`: UTF-8, UTF-16 or
UTF-32 with a byte order mark, UTF-8 without one, UTF-16 without one when its zero bytes show it,
or the codec `project.encoding` names), the control characters refused with a one-line error at
their line, and which characters Bark gets, decided once by Unicode category (`bark_characters`):
every script's text and every line and title a book reader builds pass through it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from barkflow.errors import BarkflowError

# Byte order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def script_encoding(data: bytes) -> tuple[str, bytes]:
    """The encoding of a script file's bytes and the byte order mark they start with (b"" for
    none): what `decode_script` reads them with, and what a rewrite must write them back with."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, bom
    return _utf16_without_bom(data) or "utf-8", b""


ENCODING_AUTO = "auto"


def check_encoding(key: str, encoding: str) -> None:
    """`auto`, or the name of a text codec Python knows (utf-16-le, shift_jis, gb18030, cp1252...)."""
    if encoding == ENCODING_AUTO:
        return
    try:
        "".encode(encoding)  # also refuses codecs that are not text encodings (rot13, base64)
    except (LookupError, TypeError, ValueError):
        raise BarkflowError(f"{key} is {encoding!r}: not a text encoding Python knows; use auto (UTF-8, or UTF-16/32 "
                            f"with a byte order mark) or a codec name such as utf-16-le, shift_jis, gb18030, cp1252") from None


def decode_script(data: bytes, source: str = "<bytes>", encoding: str = ENCODING_AUTO) -> str:
    """Decode a script file. With `encoding` auto: UTF-8, UTF-16 or UTF-32 with a byte order mark,
    UTF-8 without one, or UTF-16 without one when its zero bytes give it away (see
    `_utf16_without_bom`); else the codec named (project.encoding), unless a byte order mark
    names the encoding (a mark is never wrong; a setting may be, for one file among many).

    Anything else is a one-line error that names the line and byte offset and says to save the
    file as UTF-8 or name its encoding in project.encoding. The text returned has no byte order mark.
    """
    if encoding == ENCODING_AUTO or script_encoding(data)[1]:
        encoding, bom = script_encoding(data)
        name = encoding.upper().removesuffix("-LE").removesuffix("-BE")  # UTF-8, UTF-16, UTF-32
    else:
        bom, name = b"", encoding.upper()
    bom_length = len(bom)
    try:
        return data[bom_length:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = bom_length + exc.start
        text_before = data[bom_length:offset].decode(encoding, errors="replace")
        line = text_before.count("\n") + 1
        hint = (" (it has zero bytes: is it UTF-16 or UTF-32 without a byte order mark?)"
                if encoding == "utf-8" and not bom and b"\0" in data else "")
        raise BarkflowError(f"{source}:{line}: the script is not valid {name}: byte 0x{data[offset]:02x} "
                            f"at byte offset {offset}{hint}; save it as UTF-8, or name its encoding in "
                            f"project.encoding (e.g. utf-16-le, utf-16-be, shift_jis, gb18030, cp1252)") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when `data` looks like UTF-16 without a byte order mark, else None.

    In UTF-16 every character below U+0100 (ASCII, the newlines of any script) has a zero high
    byte: the odd bytes in little-endian, the even ones in big-endian. UTF-8 text has no zero
    bytes at all, unless it holds NUL characters. So the rule: an even length, and zero bytes at
    one parity in at least a quarter of the 2-byte units and more often than at the other parity.
    """
    if len(data) < 2 or len(data) % 2 or b"\0" not in data:
        return None
    units = len(data) // 2
    zeros_even, zeros_odd = data[0::2].count(0), data[1::2].count(0)
    if zeros_odd > zeros_even and zeros_odd * 4 >= units:
        return "utf-16-le"
    if zeros_even > zeros_odd and zeros_even * 4 >= units:
        return "utf-16-be"
    return None


# Control characters Bark must never see (NUL from a mis-decoded UTF-16 file, escape codes...).
# Those that are whitespace (form feed from PDF-to-text tools, vertical tab, the information
# separators, NEL) are read as spaces instead; tab, newline and carriage return stay as they are.
NON_WHITESPACE_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def check_characters(text: str, source: str) -> str:
    """Refuse control characters with a one-line error at their line; then `bark_characters`."""
    found = NON_WHITESPACE_CONTROL.search(text)
    if found is not None:
        before = text[:found.start()]
        line = len(split_lines(before))
        column = len(before) - max(before.rfind("\n"), before.rfind("\r"))
        name = {"\x00": " (NUL)", "\x1b": " (ESC)", "\x7f": " (DEL)"}.get(found.group(), "")
        raise BarkflowError(f"{source}:{line}: the script contains the control character U+{ord(found.group()):04X}"
                            f"{name} at column {column}; delete it, or if the file is UTF-16 or UTF-32, "
                            f"save it as UTF-8")
    return bark_characters(text)


# --- the characters Bark gets, decided once by Unicode category ---

# Zero width non-joiner and joiner change how a word is written (Persian and Indic spelling, emoji
# sequences such as 👩‍👩‍👧), so subtitles keep them between two visible characters; Bark's
# tokenizer ignores them. Anywhere else they are dropped.
_JOINERS = "\u200c\u200d"
_LOOSE_JOINER = re.compile(r"(?<!\S)[\u200c\u200d]+|[\u200c\u200d]+(?!\S)")
_VARIATION_SELECTORS = ("VARIATION SELECTOR", "MONGOLIAN FREE VARIATION SELECTOR")


class _BarkCharacterTable(dict):
    """str.translate's table, filled per code point on first sight (no scan of all of Unicode):
      dropped   Cf format (bidi controls, zero width space, U+FEFF, word joiner, soft hyphen, tags),
                Co private use, Cn unassigned and noncharacters, Cs lone surrogates, and the
                variation selectors (Mn, presentation only): nothing to say, and invisible in an error
      a space   Zl, Zp (U+2028, U+2029) and Cc other than tab and the line breaks (form feed, NEL...)
      kept      everything else: letters, marks, numbers, punctuation, symbols and emoji, Zs spaces
                (no-break spaces matter to the number rules), tab, newline, carriage return
    """

    def __missing__(self, code: int):
        character = chr(code)
        category = unicodedata.category(character)
        if character in _JOINERS or character in "\t\n\r":
            kept = code
        elif category in ("Cf", "Co", "Cn", "Cs") or (
                category == "Mn" and unicodedata.name(character, "").startswith(_VARIATION_SELECTORS)):
            kept = None
        elif category in ("Zl", "Zp", "Cc"):
            kept = " "
        else:
            kept = code
        self[code] = kept
        return kept


_BARK_CHARACTERS = _BarkCharacterTable()


def bark_characters(text: str) -> str:
    """`text` with only the characters Bark gets (see `_BarkCharacterTable`); line breaks stay, so
    line numbers do. Idempotent, and linear in the text."""
    if text.isascii() and text.isprintable():
        return text
    text = text.translate(_BARK_CHARACTERS)
    if "\u200c" in text or "\u200d" in text:
        text = _LOOSE_JOINER.sub("", text)
    return text


# A Bark cue: [laughs], [MAN], [clears throat]... or the singing notes.
BARK_CUE = re.compile(r"\[[^\[\]\n\r]{1,30}\]|[\u266a\u266b\u266c\u2669]+")
_WORD_CHARACTER = re.compile(r"[^\W_]")


def has_words(text: str) -> bool:
    """Whether Bark has something to say in `text`: a letter or digit, or a Bark cue. Punctuation
    alone ("* * *", a lone ".") is never a line or a segment of its own."""
    return bool(_WORD_CHARACTER.search(text) or BARK_CUE.search(text))


def file_lines(text: str) -> list[str]:
    """The file's lines with their endings (\n, \r\n or \r; nothing else ends a line, unlike
    str.splitlines), so that index + 1 is the line number the parser gives: what a rewrite of one
    line must split by."""
    return re.split(r"(?<=\n)|(?<=\r)(?!\n)", text)


def split_lines(text: str) -> list[str]:
    """The file's lines (\\n, \\r\\n or \\r endings), so that list index + 1 is the line number."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
