"""Encode the stitched chapter masters into the files a listener keeps.

Files written into out_dir for basename "book":

    book.<fmt>                          the whole book, per format in wav/flac/ogg/mp3 (options.book)
    book.m4b                            the whole book as AAC with chapter markers and title/author tags
    book.srt, book.vtt                  subtitles for the whole book (options.book, or when m4b is made)
    book-chapters/book-ch001.<fmt>      one file per chapter, numbered from 1 (options.per_chapter),
    book-chapters/book-ch001.srt|vtt    with its own subtitles
    book-lines/book-l0012.<fmt>         one file per script line (options.per_line): the line's slice
                                        of the stitched, normalised audio, numbered by the line in
                                        the script file (from 1), as in segment ids ("l0012-s01").

wav and flac are 16-bit PCM (no dither; the masters are already limited under full scale), ogg is
Vorbis and mp3 is MPEG Layer III, all through soundfile (libsndfile's default quality). m4b goes
through the ffmpeg binary that imageio-ffmpeg ships: the chapter WAVs via the concat demuxer,
chapter markers from an FFMETADATA file with millisecond times, then tags with mutagen.

Tags: title and author (export.* first, then project.*, then the book's own), and for a book or a
project with `project.read_by` / `project.cover` (BookTags) also the narrator credit, language,
publisher, date and cover art, in the m4b (MP4 atoms: the narrator as composer, ©wrt, as audiobook
players read it) and in every mp3 (ID3: TCOM, TLAN, TPUB, TDRC and the front cover as APIC).

Levels: every file leaves with its true peak (4x oversampled with soxr), as a player decodes it,
at or under the ceiling stitch limited the masters' samples to (`stitch.peak_dbfs`). Lossy codecs,
and peaks between samples, can rise past that ceiling, so each file is decoded (lossy ones by
ffmpeg) and measured before it is moved into place. One over the ceiling is encoded again with its
peaks limited lower by the overshoot (plus a margin), which leaves its loudness nearly as it was;
if that is not enough, it is turned down as a whole (see LevelCorrection). A file already under the
ceiling is written exactly as before.

Audio is copied in blocks, never a whole book in memory, and every file is written under a
temporary name and moved into place when complete.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile as sf
import soxr

from barkflow.errors import BarkflowError
from barkflow.planning.outputs import ExportOptions
from barkflow.publishing.stitch import (
    PlacedPiece,
    StitchResult,
    prepare_out_dir,
    soft_limit,
    sound_file_writer,
)
from barkflow.publishing.subtitles import cues_from_pieces, samples_to_ms, split_long_cues, write_srt, write_vtt
from barkflow.store.files import atomic_output_path
from barkflow.text.script import BookTags

log = logging.getLogger(__name__)

# format name -> (libsndfile major format, subtype)
SOUNDFILE_FORMATS = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
LOSSY_FORMATS = ("ogg", "mp3", "m4b")  # measured as ffmpeg decodes them (see encode_within_ceiling)
READ_BLOCK_FRAMES = 1 << 16  # about 2.7 s at 24 kHz
TRUE_PEAK_OVERSAMPLING = 4  # as ITU-R BS.1770-4 measures true peak
# A corrected file aims this far under the ceiling, doubled at each further try: codecs are not quite
# linear (the tiny model's DC-heavy noise through AAC once rose 0.1 dB from a 0.25 dB cut).
LEVEL_CORRECTION_MARGIN_DB = 0.1
MAX_LEVEL_CORRECTIONS = 4  # extra encodes allowed for a file over the ceiling


@dataclass(frozen=True)
class Span:
    """Frames [start, end) of one master file."""

    path: Path
    start: int
    end: int


def master_spans(result: StitchResult) -> list[Span]:
    """Every chapter master whole, by the frame counts _check_inputs has held them to."""
    return [Span(Path(path), 0, n) for path, n in zip(result.chapter_files, result.chapter_samples)]


# ISO 639-1 (what books and Bark's voices name: "en", "en-US") -> ISO 639-2: ID3's TLAN wants the
# bibliographic code (B), MP4's track language the terminology code (T); they differ for few languages.
_ISO_639_2_B = {
    "af": "afr", "ar": "ara", "be": "bel", "bg": "bul", "bn": "ben", "bo": "tib", "br": "bre", "bs": "bos",
    "ca": "cat", "cs": "cze", "cy": "wel", "da": "dan", "de": "ger", "el": "gre", "en": "eng", "eo": "epo",
    "es": "spa", "et": "est", "eu": "baq", "fa": "per", "fi": "fin", "fo": "fao", "fr": "fre", "fy": "fry",
    "ga": "gle", "gd": "gla", "gl": "glg", "gu": "guj", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun",
    "hy": "arm", "id": "ind", "is": "ice", "it": "ita", "ja": "jpn", "ka": "geo", "kk": "kaz", "km": "khm",
    "kn": "kan", "ko": "kor", "ku": "kur", "la": "lat", "lb": "ltz", "lt": "lit", "lv": "lav", "mi": "mao",
    "mk": "mac", "ml": "mal", "mn": "mon", "mr": "mar", "ms": "may", "mt": "mlt", "my": "bur", "nb": "nob",
    "ne": "nep", "nl": "dut", "nn": "nno", "no": "nor", "oc": "oci", "pa": "pan", "pl": "pol", "ps": "pus",
    "pt": "por", "ro": "rum", "ru": "rus", "sa": "san", "si": "sin", "sk": "slo", "sl": "slv", "so": "som",
    "sq": "alb", "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
    "tr": "tur", "uk": "ukr", "ur": "urd", "uz": "uzb", "vi": "vie", "yi": "yid", "zh": "chi", "zu": "zul",
    "iw": "heb", "in": "ind", "ji": "yid",  # the codes ISO 639-1 withdrew, still in older books
}
_B_TO_T = {
    "tib": "bod", "cze": "ces", "wel": "cym", "ger": "deu", "gre": "ell", "baq": "eus", "per": "fas", "fre": "fra",
    "arm": "hye", "ice": "isl", "geo": "kat", "mao": "mri", "mac": "mkd", "may": "msa", "bur": "mya", "dut": "nld",
    "rum": "ron", "slo": "slk", "alb": "sqi", "chi": "zho",
}
_T_TO_B = {t: b for b, t in _B_TO_T.items()}
_KNOWN_639_2 = set(_ISO_639_2_B.values()) | set(_B_TO_T.values())


def iso_639_2(tag: str, terminology: bool = False) -> str:
    """A language tag ("en", "en-US", "DE", "eng", "deu") as an ISO 639-2 code: bibliographic ("ger",
    for ID3) or `terminology` ("deu", for MP4); "" for one this table does not know (then no tag)."""
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    code = _ISO_639_2_B.get(primary) or (_T_TO_B.get(primary, primary) if primary in _KNOWN_639_2 else "")
    return _B_TO_T.get(code, code) if terminology else code


@dataclass(frozen=True)
class _Tags:
    title: str = ""
    artist: str = ""
    album: str = ""
    tracknumber: str = ""


def export(
    result: StitchResult, chapter_titles: Sequence[str], options: ExportOptions, out_dir: Path, basename: str,
    book: BookTags = BookTags(),
) -> list[Path]:
    """Write every file the options ask for; return their paths in the order written. `book` is
    what they are tagged with (planning/outputs.py resolve_tags decides it)."""
    _check_inputs(result, chapter_titles, basename)
    _check_encoders(options.formats)
    out_dir = prepare_out_dir(out_dir)
    written: list[Path] = []
    if options.book:
        written += _export_book(result, options, out_dir / basename, book)
    if "m4b" in options.formats:
        written.append(_write_m4b(out_dir / f"{basename}.m4b", result, chapter_titles, options, book))
    if options.book_subtitles:
        written += _write_subtitles(out_dir / basename, result.pieces, "book", options.subtitles, result.sample_rate)
    if options.per_chapter:
        folder = prepare_out_dir(out_dir / f"{basename}-chapters")
        written += _export_chapters(result, chapter_titles, options, folder, basename, book)
    if options.per_line:
        folder = prepare_out_dir(out_dir / f"{basename}-lines")
        written += _export_lines(result, options, folder, basename, book)
    return written


def _export_book(result: StitchResult, options: ExportOptions, stem: Path, book: BookTags) -> list[Path]:
    tags = _Tags(title=book.title, artist=book.author, album=book.title)
    return [
        _write_audio(stem.with_name(f"{stem.name}.{name}"), master_spans(result), name, result, tags, book)
        for name in options.plain_formats
    ]


def _export_chapters(
    result: StitchResult, chapter_titles: Sequence[str], options: ExportOptions, folder: Path, basename: str,
    book: BookTags,
) -> list[Path]:
    written = []
    for index, (span, title) in enumerate(zip(master_spans(result), chapter_titles)):
        stem = folder / f"{basename}-ch{index + 1:03d}"
        tags = _Tags(title=title, artist=book.author, album=book.title, tracknumber=str(index + 1))
        for name in options.plain_formats:
            audio_path = stem.with_name(f"{stem.name}.{name}")
            written.append(_write_audio(audio_path, [span], name, result, tags, book))
        pieces = [piece for piece in result.pieces if piece.chapter == index]
        written += _write_subtitles(stem, pieces, "chapter", options.subtitles, result.sample_rate)
    return written


def _export_lines(result: StitchResult, options: ExportOptions, folder: Path, basename: str, book: BookTags) -> list[Path]:
    written = []
    for (chapter, line), (start, end, text) in _line_spans(result.pieces).items():
        if end <= start:
            log.warning("script line %d is silent after trimming; it gets no per-line file", line)
            continue
        span = Span(Path(result.chapter_files[chapter]), start, end)
        tags = _Tags(title=text, artist=book.author, album=book.title)
        for name in options.plain_formats:
            audio_path = folder / f"{basename}-l{line:04d}.{name}"
            written.append(_write_audio(audio_path, [span], name, result, tags))
    return written


def _check_inputs(result: StitchResult, chapter_titles: Sequence[str], basename: str) -> None:
    if len(chapter_titles) != len(result.chapter_files):
        raise ValueError(f"{len(chapter_titles)} chapter titles for {len(result.chapter_files)} chapter files")
    if (
        not isinstance(basename, str)
        or basename.strip() in ("", ".", "..")
        or any(character in basename for character in '/\\\0\n')
    ):
        raise BarkflowError(f"export basename {basename!r} is not a plain file name; use one such as 'my-book'")
    rerun = "run the stitch step again"
    for path, n_samples in zip(result.chapter_files, result.chapter_samples):
        try:
            info = sf.info(str(path))
        except (OSError, sf.LibsndfileError):
            raise BarkflowError(f"chapter master {path} is missing or unreadable; {rerun}") from None
        if info.frames != n_samples or info.samplerate != result.sample_rate or info.channels != 1:
            raise BarkflowError(f"chapter master {path} does not match the stitch result; {rerun}")


def _check_encoders(formats: Sequence[str]) -> None:
    """Fail before writing anything if an asked-for encoder is missing."""
    for name in formats:
        if name in LOSSY_FORMATS:
            ffmpeg_executable(name)
        if name == "m4b":
            continue
        major, subtype = SOUNDFILE_FORMATS[name]
        if major not in sf.available_formats() or subtype not in sf.available_subtypes(major):
            raise BarkflowError(
                f"export.formats: {name} needs libsndfile with {major}/{subtype} (this one is "
                f"{sf.__libsndfile_version__}; mp3 needs 1.1 or newer); run 'pip install -U soundfile' "
                f"or drop {name}"
            )


# --- plain formats through soundfile ------------------------------------------------------


def _write_audio(
    path: Path, spans: Sequence[Span], name: str, result: StitchResult, tags: _Tags, book: Optional[BookTags] = None
) -> Path:
    major, subtype = SOUNDFILE_FORMATS[name]

    def encode(target: Path, correction: LevelCorrection) -> None:
        with sound_file_writer(target, result.sample_rate, format=major, subtype=subtype) as out:
            _set_tags(out, tags)  # before any audio: FLAC and Ogg write their comments up front
            for block in _read_spans(spans):
                out.write(np.clip(correction.apply(block), -1.0, 1.0))  # PCM conversion wraps rather than clips
        if name == "mp3" and book is not None and book.has_extras:
            _tag_mp3(target, tags, book)

    decode = _decoded_by_soundfile
    if name in LOSSY_FORMATS:
        decode = functools.partial(decoded_by_ffmpeg, format_name=name)
    encode_within_ceiling(path, encode, decode, result, write_errors=(OSError, sf.LibsndfileError))
    return path


def _set_tags(sound_file: sf.SoundFile, tags: _Tags) -> None:
    for key in ("title", "artist", "album", "tracknumber"):
        value = " ".join(getattr(tags, key).split())
        if not value:
            continue
        try:
            setattr(sound_file, key, value)
        except (RuntimeError, sf.LibsndfileError):
            log.debug("%s files cannot store the %s tag", sound_file.format, key)


def _tag_mp3(path: Path, tags: _Tags, book: BookTags) -> None:
    """ID3 tags through mutagen: libsndfile writes only title, artist, album and track, and no cover."""
    import mutagen
    from mutagen import id3

    try:
        try:
            frames = id3.ID3(str(path))
        except id3.ID3NoHeaderError:
            frames = id3.ID3()
        texts = {
            id3.TIT2: tags.title, id3.TPE1: tags.artist, id3.TALB: tags.album, id3.TRCK: tags.tracknumber,
            id3.TCOM: book.read_by, id3.TLAN: iso_639_2(book.language), id3.TPUB: book.publisher, id3.TDRC: book.date,
        }
        for frame, value in texts.items():
            value = " ".join(value.split())
            if value:
                frames.setall(frame.__name__, [frame(encoding=id3.Encoding.UTF8, text=[value])])
        if book.cover:
            frames.setall("APIC", [id3.APIC(encoding=id3.Encoding.UTF8, mime=book.cover_type,
                                            type=id3.PictureType.COVER_FRONT, desc="Cover", data=book.cover)])
        frames.save(str(path))
    except mutagen.MutagenError as error:
        raise BarkflowError(f"could not tag {path.name}: {error}; check free space and permissions") from None


def _read_spans(spans: Sequence[Span]) -> Iterator[np.ndarray]:
    """The spans' audio in order, as float32 blocks of at most READ_BLOCK_FRAMES."""
    for span in spans:
        with sf.SoundFile(str(span.path)) as source:
            source.seek(span.start)
            remaining = span.end - span.start
            while remaining > 0:
                block = source.read(min(READ_BLOCK_FRAMES, remaining), dtype="float32")
                if not len(block):
                    raise BarkflowError(f"chapter master {span.path} is shorter than expected; run stitch again")
                remaining -= len(block)
                yield block


