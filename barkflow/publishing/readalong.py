"""A read-along book: EPUB 3 with Media Overlays, so a reading app highlights each segment as it is spoken.

`write_read_along` writes `<name>.epub` (export.read_along) from the stitch result, whose placed
pieces know the exact samples of every segment:

    mimetype                    first, stored (not compressed), as OCF requires
    META-INF/container.xml
    EPUB/package.opf            metadata (title, author, narrator, language, publisher, date, cover),
                                `media:duration` per overlay and in all, `media:active-class`
    EPUB/nav.xhtml              the chapters
    EPUB/chNNN.xhtml            one content document per chapter: the words shown in the book, one
                                <p> per script line, one <span id="seg-<segment id>"> per segment
    EPUB/chNNN.smil             its overlay: per segment a <par> of the span and its clip
    EPUB/chNNN.m4a              the chapter's audio, AAC (a core media type of EPUB 3)

Clips tile the chapter: each runs from its segment's start to the next one's (the first from 0,
the last to the chapter's end), so playback is continuous and a segment stays highlighted through
the pause after it. Crossfaded neighbours overlap; the cut goes in the middle of the overlap.
Times are whole milliseconds, rounded down, so no clip ends after its audio.

The AAC is encoded as export encodes its m4b (ffmpeg from imageio-ffmpeg, its decoded true peak
held under `stitch.peak_dbfs`), with ffmpeg's bitexact flags so the same masters give the same
bytes. The archive is deterministic too: fixed entry times, a fixed `dcterms:modified` and an
identifier derived from the book's content, so the same render gives the same file.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from barkflow.publishing.export import (
    LevelCorrection,
    Span,
    corrected_copy,
    decoded_by_ffmpeg,
    encode_within_ceiling,
    ffmpeg_executable,
    master_spans,
    run_ffmpeg,
)
from barkflow.publishing.stitch import PlacedPiece, StitchResult
from barkflow.store.files import atomic_output_path
from barkflow.text.script import BookTags

MEDIA_ACTIVE_CLASS = "-epub-media-overlay-active"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can say: no build time in the bytes
# EPUB 3 requires a last-modified time; a fixed one keeps the bytes reproducible (the identifier,
# derived from the content, is what tells two versions of a book apart).
MODIFIED = "2000-01-01T00:00:00Z"
_ID_NAMESPACE = uuid.UUID("6f0b5a52-4b7e-4a57-9a5e-2f0c1e6d7b11")  # barkflow's read-along books
_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")  # BCP 47, loosely: a well-formed shape
_W3CDTF = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?")
_OPS = "http://www.idpf.org/2007/ops"


@dataclass(frozen=True)
class Clip:
    """One segment's place in a chapter's overlay: its span's id and its clip, in milliseconds."""

    span_id: str
    begin_ms: int
    end_ms: int


@dataclass(frozen=True)
class _Chapter:
    number: int  # from 1
    title: str
    paragraphs: list[list[tuple[str, str]]]  # per script line: (span id, text) per segment
    clips: list[Clip]  # empty: nothing audible, so no overlay
    duration_ms: int

    @property
    def stem(self) -> str:
        return f"ch{self.number:03d}"


