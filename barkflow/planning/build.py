"""Config → objects: the one place the engine, the cache store, the clone runner and the voice
resolver are built from a BarkflowConfig (the render, plan mode and the voices command use it)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Callable, Optional

from barkflow.engine.api import Bark, pick_device, use_threads
from barkflow.engine.prompts import VoicePrompt
from barkflow.planning.config import BarkflowConfig, VerifyConfig
from barkflow.planning.voices import ResolvedVoice, default_library_dirs, resolve_voice
from barkflow.steps.bounds import ENTRY_BOUNDS
from barkflow.steps.clone import CloneConfig
from barkflow.store.cache import Store

CloneRunner = Callable[..., VoicePrompt]

log = logging.getLogger(__name__)


def make_engine(cfg: BarkflowConfig) -> Bark:
    """The Bark engine of `cfg.model` on `cfg.device` (nothing is loaded until a step needs it)."""
    m, d = cfg.model, cfg.device
    return Bark(
        m.semantic.source, m.coarse.source, m.fine.source, codec=m.codec, tokenizer=m.tokenizer,
        device={"default": job_device(d.device), "semantic": m.semantic.device, "coarse": m.coarse.device,
                "fine": m.fine.device},
        dtype={"semantic": m.semantic.dtype, "coarse": m.coarse.dtype, "fine": m.fine.dtype},
        offload=d.offload, batch_size=d.batch_size, cuda_graphs=d.cuda_graphs, threads=d.threads,
    )


def job_device(device: str) -> str:
    """The device a render runs on by default. `auto` in a sweep job (a Hydra multirun) is the job's
    own GPU: job N takes visible GPU N modulo their count, or the CPU (mps on a Mac) where none is
    visible; Hydra's parallel launchers would leave every job on GPU 0. Anything else stays as set."""
    number = _sweep_job_number()
    if device != "auto" or number is None:
        return device
    import torch

    gpus = torch.cuda.device_count()
    chosen = f"cuda:{number % gpus}" if gpus else str(pick_device("auto"))
    log.info("sweep job %d: device %s (%d GPU(s) visible)", number, chosen, gpus)
    return chosen


def _sweep_job_number() -> Optional[int]:
    """This job's number in the running Hydra multirun, or None outside one (a plain run, the library)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized():
        return None
    hydra = HydraConfig.get()
    return int(hydra.job.num) if hydra.mode == RunMode.MULTIRUN else None


def make_recogniser(verify: VerifyConfig, threads: int = 0):
    """The verify step's recogniser, on its own device; `auto` in a sweep job is the job's GPU, as
    for the engine (`job_device`). threads: torch's CPU threads (device.threads), as the engine's."""
    from barkflow.engine import asr

    use_threads(threads)
    return asr.make_recogniser(dataclasses.replace(verify, device=job_device(verify.device)))


def make_store(cfg: BarkflowConfig) -> Store:
    return Store(cfg.paths.cache_dir, ENTRY_BOUNDS)


def make_clone_runner(store: Store, engine: Bark) -> CloneRunner:
    """Runs the clone step with the engine's own codec (loaded only if a clone is not cached)."""
    from barkflow.steps import clone as clone_step

    def run(clone: CloneConfig, base_dir: Optional[Path] = None) -> VoicePrompt:
        engine.device  # noqa: B018 (torch's threads are set with the engine's device, before any model runs)
        return clone_step.run(
            clone, store, codec=lambda: engine.codec, codec_id=engine.identity("codec"), base_dir=base_dir
        )

    return run


def make_voice_resolver(
    cfg: BarkflowConfig, engine: Bark, store: Store, config_dirs: list[Path]
) -> Callable[[str], ResolvedVoice]:
    """voice reference → ResolvedVoice, for the project's cast: each reference resolved once."""
    library_dirs = default_library_dirs(cfg.paths.voices_dir, config_dirs)
    clone_runner = make_clone_runner(store, engine)
    voices: dict[str, ResolvedVoice] = {}

    def voice_for(ref: str) -> ResolvedVoice:
        if ref not in voices:
            voices[ref] = resolve_voice(
                ref, inline=cfg.project.voices, library_dirs=library_dirs, preset_source=engine.tokenizer_source,
                store=store, clone_runner=clone_runner,
            )
        return voices[ref]

    return voice_for