# --- levels: the true-peak ceiling, measured on what a player decodes --------------------


@dataclass(frozen=True)
class LevelCorrection:
    """What a file over the ceiling is encoded with: its peaks limited lower, then a gain.

    Codec overshoot mostly rides on a few peaks, so limiting them lower first leaves the loudness
    (and so the match between formats) nearly as it was; a gain follows only where that was not
    enough (an overshoot spread through the whole signal).
    """

    limit_dbfs: Optional[float] = None  # soft_limit ceiling; None: the masters as they are
    gain_db: float = 0.0

    @property
    def is_none(self) -> bool:
        return self.limit_dbfs is None and not self.gain_db

    def apply(self, block: np.ndarray) -> np.ndarray:
        """The block corrected (in place)."""
        if self.limit_dbfs is not None:
            soft_limit(block, 10 ** (self.limit_dbfs / 20))
        if self.gain_db:
            block *= np.float32(10 ** (self.gain_db / 20))
        return block

    def after(self, overshoot_db: float, ceiling_db: float) -> LevelCorrection:
        """The next correction, for a file that measured `overshoot_db` over the ceiling with this one."""
        if self.limit_dbfs is None:
            return replace(self, limit_dbfs=ceiling_db - overshoot_db)
        return replace(self, gain_db=self.gain_db - overshoot_db)


