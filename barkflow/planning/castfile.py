"""The cast file of a book read by a full cast (`project.cast_from_book`): who speaks, in which voice.

The first render writes it (`project.cast_file`, by default cast.yaml in the output folder) from
the attribution (text/fullcast.py): the narrator's voice, the voice of quotations nobody is sure
of (`unknown`, "" = the narrator's), and each character who speaks, the most lines first, with the
line count, a gender guess, the names the book uses and a suggested voice: a preset of Suno's
library in the book's language and of the character's gender (docs/cast.md lists which preset is
which), a voice of their own for the main characters, a few shared ones for the minor ones.

From then on the file is the truth: every render reads it, and a character the book now has that
the file lacks is added to it. Its voices go under project.cast (whose own entries still win), so
changing a character's voice re-renders that character's segments and nothing else.

With `project.booknlp` the speakers are BookNLP's (text/booknlp.py), from its run on booknlp.txt,
the text booknlp_attribution writes in the output folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml

from barkflow.errors import BarkflowError
from barkflow.planning.voices import preset_names
from barkflow.store.files import read_yaml_file, rewrite_user_file, write_text_atomic
from barkflow.text.attribution import Attribution
from barkflow.text.booknlp import read_booknlp
from barkflow.text.fullcast import (
    attribute_script,
    book_text,
    narrated,
    speaker_names,
    voice_lines,
)
from barkflow.text.script import Script

log = logging.getLogger(__name__)

CAST_FILE = "cast.yaml"
BOOKNLP_TEXT = "booknlp.txt"  # the text to give BookNLP (project.booknlp): its offsets are into it
UNKNOWN = "unknown"  # the speaker of quotations with no confident speaker, when it has a voice
MAX_CAST_FILE_BYTES = 1 << 20  # ~150 bytes a character: room for thousands; more is the wrong file
MINOR_LINES = 5  # fewer quotations than this: a minor character, on a shared voice
SHARED_VOICES = 2  # of each gender, for the minor characters

# Suno's Bark speaker library (v2): the gender each preset's speaker has (docs/cast.md).
FEMALE_PRESETS = {
    "en": (9,), "de": (3, 8), "es": (8, 9), "fr": (1, 2, 5), "hi": (0, 1, 3, 4, 9), "it": (2, 7, 9),
    "ja": (0, 1, 3, 4, 5, 7, 8, 9), "ko": (0,), "pl": (4, 6, 9), "pt": (), "ru": (5, 6, 9), "tr": (4, 5),
    "zh": (4, 6, 7, 9),
}
NARRATOR_PRESET = {"en": "v2/en_speaker_6"}  # a clear, even reader; elsewhere the first male preset
# ISO 639-2 (an EPUB's dc:language may use them) to the two letters of Bark's presets.
_THREE_LETTERS = {"eng": "en", "deu": "de", "ger": "de", "spa": "es", "fra": "fr", "fre": "fr", "hin": "hi",
                  "ita": "it", "jpn": "ja", "kor": "ko", "pol": "pl", "por": "pt", "rus": "ru", "tur": "tr",
                  "zho": "zh", "chi": "zh"}


def cast_file_path(cfg) -> Path:
    return Path(cfg.project.cast_file) if cfg.project.cast_file else Path(cfg.paths.output_dir) / CAST_FILE


def preset_language(language: str) -> str:
    """A book's language tag ('en-GB', 'fre') as a Bark preset language; English when Bark has none."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    code = _THREE_LETTERS.get(code, code)
    return code if code in FEMALE_PRESETS else "en"


def presets(language: str, gender: str) -> list[str]:
    """The language's presets of a gender ("F", "M"; "?" all of them), in their library order."""
    female = FEMALE_PRESETS[language]
    numbers = [n for n in range(10) if gender == "?" or (n in female) == (gender == "F")]
    return [f"v2/{language}_speaker_{n}" for n in numbers or range(10)]


def suggest(attribution: Attribution, names: dict[int, str], language: str, narrator_voice: str,
            available: list[str] = ()) -> dict[str, dict]:
    """Each speaking character's entry: lines, gender, aliases and a suggested voice (of the
    presets `available`, where the model's preset source lists them)."""
    speaking = sorted((c for c in attribution.characters if c.id in names), key=lambda c: (-c.lines, c.id))
    pools = {}
    for g in "FM?":
        offered = [v for v in presets(language, g) if not available or v in available] \
            or [v for v in presets(language, "?") if v in available] or presets(language, g)
        pools[g] = [v for v in offered if v != narrator_voice] or offered
    used = {g: 0 for g in pools}
    entries = {}
    for c in speaking:
        gender = c.gender if c.gender in "FM" else "?"
        pool = pools[gender]
        if c.lines >= MINOR_LINES:  # main characters: the pool in turn, each its own while it lasts
            voice = pool[used[gender] % len(pool)]
            used[gender] += 1
        else:  # minor ones share the pool's last few, by name so a re-run gives the same
            shared = pool[-SHARED_VOICES:]
            voice = shared[sum(map(ord, names[c.id])) % len(shared)]
        entries[names[c.id]] = {"voice": voice, "lines": c.lines, "gender": gender,
                                "aliases": sorted(set(c.aliases) - {c.name})}
    return entries


