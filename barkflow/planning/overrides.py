"""Per-line overrides and the sampling overrides of voices and lines: `project.lines` and the lines
file (`lines.yaml`, where the studio writes a line's voice and sampling) read, bounded and checked
against the script and the cast, and a layer of overrides applied to a stage's options, each
value checked against the option's type.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from pathlib import Path
from typing import Any, Dict, Optional

from barkflow.engine.layouts import STAGES
from barkflow.errors import BarkflowError, check_choice
from barkflow.planning.config import BarkflowConfig, LineConfig, SamplingConfig, _line_override
from barkflow.store.files import read_yaml_file

LINES_FILE = "lines.yaml"
# A lines file holds one small entry (~100 bytes) per script line the user changed: 1 MiB is room
# for an override on each of 10,000 lines. Bigger is not one, and YAML parsing it would take minutes.
MAX_LINES_FILE_BYTES = 1 << 20


def lines_file_path(cfg: "BarkflowConfig") -> Path:
    """The lines file: `project.lines_file`, else lines.yaml in the output folder."""
    return Path(cfg.project.lines_file) if cfg.project.lines_file else Path(cfg.paths.output_dir) / LINES_FILE


def read_lines_file(path: Path, required: bool) -> Dict[int, Dict[str, Any]]:
    """A lines file's entries as {line number: the fields it sets}, each checked as a `project.lines`
    entry is (LineConfig, its seed, its sampling stages and options); no file: {} unless `required`."""
    if not path.is_file():
        if required:
            raise BarkflowError(f"lines file {path} not found; fix project.lines_file or set it to \"\"")
        return {}
    data = read_yaml_file(path, MAX_LINES_FILE_BYTES, "lines file", (
        ", the most a file of per-line overrides holds (~100 bytes per changed script line); is it the right "
        "file? fix project.lines_file or remove it"))
    if data is None:
        return {}
    return check_lines_entries(data, str(path))


def check_lines_entries(data, origin: str) -> Dict[int, Dict[str, Any]]:
    """Lines-file entries ({line number: {field: value}}, `origin` names where they come from)
    checked as `project.lines` entries are, and their sampling stages and options too."""
    if not isinstance(data, dict) or not all(isinstance(v, dict) or v is None for v in data.values()):
        raise BarkflowError(f"lines file {origin}: expected {{line number: {{voice: ..., sampling: ...}}}}; fix or remove it")
    entries = {}
    for key, value in data.items():
        number, line = _line_override((key, value), origin=origin)
        check_line_sampling(line.sampling, f"{origin}.{number}.sampling")
        entries[number] = {name: getattr(line, name) for name in (value or {})}
    return entries


def check_line_sampling(sampling, where: str) -> None:
    """A line's sampling ({stage: {option: value}}): known stages, and options each of its stage's
    type and range; `where` names it in the one-line error (e.g. "lines.yaml.4.sampling")."""
    for stage, options in sampling.items():
        check_choice(where, stage, STAGES)
        if not isinstance(options, dict):
            raise BarkflowError(f"{where}.{stage}: give options such as {{temp: 0.6}}")
        apply_overrides(getattr(SamplingConfig(), stage), dict(options), f"{where}.{stage}")


def line_overrides(cfg: "BarkflowConfig") -> Dict[int, LineConfig]:
    """`project.lines` with the lines file over it: each field the file sets for a line replaces
    the config's (the file wins: it holds the studio's latest choice)."""
    lines = dict(cfg.project.lines)
    for number, fields in read_lines_file(lines_file_path(cfg), required=bool(cfg.project.lines_file)).items():
        lines[number] = dataclasses.replace(lines.get(number) or LineConfig(), **fields)
    return lines


def check_line_overrides(lines: Dict[int, "LineConfig"], script, cfg: Optional["BarkflowConfig"] = None) -> None:
    """Every `project.lines` key (and lines file entry: `cfg` says which came from where) is a line
    of the script with text (an override is never ignored)."""
    numbers = sorted({line.source_line for line in script.lines})
    missing = sorted(set(lines) - set(numbers))
    if missing:
        number = missing[0]
        where = f"project.lines.{number}"
        if cfg is not None and number not in cfg.project.lines:  # it came from the lines file
            where = f"{lines_file_path(cfg)}: line {number}"
        raise BarkflowError(
            f"{where}: {script.source} has no line {number} with text to read "
            f"(lines with text: {number_ranges(numbers) or 'none'}); fix the line number"
        )


def number_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5, 7, 8] -> '1-3, 5, 7-8'."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def check_cast(cast: Dict[str, str], lines: Dict[int, "LineConfig"], script) -> None:
    """Every speaker whose lines need the cast is in it (cast keys are casefolded); all missing at once."""
    first_line: dict[str, tuple[str, int]] = {}
    for line in script.lines:
        override = lines.get(line.source_line)
        if (override and override.voice) or line.speaker.casefold() in cast:
            continue
        first_line.setdefault(line.speaker.casefold(), (line.speaker, line.source_line))
    if first_line:
        names = ", ".join(repr(name) for name, _ in first_line.values())
        numbers = ", ".join(str(number) for _, number in first_line.values())
        several = len(first_line) > 1
        example = next(iter(first_line.values()))[0]
        raise BarkflowError(
            f"{script.source}: speaker{'s' if several else ''} {names} {'are' if several else 'is'} not in project.cast "
            f"(first on line{'s' if several else ''} {numbers}; cast: {', '.join(map(repr, sorted(cast))) or 'none'}); "
            f"add {'each' if several else 'it'}, e.g. project.cast.{example}=v2/en_speaker_6, "
            "or 'random' for a locked random voice"
        )


@functools.cache
def _type_hints(cls: type) -> dict:
    return typing.get_type_hints(cls)  # evaluates every string annotation: a lines file's entries share one


def apply_overrides(options, overrides: Dict[str, Any], where: str):
    """`options` with some fields replaced, for a voice's or a line's sampling overrides.

    A whole number given for a float field becomes a float, as the typed config groups make it:
    `temp: 1` in a voice file and `temp: 1.0` are one option, with one cache key. A name that is
    no option, or a value of the wrong type, is one line naming the option and the value."""
    fields = {f.name for f in dataclasses.fields(options)}
    unknown = sorted(set(overrides) - fields, key=str)
    if unknown:
        raise BarkflowError(f"{where}: unknown sampling option(s) {', '.join(map(str, unknown))}; "
                            f"known: {', '.join(f.name for f in dataclasses.fields(options))}")
    hints = _type_hints(type(options))
    checked = {}
    for name, value in overrides.items():
        kind = _sampling_kind(hints.get(name), value)
        if kind:  # the options' own checks compare values: a string there would be a TypeError
            raise BarkflowError(f"{where}: {name} is {_short(value)}: set it to {kind}, e.g. {name}={_example(hints.get(name))}")
        try:
            checked[name] = float(value) if _is_whole_number(value) and hints.get(name) in (float, Optional[float]) else value
        except OverflowError:  # an int past float's range
            raise BarkflowError(f"{where}: {name} is {_short(value)}: set it to a number in range") from None
    try:
        return dataclasses.replace(options, **checked)
    except (TypeError, ValueError) as e:
        raise BarkflowError(f"{where}: {e}") from None


def _sampling_kind(hint, value) -> str:
    """What a sampling option of type `hint` takes, where `value` is not that ("" where it is)."""
    optional = type(None) in typing.get_args(hint)
    base = next((t for t in typing.get_args(hint) if t is not type(None)), hint)
    if value is None:
        return "" if optional else f"{_KINDS.get(base, 'a value')} (not null)"
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    fits = {float: number, int: _is_whole_number(value), bool: isinstance(value, bool), str: isinstance(value, str)}
    if fits.get(base, True):
        return ""
    return _KINDS[base] + (" or null" if optional else "")


_KINDS = {float: "a number", int: "a whole number", bool: "true or false", str: "text"}
_EXAMPLES = {float: "0.6", int: "50", bool: "true", str: "..."}


def _example(hint) -> str:
    base = next((t for t in typing.get_args(hint) if t is not type(None)), hint)
    return _EXAMPLES.get(base, "...")


def _short(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