def encode_within_ceiling(
    path: Path,
    encode: Callable[[Path, LevelCorrection], None],
    decode: Callable[[Path], Iterator[np.ndarray]],
    result: StitchResult,
    write_errors: tuple[type[BaseException], ...] = (OSError,),
) -> None:
    """encode(target, correction) into a temporary file, decode and measure it, and encode again
    with a stronger correction while its true peak is over the ceiling; then move it onto `path`.

    Deterministic: the same masters give the same measurements, so the same corrections and bytes.
    """
    ceiling_db = result.peak_dbfs
    with atomic_output_path(path, write_errors=write_errors) as temporary:
        correction = LevelCorrection()
        for corrections in itertools.count():
            encode(temporary, correction)
            peak_db = true_peak_dbfs(decode(temporary), result.sample_rate)
            if peak_db <= ceiling_db:
                return
            if corrections == MAX_LEVEL_CORRECTIONS:
                log.warning(
                    "%s: true peak %+.2f dBFS is still over the %g dBFS ceiling after %d corrections",
                    path.name, peak_db, ceiling_db, corrections,
                )  # fmt: skip
                return
            overshoot_db = peak_db - ceiling_db + LEVEL_CORRECTION_MARGIN_DB * 2**corrections
            correction = correction.after(overshoot_db, ceiling_db)
            log.info(
                "%s: decoded true peak %+.2f dBFS is over the %g dBFS ceiling; encoding it again with "
                "peaks limited to %+.2f dBFS and a gain of %+.2f dB",
                path.name, peak_db, ceiling_db, correction.limit_dbfs, correction.gain_db,
            )  # fmt: skip


