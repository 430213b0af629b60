"""The configuration schema: one dataclass per config group, registered in Hydra's ConfigStore.

Each YAML file under conf/<group>/ is checked against its schema when Hydra composes the config,
so a typo in a file or an override fails at once with Hydra's own error. `to_config` is the one
place that turns the composed DictConfig into these dataclasses; nothing past it sees a DictConfig.

The sampling options are the engine's own dataclasses (barkflow/engine/sampling.py), so a knob
has one definition from the YAML file down to the loop that reads it.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tempfile
import typing
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import yaml
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from barkflow.engine.constants import DTYPE_NAMES, OFFLOAD
from barkflow.engine.layouts import STAGES
from barkflow.engine.options import CoarseOptions, FineOptions, SemanticOptions
from barkflow.errors import BarkflowError, check_choice, check_range, user_path
from barkflow.planning.outputs import ExportOptions, StitchOptions
from barkflow.steps.checks import CHECKS
from barkflow.steps.clone import CloneConfig
from barkflow.text.book import BookOptions
from barkflow.text.decoding import check_encoding
from barkflow.text.split import SplitOptions
from barkflow.text.spoken import MAX_PAUSE_S, check_lexicon_setting

HISTORY_POLICIES = ("voice", "chain", "semantic-only")
DEVICE_NAMES = re.compile(r"auto|cpu|mps|cuda(:[0-9]+)?")
MAX_BATCH_SIZE = 1024  # segments per batch: far past what fits in any GPU's memory with Bark's contexts
MAX_THREADS = 1024
# Takes multiply every segment's work and the plan's size; 100 is more variants than anyone
# auditions, and a bound keeps a typo (takes=10000000) from filling memory before anything renders.
MAX_TAKES = 100
MAX_SEED = 2**32 - 1  # numpy's seed range (torch takes more): one range that suits both
MAX_COUNT = 10**9  # for counts with no natural limit (limit, chain_reset_every): a bound against typos
MAX_SHARDS = 10_000  # workers of one render: far more than any cluster runs it on (a shard past the segments renders nothing)
_SHARD = re.compile(r"([0-9]+)/([0-9]+)")  # ASCII digits only: int() would also take " 1", "1_0", "+1", "١"


@dataclass
class SamplingConfig:
    """Per-stage sampling; a voice or a line may override any field (see VoiceConfig.sampling)."""

    semantic: SemanticOptions = field(default_factory=SemanticOptions)
    coarse: CoarseOptions = field(default_factory=CoarseOptions)
    fine: FineOptions = field(default_factory=FineOptions)


@dataclass
class SeedsConfig:
    """Per-stage base seeds; null = the top-level `seed`. Sweeping `seeds.fine` keeps semantic and coarse."""

    semantic: Optional[int] = None
    coarse: Optional[int] = None
    fine: Optional[int] = None

    def __post_init__(self) -> None:
        for stage in STAGES:
            check_range(f"seeds.{stage}", getattr(self, stage), 0, MAX_SEED, optional=True)


@dataclass
class StageModelConfig:
    source: str = "tiny"  # hub id (suno/bark-small[@rev]), local folder, a .pt file, or tiny / tiny-suno
    dtype: str = "float32"  # float32 | bfloat16 | float16
    device: str = ""  # "" = device.device; or this stage's own (cpu, cuda:1, mps)


@dataclass
class ModelConfig:
    name: str = "tiny"  # a label for logs and the manifest
    semantic: StageModelConfig = field(default_factory=StageModelConfig)
    coarse: StageModelConfig = field(default_factory=StageModelConfig)
    fine: StageModelConfig = field(default_factory=StageModelConfig)
    codec: str = ""  # "" = the codec in the fine source's bundle (or the EnCodec the reference uses)
    tokenizer: str = ""  # "" = the tokenizer in the semantic source's bundle (or mBERT-cased)

    def __post_init__(self) -> None:
        for stage in STAGES:
            stage_config = getattr(self, stage)
            if stage_config.device:
                check_device_name(f"model.{stage}.device", stage_config.device)
            check_choice(f"model.{stage}.dtype", stage_config.dtype, DTYPE_NAMES)


@dataclass
class DeviceConfig:
    device: str = "auto"  # auto (cuda, then mps, then cpu) | cpu | cuda | cuda:N | mps
    offload: str = "none"  # none: all stages stay loaded | cpu: idle stages wait on the CPU | unload: idle stages are freed
    batch_size: int = 16  # segments per batch in each stage
    threads: int = 0  # CPU threads for torch; 0 = torch's default
    cuda_graphs: bool = False  # replay each semantic/coarse decoding step from a CUDA graph (CUDA stages only)

    def __post_init__(self) -> None:
        check_device_name("device.device", self.device)
        check_choice("device.offload", self.offload, OFFLOAD)
        check_range("device.batch_size", self.batch_size, 1, MAX_BATCH_SIZE, hint="such as 16")
        check_range("device.threads", self.threads, 0, MAX_THREADS, hint="or 0 for torch's default")


@dataclass
class VoiceConfig:
    """A voice: a Bark preset, an .npz prompt, or a clone of a recording, plus optional defaults."""

    source: str = ""  # preset name (v2/en_speaker_6, announcer), or a path to an .npz; "" with clone
    clone: Optional[CloneConfig] = None
    description: str = ""
    language: str = ""
    history: str = ""  # history policy for this voice ("" = the project's)
    prefix: str = ""  # added before every segment of this voice, e.g. "[MAN]" or "♪"
    suffix: str = ""
    sampling: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # e.g. {semantic: {temp: 0.6}}
    lexicon: Any = None  # this voice's pronunciations, over the project's: a YAML file's path or {words, regex}
    revoice_from: str = ""  # a voice: each line takes the semantic tokens it gets in that voice (re-voicing)

    def __post_init__(self) -> None:
        check_lexicon_setting("voice lexicon", self.lexicon)


@dataclass
class LineConfig:
    """Overrides for one script line, keyed in `project.lines` by its 1-based line number in the file."""

    prefix: str = ""
    suffix: str = ""
    seed: Optional[int] = None
    voice: str = ""
    sampling: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    # Re-voicing: "line:N" (an earlier line's segments) or a voice (.npz, preset, library entry) whose
    # semantic prompt becomes the line's semantic tokens; only coarse, fine and decode run, in this line's voice.
    semantic_from: str = ""


@dataclass
class ProjectConfig:
    name: str = "project"  # names the output files
    script: str = MISSING  # path to the script; relative paths are tried from the working dir, then the config dirs
    format: str = "auto"  # auto | prose | dialogue | fountain | epub | html | pdf | docx | fb2 | mobi | calibre
    narrator: str = "narrator"  # speaker of prose and of unnamed lines
    fountain_action: str = "narrate"  # narrate | skip: what happens to Fountain action lines
    # auto: UTF-8, or UTF-16/32 with a byte order mark (UTF-16 without one when its zero bytes show
    # it); or a codec name (utf-16-le, shift_jis, gb18030, cp1252...) for scripts and HTML pages
    encoding: str = "auto"
    cast: Dict[str, str] = field(default_factory=dict)  # speaker -> voice name, preset, or .npz path
    # name -> VoiceConfig: voices defined inline. Untyped and open like `lines` (below), so that
    # project.voices.bob.source=... can add bob; __post_init__ checks each entry against VoiceConfig.
    voices: Dict[str, Any] = field(default_factory=dict)
    history: str = "voice"  # voice | chain | semantic-only (see README: history policies)
    chain_reset_every: int = 0  # with chain: go back to the voice prompt every N segments (0 = never)
    prefix: str = ""  # added to every segment, after splitting
    suffix: str = ""
    # line number -> LineConfig. Untyped and open (register_configs) for Hydra, which cannot add an
    # entry to a typed or struct dict from an override (project.lines.12.prefix=...); __post_init__
    # checks each entry against LineConfig.
    lines: Dict[Any, Any] = field(default_factory=dict)
    # a YAML file of more `lines` entries ({line number: {voice, seed, sampling, prefix, suffix}}), each
    # field it sets replacing project.lines'; "" = lines.yaml in the output folder if it exists (the studio writes it)
    lines_file: str = ""
    # prose and books: find the quotations and their speakers, and read each in its character's voice
    # from the cast file (cast_file; "" = cast.yaml in the output folder), which the first render writes
    cast_from_book: bool = False
    cast_file: str = ""
    # with cast_from_book: a quotation whose speaker barkflow is less sure of than this (0..1) is read
    # by the narrator (or the cast file's unknown voice); higher = fewer wrong voices, fewer voices
    cast_confidence: float = 0.5
    # with cast_from_book: the speakers BookNLP found instead of barkflow's own attribution: its output
    # folder or .quotes file, from a run on booknlp.txt (the text barkflow writes in the output folder)
    booknlp: str = ""
    takes: int = 1  # variants rendered per segment, with derived seeds
    picks: str = ""  # a picks file (picks.json from the review page) choosing a take per segment
    title: str = ""
    author: str = ""
    read_by: str = ""  # the narrator credit in the outputs' tags (`narrator` above names the prose speaker)
    cover: str = ""  # a JPEG or PNG for the m4b and mp3s; "" = the EPUB's own cover, if any
    book: BookOptions = field(default_factory=BookOptions)  # EPUB/HTML: which parts are read
    normalize: bool = True  # numbers, abbreviations... read as words, in each voice's language (false: as written)
    # pronunciations: a YAML file's path, or {words: {phrase: respelling}, regex: [[pattern, replacement]], case_sensitive}
    lexicon: Any = None
    pause_s: float = 1.0  # the silence a bare [pause] cue makes ([pause 2.5s] says its own)

    def __post_init__(self) -> None:
        check_file_name("project.name", self.name)
        check_encoding("project.encoding", self.encoding)
        for key in ("normalize", "cast_from_book"):
            if not isinstance(getattr(self, key), bool):
                raise BarkflowError(f"project.{key} is {getattr(self, key)!r}: set it to true or false")
        if self.booknlp and not self.cast_from_book:
            raise BarkflowError(f"project.booknlp is {self.booknlp!r} but project.cast_from_book is false: "
                                "set project.cast_from_book=true to read the book by its cast, or leave booknlp empty")
        check_lexicon_setting("project.lexicon", self.lexicon)
        check_range("project.pause_s", self.pause_s, 0, MAX_PAUSE_S, integer=False, hint="in seconds, such as 1")
        check_range("project.cast_confidence", self.cast_confidence, 0, 1, integer=False, hint="such as 0.8")
        check_choice("project.history", self.history, HISTORY_POLICIES)
        check_range("project.takes", self.takes, 1, MAX_TAKES, hint="such as 3")
        check_range("project.chain_reset_every", self.chain_reset_every, 0, MAX_COUNT, hint="or 0 for never")
        self.lines = {number: config for number, config in map(_line_override, self.lines.items())}
        self.voices = {str(name): _entry(f"project.voices.{name}", VoiceConfig, "a voice", value)
                       for name, value in self.voices.items()}


@dataclass
class PathsConfig:
    cache_dir: str = ".barkflow-cache"  # shared by reruns and every job of a sweep; safe for several processes
    # Finished audio, subtitles, manifest: Hydra's output folder, which conf/config.yaml sets to
    # renders/<project> for a run and to the job's own folder in a sweep (so jobs never share one).
    output_dir: str = "${hydra:runtime.output_dir}"
    voices_dir: str = "voices"  # saved and cloned voices (the user's voice library)


RECOGNISERS = ("none", "sphinx", "whisper")
MAX_WER = 10.0  # a word error rate counts inserted words too, so it can pass 1; above 10 is a typo
MAX_VERIFY_TAKES = 20  # each retake costs a whole render of its segment
VERIFY_PICKS = ("best", "first")
DEFAULT_FAIL_ON = ("silent", "inner_silence", "clipping", "too_short", "too_long", "max_length")


@dataclass
class VerifyConfig:
    """Checking each take by speech recognition (barkflow/steps/verify.py); none: no check, no cost."""

    recogniser: str = "none"  # none | sphinx | whisper
    source: str = ""  # whisper for English voices: a hub id (openai/whisper-base.en[@rev]), a folder, or tiny-whisper
    multilingual_source: str = ""  # whisper for voices of any other language (openai/whisper-base)
    device: str = "cpu"  # where the recogniser runs; it can share the GPU or run on the CPU beside it
    batch_size: int = 8  # takes per recognition batch
    max_wer: float = 0.35  # a take whose word error rate is above this fails (scored after, never cached)
    # The audio checks (barkflow/steps/checks.py) that also fail a take. Not the edge silences: stitch trims them.
    fail_on: List[str] = field(default_factory=lambda: list(DEFAULT_FAIL_ON))
    max_takes: int = 1  # takes per segment in all: one whose best take fails gets another, up to this
    pick: str = "best"  # best: the passing take with the lowest error (a picks.json entry wins) | first: take 0
    report: bool = False  # true: list the segments that fail, from the cache, and render nothing

    def __post_init__(self) -> None:
        check_choice("verify.recogniser", self.recogniser, RECOGNISERS)
        for name in self.fail_on:
            check_choice("verify.fail_on", name, CHECKS)
        check_device_name("verify.device", self.device)
        check_range("verify.batch_size", self.batch_size, 1, MAX_BATCH_SIZE, hint="such as 8")
        check_range("verify.max_wer", self.max_wer, 0, MAX_WER, integer=False, hint="such as 0.35")
        check_range("verify.max_takes", self.max_takes, 1, MAX_VERIFY_TAKES, hint="such as 3")
        check_choice("verify.pick", self.pick, VERIFY_PICKS)


@dataclass
class BarkflowConfig:
    project: ProjectConfig = field(default_factory=ProjectConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    device: DeviceConfig = field(default_factory=DeviceConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    split: SplitOptions = field(default_factory=SplitOptions)
    stitch: StitchOptions = field(default_factory=StitchOptions)
    export: ExportOptions = field(default_factory=ExportOptions)
    paths: PathsConfig = field(default_factory=PathsConfig)
    verify: VerifyConfig = field(default_factory=VerifyConfig)
    seed: int = 0  # base seed of every stage (see `seeds`)
    seeds: SeedsConfig = field(default_factory=SeedsConfig)
    plan: bool = False  # print the segment table with estimated durations and stop; loads no model
    shard: str = ""  # "i/W": render only shard i of W into the cache (stitch with a run without shard)
    limit: int = 0  # render only the first N segments (0 = all), for quick previews

    def __post_init__(self) -> None:
        check_range("seed", self.seed, 0, MAX_SEED)
        check_range("limit", self.limit, 0, MAX_COUNT, hint="or 0 for all segments")
        parse_shard(self.shard)  # here, so plan=true and every other command refuse a shard that does not exist


def register_configs() -> None:
    """Schemas for the root config and each group; YAML files name theirs in their defaults list."""
    cs = ConfigStore.instance()
    schema = OmegaConf.structured(BarkflowConfig)
    OmegaConf.set_struct(schema.project.lines, False)  # so project.lines.12.prefix=... can add line 12
    OmegaConf.set_struct(schema.project.voices, False)  # and project.voices.bob.source=... can add bob
    cs.store(name="barkflow_schema", node=schema)
    cs.store(group="model", name="base_model", node=ModelConfig)
    cs.store(group="device", name="base_device", node=DeviceConfig)
    cs.store(group="sampling", name="base_sampling", node=SamplingConfig)
    cs.store(group="split", name="base_split", node=SplitOptions)
    cs.store(group="stitch", name="base_stitch", node=StitchOptions)
    cs.store(group="export", name="base_export", node=ExportOptions)
    cs.store(group="paths", name="base_paths", node=PathsConfig)
    cs.store(group="verify", name="base_verify", node=VerifyConfig)
    # ${file_name:${project.name}} in hydra.run.dir: a bad name fails before Hydra makes the folder.
    OmegaConf.register_new_resolver("file_name", _checked_project_name, replace=True)
    # ${required:KEY,EXAMPLE} in a group file: a value the user must give (conf/model/local.yaml's
    # source). `???` cannot say it there: merged onto the schema's default, Hydra keeps the default.
    OmegaConf.register_new_resolver("required", _required_value, replace=True)
    # ${visible_gpu_count:} in conf/hydra/launcher/local_jobs.yaml: submitit shows each local job that many GPUs
    OmegaConf.register_new_resolver("visible_gpu_count", _visible_gpu_count, replace=True)


def to_config(cfg: DictConfig) -> BarkflowConfig:
    """The composed config as dataclasses; every option is checked here (mostly in the dataclasses'
    __post_init__), so a value out of range is a one-line error before anything loads."""
    try:
        check_known_keys(cfg)
        config = OmegaConf.to_object(cfg)
    except (ValueError, TypeError, OmegaConfBaseException) as e:
        first_line = (str(e).splitlines() or [type(e).__name__])[0]
        # A resolver's own one-line error (file_name, required): OmegaConf re-raises it with this prefix.
        if first_line.startswith(_RESOLVER_ERROR):
            raise BarkflowError(first_line.removeprefix(_RESOLVER_ERROR)) from None
        where = f" (key: {e.full_key})" if getattr(e, "full_key", None) else ""
        raise BarkflowError(f"invalid configuration: {first_line}{where}") from None
    for number in config.project.lines:
        if number < 1:
            raise BarkflowError(f"project.lines.{number}: line numbers start at 1; key each override by its line in the script")
    for stage in STAGES:
        check_int8_device(stage, getattr(config.model, stage).dtype,
                          getattr(config.model, stage).device or config.device.device)
    for key, device in [("device.device", config.device.device)] + [
        (f"model.{stage}.device", getattr(config.model, stage).device) for stage in STAGES
    ]:
        check_device_available(key, device)
    return config


# ----------------------------------------------------------------------------------------------
# checks shared by the schema, the CLI and the runner


def check_device_name(key: str, device: str) -> None:
    if not isinstance(device, str) or not DEVICE_NAMES.fullmatch(device):
        raise BarkflowError(f"{key} is {device!r}: set it to auto, cpu, cuda, cuda:N (a GPU's index) or mps")


def check_int8_device(stage: str, dtype: str, device: str) -> None:
    """int8 weights (engine/quantize.py) have CPU kernels only; `auto` picks a GPU where there is one."""
    if dtype != "int8":
        return
    import torch

    gpu = device.startswith(("cuda", "mps")) or (device == "auto" and torch.cuda.is_available())
    if gpu:
        raise BarkflowError(
            f"model.{stage}.dtype=int8 runs on the CPU only, but the stage runs on {device}: "
            f"set model.{stage}.device=cpu, or model.{stage}.dtype=float32 (or bfloat16) on the GPU"
        )


def check_device_available(key: str, device: str) -> None:
    """A device this torch can use; `auto` and "" (the default device) always can."""
    if not device.startswith(("cuda", "mps")):
        return  # without importing torch: a plan or a rerun with everything cached never needs it
    import torch

    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise BarkflowError(
                f"{key}={device}: this torch ({torch.__version__}) sees no CUDA GPU; "
                "install a CUDA build of torch (https://pytorch.org) or set device=cpu"
            )
        index = int(device.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise BarkflowError(
                f"{key}={device}: there are {torch.cuda.device_count()} CUDA GPU(s), numbered from 0; pick one of them"
            )
    if device == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise BarkflowError(f"{key}=mps: this machine or torch build has no MPS (Apple GPU); set device=cpu")


def check_file_name(key: str, name: object) -> None:
    """A plain file name: it names files and folders under renders/, so it must not leave them."""
    bad = (
        not isinstance(name, str) or name.strip() in ("", ".", "..") or "\x00" in name
        or any(sep in name for sep in ("/", "\\", os.sep, os.altsep) if sep)
    )
    if bad:
        raise BarkflowError(
            f"{key} is {name!r}: use a plain file name without folders, such as my-book (it names the files in renders/)"
        )


def _checked_project_name(name):
    check_file_name("project.name", name)
    return name


_RESOLVER_ERROR = f"{BarkflowError.__name__} raised while resolving interpolation: "


def _required_value(key: str, example: str = "VALUE"):
    raise BarkflowError(f"{key} is required with this choice of config group; set it, e.g. {key}={example}")


def _visible_gpu_count() -> int:
    import torch

    return torch.cuda.device_count()


def _line_override(item, origin: str = "project.lines") -> tuple[int, LineConfig]:
    """One `project.lines` entry (or one of `origin`, a lines file): its key as a line number, its
    value checked against LineConfig."""
    key, value = item
    text = str(key).strip()
    if isinstance(key, bool) or not (isinstance(key, int) or text.isascii() and text.isdecimal()):  # not '²', '３'
        raise BarkflowError(
            f"{origin} has the key {key!r}: key each override by its line number in the script, "
            "e.g. \"project.lines.12.prefix='[laughs]'\" (in a lines file: `12: {prefix: '[laughs]'}`)"
        )
    number = int(text)
    where = f"{origin}.{number}"
    value = _plain_line(value) or _entry(where, LineConfig, "a line", value)
    check_range(f"{where}.seed", value.seed, 0, MAX_SEED, optional=True)
    return number, value


_LINE_TEXT_FIELDS = ("prefix", "suffix", "voice", "semantic_from")
_PLAIN = (str, int, float, bool, type(None))


def _plain_line(value) -> Optional[LineConfig]:
    """The LineConfig of an entry whose values already have their fields' types (what the studio
    writes), else None: OmegaConf's merge (_entry) then converts or refuses it. The merge costs a few
    milliseconds an entry, so a lines file of thousands would take minutes; this is what it returns."""
    if value is None:
        return LineConfig()
    if not isinstance(value, dict) or not set(value) <= {f.name for f in dataclasses.fields(LineConfig)}:
        return None
    seed, sampling = value.get("seed"), value.get("sampling", {})
    plain = (
        all(type(value[name]) is str for name in _LINE_TEXT_FIELDS if name in value)
        and (seed is None or type(seed) is int)
        and type(sampling) is dict
        and all(type(stage) is str and type(options) is dict for stage, options in sampling.items())
        and all(type(k) is str and type(v) in _PLAIN for options in sampling.values() for k, v in options.items())
    )
    return LineConfig(**{**value, "sampling": {stage: dict(options) for stage, options in sampling.items()}}) if plain else None


def _entry(where: str, schema: type, what: str, value):
    """One entry of an untyped dict of dataclasses (project.lines, project.voices), checked against `schema`."""
    if isinstance(value, schema):
        return value
    try:
        return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(schema), value or {}))
    except (OmegaConfBaseException, ValueError) as e:
        path = str(getattr(e, "full_key", "") or getattr(e, "key", "") or "")  # e.g. clone.audo
        *parents, field_name = path.split(".")
        for parent in parents:  # down to the dataclass that lacks the field
            schema = _dataclass_of(typing.get_type_hints(schema).get(parent)) or schema
        known = [f.name for f in dataclasses.fields(schema)]
        if field_name and field_name not in known:
            raise BarkflowError(f"{where}.{path} is not an option of {what}; {suggest(field_name, known)}") from None
        if "Cannot convert 'ListConfig' to string" in str(e):  # prefix=[laughs]: Hydra's syntax for a list
            raise BarkflowError(
                f"{where}.{path}: Hydra read the value as a list; quote a Bark cue for Hydra and the shell, "
                f"e.g. \"{where}.{path}='[laughs]'\"") from None
        raise BarkflowError(f"{where}: {str(e).splitlines()[0]}") from None


def _dataclass_of(hint) -> Optional[type]:
    """The dataclass a field holds (Optional[X] -> X), or None."""
    for candidate in (hint, *typing.get_args(hint)):
        if dataclasses.is_dataclass(candidate):
            return candidate
    return None


def check_known_keys(node: DictConfig, prefix: str = "") -> None:
    """Every key under a schema node is a field of its dataclass. Hydra's `+key=value` adds a key
    even to a typed node, and OmegaConf.to_object then drops it: `+project.foo=1` would be ignored."""
    schema = OmegaConf.get_type(node)
    known = [f.name for f in dataclasses.fields(schema)] if dataclasses.is_dataclass(schema) else None
    for key in node.keys():
        if known is not None and key not in known:
            raise BarkflowError(f"{prefix}{key} is not an option; {suggest(str(key), known, prefix)}")
        child = node._get_node(key)
        if isinstance(child, DictConfig) and not (child._is_missing() or child._is_none() or child._is_interpolation()):
            check_known_keys(child, f"{prefix}{key}.")


def suggest(name: str, known: list[str], prefix: str = "") -> str:
    """'did you mean {prefix}X?' for a misspelt key, else the list of keys there are."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {prefix}{close[0]}?"
    return f"the options are: {', '.join(known)}"


