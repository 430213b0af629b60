"""Publishing: the picked takes stitched and exported, the segment voices, the review clips and
the manifest (written here only: the review page, written after it, reads it).

Outputs are remade only when what they are made of changed: the manifest keeps a render key over
the decode entries' checksums, the stitch and export options and the project's titles.
"""

from __future__ import annotations

import collections
import functools
import json
import logging
import marshal
import os
from pathlib import Path
from typing import Optional

from barkflow.engine.api import Bark
from barkflow.engine.constants import SAMPLE_RATE
from barkflow.engine.prompts import VoicePrompt, save_npz
from barkflow.errors import BarkflowError
from barkflow.planning.config import MAX_TAKES, BarkflowConfig, VerifyConfig
from barkflow.planning.plan import SEGMENT_ID, Plan, Unit
from barkflow.publishing.clips import REVIEW_DIR, add_checks, write_clips
from barkflow.publishing.export import export
from barkflow.publishing.stitch import StitchPiece, stitch
from barkflow.running import retakes
from barkflow.running.schedule import load, load_audio
from barkflow.steps import verify as verify_step
from barkflow.store.cache import Store
from barkflow.store.files import read_bounded, remove_stale_partials, write_json_atomic
from barkflow.store.keys import Key
from barkflow.text.script import BookTags

log = logging.getLogger(__name__)

PICKS_FILE = "picks.json"
MANIFEST = "manifest.json"
# What the outputs are made of: every piece by its fields (its audio by checksum, so a repaired
# entry re-stitches), the chapter titles, the stitch and export options, the name and the tags.
# 1: pieces as named fields (pause_before and pause_after could stand in for each other before).
RENDER_KEY = Key("render", 1, ("pieces", "chapter_titles", "stitch", "export", "name", "tags"))


def publish(
    cfg: BarkflowConfig, the_plan: Plan, units: list[Unit], picks: dict, store: Store, engine: Bark, out_dir: Path
) -> tuple[list[str], float]:
    """Stitch and export the picked takes of `units` (unless the outputs are up to date), then the
    review clips and the manifest; returns (outputs, seconds of audio)."""
    verify = cfg.verify
    verifying = verify.recogniser != "none"
    scores = retakes.read_scores(units, store) if verifying else {}  # read once: picks and the manifest
    chosen = choose_takes(units, picks, the_plan.units, scores if verifying and verify.pick == "best" else None, verify)
    manifest_path = out_dir / MANIFEST
    previous = _read_manifest(manifest_path)
    # while up to date, `previous` itself (not a copy: a novel's is megabytes): the fields below are set on it
    manifest = _stitch_and_export(cfg, the_plan, chosen, store, engine, out_dir, previous)
    before = _review_fields(manifest) if manifest is previous else None
    wanted = {unit.uid for unit in chosen}
    takes = sorted((u for u in units if u.uid in wanted), key=lambda u: (u.number, u.take))
    clips = write_clips(out_dir / REVIEW_DIR, takes, store, {take: result.measures for take, result in scores.items()})
    store.save_checksums()  # the next run's render key and clips: a stat per entry, not an archive read
    add_checks(manifest["segments"], takes, clips)
    counts = collections.Counter(unit.uid for unit in takes)  # not a pass over every take per segment: a novel has 5,700
    for segment in manifest["segments"]:  # set on every run: retakes add takes without re-stitching
        segment["takes"] = counts[segment["uid"]]
    _set_verify_results(manifest["segments"], takes, scores, verify)
    # Only what the lines above set can differ from the file: compared as a snapshot taken before, not by
    # parsing the file again or by json's indented dumps (pure Python: half a second a novel)
    if before is None or _review_fields(manifest) != before:
        write_json_atomic(manifest_path, manifest)
    return list(manifest["outputs"]), manifest["audio_seconds"]


def _review_fields(manifest: dict) -> Optional[bytes]:
    """The fields `publish` sets on every run (a kept manifest's only changes), as bytes: marshal
    copies plain JSON data in a fiftieth of a second a novel, where json.dumps takes a tenth. None
    (counts as changed) for a value it cannot copy; nothing is ever loaded back from these bytes."""
    try:
        # version 2: no back-references, so a value shared by two fields and two equal copies agree
        return marshal.dumps([[s.get(f) for f in ("review_takes", "checks", "takes", "verify", "keys")]
                              for s in manifest["segments"]], 2)
    except ValueError:
        return None


MAX_MANIFEST_BYTES = 1 << 30  # a 120,000-word novel's is about 10 MB; past this it is not one (counts as damaged)
MAX_PICKS_BYTES = 64 * 2**20  # a picks file of a long book is a few MB; past this it is not one
_EXPECTED = ('expected {"picks": {"<segment uid>": <take number>}, "takes": {"<segment uid>": <takes in all>}} '
             "as the review page and the studio save it")