def true_peak_dbfs(blocks: Iterable[np.ndarray], sample_rate: int) -> float:
    """The largest magnitude of a mono signal fed in blocks, oversampled TRUE_PEAK_OVERSAMPLING
    times (soxr; the result does not depend on how the signal is split), in dBFS; -inf if silent."""
    upsampler = soxr.ResampleStream(sample_rate, TRUE_PEAK_OVERSAMPLING * sample_rate, 1, dtype="float64")
    peak = 0.0
    for block in blocks:
        block = np.asarray(block, dtype=np.float64).reshape(-1)
        peak = max(peak, _largest_magnitude(block), _largest_magnitude(upsampler.resample_chunk(block)))
    peak = max(peak, _largest_magnitude(upsampler.resample_chunk(np.zeros(0), last=True)))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def _largest_magnitude(samples: np.ndarray) -> float:
    return float(np.abs(samples).max()) if samples.size else 0.0


def _decoded_by_soundfile(path: Path) -> Iterator[np.ndarray]:
    with sf.SoundFile(str(path)) as decoded:
        yield from decoded.blocks(READ_BLOCK_FRAMES, dtype="float32")


def decoded_by_ffmpeg(path: Path, format_name: str) -> Iterator[np.ndarray]:
    """The file decoded by ffmpeg as a player would (mono float32, its own sample rate), in blocks.
    ffmpeg rather than libsndfile for mp3: libmpg123 prints harmless frame errors to the console
    on libsndfile's own mp3 files."""
    command = [
        ffmpeg_executable(format_name), "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", str(path), "-map", "0:a:0", "-f", "f32le", "-ac", "1", "-",
    ]  # fmt: skip
    block_bytes = READ_BLOCK_FRAMES * 4
    with tempfile.TemporaryFile() as errors:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors) as process:
            assert process.stdout is not None
            while chunk := process.stdout.read(block_bytes):  # a buffered read: whole samples until the end
                yield np.frombuffer(chunk, dtype="<f4")
        if process.returncode != 0:
            errors.seek(0)
            message = last_line(errors.read().decode("utf-8", "replace"))
            raise BarkflowError(f"ffmpeg could not decode {path.name} to measure its peak: {message}; check ffmpeg")


