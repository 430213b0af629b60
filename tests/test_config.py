"""The configuration schema: every option is checked when the config is composed (to_config)."""

from __future__ import annotations

import copy
import dataclasses
import io
import math
import os
import tempfile
import typing
from pathlib import Path
from typing import NamedTuple

import pytest
from hydra import compose, initialize_config_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from barkflow.engine.constants import TEXT_CONTEXT
from barkflow.engine.options import (
    MAX_MIROSTAT_TAU,
    MAX_NEGATIVE_SCALE,
    MAX_REPETITION_PENALTY,
    MAX_TEMP,
    MIN_REPETITION_PENALTY,
    MIN_TEMP,
    CoarseOptions,
    FineOptions,
    SemanticOptions,
)
from barkflow.errors import BarkflowError
from barkflow.planning.config import (
    MAX_BATCH_SIZE,
    MAX_COUNT,
    MAX_SEED,
    MAX_TAKES,
    MAX_THREADS,
    MAX_VERIFY_TAKES,
    MAX_WER,
    BarkflowConfig,
    LineConfig,
    VoiceConfig,
    check_writable_folder,
    register_configs,
    to_config,
)
from barkflow.planning.outputs import MAX_BITRATE_KBPS, MAX_CROSSFADE_MS, MIN_BITRATE_KBPS
from barkflow.planning.overrides import apply_overrides, check_cast, check_line_overrides
from barkflow.store.keys import content_key
from barkflow.text.formats import load_script
from barkflow.text.split import MAX_MAX_CHARS, MIN_MAX_TOKENS
from barkflow.text.spoken import MAX_PAUSE_S

INF = math.inf


class Range(NamedTuple):
    low: float
    high: float  # inclusive; INF = no upper bound
    integer: bool = True
    low_open: bool = False  # low itself is out of range (e.g. top_p > 0)