def read_picks_file(path: Path, required: bool = False) -> dict[str, dict[str, int]]:
    """The picks file as {"picks": {uid: take}, "takes": {uid: takes in all}}, every entry checked:
    the one reader of the file (render, review and studio all come through here).

    A file that is not a JSON object of picks (unreadable, too large, too deeply nested, the wrong
    shape) is a one-line error: the user fixes it. A damaged entry (a take that is not a whole number
    in range) is ignored with a one-line warning naming the file and the entry, as a stale pick is
    (`choose_takes`): the rest of the file still applies, and the studio writes the file back
    without it. A file without "picks" or "takes" is an older object of picks alone.
    """
    path = Path(path)
    if not path.exists():
        if required:
            raise BarkflowError(f"picks file {path} not found; set project.picks to the file the review page saved")
        return {"picks": {}, "takes": {}}
    try:
        size = path.stat().st_size
        if size > MAX_PICKS_BYTES:
            raise BarkflowError(f"picks file {path} is larger than {MAX_PICKS_BYTES // 2**20} MiB ({size} bytes); "
                                f"{_EXPECTED}")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BarkflowError(f"picks file {path} cannot be read ({str(e).splitlines()[0]}); {_EXPECTED}") from None
    except RecursionError:  # "[[[[...": json recurses once per level
        raise BarkflowError(f"picks file {path} is nested too deeply to be picks; {_EXPECTED}") from None
    if not isinstance(data, dict):
        raise BarkflowError(f"picks file {path} holds {type(data).__name__}, not an object of picks; {_EXPECTED}")
    if "picks" not in data and "takes" not in data:
        data = {"picks": data}
    for key in sorted(set(data) - {"picks", "takes"}, key=str):
        log.warning("picks file %s: key %s is not picks or takes; it is ignored", path, _short_repr(key))
    checked = {}
    for part, low, high, what in (("picks", 0, MAX_TAKES - 1, "take"), ("takes", 1, MAX_TAKES, "takes")):
        entries = data.get(part, {})
        if not isinstance(entries, dict):
            raise BarkflowError(f"picks file {path}: {part!r} holds {type(entries).__name__}, not an object; "
                                f"{_EXPECTED}")
        checked[part] = {}
        for uid, value in entries.items():
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                checked[part][uid] = value
            else:
                log.warning("picks file %s: %s of %s is %s, not a whole number %d-%d; it is ignored "
                            "(fix or remove the entry)", path, what, str(uid)[:60], _short_repr(value), low, high)
    return checked


def read_picks(cfg: BarkflowConfig) -> dict[str, int]:
    """The picks file's picks: {segment uid: take} (`read_picks_file`); `choose_takes` judges
    whether each take exists. A file project.picks names must exist."""
    return read_picks_file(picks_path(cfg), required=bool(cfg.project.picks))["picks"]


def picks_path(cfg: BarkflowConfig) -> Path:
    """The picks file: `project.picks`, else picks.json in the output folder."""
    return Path(cfg.project.picks) if cfg.project.picks else Path(cfg.paths.output_dir) / PICKS_FILE


def read_takes(cfg: BarkflowConfig) -> dict[str, int]:
    """The picks file's `takes`: {segment uid: takes it has in all}, for segments given more takes
    than project.takes (the studio's retakes), checked by `read_picks_file`."""
    return read_picks_file(picks_path(cfg), required=bool(cfg.project.picks))["takes"]


def choose_takes(
    units: list[Unit], picks: dict, book: Optional[list[Unit]] = None, scores: Optional[dict] = None,
    verify: Optional[VerifyConfig] = None,
) -> list[Unit]:
    """Exactly one unit per segment, in book order: the picked take where it exists, else take 0,
    or with `scores` ((uid, take) -> VerifyResult: verify.pick=best) the best take by them and
    `verify`'s thresholds.

    Every way of choosing takes goes through here, so no pick (stale, out of range, not a number,
    for a segment that is gone) can drop a segment from the book or add one twice. A pick for no
    segment of `book` (the whole plan; default `units`) is reported.
    """
    takes: dict[int, dict[int, Unit]] = {}
    for unit in units:
        takes.setdefault(unit.number, {})[unit.take] = unit
    uids = {unit.uid for unit in (units if book is None else book)}
    unknown = [str(uid) for uid in picks if uid not in uids]
    if unknown:
        log.warning(
            "picks: %d pick(s) name no segment of the script (%s); they are ignored",
            len(unknown), ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else ""),
        )
    chosen = []
    for number in sorted(takes):
        by_take = takes[number]
        fallback = (  # take 0 (a shard always carries it), or the best scored take
            by_take[min(by_take)] if scores is None else retakes.best_take(list(by_take.values()), scores, verify)
        )
        wanted = picks.get(fallback.uid, fallback.take)
        unit = by_take.get(wanted) if isinstance(wanted, int) and not isinstance(wanted, bool) else None
        if unit is None:
            log.warning(
                "picks: segment %s (uid %s) has no take %s (takes: %s); using take %d",
                fallback.segment_id, fallback.uid, _short_repr(wanted), ", ".join(map(str, sorted(by_take))),
                fallback.take,
            )
            unit = fallback
        chosen.append(unit)
    return chosen