# --- m4b through ffmpeg -------------------------------------------------------------------


def ffmpeg_executable(format_name: str) -> str:
    """ffmpeg, which encodes m4b and decodes every lossy file to measure its peak."""
    try:
        import imageio_ffmpeg  # imported here: only lossy formats need it

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as error:
        raise BarkflowError(
            f"{format_name} export needs ffmpeg, which imageio-ffmpeg could not provide ({error}); run "
            f"'pip install imageio-ffmpeg', set IMAGEIO_FFMPEG_EXE to an ffmpeg binary, or drop {format_name}"
        ) from None


def chapter_starts_ms(chapter_samples: Sequence[int], sample_rate: int) -> list[int]:
    """Each chapter's start in the book, in whole milliseconds (same rounding as subtitles)."""
    starts, offset = [], 0
    for n_samples in chapter_samples:
        starts.append(samples_to_ms(offset, sample_rate))
        offset += n_samples
    return starts


def _write_m4b(
    path: Path, result: StitchResult, chapter_titles: Sequence[str], options: ExportOptions, book: BookTags
) -> Path:
    ffmpeg = ffmpeg_executable("m4b")
    starts = chapter_starts_ms(result.chapter_samples, result.sample_rate)
    ends = [*starts[1:], samples_to_ms(result.total_samples, result.sample_rate)]
    with tempfile.TemporaryDirectory(prefix="barkflow-m4b-") as scratch:
        concat_list = Path(scratch) / "chapters.ffconcat"
        metadata = Path(scratch) / "chapters.ffmetadata"
        metadata.write_text(
            ";FFMETADATA1\n"
            + "".join(
                f"[CHAPTER]\nTIMEBASE=1/1000\nSTART={start}\nEND={end}\ntitle={_ffmetadata_escape(title)}\n"
                for start, end, title in zip(starts, ends, chapter_titles)
            ),
            encoding="utf-8",
        )

        def encode(target: Path, correction: LevelCorrection) -> None:
            sources = [Path(f) for f in result.chapter_files]
            if not correction.is_none:  # corrected copies of the masters, beside the concat list
                sources = [corrected_copy(master, Path(scratch), correction, result.sample_rate)
                           for master in master_spans(result)]
            concat_list.write_text(
                "ffconcat version 1.0\n" + "".join(f"file {_ffconcat_quote(f.resolve())}\n" for f in sources),
                encoding="utf-8",
            )
            command = [
                ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "concat", "-safe", "0", "-i", str(concat_list),
                "-f", "ffmetadata", "-i", str(metadata),
                "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
                # the track's language (mdhd), where MP4 players look; "und" where the book names none
                "-metadata:s:a:0", f"language={iso_639_2(book.language, terminology=True) or 'und'}",
                "-c:a", "aac", "-b:a", f"{options.bitrate_kbps}k",
                "-movflags", "+faststart",  # index first, so players can stream it
                "-f", "ipod", str(target),
            ]  # fmt: skip
            run_ffmpeg(command, f"ffmpeg could not write {path}")
            _tag_m4b(target, options, book)

        encode_within_ceiling(path, encode, functools.partial(decoded_by_ffmpeg, format_name="m4b"), result)
    return path