def check_writable_folder(key: str, folder: str) -> None:
    """`folder` can be made and written to (it need not exist yet); else a one-line error naming `key`."""
    path = user_path(folder).absolute()
    existing = path
    while not existing.exists():  # the nearest folder that exists is where the first write happens
        existing = existing.parent
    if not existing.is_dir():
        raise BarkflowError(f"{key}={folder}: a file is in the way at {existing}; move it or choose another folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as e:
        where = "" if existing == path else f" (it would be made inside {existing})"
        raise BarkflowError(
            f"{key}={folder}: cannot write there{where}: {e.strerror}; fix its permissions or choose another folder"
        ) from None


def check_writable_folders(config: BarkflowConfig) -> None:
    """The folders a run writes to, checked before anything is rendered (even with plan=true)."""
    check_writable_folder("paths.cache_dir", config.paths.cache_dir)
    check_writable_folder("paths.output_dir", config.paths.output_dir)


def load_voice_file(path, name: str) -> VoiceConfig:
    """A voice library entry (voices/<name>.yaml), checked against VoiceConfig."""
    try:
        merged = OmegaConf.merge(OmegaConf.structured(VoiceConfig), OmegaConf.load(path))
        return OmegaConf.to_object(merged)
    except (OmegaConfBaseException, ValueError, TypeError, yaml.YAMLError) as e:
        raise BarkflowError(f"voice {name} ({path}): {(str(e).splitlines() or ['unreadable'])[0]}") from None


def parse_shard(shard: str) -> Optional[tuple[int, int]]:
    """(i, W) of `shard=i/W`, None for no shard; checked when the config is composed (BarkflowConfig)."""
    if not shard:
        return None
    match = _SHARD.fullmatch(shard) if isinstance(shard, str) else None
    index, count = (int(match[1]), int(match[2])) if match else (-1, 0)
    if not (0 <= index < count and 1 <= count <= MAX_SHARDS):
        raise BarkflowError(
            f"shard={shard!r}: use shard=i/W with 0 <= i < W and 1 <= W <= {MAX_SHARDS} "
            f"(one shard per worker; more than that is a typo), e.g. shard=0/4"
        )
    return index, count