def write_read_along(result: StitchResult, chapter_titles: Sequence[str], path: Path, book: BookTags,
                     bitrate_kbps: int = 64) -> Path:
    """The read-along EPUB of `result` at `path` (written whole, then moved into place)."""
    path = Path(path)
    span_ids = _span_ids(result.pieces)
    chapters = [
        _chapter(index, title, [p for p in result.pieces if p.chapter == index], span_ids, samples, result.sample_rate)
        for index, (title, samples) in enumerate(zip(chapter_titles, result.chapter_samples))
    ]
    language = book.language.strip() if _LANGUAGE_TAG.fullmatch(book.language.strip()) else "und"
    title = " ".join(book.title.split()) or path.stem
    masters = master_spans(result)
    with tempfile.TemporaryDirectory(prefix="barkflow-epub-") as scratch, \
            atomic_output_path(path, write_errors=(OSError, zipfile.BadZipFile)) as temporary:
        audio = {}
        for chapter in chapters:
            if chapter.clips:
                audio[chapter.stem] = _write_m4a(Path(scratch) / f"{chapter.stem}.m4a", masters[chapter.number - 1],
                                                 result, bitrate_kbps)
        with zipfile.ZipFile(temporary, "w") as archive:
            _add(archive, "mimetype", b"application/epub+zip", compress=False)
            _add(archive, "META-INF/container.xml", _container().encode())
            _add(archive, "EPUB/package.opf", _package(chapters, book, title, language).encode())
            _add(archive, "EPUB/nav.xhtml", _nav(chapters, title, language).encode())
            _add(archive, "EPUB/style.css", _STYLE.encode())
            if _cover_name(book):
                _add(archive, f"EPUB/{_cover_name(book)}", book.cover, compress=False)
            for chapter in chapters:
                _add(archive, f"EPUB/{chapter.stem}.xhtml", _content(chapter, language).encode())
                if chapter.clips:
                    _add(archive, f"EPUB/{chapter.stem}.smil", _overlay(chapter).encode())
                    _add_file(archive, f"EPUB/{chapter.stem}.m4a", audio[chapter.stem])
    return path


# --- the text and its clips ---------------------------------------------------------------


def _span_ids(pieces: Sequence[PlacedPiece]) -> dict[int, str]:
    """Piece position -> a span id from its segment id ("seg-l0012-s01"): stable across renders, so
    a reader's bookmarks and notes survive a re-render. A repeated id (not expected) gets a suffix."""
    ids: dict[int, str] = {}
    used: set[str] = set()
    for position, piece in enumerate(pieces):
        base = "seg-" + re.sub(r"[^A-Za-z0-9_.-]", "_", piece.segment_id)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        ids[id(piece)] = name
    return ids


def chapter_clips(pieces: Sequence[PlacedPiece], span_ids: dict[int, str], chapter_samples: int,
                  sample_rate: int) -> list[Clip]:
    """The clips of one chapter's pieces (in order): they tile [0, the chapter's end) in whole
    milliseconds, each strictly after the one before. A piece trimmed to nothing, or one whose
    start rounds onto the previous one's, gets no clip (its audio, if any, plays in its neighbour's)."""
    def ms(sample: int) -> int:
        return sample * 1000 // sample_rate

    starts: list[tuple[str, int]] = []
    previous_end = 0
    for piece in pieces:
        if piece.chapter_end <= piece.chapter_start:
            continue
        start = piece.chapter_start if previous_end <= piece.chapter_start else (piece.chapter_start + previous_end) // 2
        begin = 0 if not starts else ms(start)
        if not starts or begin > starts[-1][1]:
            starts.append((span_ids[id(piece)], begin))
        previous_end = max(previous_end, piece.chapter_end)
    end = ms(chapter_samples)
    while starts and starts[-1][1] >= end:  # only where a chapter is shorter than its pieces say
        starts.pop()
    bounds = [begin for _, begin in starts[1:]] + [end]
    return [Clip(span_id, begin, stop) for (span_id, begin), stop in zip(starts, bounds)]


def _chapter(index: int, title: str, pieces: list[PlacedPiece], span_ids: dict[int, str], samples: int,
             sample_rate: int) -> _Chapter:
    paragraphs: list[list[tuple[str, str]]] = []
    line = None
    for piece in pieces:
        if piece.line != line or not paragraphs:
            paragraphs.append([])
            line = piece.line
        paragraphs[-1].append((span_ids[id(piece)], piece.text))
    clips = chapter_clips(pieces, span_ids, samples, sample_rate)
    duration = clips[-1].end_ms - clips[0].begin_ms if clips else 0
    return _Chapter(index + 1, " ".join(title.split()), paragraphs, clips, duration)


# --- the documents ------------------------------------------------------------------------


