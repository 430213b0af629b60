"""The configuration schema: one dataclass per config group, registered in Hydra's ConfigStore.

Each YAML file under conf/<group>/ is checked against its schema when Hydra composes the config,
so a typo in a file or an override fails at once with Hydra's own error. `to_config` is the one
place that turns the composed DictConfig into these dataclasses; nothing past it sees a DictConfig.

The sampling options are the engine's own dataclasses (barkflow/engine/sampling.py), so a knob
has one definition from the YAML file down to the loop that reads it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import yaml
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from barkflow.engine.sampling import CoarseOptions, FineOptions, SemanticOptions
from barkflow.errors import BarkflowError
from barkflow.steps.export import ExportOptions
from barkflow.steps.split import SplitOptions
from barkflow.steps.stitch import StitchOptions

HISTORY_POLICIES = ("voice", "chain", "semantic-only")


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
    codec: str = ""  # "" = the codec in the fine source's bundle (or facebook/encodec_24khz)
    tokenizer: str = ""  # "" = the tokenizer in the semantic source's bundle (or mBERT-cased)


@dataclass
class DeviceConfig:
    device: str = "auto"  # auto (cuda, then mps, then cpu) | cpu | cuda | cuda:N | mps
    offload: str = "none"  # none: all stages stay loaded | cpu: idle stages wait on the CPU | unload: idle stages are freed
    batch_size: int = 16  # segments per batch in each stage
    threads: int = 0  # CPU threads for torch; 0 = torch's default


@dataclass
class CloneConfig:
    audio: str = MISSING  # reference recording (wav/flac/ogg/mp3), ideally 5-15 s of clean speech
    candidate: str = "end"  # which window becomes the voice: end | whole | pause-N
    hubert: str = "facebook/hubert-base-ls960"  # HuBERT hub id or folder
    quantizer: str = "en"  # quantizer: en | en-large | de | pl | es, a path, a hub file (repo/file.pth), or tiny


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


@dataclass
class LineConfig:
    """Overrides for one script line, keyed in `project.lines` by its 1-based line number in the file."""

    prefix: str = ""
    suffix: str = ""
    seed: Optional[int] = None
    voice: str = ""
    sampling: Dict[str, Dict[str, Any]] = field(default_factory=dict)


@dataclass
class ProjectConfig:
    name: str = "project"  # names the output files
    script: str = MISSING  # path to the script; relative paths are tried from the working dir, then the config dirs
    format: str = "auto"  # auto | prose | dialogue | fountain
    narrator: str = "narrator"  # speaker of prose and of unnamed lines
    fountain_action: str = "narrate"  # narrate | skip: what happens to Fountain action lines
    cast: Dict[str, str] = field(default_factory=dict)  # speaker -> voice name, preset, or .npz path
    voices: Dict[str, VoiceConfig] = field(default_factory=dict)  # voices defined inline, by name
    history: str = "voice"  # voice | chain | semantic-only (see README: history policies)
    chain_reset_every: int = 0  # with chain: go back to the voice prompt every N segments (0 = never)
    prefix: str = ""  # added to every segment, after splitting
    suffix: str = ""
    lines: Dict[int, LineConfig] = field(default_factory=dict)
    takes: int = 1  # variants rendered per segment, with derived seeds
    picks: str = ""  # a picks file (picks.json from the review page) choosing a take per segment
    title: str = ""
    author: str = ""


@dataclass
class PathsConfig:
    cache_dir: str = ".barkflow-cache"  # shared by reruns and every job of a sweep
    output_dir: str = "renders/${project.name}"  # finished audio, subtitles, manifest
    voices_dir: str = "voices"  # saved and cloned voices (the user's voice library)


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
    seed: int = 0  # base seed of every stage (see `seeds`)
    seeds: SeedsConfig = field(default_factory=SeedsConfig)
    plan: bool = False  # print the segment table with estimated durations and stop; loads no model
    shard: str = ""  # "i/W": render only shard i of W into the cache (stitch with a run without shard)
    limit: int = 0  # render only the first N segments (0 = all), for quick previews


def register_configs() -> None:
    """Schemas for the root config and each group; YAML files name theirs in their defaults list."""
    cs = ConfigStore.instance()
    cs.store(name="barkflow_schema", node=BarkflowConfig)
    cs.store(group="model", name="base_model", node=ModelConfig)
    cs.store(group="device", name="base_device", node=DeviceConfig)
    cs.store(group="sampling", name="base_sampling", node=SamplingConfig)
    cs.store(group="split", name="base_split", node=SplitOptions)
    cs.store(group="stitch", name="base_stitch", node=StitchOptions)
    cs.store(group="export", name="base_export", node=ExportOptions)
    cs.store(group="paths", name="base_paths", node=PathsConfig)


def to_config(cfg: DictConfig) -> BarkflowConfig:
    """The composed config as dataclasses; a value that fails validation becomes a one-line error."""
    try:
        config = OmegaConf.to_object(cfg)
    except (ValueError, TypeError) as e:
        raise BarkflowError(f"invalid configuration: {e}") from None
    except OmegaConfBaseException as e:
        raise BarkflowError(f"invalid configuration: {str(e).splitlines()[0]} (key: {getattr(e, 'full_key', '?')})") from None
    if config.project.history not in HISTORY_POLICIES:
        raise BarkflowError(f"project.history must be one of {', '.join(HISTORY_POLICIES)}, got {config.project.history!r}")
    if config.project.takes < 1:
        raise BarkflowError(f"project.takes must be >= 1, got {config.project.takes}")
    if config.device.offload not in ("none", "cpu", "unload"):
        raise BarkflowError(f"device.offload must be none, cpu or unload, got {config.device.offload!r}")
    return config


def apply_overrides(options, overrides: Dict[str, Any], where: str):
    """`options` with some fields replaced, for a voice's or a line's sampling overrides."""
    try:
        return dataclasses.replace(options, **overrides)
    except TypeError:
        known = ", ".join(f.name for f in dataclasses.fields(options))
        unknown = ", ".join(sorted(set(overrides) - {f.name for f in dataclasses.fields(options)}))
        raise BarkflowError(f"{where}: unknown sampling option(s) {unknown}; known: {known}") from None
    except ValueError as e:
        raise BarkflowError(f"{where}: {e}") from None


def load_voice_file(path, name: str) -> VoiceConfig:
    """A voice library entry (voices/<name>.yaml), checked against VoiceConfig."""
    try:
        merged = OmegaConf.merge(OmegaConf.structured(VoiceConfig), OmegaConf.load(path))
        return OmegaConf.to_object(merged)
    except (OmegaConfBaseException, ValueError, TypeError, yaml.YAMLError) as e:
        raise BarkflowError(f"voice {name} ({path}): {(str(e).splitlines() or ['unreadable'])[0]}") from None


def parse_shard(shard: str) -> Optional[tuple[int, int]]:
    if not shard:
        return None
    try:
        index, count = (int(x) for x in shard.split("/"))
        if not 0 <= index < count:
            raise ValueError
    except ValueError:
        raise BarkflowError(f"shard={shard!r}: use shard=i/W with 0 <= i < W, e.g. shard=0/4") from None
    return index, count

