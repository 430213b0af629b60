"""Voices: what a cast entry names, resolved to a validated Bark prompt; and the voice library.

A voice reference is looked up in this order:

1. a voice defined inline in the project (`project.voices.<name>`);
2. a library entry in each library folder, in order: `<dir>/<ref>.yaml` (a VoiceConfig whose
   `source` is resolved the same way, recursively) or `<dir>/<ref>.npz`;
3. a Bark preset (`v2/en_speaker_6`, `announcer`, `en_speaker_1`, ...) of `preset_source`: the
   `speaker_embeddings/` of a model repo or bundle (through engine/loading.py), or a local folder
   of Suno `.npz` presets such as `bark/assets/prompts`;
4. a path to an `.npz` file (relative paths are tried next to the library entry that names them);
5. `random` or an empty string: no prompt (Bark picks a voice; the runner locks it per speaker).

A voice with `clone:` builds its prompt from a recording in the cached clone step (steps/clone.py).
An entry's fields (prefix, language, sampling, ...) fill in what the entry that points at it leaves
empty, so `narrator: {source: narrator_en, prefix: "[MAN]"}` keeps narrator_en's sampling defaults.

Prompts are validated as the reference validates them (prompts.VoicePrompt) and `.npz` files are
read with allow_pickle=False: a voice file can never run code.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from barkflow.engine.prompts import VoicePrompt, load_npz, load_npz_meta, save_npz
from barkflow.errors import BarkflowError, user_path
from barkflow.planning.config import PathsConfig, VoiceConfig, load_voice_file
from barkflow.steps.clone import CloneConfig
from barkflow.store.files import write_text_atomic
from barkflow.store.keys import Key

log = logging.getLogger(__name__)

ORIGINS = ("preset", "npz", "library", "clone", "none")
NO_VOICE = ("", "random")
VOICE_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_PRESET_LANG_RE = re.compile(r"(?:v2/)?([a-z]{2})_speaker_\d+$")
PROMPT_KEY = Key("voice-prompt", 0, ("semantic", "coarse", "fine"))  # a prompt by its content

CloneRunner = Callable[..., VoicePrompt]  # (clone: CloneConfig, base_dir: Path | None) -> VoicePrompt


@dataclass
class ResolvedVoice:
    name: str
    prompt: Optional[VoicePrompt]
    key: str  # content_key of the prompt arrays, or "none"
    config: VoiceConfig
    origin: str  # preset | npz | library | clone | none

    @property
    def language(self) -> str:
        """The ISO code of the language it speaks: its `language`, else its preset's ("" if unknown)."""
        return self.config.language or preset_language(self.config.source) or preset_language(self.name)


@dataclass(frozen=True)
class VoiceInfo:
    name: str
    origin: str
    language: str
    seconds: Optional[float]
    description: str


def prompt_key(prompt: Optional[VoicePrompt]) -> str:
    if prompt is None:
        return "none"
    return PROMPT_KEY(semantic=prompt.semantic, coarse=prompt.coarse, fine=prompt.fine)