def read_cast_file(path: Path) -> dict | None:
    """The cast file's {narrator, unknown, characters: {name: {voice, ...}}}, checked; None if absent."""
    if not path.is_file():
        return None
    data = read_yaml_file(path, MAX_CAST_FILE_BYTES, "cast file",
                          "; is it the right file? fix project.cast_file or remove it (the next render writes a new one)")
    fix = "fix it or remove it (the next render writes a new one)"
    if not isinstance(data, dict) or not isinstance(data.get("characters", {}) or {}, dict):
        raise BarkflowError(f"cast file {path}: expected narrator, unknown and characters: {{name: {{voice: ...}}}}; {fix}")
    for key in ("narrator", "unknown"):
        if not isinstance(data.get(key, "") or "", str):
            raise BarkflowError(f"cast file {path}: {key} is {data[key]!r}; give a voice name, preset or .npz path; {fix}")
    characters = {}
    for name, entry in (data.get("characters") or {}).items():
        voice = entry.get("voice") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(voice, str) or not voice.strip():
            raise BarkflowError(f"cast file {path}: character {name!r} needs a voice (voice: v2/en_speaker_6); {fix}")
        characters[name] = dict(entry, voice=voice.strip())
    return {"narrator": (data.get("narrator") or "").strip(), "unknown": (data.get("unknown") or "").strip(),
            "characters": characters}


def write_cast_file(path: Path, cast: dict) -> None:
    header = ("# The book's cast, written by barkflow (project.cast_from_book): edit the voices and render again.\n"
              "# narrator reads the narration; unknown reads quotations no one is sure of (\"\" = the narrator).\n"
              "# Each character: voice (a preset, library voice or .npz), and what the book showed of them:\n"
              "# lines (quotations attributed), gender (F, M, ? unknown) and aliases. project.cast and\n"
              "# project.lines.N.voice still win over this file.\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = header + yaml.safe_dump(cast, sort_keys=False, allow_unicode=True)
    rewrite_user_file(path, text.encode("utf-8"), MAX_CAST_FILE_BYTES)


def booknlp_attribution(cfg, script: Script, source: Path) -> Attribution:
    """The attribution BookNLP's output (`source`, project.booknlp) gives the script's narrated text,
    which is written first to booknlp.txt in the output folder: the text to run BookNLP on."""
    text, _ = book_text(narrated(script, cfg.project.narrator))
    written = Path(cfg.paths.output_dir) / BOOKNLP_TEXT
    try:
        same = written.is_file() and written.stat().st_size == len(text.encode("utf-8")) \
            and written.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        same = False
    if not same:  # rewritten only when the book changed, so its time says when BookNLP needs a rerun
        written.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(written, text)
    try:
        attribution, unmatched = read_booknlp(source, text)
    except BarkflowError as e:
        raise BarkflowError(f"{e} (barkflow wrote the text to run BookNLP on: {written})") from None
    if unmatched:
        log.warning("%d of BookNLP's quotations do not line up with the book's text and are read by the narrator "
                    "(first: %s); run BookNLP again on %s", len(unmatched), unmatched[0], written)
    return attribution


def cast_from_book(cfg, script: Script, preset_source: str = "", check=None,
                   booknlp: Path | None = None) -> tuple[Script, dict[str, str]]:
    """The script split into its speakers' lines, and their voices ({speaker: voice}) from the cast
    file (written or completed first); suggestions come from `preset_source`'s presets, and
    `check` (a voice resolver) is asked about each voice the file gives. The speakers are
    barkflow's own attribution's, or BookNLP's where `booknlp` names its output."""
    project = cfg.project
    narrator = project.narrator
    if booknlp is None:
        attribution = attribute_script(script, narrator, threshold=project.cast_confidence)
    else:
        attribution = booknlp_attribution(cfg, script, booknlp)
    names = speaker_names(attribution, (narrator, UNKNOWN))
    path = cast_file_path(cfg)
    cast = read_cast_file(path)
    language = preset_language(script.metadata.language if script.metadata else "")
    narrator_voice = ({k.casefold(): v for k, v in project.cast.items()}.get(narrator.casefold())
                      or (cast or {}).get("narrator") or NARRATOR_PRESET.get(language) or presets(language, "M")[0])
    try:
        available = preset_names(preset_source)
    except BarkflowError:  # a hub source offline: the library's table, unchecked
        available = []
    if available and narrator_voice not in available and narrator_voice == NARRATOR_PRESET.get(language):
        narrator_voice = next((v for v in presets(language, "M") if v in available), narrator_voice)
    suggested = suggest(attribution, names, language, narrator_voice, available)
    if cast is None:
        cast = {"narrator": narrator_voice, "unknown": "", "characters": suggested}
        write_cast_file(path, cast)
        log.info("wrote the cast file %s: %d characters; edit their voices and render again", path, len(suggested))
    else:
        new = {name: entry for name, entry in suggested.items() if name not in cast["characters"]}
        if new:
            cast["characters"].update(new)
            write_cast_file(path, cast)
            log.info("added %d characters to the cast file %s: %s", len(new), path, ", ".join(new))
    voices = {name: entry["voice"] for name, entry in cast["characters"].items()}
    voices[narrator] = cast["narrator"] or narrator_voice
    unknown = UNKNOWN if cast["unknown"] else None
    if unknown:
        voices[UNKNOWN] = cast["unknown"]
    overridden = {name.casefold() for name in project.cast}
    for name, voice in voices.items():  # a voice the file names wrong is said with the file's name
        if check is not None and name.casefold() not in overridden:
            try:
                check(voice)
            except BarkflowError as e:
                raise BarkflowError(f"cast file {path}: {name!r}: {e}") from None
    return voice_lines(script, attribution, names, narrator=narrator, unknown=unknown), voices


__all__ = [
    "BOOKNLP_TEXT",
    "CAST_FILE",
    "UNKNOWN",
    "booknlp_attribution",
    "cast_file_path",
    "cast_from_book",
    "preset_language",
    "presets",
    "read_cast_file",
    "suggest",
    "write_cast_file",
]