# Every numeric option and its valid range, for the composed defaults (project=demo, split=sentence,
# sampling=default). `*` stands for any key of a dict (here a line number).
RANGES = {
    "seed": Range(0, MAX_SEED),
    "limit": Range(0, MAX_COUNT),
    "seeds.semantic": Range(0, MAX_SEED),
    "seeds.coarse": Range(0, MAX_SEED),
    "seeds.fine": Range(0, MAX_SEED),
    "project.takes": Range(1, MAX_TAKES),
    "project.chain_reset_every": Range(0, MAX_COUNT),
    "project.pause_s": Range(0.0, MAX_PAUSE_S, integer=False),
    "project.cast_confidence": Range(0.0, 1.0, integer=False),
    "project.lines.*.seed": Range(0, MAX_SEED),
    "device.batch_size": Range(1, MAX_BATCH_SIZE),
    "device.threads": Range(0, MAX_THREADS),
    "verify.batch_size": Range(1, MAX_BATCH_SIZE),
    "verify.max_wer": Range(0.0, MAX_WER, integer=False),
    "verify.max_takes": Range(1, MAX_VERIFY_TAKES),
    "sampling.semantic.temp": Range(MIN_TEMP, MAX_TEMP, integer=False),
    "sampling.semantic.top_k": Range(1, INF),
    "sampling.semantic.top_p": Range(0.0, 1.0, integer=False, low_open=True),
    "sampling.semantic.min_eos_p": Range(0.0, 1.0, integer=False),
    "sampling.semantic.max_gen_duration_s": Range(0.0, INF, integer=False, low_open=True),
    "sampling.semantic.repetition_penalty": Range(MIN_REPETITION_PENALTY, MAX_REPETITION_PENALTY, integer=False),
    "sampling.semantic.inverted_top_p": Range(0.0, 1.0, integer=False, low_open=True),
    "sampling.semantic.bottom_k": Range(1, INF),
    "sampling.semantic.mirostat_tau": Range(0.0, MAX_MIROSTAT_TAU, integer=False, low_open=True),
    "sampling.semantic.mirostat_eta": Range(0.0, 1.0, integer=False, low_open=True),
    "sampling.semantic.negative_scale": Range(0.0, MAX_NEGATIVE_SCALE, integer=False),
    "sampling.coarse.temp": Range(MIN_TEMP, MAX_TEMP, integer=False),
    "sampling.coarse.top_k": Range(1, INF),
    "sampling.coarse.top_p": Range(0.0, 1.0, integer=False, low_open=True),
    "sampling.coarse.max_coarse_history": Range(60, 630),
    "sampling.coarse.sliding_window_len": Range(1, 768 - 630),  # history + window <= 768 (history is 630)
    "sampling.coarse.inverted_top_p": Range(0.0, 1.0, integer=False, low_open=True),
    "sampling.coarse.bottom_k": Range(1, INF),
    "sampling.fine.temp": Range(MIN_TEMP, MAX_TEMP, integer=False),
    "split.goal_chars": Range(1, 250),  # up to max_chars (250 in split/sentence)
    "split.max_chars": Range(150, MAX_MAX_CHARS),  # from goal_chars (150 in split/sentence)
    "split.jitter": Range(0.0, 0.5, integer=False),
    "split.max_tokens": Range(MIN_MAX_TOKENS, TEXT_CONTEXT),
    "stitch.pause_sentence_s": Range(0.0, MAX_PAUSE_S, integer=False),
    "stitch.pause_paragraph_s": Range(0.0, MAX_PAUSE_S, integer=False),
    "stitch.pause_speaker_s": Range(0.0, MAX_PAUSE_S, integer=False),
    "stitch.pause_chapter_s": Range(0.0, MAX_PAUSE_S, integer=False),
    "stitch.crossfade_ms": Range(0.0, MAX_CROSSFADE_MS, integer=False),
    "stitch.silence_threshold_db": Range(-120.0, -1.0, integer=False),
    "stitch.loudness_lufs": Range(-60.0, -1.0, integer=False),
    "stitch.peak_dbfs": Range(-40.0, 0.0, integer=False),
    "export.bitrate_kbps": Range(MIN_BITRATE_KBPS, MAX_BITRATE_KBPS),
}
# Dicts of dataclasses kept untyped in the schema (see ProjectConfig.lines), by what each entry is.
DICT_ENTRIES = {"project.lines": LineConfig, "project.voices": VoiceConfig}
SAMPLING_CLASSES = {"semantic": SemanticOptions, "coarse": CoarseOptions, "fine": FineOptions}


def numeric_keys(schema=BarkflowConfig, prefix: str = "") -> set[str]:
    """The dotted key of every int or float field (Optional or not) reachable from `schema`."""
    keys = set()
    for f in dataclasses.fields(schema):
        key = prefix + f.name
        hint = typing.get_type_hints(schema)[f.name]
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if typing.get_origin(hint) is typing.Union and len(args) == 1:
            hint = args[0]
        if hint in (int, float):
            keys.add(key)
        elif dataclasses.is_dataclass(hint):
            keys |= numeric_keys(hint, key + ".")
        elif key in DICT_ENTRIES:
            keys |= numeric_keys(DICT_ENTRIES[key], key + ".*.")
    return keys


def test_every_numeric_option_has_a_range_in_the_table():
    """A new numeric option must be added to RANGES (and so be checked) before this passes."""
    assert numeric_keys() == set(RANGES)


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        return compose(config_name="config", overrides=[
            "projects=demo", f"paths.output_dir={tmp_path_factory.mktemp('out')}",
        ])


def out_of_range(r: Range):
    if r.integer:
        below = st.integers(max_value=int(r.low) - 1)
        return below if r.high == INF else st.one_of(below, st.integers(min_value=int(r.high) + 1))
    below = st.floats(max_value=r.low, exclude_max=not r.low_open)
    above = st.floats(min_value=r.high, exclude_min=True) if r.high != INF else st.nothing()
    return st.one_of(below, above, st.just(math.nan))


def in_range(r: Range):
    if r.integer:
        return st.integers(min_value=int(r.low), max_value=int(min(r.high, r.low + 10**12)))
    return st.floats(min_value=r.low, max_value=r.high, exclude_min=r.low_open, allow_nan=False)