def _short_repr(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _boundary(unit: Unit, following: Optional[Unit]) -> str:
    if following is None:
        return "end"
    if following.line.index == unit.line.index:
        return "sentence"
    if following.line.chapter != unit.line.chapter:
        return "chapter"
    if following.line.speaker != unit.line.speaker:
        return "speaker"
    if following.line.paragraph != unit.line.paragraph:
        return "paragraph"
    return "sentence"


def _stitch_and_export(
    cfg: BarkflowConfig, the_plan: Plan, chosen: list[Unit], store: Store, engine: Bark, out_dir: Path,
    previous: Optional[dict],
) -> dict:
    """The manifest of the outputs: the previous one while it is up to date, else stitched and exported anew."""
    remove_stale_partials(out_dir, out_dir / "master", out_dir / "voices")  # left by a killed run's writes
    # The chapters the chosen segments reach (a preview may stop in the first).
    chapter_titles = list(the_plan.script.chapter_titles[: max((u.line.chapter for u in chosen), default=-1) + 1])
    boundaries = [_boundary(u, chosen[i + 1] if i + 1 < len(chosen) else None) for i, u in enumerate(chosen)]

    def inputs_key() -> str:
        # The entries' checksums, not only their keys: a repaired or recomputed entry re-stitches.
        return RENDER_KEY(
            pieces=[
                {"id": u.segment_id, "audio": f"{u.keys['decode']}.npz",  # the entry's file name
                 "checksum": store.checksum("decode", u.keys["decode"]), "boundary": boundary,
                 "chapter": u.line.chapter, "pause_before": u.pause_before or None,
                 "pause_after": u.pause_after or None, "shown": u.shown}
                for u, boundary in zip(chosen, boundaries)
            ],
            chapter_titles=chapter_titles, stitch=cfg.stitch, export=cfg.export, name=cfg.project.name,
            tags=the_plan.tags.identity(),
        )

    render_key = inputs_key()
    if previous and previous["render_key"] == render_key and _all_exist(previous["outputs"]):
        log.info("outputs are up to date in %s", out_dir)
        return previous
    pieces = [
        StitchPiece(
            segment_id=u.segment_id, audio_path=store.path("decode", u.keys["decode"]), chapter=u.line.chapter,
            line=u.line.source_line, speaker=u.line.speaker, text=u.shown, boundary=boundary,
            pause_before_s=u.pause_before or None, pause_after_s=u.pause_after or None,
            load_audio=functools.partial(load_audio, store, u, engine),
        )
        for u, boundary in zip(chosen, boundaries)
    ]
    stitched = stitch(pieces, chapter_titles, cfg.stitch, out_dir / "master", SAMPLE_RATE)
    render_key = inputs_key()  # what was stitched: entries stitch found damaged were recomputed
    outputs = [str(p) for p in export(stitched, chapter_titles, cfg.export, out_dir, cfg.project.name, the_plan.tags)]
    if cfg.export.read_along:
        epub = out_dir / f"{cfg.project.name}.epub"
        # A book that names no language is in the language most of its segments' voices speak.
        spoken = collections.Counter(u.voice.language for u in chosen if u.voice.language).most_common(1)
        tags = the_plan.tags.over(BookTags(language=spoken[0][0] if spoken else ""))
        from barkflow.publishing.readalong import write_read_along  # here: most renders make no read-along book

        outputs.append(str(write_read_along(stitched, chapter_titles, epub, tags, cfg.export.bitrate_kbps)))
    outputs += [str(p) for p in _export_segment_voices(chosen, store, engine, out_dir / "voices")]
    return _manifest(cfg, the_plan, chosen, stitched, chapter_titles, engine, render_key, outputs)


def _all_exist(paths: list[str]) -> bool:
    """Whether every path exists: a listing per folder, not a stat per file (a novel's outputs
    are thousands of segment voices in one folder)."""
    listed: dict[str, set] = {}
    for path in paths:
        folder, name = os.path.split(path)
        if folder not in listed:
            try:
                listed[folder] = set(os.listdir(folder or "."))
            except OSError:
                return False
        if name not in listed[folder]:
            return False
    return True


def _export_segment_voices(units: list[Unit], store: Store, engine: Bark, folder: Path) -> list[Path]:
    """Each segment's tokens as a Bark voice .npz, so any line can become a voice. Segment voices
    this render did not write (a segment renumbered or gone) are removed."""
    written = []
    for unit in units:
        semantic = load(store, "semantic", unit, engine)["tokens"]
        fine = load(store, "fine", unit, engine)["codes"]
        if len(semantic) == 0 or fine.shape[1] == 0:
            continue
        path = folder / f"{unit.segment_id}.npz"
        written.append(save_npz(VoicePrompt(semantic, fine[:2], fine), path))
    names = {path.name for path in written}
    for stale in folder.glob("*.npz"):  # only segment voices: a user's own file there is left alone
        if SEGMENT_ID.fullmatch(stale.stem) and stale.name not in names:
            stale.unlink(missing_ok=True)
    return written


_MANIFEST_SEGMENT_FIELDS = {"id": str, "uid": str, "chapter": int, "take": int, "takes": int}


def _set_verify_results(segments: list[dict], takes: list[Unit], scores: dict, verify: VerifyConfig) -> None:
    """Each take's transcript, error rates, word diff, flags and why it fails (`review_takes[i].verify`),
    the picked take's as the segment's `verify`; judged against `max_wer` and `fail_on` here, so a
    new threshold costs no recognition. Set on every run: a manifest kept from the last run may
    hold another recogniser's. `scores` are `retakes.read_scores`' (none with verify off): a take
    whose entry is damaged (read_scores logged it) gets none."""
    by_take = {}
    for unit in takes:
        if (score := scores.get((unit.uid, unit.take))) is not None:
            failures = score.failures(verify.max_wer, verify.fail_on)
            by_take[unit.uid, unit.take] = {
                **score.to_json(), "failures": failures, "passed": not failures, "key": unit.keys[verify_step.NAME],
            }
    for segment in segments:
        for take in segment.get("review_takes", []):
            take.pop("verify", None)
            if (segment["uid"], take["take"]) in by_take:
                take["verify"] = by_take[segment["uid"], take["take"]]
        segment.pop("verify", None)
        segment["keys"].pop(verify_step.NAME, None)
        if (segment["uid"], segment["take"]) in by_take:
            segment["verify"] = by_take[segment["uid"], segment["take"]]
            segment["keys"][verify_step.NAME] = segment["verify"]["key"]


def _read_manifest(path: Path) -> Optional[dict]:
    """The last render's manifest, or None if there is none or it is damaged (then the outputs are
    made again)."""
    try:
        manifest = json.loads(read_bounded(path, MAX_MANIFEST_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        manifest = None
    if not isinstance(manifest, dict):
        manifest = None
    usable = (
        manifest is not None
        and isinstance(manifest.get("render_key"), str)
        and isinstance(manifest.get("outputs"), list) and all(isinstance(p, str) for p in manifest["outputs"])
        and isinstance(manifest.get("audio_seconds"), (int, float))
        and isinstance(manifest.get("segments"), list)
        and all(
            isinstance(s, dict) and all(isinstance(s.get(k), t) for k, t in _MANIFEST_SEGMENT_FIELDS.items())
            for s in manifest["segments"]
        )
    )
    if usable:
        return manifest
    if path.exists():
        log.warning("%s is damaged; the outputs are made again", path)
    return None


def _manifest(cfg, the_plan, chosen, stitched, chapter_titles, engine, render_key, outputs) -> dict:
    """What this render made, of what (the review's fields are added by `publish`)."""
    from omegaconf import OmegaConf

    placed = {p.segment_id: p for p in stitched.pieces}
    segments = []
    for unit in chosen:
        p = placed.get(unit.segment_id)
        segments.append(
            {
                "id": unit.segment_id, "uid": unit.uid, "line": unit.line.source_line, "chapter": unit.chapter_number,
                "speaker": unit.line.speaker, "voice": unit.voice.name, "text": unit.shown,
                **({"spoken": unit.text} if unit.text != unit.shown else {}),
                "take": unit.take, "takes": the_plan.takes, "seeds": unit.seeds, "keys": unit.keys,
                "start_sample": p.book_start if p else None, "end_sample": p.book_end if p else None,
            }
        )
    return {
        "project": cfg.project.name, "render_key": render_key, "sample_rate": SAMPLE_RATE,
        "audio_seconds": stitched.total_samples / SAMPLE_RATE, "outputs": outputs,
        "chapters": [
            {"title": t, "samples": n, "gain_db": g}
            for t, n, g in zip(chapter_titles, stitched.chapter_samples, stitched.gains_db)
        ],
        "models": {stage: engine.identity(stage) for stage in ("semantic", "coarse", "fine", "codec", "tokenizer")},
        "config": OmegaConf.to_container(OmegaConf.structured(cfg), resolve=True),
        "segments": segments,
    }