def corrected_copy(master: Span, folder: Path, correction: LevelCorrection, sample_rate: int) -> Path:
    copy = folder / f"corrected-{master.path.name}"
    with sound_file_writer(copy, sample_rate, format="WAV", subtype="FLOAT") as out:
        for block in _read_spans([master]):
            out.write(correction.apply(block))
    return copy


def run_ffmpeg(command: list[str], failure: str) -> None:
    """Run an ffmpeg encode; a failure is one line: `failure`, ffmpeg's last word, what to check."""
    completed = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
    if completed.returncode != 0:
        raise BarkflowError(f"{failure}: {last_line(completed.stderr)}; check free space and ffmpeg")


def last_line(stderr: str) -> str:
    return (stderr.strip().splitlines() or ["no message"])[-1]


def _tag_m4b(path: Path, options: ExportOptions, book: BookTags) -> None:
    import mutagen
    from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm

    try:
        audio = MP4(str(path))
        if book.title:
            audio["©nam"] = [book.title]
            audio["©alb"] = [book.title]
        if book.author:
            audio["©ART"] = [book.author]
            audio["aART"] = [book.author]
        audio["©gen"] = ["Audiobook"]
        if book.read_by:
            audio["©wrt"] = [book.read_by]  # audiobook players show the composer as the narrator
        if book.date:
            audio["©day"] = [book.date]
        for name, value in (("LANGUAGE", book.language), ("PUBLISHER", book.publisher)):
            if value:
                audio[f"----:com.apple.iTunes:{name}"] = [MP4FreeForm(value.encode("utf-8"))]
        if book.cover:
            kind = MP4Cover.FORMAT_PNG if book.cover_type == "image/png" else MP4Cover.FORMAT_JPEG
            audio["covr"] = [MP4Cover(book.cover, imageformat=kind)]
        audio.save()
    except mutagen.MutagenError as error:
        raise BarkflowError(f"could not tag {path.name}: {error}; check free space and permissions") from None