def with_value(composed, key: str, value):
    cfg = copy.deepcopy(composed)
    OmegaConf.update(cfg, key.replace("*", "3"), value, merge=True)  # line 3 of the demo script
    return cfg


def error_of(cfg) -> str:
    """The one-line error `to_config` gives for `cfg`."""
    with pytest.raises(BarkflowError, match="^[^\n]*$") as error:
        to_config(cfg)
    return str(error.value)


option = st.sampled_from(sorted(RANGES))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), key=option)
def test_a_value_out_of_range_is_a_one_line_error(composed, data, key):
    value = data.draw(out_of_range(RANGES[key]), label=key)
    with pytest.raises(BarkflowError) as error:
        to_config(with_value(composed, key, value))
    message = str(error.value)
    assert "\n" not in message and key.rsplit(".", 1)[-1] in message
    stage = key.split(".")[1] if key.startswith("sampling.") else None
    if stage:  # a voice's or a line's sampling override goes through the same check
        with pytest.raises(BarkflowError):
            apply_overrides(SAMPLING_CLASSES[stage](), {key.rsplit(".", 1)[-1]: value}, "voice x")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), key=option)
def test_a_value_in_range_passes(composed, data, key):
    value = data.draw(in_range(RANGES[key]), label=key)
    config = to_config(with_value(composed, key, value))
    if key.startswith("project.lines"):
        assert config.project.lines[3].seed == value
    else:
        assert OmegaConf.select(OmegaConf.structured(config), key) == value


@pytest.mark.parametrize("override, words", [
    ("device.batch_size=-2", "device.batch_size is -2"),
    ("device.batch_size=0", "device.batch_size is 0"),
    ("project.takes=100000000000000000000", "project.takes"),
    ("limit=-1", "limit is -1"),
    ("device.threads=-3", "device.threads is -3"),
    ("device.device=tpu", "device.device is 'tpu'"),
    ("model.coarse.device=gpu", "model.coarse.device is 'gpu'"),
    ("model.fine.dtype=int4", "model.fine.dtype is 'int4'"),
    ("project.name=../../x", "project.name is '../../x'"),
    ("project.name=..", "project.name is '..'"),
    ("project.name=''", "project.name is ''"),
    ("project.lines.x.prefix=hi", "project.lines has the key 'x'"),
    ("project.lines.².prefix=hi", "project.lines has the key '²'"),  # isdigit, but no int()
    ("project.lines.3.prefx=hi", "did you mean prefix?"),
    ("project.lines.0.prefix=hi", "line numbers start at 1"),
])
def test_bad_options_are_one_line_errors_at_composition(composed, override, words):
    key, _, value = override.partition("=")
    assert words in error_of(with_value(composed, key, OmegaConf.create(f"v: {value}").v))