def _text(value: str) -> str:
    """Character data: escaped, and without the characters XML 1.0 cannot hold."""
    return escape(_XML_INVALID.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_XML_INVALID.sub("", value))


def _clock(ms: int) -> str:
    """A SMIL clock value, h:mm:ss.fff (also what media:duration takes)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _heading(chapter: _Chapter) -> str:
    return chapter.title or f"Chapter {chapter.number}"


def _container() -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
            '  <rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles>\n</container>\n")


def _xhtml(language: str, title: str, body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="{_OPS}" xml:lang={_attr(language)} '
            f"lang={_attr(language)}>\n<head>\n<meta charset=\"UTF-8\"/>\n<title>{_text(title)}</title>\n"
            '<link rel="stylesheet" type="text/css" href="style.css"/>\n</head>\n'
            f"<body>\n{body}</body>\n</html>\n")


def _content(chapter: _Chapter, language: str) -> str:
    paragraphs = "".join(
        # Whitespace runs as one space, as a reader shows them anyway (and XML would turn a CR into LF).
        "<p>" + " ".join(f"<span id={_attr(span_id)}>{_text(' '.join(_XML_INVALID.sub('', text).split()))}</span>"
                         for span_id, text in paragraph) + "</p>\n"
        for paragraph in chapter.paragraphs
    )
    heading = f"<h1>{_text(chapter.title)}</h1>\n" if chapter.title else ""
    body = f'<section epub:type="chapter" id="{chapter.stem}">\n{heading}{paragraphs}</section>\n'
    return _xhtml(language, _heading(chapter), body)


def _nav(chapters: Sequence[_Chapter], title: str, language: str) -> str:
    items = "".join(f'<li><a href="{c.stem}.xhtml">{_text(_heading(c))}</a></li>\n' for c in chapters)
    body = f'<nav epub:type="toc" id="toc">\n<h1>{_text(title)}</h1>\n<ol>\n{items}</ol>\n</nav>\n'
    return _xhtml(language, title, body)


def _overlay(chapter: _Chapter) -> str:
    pars = "".join(
        f'<par id="par-{clip.span_id}"><text src="{chapter.stem}.xhtml#{clip.span_id}"/>'
        f'<audio src="{chapter.stem}.m4a" clipBegin="{_clock(clip.begin_ms)}" clipEnd="{_clock(clip.end_ms)}"/></par>\n'
        for clip in chapter.clips
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="{_OPS}" version="3.0">\n<body>\n'
            f'<seq id="seq-{chapter.stem}" epub:textref="{chapter.stem}.xhtml#{chapter.stem}" epub:type="chapter">\n'
            f"{pars}</seq>\n</body>\n</smil>\n")


def _cover_name(book: BookTags) -> str:
    """The cover's name in the book; "" for none, or one of a type EPUB readers need not show."""
    names = {"image/png": "cover.png", "image/jpeg": "cover.jpg"}
    return names.get(book.cover_type, "") if book.cover else ""


def _identifier(chapters: Sequence[_Chapter], book: BookTags, title: str) -> str:
    """urn:uuid from what the book is: its tags, words and timing; the same render, the same id."""
    digest = hashlib.sha256(repr((book.identity(), title, [(c.title, c.paragraphs, c.clips) for c in chapters]))
                            .encode()).hexdigest()
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, digest)}"


