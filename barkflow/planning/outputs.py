"""The options of the outputs: how the takes are stitched (`stitch`) and what files are exported
(`export`), and the tags they carry (`resolve_tags`). Declared here, with the rest of the schema,
because the config composes them; the publishing stage (publishing/stitch.py, export.py) reads them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

from barkflow.errors import BarkflowError
from barkflow.text.script import BookTags
from barkflow.text.spoken import MAX_PAUSE_S

LOUDNESS_SCOPES = ("chapter", "book")
MAX_CROSSFADE_MS = 500.0
AUDIO_FORMATS = ("wav", "flac", "ogg", "mp3", "m4b")  # m4b through ffmpeg, the rest through soundfile
SUBTITLE_FORMATS = ("srt", "vtt")
MIN_BITRATE_KBPS, MAX_BITRATE_KBPS = 16, 320


# Not frozen: it doubles as a Hydra schema, and OmegaConf makes frozen nodes read-only.
@dataclass
class StitchOptions:
    pause_sentence_s: float = 0.2
    pause_paragraph_s: float = 0.6
    pause_speaker_s: float = 0.35
    pause_chapter_s: float = 1.5  # ends each chapter's file (not after the last chapter)
    crossfade_ms: float = 0.0  # equal-power crossfade between pieces joined with no pause (0 = off)
    trim_silence: bool = True  # trim each piece's leading/trailing silence (keeps TRIM_MARGIN_S)
    silence_threshold_db: float = -45.0  # sample level (dBFS) under which trimming counts silence
    loudness_lufs: Optional[float] = -18.0  # integrated loudness target; None = no normalisation
    loudness_scope: str = "chapter"  # "chapter": a gain per chapter; "book": one gain for all
    peak_dbfs: float = -1.0  # ceiling: masters' sample peak (soft-knee limiter); every exported file's true peak

    def __post_init__(self) -> None:
        for name in ("pause_sentence_s", "pause_paragraph_s", "pause_speaker_s", "pause_chapter_s"):
            _check_number(name, getattr(self, name), 0.0, MAX_PAUSE_S, "in seconds, such as 0.5")
        _check_number("crossfade_ms", self.crossfade_ms, 0.0, MAX_CROSSFADE_MS, "such as 10, or 0 for none")
        if not isinstance(self.trim_silence, bool):
            raise BarkflowError(f"stitch.trim_silence is {self.trim_silence!r}: set it to true or false")
        _check_number("silence_threshold_db", self.silence_threshold_db, -120.0, -1.0, "in dBFS, such as -45")
        if self.loudness_lufs is not None:
            _check_number("loudness_lufs", self.loudness_lufs, -60.0, -1.0, "such as -18, or null for none")
        if self.loudness_scope not in LOUDNESS_SCOPES:
            raise BarkflowError(
                f"stitch.loudness_scope is {self.loudness_scope!r}: set it to 'chapter' or 'book'"
            )
        _check_number("peak_dbfs", self.peak_dbfs, -40.0, 0.0, "in dBFS, such as -1")


def _check_number(name: str, value: object, low: float, high: float, example: str) -> None:
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value) or not low <= value <= high:
        raise BarkflowError(f"stitch.{name} is {value!r}: set it between {low:g} and {high:g}, {example}")


# Not frozen: it doubles as a Hydra schema, and OmegaConf makes frozen nodes read-only.
@dataclass
class ExportOptions:
    formats: List[str] = field(default_factory=lambda: ["wav"])  # any of AUDIO_FORMATS
    book: bool = True  # one file for the whole book per format (m4b is always whole-book)
    per_chapter: bool = False  # also one file per chapter
    per_line: bool = False  # also one file per script line (its slice of the stitched audio)
    subtitles: List[str] = field(default_factory=lambda: ["srt", "vtt"])
    title: str = ""
    author: str = ""
    bitrate_kbps: int = 64  # AAC bitrate for m4b and the read-along book's audio
    read_along: bool = False  # also <name>.epub: the text with Media Overlays (publishing/readalong.py)

    def __post_init__(self) -> None:
        # Hydra hands over lists (or a bare string); store normalised tuples.
        self.formats = list(_format_names("formats", self.formats, AUDIO_FORMATS))
        self.subtitles = list(_format_names("subtitles", self.subtitles, SUBTITLE_FORMATS))
        for name in ("book", "per_chapter", "per_line", "read_along"):
            if not isinstance(getattr(self, name), bool):
                raise BarkflowError(f"export.{name} is {getattr(self, name)!r}: set it to true or false")
        for name in ("title", "author"):
            if not isinstance(getattr(self, name), str):
                raise BarkflowError(f"export.{name} is {getattr(self, name)!r}: quote it as text")
        bitrate = self.bitrate_kbps
        is_whole_number = isinstance(bitrate, int) and not isinstance(bitrate, bool)
        if not is_whole_number or not MIN_BITRATE_KBPS <= bitrate <= MAX_BITRATE_KBPS:
            raise BarkflowError(
                f"export.bitrate_kbps is {bitrate!r}: set a whole number from {MIN_BITRATE_KBPS} to "
                f"{MAX_BITRATE_KBPS}, such as 64"
            )
        self._check_something_is_written()

    @property
    def plain_formats(self) -> tuple[str, ...]:
        """The formats written through soundfile (everything but m4b)."""
        return tuple(name for name in self.formats if name != "m4b")

    @property
    def book_subtitles(self) -> bool:
        return bool(self.subtitles) and (self.book or "m4b" in self.formats)

    def _check_something_is_written(self) -> None:
        if self.per_line and not self.plain_formats:
            raise BarkflowError("export.per_line needs a format other than m4b in export.formats, such as wav")
        if self.plain_formats and not (self.book or self.per_chapter or self.per_line):
            raise BarkflowError(
                f"export.formats {list(self.plain_formats)} has nothing to write: set export.book, "
                "export.per_chapter or export.per_line to true"
            )
        if not self.formats and not self.read_along and not (self.subtitles and (self.book or self.per_chapter)):
            raise BarkflowError("export writes nothing: list a format in export.formats, such as wav")


def _format_names(option: str, value: object, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Lower-case names without a leading dot, duplicates dropped, each one checked."""
    if isinstance(value, str):
        value = (value,)
    try:
        items = list(value)  # type: ignore[arg-type]
    except TypeError:
        raise BarkflowError(f"export.{option} is {value!r}: give a list such as {list(allowed[:2])}") from None
    names: list[str] = []
    for item in items:
        name = str(item).strip().lower().lstrip(".")
        if name not in allowed:
            raise BarkflowError(f"export.{option} has {item!r}: choose from {', '.join(allowed)}")
        if name not in names:
            names.append(name)
    return tuple(names)


def resolve_tags(book: Optional[BookTags], export: ExportOptions, *, title: str, author: str, read_by: str,
                 cover: str, find: Callable[[str], Path]) -> BookTags:
    """The outputs' tags, the one place they are decided: export.title and export.author first, then
    project.title, author, read_by and cover (`find` turns the cover's path as written into a file),
    then the book's own metadata."""
    image, image_type = read_cover(find(cover), cover) if cover else (b"", "")
    project = BookTags(title=title, author=author, read_by=read_by, cover=image, cover_type=image_type)
    return BookTags(title=export.title, author=export.author).over(project.over(book))


def read_cover(path: Path, written: str) -> tuple[bytes, str]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise BarkflowError(f"project.cover={written}: cannot read it ({error.strerror or error}); "
                            "give the path of a JPEG or PNG image") from None
    if data.startswith(b"\xff\xd8\xff"):
        return data, "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "image/png"
    raise BarkflowError(f"project.cover={written}: not a JPEG or PNG image; convert it to one of those")