def test_cuda_without_a_cuda_torch_is_an_error_before_any_model_loads(composed, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for key, device in (("device.device", "cuda"), ("model.semantic.device", "cuda:1")):
        with pytest.raises(BarkflowError, match="install a CUDA build of torch .* or set device=cpu"):
            to_config(with_value(composed, key, device))


def test_int8_is_a_cpu_dtype(composed, monkeypatch):
    import torch

    config = to_config(with_value(with_value(composed, "model.coarse.dtype", "int8"), "device.device", "cpu"))
    assert config.model.coarse.dtype == "int8"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    for key, device in (("device.device", "auto"), ("model.coarse.device", "cuda")):
        cfg = with_value(with_value(composed, "model.coarse.dtype", "int8"), key, device)
        message = error_of(cfg)
        assert "model.coarse.dtype=int8 runs on the CPU only" in message and "\n" not in message


def test_line_overrides_from_yaml_and_the_command_line(composed):
    cfg = with_value(composed, "project.lines", OmegaConf.create("{5: {prefix: '[laughs]'}}"))
    OmegaConf.update(cfg, "project.lines.6.seed", 7, merge=True)  # what Hydra does with project.lines.6.seed=7
    lines = to_config(cfg).project.lines
    assert lines[5].prefix == "[laughs]" and lines[6].seed == 7


def script_of(tmp_path, text: str):
    path = tmp_path / "scene.txt"
    path.write_text(text, encoding="utf-8")
    return load_script(path, "dialogue")


def test_a_line_override_for_a_line_without_text_lists_the_lines_there_are(tmp_path):
    script = script_of(tmp_path, "ALICE: One.\n\nBOB: Two.\nALICE: Three.\n")
    check_line_overrides({1: LineConfig(), 4: LineConfig()}, script)
    with pytest.raises(BarkflowError, match=r"^project\.lines\.99: .* no line 99 .*\(lines with text: 1, 3-4\)"):
        check_line_overrides({1: LineConfig(), 99: LineConfig()}, script)


def test_every_uncast_speaker_is_named_at_once(tmp_path):
    script = script_of(tmp_path, "Alice: One.\nBob: Two.\nALICE: Three.\nCarol: Four.\nDan: Five.\n")
    with pytest.raises(BarkflowError) as error:
        check_cast({"bob": "v2/en_speaker_1"}, {5: LineConfig(voice="tiny_a")}, script)
    message = str(error.value)
    assert "\n" not in message
    assert "speakers 'Alice', 'Carol' are not in project.cast (first on lines 1, 4; cast: 'bob')" in message
    assert "Dan" not in message


def test_a_folder_under_a_file_is_not_writable(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(BarkflowError, match=r"^paths\.output_dir=.*file/sub: a file is in the way at "):
        check_writable_folder("paths.output_dir", str(tmp_path / "file" / "sub"))
    check_writable_folder("paths.output_dir", str(tmp_path / "new" / "deeper"))  # made later: fine
    assert not (tmp_path / "new").exists()


def _nobody_uid():
    try:
        import pwd

        return pwd.getpwnam("nobody").pw_uid
    except (ImportError, KeyError):
        return None


@pytest.mark.skipif(os.name != "posix", reason="permissions are POSIX here")
def test_a_read_only_folder_is_not_writable():
    """Root writes anywhere, so as root the check runs as the user `nobody`."""
    with tempfile.TemporaryDirectory() as scratch:  # directly in the system's temp folder, which anyone can reach
        Path(scratch).chmod(0o755)
        folder = Path(scratch) / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        _check_as_nobody_if_root(folder)


def _check_as_nobody_if_root(folder: Path) -> None:
    """check_writable_folder on `folder/cache`: here, or as root in a forked child that became the user
    `nobody` (a fork, not a new python: that user cannot always reach the interpreter), so the folder's
    real permissions are what is tested."""
    if os.geteuid() != 0:
        with pytest.raises(BarkflowError) as error:
            check_writable_folder("paths.cache_dir", str(folder / "cache"))
        message = str(error.value)
    else:
        uid = _nobody_uid()
        if uid is None:
            pytest.skip("running as root and there is no user 'nobody' to run the check as")
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: drop root, run the check, report its message, and leave at once
            try:
                os.close(read_end)
                os.setgid(65534)
                os.setuid(uid)
                try:
                    check_writable_folder("paths.cache_dir", str(folder / "cache"))
                    report = "no error"
                except BarkflowError as e:
                    report = str(e)
                os.write(write_end, report.encode("utf-8"))
            finally:
                os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, encoding="utf-8") as pipe:
            message = pipe.read()
        os.waitpid(pid, 0)
    assert message.startswith("paths.cache_dir=") and "cannot write there" in message, message


def test_the_plan_keeps_bark_cues_and_fits_a_log(tmp_path):
    from rich.console import Console

    from barkflow.cli import _print_plan

    rows = [{"id": "l0003-s01", "chapter": 0, "speaker": "ALICE", "voice": "v2/en_speaker_1", "chars": 30,
             "seconds": 2.1, "cached": ["semantic"], "text": "[laughs] Well, [coughs] that was a long day at work.", "dropped": []}]
    piped = io.StringIO()
    _print_plan(rows, Console(file=piped, width=40))  # not a terminal: tab-separated, one line per segment
    lines = piped.getvalue().splitlines()
    assert lines[0] == "1 segment"
    assert lines[2].split("\t") == ["l0003-s01", "0", "ALICE", "v2/en_speaker_1", "30", "2.1", "semantic",
                                    "[laughs] Well, [coughs] that was a long day at work."]
    terminal = io.StringIO()
    _print_plan(rows, Console(file=terminal, force_terminal=True, width=200, color_system=None))
    assert "[laughs] Well, [coughs] that" in terminal.getvalue()


def compose_with(tmp_path, *overrides):
    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        return compose(config_name="config", overrides=[*overrides, f"paths.output_dir={tmp_path}"])


@pytest.mark.parametrize("override, words", [
    ("+project.foo=1", "project.foo is not an option; the options are: name, script"),
    ("+project.takez=2", "project.takez is not an option; did you mean project.takes?"),
    ("+sampling.semantic.tmp=0.5", "sampling.semantic.tmp is not an option; did you mean sampling.semantic.temp?"),
    ("+model.semantic.sorce=x", "model.semantic.sorce is not an option; did you mean model.semantic.source?"),
])
def test_a_key_added_with_plus_that_no_schema_has_is_a_one_line_error(tmp_path, override, words):
    """Hydra's + adds a key even to a typed node, and OmegaConf.to_object then drops it: it must not be ignored."""
    assert words in error_of(compose_with(tmp_path, override))


def test_a_voice_can_be_added_on_the_command_line(tmp_path):
    config = to_config(compose_with(
        tmp_path, "project.voices.bob.source=v2/en_speaker_3", "project.voices.bob.sampling.semantic.temp=0.6",
        "project.voices.eve.clone.audio=me.wav",
    ))
    assert config.project.voices["bob"] == VoiceConfig(source="v2/en_speaker_3", sampling={"semantic": {"temp": 0.6}})
    assert config.project.voices["eve"].clone.audio == "me.wav"
    assert config.project.voices["eve"].clone.candidate == "end"  # the CloneConfig defaults fill in


@pytest.mark.parametrize("override, words", [
    ("project.voices.bob.sourc=x", "project.voices.bob.sourc is not an option of a voice; did you mean source?"),
    ("project.voices.bob.clone.audo=x.wav", "project.voices.bob.clone.audo is not an option of a voice; did you mean audio?"),
])
def test_a_misspelt_voice_option_on_the_command_line_is_a_one_line_error(tmp_path, override, words):
    assert words in error_of(compose_with(tmp_path, override))


def test_an_unquoted_cue_on_the_command_line_says_how_to_quote_it(tmp_path):
    assert "project.lines.3.prefix: Hydra read the value as a list" in error_of(
        compose_with(tmp_path, "project.lines.3.prefix=[laughs]"))
    assert to_config(compose_with(tmp_path, "project.lines.3.prefix='[laughs]'")).project.lines[3].prefix == "[laughs]"


_FLOAT_FIELDS = [
    (options, f.name)
    for options in (SemanticOptions, CoarseOptions, FineOptions)
    for f in dataclasses.fields(options)
    if typing.get_type_hints(options)[f.name] in (float, typing.Optional[float])
]


@pytest.mark.parametrize("options, name", _FLOAT_FIELDS, ids=[f"{o.__name__}.{n}" for o, n in _FLOAT_FIELDS])
@given(whole=st.integers(-2, 3))
def test_a_whole_number_for_a_float_option_is_the_same_option_and_key(options, name, whole):
    """Voice files and lines give YAML integers (temp: 1); the typed groups give floats (1.0)."""
    def applied(value):
        try:
            return apply_overrides(options(), {name: value}, "voice x")
        except BarkflowError as error:
            return str(error)

    as_int, as_float = applied(whole), applied(float(whole))
    assert as_int == as_float
    if not isinstance(as_int, str):
        assert content_key("options", as_int) == content_key("options", as_float)