def _ffconcat_quote(path: Path) -> str:
    # Inside single quotes nothing is special; a quote itself is closed, escaped and reopened.
    return "'" + str(path).replace("'", "'\\''") + "'"


def _ffmetadata_escape(value: str) -> str:
    # FFMETADATA gives '=', ';', '#', '\' and newlines special meaning; newlines collapse first.
    # ffmpeg (9.0) reads an escaped backslash at the very end of a line as a line continuation,
    # so a trailing backslash is dropped.
    value = " ".join(value.split()).rstrip("\\")
    return re.sub(r"([=;#\\])", r"\\\1", value)


# --- per-line spans and subtitles ---------------------------------------------------------


def _line_spans(pieces: Sequence[PlacedPiece]) -> dict[tuple[int, int], tuple[int, int, str]]:
    """(chapter, line) -> (start, end, text) inside the chapter, covering the line's audible pieces."""
    texts: dict[tuple[int, int], list[str]] = {}
    bounds: dict[tuple[int, int], tuple[int, int]] = {}
    for piece in pieces:
        key = (piece.chapter, piece.line)
        texts.setdefault(key, []).append(piece.text)
        if piece.chapter_end > piece.chapter_start:  # a piece trimmed to nothing has no place
            start, end = bounds.get(key, (piece.chapter_start, piece.chapter_end))
            bounds[key] = (min(start, piece.chapter_start), max(end, piece.chapter_end))
    return {key: (*bounds.get(key, (0, 0)), " ".join(text)) for key, text in texts.items()}


def _write_subtitles(
    stem: Path, pieces: Sequence[PlacedPiece], clock: str, kinds: Sequence[str], sample_rate: int
) -> list[Path]:
    """`stem`.srt / `stem`.vtt: one cue per piece (long ones split), on the book or chapter clock."""
    cues = split_long_cues(cues_from_pieces(pieces, clock))
    written = []
    for kind in kinds:
        path = stem.with_name(f"{stem.name}.{kind}")
        writer = write_srt if kind == "srt" else write_vtt
        writer(cues, path, sample_rate=sample_rate)
        written.append(path)
    return written