def _package(chapters: Sequence[_Chapter], book: BookTags, title: str, language: str) -> str:
    meta = [
        f'<dc:identifier id="book-id">{_identifier(chapters, book, title)}</dc:identifier>',
        f"<dc:title>{_text(title)}</dc:title>",
        f"<dc:language>{_text(language)}</dc:language>",
    ]
    if book.author.strip():
        meta.append(f'<dc:creator id="author">{_text(" ".join(book.author.split()))}</dc:creator>')
    if book.read_by.strip():
        narrator = _text(" ".join(book.read_by.split()))
        meta += [f'<dc:contributor id="narrator">{narrator}</dc:contributor>',
                 '<meta refines="#narrator" property="role" scheme="marc:relators">nrt</meta>',
                 f'<meta property="media:narrator">{narrator}</meta>']
    if book.publisher.strip():
        meta.append(f"<dc:publisher>{_text(' '.join(book.publisher.split()))}</dc:publisher>")
    if _W3CDTF.fullmatch(book.date.strip()):  # a free-form date would be a conformance error
        meta.append(f"<dc:date>{_text(book.date.strip())}</dc:date>")
    meta.append(f'<meta property="dcterms:modified">{MODIFIED}</meta>')
    voiced = [c for c in chapters if c.clips]
    meta += [f'<meta property="media:duration" refines="#mo-{c.stem}">{_clock(c.duration_ms)}</meta>' for c in voiced]
    meta += [f'<meta property="media:duration">{_clock(sum(c.duration_ms for c in voiced))}</meta>',
             f'<meta property="media:active-class">{MEDIA_ACTIVE_CLASS}</meta>']
    items = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
             '<item id="style" href="style.css" media-type="text/css"/>']
    if _cover_name(book):
        items.append(f'<item id="cover-image" href="{_cover_name(book)}" media-type="{book.cover_type}" '
                     'properties="cover-image"/>')
    for c in chapters:
        overlay = f' media-overlay="mo-{c.stem}"' if c.clips else ""
        items.append(f'<item id="{c.stem}" href="{c.stem}.xhtml" media-type="application/xhtml+xml"{overlay}/>')
        if c.clips:
            items += [f'<item id="mo-{c.stem}" href="{c.stem}.smil" media-type="application/smil+xml"/>',
                      f'<item id="audio-{c.stem}" href="{c.stem}.m4a" media-type="audio/mp4"/>']
    spine = "".join(f'<itemref idref="{c.stem}"/>' for c in chapters)
    newline = "\n    "
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" '
            f"xml:lang={_attr(language)}>\n"
            f'  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n    {newline.join(meta)}\n  </metadata>\n'
            f"  <manifest>\n    {newline.join(items)}\n  </manifest>\n"
            f"  <spine>{spine}</spine>\n</package>\n")


_STYLE = f"""\
body {{ margin: 1em; line-height: 1.5; }}
.{MEDIA_ACTIVE_CLASS} {{ background-color: #ffe58a; color: inherit; }}
"""


# --- the archive and the audio -----------------------------------------------------------


def _entry(name: str, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # the same on every platform
    return info


def _add(archive: zipfile.ZipFile, name: str, data: bytes, compress: bool = True) -> None:
    archive.writestr(_entry(name, compress), data)


def _add_file(archive: zipfile.ZipFile, name: str, source: Path) -> None:
    """A file copied in, in blocks (an hour of audio is tens of MB); stored: AAC does not compress."""
    with open(source, "rb") as data, archive.open(_entry(name, compress=False), "w", force_zip64=True) as out:
        shutil.copyfileobj(data, out, 1 << 20)


def _write_m4a(path: Path, master: Span, result: StitchResult, bitrate_kbps: int) -> Path:
    """One chapter master as AAC in MP4, its decoded true peak under the ceiling (as export's m4b)."""
    ffmpeg = ffmpeg_executable("export.read_along")

    def encode(target: Path, correction: LevelCorrection) -> None:
        source = master.path if correction.is_none else corrected_copy(master, path.parent, correction,
                                                                        result.sample_rate)
        command = [
            ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
            "-map", "0:a", "-map_metadata", "-1", "-c:a", "aac", "-b:a", f"{bitrate_kbps}k",
            "-fflags", "+bitexact", "-flags:a", "+bitexact",  # no encoder version or times in the bytes
            "-movflags", "+faststart", "-f", "mp4", str(target),
        ]  # fmt: skip
        run_ffmpeg(command, f"ffmpeg could not encode {path.name} for the read-along book")

    encode_within_ceiling(path, encode, functools.partial(decoded_by_ffmpeg, format_name="export.read_along"), result)
    return path
