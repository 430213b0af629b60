"""The studio's state: one project, its engine kept loaded, one render worker, the file edits.

Every action first changes the files a plain `barkflow` run reads (the picks file, the script),
then, where audio must be made, asks the worker for a render: `runner.render`, the same call the
command makes, with the studio's engine. Requests that arrive while a render waits share that
render (it reads the files when it starts), so the page never blocks and work is never queued
twice; the cache's claims keep a render here and a `barkflow` run elsewhere from doing a key twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Optional

import yaml

from barkflow import runner
from barkflow.cli import summary_line
from barkflow.engine.api import Bark
from barkflow.errors import BarkflowError
from barkflow.planning.build import make_engine, make_store, make_voice_resolver
from barkflow.planning.config import MAX_TAKES, BarkflowConfig, VerifyConfig
from barkflow.planning.overrides import (
    MAX_LINES_FILE_BYTES,
    check_line_sampling,
    check_lines_entries,
    line_overrides,
    lines_file_path,
    number_ranges,
    read_lines_file,
)
from barkflow.planning.plan import find_file
from barkflow.publishing import publish
from barkflow.publishing.clips import INDEX, REVIEW_DIR, clip_peaks
from barkflow.reviewing import review
from barkflow.store.files import (
    parse_yaml,
    read_json_object,
    rewrite_user_file,
    write_json_atomic,
)
from barkflow.studio import page
from barkflow.text.decoding import file_lines, script_encoding, split_lines
from barkflow.text.formats import book_format
from barkflow.text.script import parse_script
from barkflow.text.split import split_text

log = logging.getLogger(__name__)

MAX_RETAKES_AT_ONCE = 10
# One script line from the text box: a long paragraph is a few thousand characters; past this an
# edit is a paste gone wrong that would queue hundreds of segments.
MAX_LINE_CHARS = 10_000


class StaleScript(BarkflowError):
    """The script file changed on disk since the page showed it."""


class TextTooLong(BarkflowError):
    """A text edit past MAX_LINE_CHARS."""


class ConfirmFirst(BarkflowError):
    """An edit that changes more than the words of its line (who speaks, other lines): nothing was
    written; `changes` says what it would change, and the same edit with confirm saves it."""

    def __init__(self, message: str, changes: dict):
        super().__init__(message)
        self.changes = changes


class Studio:
    def __init__(self, config: BarkflowConfig, config_dirs: list[Path], engine: Optional[Bark] = None):
        self.config = config
        self.config_dirs = list(config_dirs)
        self.engine = engine or make_engine(config)
        self.out_dir = runner.output_folder(config).resolve()
        self.script_path = find_file(config.project.script, self.config_dirs).resolve()
        self.picks_path = publish.picks_path(config)
        self._files = threading.Lock()  # one edit of the picks file or the script at a time
        self._wake = threading.Condition()
        self._wanted: list[str] = []  # why the next render was asked for; empty: none waiting
        self._stopping = False
        self.status = {"busy": False, "running": [], "waiting": [], "step": "", "finished": 0,
                       "summary": "", "error": ""}
        self._worker = threading.Thread(target=self._work, name="barkflow-studio-render", daemon=True)
        # The manifest and the page's rows, read again only when their files change: a 5,000-segment
        # manifest takes most of a second to parse, and every action looks a segment up in it.
        self._manifest_cache: tuple = (None, None, {})
        self._rows_cache: tuple = (None, [])
        self.edited_lines: set[int] = set()  # script lines this studio rewrote or gave a voice or sampling

    # --- the worker ---------------------------------------------------------------------------

    def start(self) -> "Studio":
        """Start the worker with a first render: whatever the cache lacks, as `barkflow` would."""
        self._worker.start()
        self.request_render("first render")
        return self

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        self._worker.join()

    def request_render(self, reason: str) -> None:
        with self._wake:
            self._wanted.append(reason)
            self.status["waiting"] = list(self._wanted)
            self._wake.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no render runs or waits; False if `timeout` seconds passed first."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._wanted and not self.status["busy"], timeout)

    def _work(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._wanted or self._stopping)
                if self._stopping:
                    return
                reasons, self._wanted = self._wanted, []
                self.status.update(busy=True, running=reasons, waiting=[], step="", error="")
            summary, error = None, ""
            try:
                summary = runner.render(self.config, self.config_dirs, engine=self.engine,
                                        progress_factory=self._progress)
            except BarkflowError as e:
                error = str(e)
            except Exception as e:  # a bug: logged with its traceback; the studio keeps serving
                log.exception("studio render failed")
                error = f"internal error: {type(e).__name__}: {e}"
            if not error:  # the page's rows for the new manifest, made now rather than by the page's reload
                try:
                    self.rows(self.manifest(), *self.script_text())
                except (BarkflowError, OSError) as e:
                    log.warning("studio: the page's rows could not be made ahead (%s); the page makes them", e)
            with self._wake:
                self.status.update(busy=False, running=[], step="", error=error,
                                   finished=self.status["finished"] + 1)
                if summary is not None:
                    self.status["summary"] = summary_line(summary, self.config.shard)
                self._wake.notify_all()

    def _progress(self, step: str, total: int):
        count = 0

        def advance(n: int, done: bool = False):
            nonlocal count
            count += n
            self.status["step"] = f"{step} {count}/{total}"

        advance(0)
        return advance

    # --- what the page shows ------------------------------------------------------------------

    def manifest(self) -> Optional[dict]:
        """The render's manifest, parsed again only when the file changed (a render rewrites it by
        renaming a new file over it, so its inode, size or time changes); shared: read, never change it."""
        path = self.out_dir / publish.MANIFEST
        key = _file_key(path)
        if key is None or key != self._manifest_cache[0]:
            manifest = read_json_object(path)
            by_uid = {s.get("uid"): s for s in (manifest or {}).get("segments", []) if isinstance(s, dict)}
            self._manifest_cache = (key, manifest, by_uid)
        return self._manifest_cache[1]

    def segment(self, uid: str) -> dict:
        """The manifest's segment `uid` (what the page showed); a uid it lacks is the caller's error."""
        self.manifest()
        segment = self._manifest_cache[2].get(uid) if isinstance(uid, str) else None
        if segment is not None:
            return segment
        shown = repr(uid)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."  # a megabyte of uid is not echoed
        raise BarkflowError(f"segment {shown} is not in {self.out_dir / publish.MANIFEST}; reload the page")

    def picks_file(self) -> dict:
        """The picks file as {"picks": {...}, "takes": {...}}, checked as every reader checks it
        (`publish.read_picks_file`): a file that is not a picks object is reported, not overwritten;
        a damaged entry is left out (with a warning), so the file is written back without it."""
        return publish.read_picks_file(self.picks_path, required=bool(self.config.project.picks))

    def script_text(self) -> tuple[Optional[str], str]:
        """The script file's text, without its byte order mark (None for a book or a file that does
        not decode: the studio does not rewrite those), and the hash the page sends back with an edit."""
        return self._decoded(self.script_path.read_bytes())

    def _decoded(self, data: bytes) -> tuple[Optional[str], str]:
        if book_format(self.script_path, self.config.project.format):
            return None, hashlib.sha256(data).hexdigest()
        encoding, bom = script_encoding(data)
        try:
            text = data[len(bom):].decode(encoding)
        except UnicodeDecodeError:
            text = None
        return text, hashlib.sha256(data).hexdigest()

    def editable_lines(self, text: Optional[str]) -> set[int]:
        """The script lines the text box can rewrite: those whose whole spoken text sits on their
        own line of the file (not a prose paragraph over several lines, nor a book's paragraph)."""
        if text is None:
            return set()
        try:
            script = self._parse(text)
        except BarkflowError:
            return set()
        physical = file_lines(text)
        return {line.source_line for line in script.lines
                if 1 <= line.source_line <= len(physical) and line.text in physical[line.source_line - 1]}

    def _parse(self, text: str):
        project = self.config.project
        return parse_script(text, project.format, source=str(self.script_path), narrator=project.narrator,
                            fountain_action=project.fountain_action)

    # --- the actions --------------------------------------------------------------------------

    def pick(self, uid: str, take: int) -> None:
        """Stitch take `take` of segment `uid`: written to the picks file (a re-stitch applies it)."""
        segment = self.segment(uid)
        takes = [t["take"] for t in segment.get("review_takes", [])]
        if not isinstance(take, int) or isinstance(take, bool) or take not in takes:
            raise BarkflowError(f"segment {segment['id']} has no take {take!r} (takes: {takes}); reload the page")
        with self._files:
            data = self.picks_file()
            data["picks"][uid] = take
            write_json_atomic(self.picks_path, data)

    def retake(self, uid: str, count: int = 1) -> int:
        """`count` more takes of segment `uid`, the next take numbers (seeds derived as for any
        take): its take count goes into the picks file's `takes` and a render makes them.
        Returns the segment's takes in all."""
        segment = self.segment(uid)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_RETAKES_AT_ONCE:
            raise BarkflowError(f"retake count {count!r}: ask for 1 to {MAX_RETAKES_AT_ONCE} takes at once")
        with self._files:
            data = self.picks_file()
            have = _takes_in_all(data["takes"], segment)
            if have + count > MAX_TAKES:
                raise BarkflowError(f"segment {segment['id']} has {have} takes; at most {MAX_TAKES} are kept")
            data["takes"][uid] = have + count
            write_json_atomic(self.picks_path, data)
        self.request_render(f"retake {segment['id']}")
        return have + count

    def retake_flagged(self) -> dict[str, int]:
        """One more take of every segment whose stitched take is flagged (`is_flagged`), written
        to the picks file's `takes` at once and made by one render (the retakes batched together).
        Returns {segment uid: its takes in all}; a book with none flagged is the caller's error."""
        flagged = [s for s in (self.manifest() or {}).get("segments", []) if is_flagged(s, self.config.verify)]
        if not flagged:
            raise BarkflowError("no segment's stitched take is flagged (by verify.fail_on or its transcript); "
                                "nothing to retake")
        with self._files:
            data = self.picks_file()
            wanted = {}
            for segment in flagged:
                have = _takes_in_all(data["takes"], segment)
                if have < MAX_TAKES:
                    wanted[segment["uid"]] = have + 1
            if not wanted:
                raise BarkflowError(f"every flagged segment has {MAX_TAKES} takes already, the most kept; "
                                    "pick among them or edit their text")
            data["takes"].update(wanted)
            write_json_atomic(self.picks_path, data)
        self.request_render(f"retake {len(wanted)} flagged segment{'s' if len(wanted) != 1 else ''}")
        return wanted

    def edit_line(self, uid: str, text: str, script_hash: str, confirm: bool = False) -> dict:
        """Rewrite the script line segment `uid` comes from with `text`, keeping the previous file
        as `<script>.bak`; refused if the file changed since the page read it (`script_hash`).

        An edit that changes who speaks, or any line of the script but its own (a chapter heading,
        a speaker cue the next lines read), is written only with `confirm` (ConfirmFirst says what
        it would change). Returns {"hash": the new file's hash, "changes": `_changes`}."""
        segment = self.segment(uid)
        if not isinstance(text, str) or not text.strip() or "\n" in text or "\r" in text:
            raise BarkflowError(f"new text for {segment['id']}: give one line of text (no line breaks, not empty)")
        if len(text) > MAX_LINE_CHARS:
            raise TextTooLong(f"new text for {segment['id']} has {len(text)} characters; one line takes at most "
                              f"{MAX_LINE_CHARS}: split it into several lines in the script file itself")
        with self._files:
            before = self.script_path.read_bytes()
            old, current = self._decoded(before)
            if current != script_hash:
                raise StaleScript(f"{self.script_path} changed on disk since the page was loaded; reload the page")
            number = segment["line"]
            if number not in self.editable_lines(old):
                raise BarkflowError(f"line {number} of {self.script_path.name} is read from more than that line of the "
                                    "file (a paragraph over several lines, or a book): edit it in the file itself")
            lines = file_lines(old)
            if not 1 <= number <= len(lines):
                raise BarkflowError(f"{self.script_path} has no line {number}; reload the page")
            ending = lines[number - 1][len(lines[number - 1].rstrip("\r\n")):]
            lines[number - 1] = text.strip() + ending
            new = "".join(lines)
            # a text the parser refuses (a control character...) never reaches the file
            changes = self._changes(self._parse(old), self._parse(new))
            others = [n for n in changes["lines"] if n != number]
            if (changes["speakers"] or others) and confirm is not True:
                said = [f"line {c['line']} from {c['from']} to {c['to']}" for c in changes["speakers"]]
                what = "; ".join(filter(None, [
                    f"it changes who speaks ({', '.join(said)})" if said else "",
                    f"it changes other lines too ({number_ranges(others)})" if others else ""]))
                raise ConfirmFirst(f"line {number} of {self.script_path.name} not saved: {what}; "
                                   "confirm to save it anyway", changes)
            encoding, bom = script_encoding(before)  # written back as it was: its encoding and its mark
            try:
                after = bom + new.encode(encoding)
            except UnicodeEncodeError as error:  # a lone surrogate from the page
                raise BarkflowError(f"new text for {segment['id']}: it has a character {encoding} cannot hold "
                                    f"({error.object[error.start:error.end]!r}); type it again") from None
            rewrite_user_file(self.script_path, after, len(before))
            self.edited_lines.add(number)
        self.request_render(f"new text for {segment['id']}")
        return {"hash": hashlib.sha256(after).hexdigest(), "changes": changes}

    def _changes(self, old, new) -> dict:
        """What an edit changes between two parses of the script: {"lines": the file's line numbers
        whose spoken lines differ (speaker, words, direction or chapter), "speakers": [{"line",
        "from", "to"}], "segments": about how many segments the changed lines now split into}."""

        def by_line(script) -> dict[int, list[tuple]]:
            lines: dict[int, list[tuple]] = {}
            for line in script.lines:
                lines.setdefault(line.source_line, []).append((line.speaker, line.text, line.direction, line.chapter))
            return lines

        before, after = by_line(old), by_line(new)
        changed = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
        speakers = []
        for n in changed:
            was, now = [x[0] for x in before.get(n, [])], [x[0] for x in after.get(n, [])]
            if was and now and was != now:
                speakers.append({"line": n, "from": ", ".join(dict.fromkeys(was)), "to": ", ".join(dict.fromkeys(now))})
        segments = sum(len(split_text(line[1], self.config.split)) for n in changed for line in after.get(n, []))
        return {"lines": changed, "speakers": speakers, "segments": segments}

    def set_line(self, uid: str, voice: str, sampling: str) -> dict:
        """Voice and sampling for the script line segment `uid` comes from, written as that line's
        entry in the lines file (`project.lines_file`, by default lines.yaml in the output folder),
        which every plan reads over `project.lines`; then a render remakes that line's segments.
        `voice` "" is the cast's; `sampling` is "stage.option=value ..." ("" for none).
        Returns the line's entry as written."""
        segment = self.segment(uid)
        number = segment["line"]
        if not isinstance(voice, str) or not isinstance(sampling, str):
            raise BarkflowError(f"line {number}: give the voice and the sampling as text")
        options = parse_sampling(sampling, f"sampling of line {number}")
        check_line_sampling(options, f"line {number} sampling")  # said as the user typed it, before any file
        if voice.strip():  # an unknown voice is said now, not by the render after the file is written
            make_voice_resolver(self.config, self.engine, make_store(self.config), self.config_dirs)(voice.strip())
        path = lines_file_path(self.config)
        configured = self.config.project.lines.get(number)
        with self._files:
            entries = read_lines_file(path, required=bool(self.config.project.lines_file))
            entry = dict(entries.get(number, {}))
            for name, value in (("voice", voice.strip()), ("sampling", options)):
                if value or (configured is not None and getattr(configured, name)):  # "" must undo the config's
                    entry[name] = value
                else:
                    entry.pop(name, None)
            check_lines_entries({number: entry}, str(path))
            if entry:
                entries[number] = entry
            else:
                entries.pop(number, None)
            header = (f"# Per-line overrides written by barkflow-studio: each field replaces project.lines'.\n"
                      f"# Keyed by the line number in {self.script_path.name}.\n")
            text = header + yaml.safe_dump(entries, sort_keys=True)
            rewrite_user_file(path, text.encode("utf-8"), MAX_LINES_FILE_BYTES)
            self.edited_lines.add(number)
        self.request_render(f"voice and sampling of line {number}")
        return entry

    def restitch(self) -> None:
        """Stitch and export the book with the current picks (and render whatever is missing)."""
        self.request_render("re-stitch and export")

    # --- files for the browser ----------------------------------------------------------------

    def output_file(self, relative: str) -> Optional[Path]:
        """A file inside the output folder named by a browser path, resolved (links followed);
        None for anything that resolves outside it, is not a file, or is no path at all (a NUL,
        a name too long, a loop of links)."""
        try:
            candidate = (self.out_dir / relative).resolve()
            if not candidate.is_relative_to(self.out_dir) or not candidate.is_file():
                return None
        except (OSError, ValueError, RuntimeError):
            return None
        return candidate

    def rows(self, manifest: Optional[dict], text: Optional[str], script_hash: str) -> list[dict]:
        """The page's segment rows (`page.studio_rows`), made again only when the manifest, the
        clips' index or the script changed: what they are made of."""
        if not manifest:
            return []
        key = (self._manifest_cache[0], _file_key(self.out_dir / REVIEW_DIR / INDEX), script_hash)
        if key != self._rows_cache[0]:
            rows = page.studio_rows(manifest, clip_peaks(self.out_dir), review.line_audio_sources(manifest, self.out_dir),
                                    split_lines(text or ""), self.editable_lines(text))
            self._rows_cache = (key, rows)
        return self._rows_cache[1]

    def page_data(self) -> dict:
        """What page.py needs to draw the studio (the rows from `rows`' cache)."""
        manifest = self.manifest()
        text, script_hash = self.script_text()
        try:
            picks = self.picks_file()["picks"]
            line_settings = {number: {"voice": line.voice, "sampling": sampling_text(line.sampling)}
                             for number, line in line_overrides(self.config).items()}
        except BarkflowError as e:
            picks, line_settings, self.status["error"] = {}, {}, str(e)
        return {
            "manifest": manifest, "rows": self.rows(manifest, text, script_hash), "picks": picks,
            "script_hash": script_hash,
            "script_name": self.script_path.name, "status": dict(self.status), "outputs": self._outputs(manifest),
            "edited": self.edited_lines | set(line_settings), "line_settings": line_settings,
            "flagged": [s["uid"] for s in (manifest or {}).get("segments", []) if is_flagged(s, self.config.verify)],
        }

    def _outputs(self, manifest: Optional[dict]) -> list[str]:
        """The manifest's outputs as paths inside the output folder (others are not served)."""
        shown = []
        for path in (manifest or {}).get("outputs", []):
            resolved = Path(path).resolve()
            if resolved.is_relative_to(self.out_dir):
                shown.append(resolved.relative_to(self.out_dir).as_posix())
        return shown


def parse_sampling(text: str, where: str) -> dict:
    """"semantic.temp=0.6 coarse.top_k=50" as {"semantic": {"temp": 0.6}, "coarse": {"top_k": 50}};
    values read as YAML scalars (numbers, true/false, null). The options are checked by the caller."""
    options: dict = {}
    for item in text.replace(",", " ").split():
        name, equals, value = item.partition("=")
        stage, dot, option = name.partition(".")
        if not (equals and dot and stage and option and value):
            raise BarkflowError(f"{where}: {item!r} is not stage.option=value, such as semantic.temp=0.6")
        try:
            options.setdefault(stage, {})[option] = parse_yaml(value)
        except ValueError:
            raise BarkflowError(f"{where}: {item[:80]!r} has a value that is not a number or a word") from None
    return options


def sampling_text(sampling: dict) -> str:
    """The inverse of `parse_sampling`, for the page's input box."""
    return " ".join(f"{stage}.{option}={yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"
                    for stage, options in sorted(sampling.items()) for option, value in sorted((options or {}).items()))


def is_flagged(segment: dict, verify: VerifyConfig) -> bool:
    """Whether a manifest segment's stitched take fails: one of its checks is in `verify.fail_on`,
    or (verify on) its transcript check fails, as the retake loop of a verified run judges it."""
    flags = (segment.get("checks") or {}).get("flags") or {}
    failed_verify = segment.get("verify") is not None and not segment["verify"].get("passed", True)
    return failed_verify or any(name in verify.fail_on for name in flags)


def _takes_in_all(takes: dict, segment: dict) -> int:
    """The takes a manifest segment has in all: the picks file's `takes` for it, or the render's
    (more than that once a retake waits for its render)."""
    return max(takes.get(segment["uid"], 0), segment["takes"])  # `takes` is checked: whole numbers


def _file_key(path: Path) -> Optional[tuple]:
    """What tells one version of a file from the next (None: no file)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