def builtin_library_dir() -> Optional[Path]:
    """conf/voices of this checkout, or barkflow/conf/voices of an installed package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "conf" / "voices", here / "conf" / "voices"):
        if candidate.is_dir():
            return candidate
    try:
        import importlib.resources

        path = Path(str(importlib.resources.files("barkflow.conf") / "voices"))
        return path if path.is_dir() else None
    except (ModuleNotFoundError, TypeError):
        return None


def default_library_dirs(voices_dir: str | Path = PathsConfig.voices_dir, config_dirs: list[Path] | tuple = (Path("conf"),)) -> list[Path]:
    """The library folders, in the order resolution tries them: the user's (paths.voices_dir), then
    `voices/` of each config folder (./conf/voices: Hydra's search path), then the built-in entries."""
    dirs = [Path(voices_dir)] + [Path(d) / "voices" for d in config_dirs]
    builtin = builtin_library_dir()
    if builtin is not None:
        dirs.append(builtin)
    unique: list[Path] = []
    for folder in dirs:
        if not any(folder.resolve() == seen.resolve() for seen in unique):
            unique.append(folder)
    return unique


# =========================================================================== presets


def _is_local_preset_folder(source: str) -> bool:
    path = user_path(source)
    return bool(source) and path.is_dir() and not (path / "speaker_embeddings_path.json").is_file() and any(
        path.rglob("*.npz")
    )


def preset_names(preset_source: str) -> list[str]:
    """The preset names `preset_source` offers (sorted); [] when it has none."""
    if not preset_source:
        return []
    if _is_local_preset_folder(preset_source):
        root = user_path(preset_source)
        return sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.npz"))
    if preset_source not in _PRESET_NAMES:  # remembered per process: a hub source may be slow or offline
        from barkflow.engine import loading

        try:
            _PRESET_NAMES[preset_source] = sorted(loading.resolve_voice_presets(preset_source) or [])
        except BarkflowError as e:
            _PRESET_NAMES[preset_source] = e
    found = _PRESET_NAMES[preset_source]
    if isinstance(found, BarkflowError):
        raise found
    return list(found)


_PRESET_NAMES: dict[str, "list[str] | BarkflowError"] = {}


def load_preset(preset_source: str, name: str) -> VoicePrompt:
    where = f"preset {name} of {preset_source}"
    if _is_local_preset_folder(preset_source):
        path = user_path(preset_source) / f"{name}.npz"
        if not path.is_file():
            raise BarkflowError(f"{where} not found: no {path}")
        return load_npz(path)
    from barkflow.engine import loading

    arrays = loading.load_preset_arrays(preset_source, name)
    return VoicePrompt.from_arrays(arrays, where=where)


def preset_language(name: str) -> str:
    match = _PRESET_LANG_RE.search(name)
    return match.group(1) if match else ("en" if name == "announcer" else "")


# =========================================================================== resolution


def _is_empty(value) -> bool:
    return value is None or value == "" or value == {} or value == []


def merge_configs(outer: VoiceConfig, inner: VoiceConfig) -> VoiceConfig:
    """`outer` with its empty fields filled from `inner`; sampling merged per stage (outer wins)."""
    values = {}
    for f in dataclasses.fields(VoiceConfig):
        mine, theirs = getattr(outer, f.name), getattr(inner, f.name)
        if f.name == "sampling":
            merged = {stage: dict(opts) for stage, opts in (theirs or {}).items()}
            for stage, opts in (mine or {}).items():
                merged.setdefault(stage, {}).update(opts)
            values[f.name] = merged
        elif f.name in ("source", "clone"):
            values[f.name] = mine
        else:
            values[f.name] = theirs if _is_empty(mine) else mine
    return VoiceConfig(**values)


class _Resolver:
    def __init__(self, inline, library_dirs, preset_source, store, clone_runner):
        self.inline = dict(inline or {})
        self.library_dirs = [Path(d) for d in library_dirs or []]
        self.preset_source = preset_source or ""
        self.store = store
        self.clone_runner = clone_runner
        self._presets: Optional[list[str]] = None
        self._preset_error: Optional[str] = None

    # ---- lookups

    def presets(self) -> list[str]:
        if self._presets is None:
            try:
                self._presets = preset_names(self.preset_source)
            except BarkflowError as e:
                self._presets, self._preset_error = [], str(e)
        return self._presets

    def resolve(self, ref: str, stack: tuple = (), base_dir: Optional[Path] = None) -> ResolvedVoice:
        ref = "" if ref is None else str(ref).strip()
        if len(stack) > 16:
            chain = " → ".join(s[1] for s in stack)
            raise BarkflowError(f"voice {stack[0][1]}: its sources form a cycle ({chain}): point one of them at a preset or .npz")
        if ref.lower() in NO_VOICE:
            return ResolvedVoice(ref or "random", None, "none", VoiceConfig(), "none")
        if len(ref) > MAX_REF or any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in ref.split("/")):
            # looked up as a file, the system would refuse it (ENAMETOOLONG) rather than not find it
            raise BarkflowError(f"voice {ref[:40]!r}...: a voice name or path is at most {MAX_NAME_BYTES} bytes a "
                                f"folder or file name and {MAX_REF} characters in all; shorten it")
        if ref in self.inline and ("inline", ref) not in stack:
            return self._from_config(ref, self.inline[ref], None, None, stack + (("inline", ref),))
        for folder in self.library_dirs:
            entry = folder / f"{ref}.yaml"
            if entry.is_file() and ("yaml", str(entry)) not in stack:
                config = load_voice_file(entry, ref)
                return self._from_config(ref, config, "library", entry.parent, stack + (("yaml", str(entry)),))
            npz = folder / f"{ref}.npz"
            if npz.is_file():
                return self._voice(ref, load_npz(npz), VoiceConfig(source=str(npz)), "library")
        if self.preset_source and not ref.endswith(".npz") and ref in self.presets():
            return self._voice(ref, load_preset(self.preset_source, ref), VoiceConfig(source=ref), "preset")
        for path in self._paths(ref, base_dir):
            if path.is_file():
                return self._voice(ref, load_npz(path), VoiceConfig(source=str(path)), "npz")
        if ref.endswith(".npz"):
            raise BarkflowError(f"voice file {ref} not found: check the path (relative paths start at the working folder)")
        raise BarkflowError(self._unknown(ref, stack))

    @staticmethod
    def _paths(ref: str, base_dir: Optional[Path]) -> list[Path]:
        path = user_path(ref)
        out = []
        if base_dir is not None and not path.is_absolute():
            out.append(base_dir / path)
        out.append(path)
        return [p for p in out if p.suffix == ".npz" or p.is_file()]

    def _voice(self, name: str, prompt: Optional[VoicePrompt], config: VoiceConfig, origin: str) -> ResolvedVoice:
        return ResolvedVoice(name, prompt, prompt_key(prompt), config, origin)

    def _from_config(self, name, config: VoiceConfig, origin, base_dir, stack) -> ResolvedVoice:
        if config.clone is not None:
            prompt = self._clone(config.clone, base_dir, name)
            return self._voice(name, prompt, config, "clone")
        if config.source.strip().lower() in NO_VOICE:
            return self._voice(name, None, config, origin or "none")
        inner = self.resolve(config.source, stack, base_dir)
        merged = merge_configs(config, inner.config)
        kind = "clone" if inner.origin == "clone" else (origin or inner.origin)
        return self._voice(name, inner.prompt, merged, kind)

    def _clone(self, clone: CloneConfig, base_dir: Optional[Path], name: str) -> VoicePrompt:
        runner = self.clone_runner or default_clone_runner(self.store, self.preset_source)
        return runner(clone, base_dir=base_dir)

    def _unknown(self, ref: str, stack: tuple) -> str:
        names = list(self.inline)
        for folder in self.library_dirs:
            if folder.is_dir():
                names += [p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*") if p.suffix in (".yaml", ".npz")]
        names += self.presets()
        close = difflib.get_close_matches(ref, sorted(set(names)), n=4, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        folders = ", ".join(str(d) for d in self.library_dirs) or "none"
        presets = f"presets of {self.preset_source}" if self.preset_source else "no preset source"
        if self._preset_error:
            presets += f" (unavailable: {self._preset_error.rstrip('.')})"
        used_by = f" (named by voice {stack[-1][1]})" if stack else ""
        return (
            f"voice {ref!r}{used_by} not found among the inline voices, the library ({folders}), the {presets}, "
            f"or as an .npz file: {hint}run barkflow-voices list to see them all"
        )


def default_clone_runner(store, codec_source: str) -> CloneRunner:
    """Runs the clone step with the codec of `codec_source` (the model bundle, else facebook/encodec_24khz).

    The runner should pass its own (bound to the engine's codec); this is for callers without one.
    """
    from barkflow.engine import loading
    from barkflow.steps import clone as clone_step

    if store is None:
        raise BarkflowError("a cloned voice needs a cache folder (store) for the clone step")
    codecs: list = []

    def codec():
        if not codecs:
            codecs.append(loading.load_codec(codec_source or loading.DEFAULT_CODEC_REPO, device="cpu"))
        return codecs[0]

    def run(clone: CloneConfig, base_dir: Optional[Path] = None) -> VoicePrompt:
        identity = getattr(loading, "source_identity", None)
        codec_id = identity("codec", codec_source) if identity else codec().identity
        return clone_step.run(clone, store, codec=codec, codec_id=codec_id, base_dir=base_dir)

    return run


MAX_NAME_BYTES = 250  # a file name's limit on every common filesystem (255) less the .yaml looked for
MAX_REF = 4095  # a path's (PATH_MAX less its terminating NUL)


def resolve_voice(
    ref: str,
    *,
    inline: dict[str, VoiceConfig],
    library_dirs: list[Path],
    preset_source: str,
    store,
    clone_runner: Optional[CloneRunner] = None,
) -> ResolvedVoice:
    """The voice `ref` names (see the module docstring for the order), validated; BarkflowError if unknown."""
    return _Resolver(inline, library_dirs, preset_source, store, clone_runner).resolve(ref)


# =========================================================================== the library


def list_voices(library_dirs: list[Path], preset_source: str = "") -> list[VoiceInfo]:
    """Every voice a cast can name: library entries (first folder wins a name), then presets.

    A broken entry is listed with its error as the description, so one bad file hides nothing.
    """
    infos: list[VoiceInfo] = []
    seen: set[str] = set()
    resolver = _Resolver({}, library_dirs, preset_source, None, _clone_not_run)  # listing never runs a clone
    for folder in [Path(d) for d in library_dirs]:
        if not folder.is_dir():
            continue
        entries = sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.npz"))
        for path in entries:
            name = path.relative_to(folder).with_suffix("").as_posix()
            if name in seen:
                continue
            seen.add(name)
            try:
                if path.suffix == ".npz":
                    seconds = load_npz(path).seconds  # validates (bounded) before the meta is read
                    info = VoiceInfo(name, "library", "", seconds, _meta_description(load_npz_meta(path)))
                else:
                    info = _yaml_info(name, path, resolver)
            except BarkflowError as e:
                info = VoiceInfo(name, "library", "", None, f"invalid: {e}")
            infos.append(info)
    try:
        presets = preset_names(preset_source)
    except BarkflowError as e:
        log.warning("presets of %s are not available: %s", preset_source, e)
        presets = []
    for name in presets:
        if name in seen:
            continue
        try:
            seconds = load_preset(preset_source, name).seconds
            description = ""
        except BarkflowError as e:
            seconds, description = None, f"invalid: {e}"
        infos.append(VoiceInfo(name, "preset", preset_language(name), seconds, description))
    return infos


def _meta_description(meta: dict) -> str:
    if not meta:
        return ""
    if meta.get("candidate"):
        return f"clone of {Path(meta.get('audio', '?')).name} ({meta['candidate']}, {meta.get('start_s', 0):g}-{meta.get('end_s', 0):g} s)"
    return str(meta.get("description", ""))


def _yaml_info(name: str, path: Path, resolver: _Resolver) -> VoiceInfo:
    config = load_voice_file(path, name)
    if config.clone is not None:
        return VoiceInfo(name, "clone", config.language, None, config.description or f"clone of {config.clone.audio}")
    source = config.source.strip()
    language, seconds = config.language, None
    try:  # resolved as a cast would resolve it: through other entries, presets and .npz files
        voice = resolver._from_config(name, config, "library", path.parent, (("yaml", str(path)),))
        language = voice.config.language
        seconds = None if voice.prompt is None else voice.prompt.seconds
    except BarkflowError as e:  # an unavailable preset source, a clone not rendered yet: the length stays unknown
        log.debug("voice %s: %s", name, e)
    return VoiceInfo(name, "library", language or preset_language(source), seconds, config.description)


def _clone_not_run(clone: CloneConfig, base_dir: Optional[Path] = None) -> VoicePrompt:
    raise BarkflowError(f"voice cloned from {clone.audio}: its length is known once a render has cloned it")


def _check_voice_name(name: str) -> None:
    if not VOICE_NAME_RE.fullmatch(name or "") or name.lower() in NO_VOICE:
        raise BarkflowError(
            f"voice name {name!r} is not usable: use letters, digits, '_', '.' and '-' (no folders), e.g. narrator_warm"
        )


def add_voice(
    npz_path: str | Path, name: str, library_dir: str | Path, description: str = "", *, overwrite: bool = False
) -> Path:
    """Validate an exported line's `.npz` and add it to the library as `<name>.npz` + `<name>.yaml`.

    The arrays are re-written in the reference layout (int64, no extra members), so whatever else
    the source file held does not travel. Returns the library entry (`<name>.yaml`).
    """
    _check_voice_name(name)
    src = Path(npz_path)
    prompt = load_npz(src)  # validates; refuses pickles
    library_dir = Path(library_dir)
    target, entry = library_dir / f"{name}.npz", library_dir / f"{name}.yaml"
    taken = [p for p in (entry, target) if p.exists()]
    if taken and not overwrite:
        raise BarkflowError(f"voice {name} exists at {taken[0]}; use --force to replace it, or choose another name")
    save_npz(prompt, target)
    text = description or f"added from {src.name}"
    _write_entry(entry, source=target.name, description=text)
    return entry


def _yaml_string(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _write_entry(entry: Path, *, source: str, description: str, language: str = "") -> None:
    lines = [
        "# A barkflow voice library entry (VoiceConfig); name it in a cast by its file name.",
        f"source: {_yaml_string(source)}  # the prompt: an .npz next to this file, a preset, or another voice",
        f"description: {_yaml_string(description)}  # shown by barkflow-voices list",
    ]
    if language:
        lines.append(f"language: {_yaml_string(language)}  # ISO code, shown by barkflow-voices list")
    entry.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(entry, "\n".join(lines) + "\n")


__all__ = [
    "ResolvedVoice", "VoiceInfo", "add_voice", "builtin_library_dir", "default_clone_runner", "default_library_dirs",
    "list_voices", "load_preset", "merge_configs", "preset_language", "preset_names", "prompt_key", "resolve_voice",
]
