"""The engine's front door: load Bark stage by stage and render lists of texts.

    from barkflow.engine import Bark, SemanticOptions
    bark = Bark("suno/bark-small")                      # or a local folder, or "tiny"
    audio = bark.generate(["Hello there.", "And hello again."], voice="v2/en_speaker_6", seed=1)

Models load lazily, one stage at a time, so a run whose semantic tokens are all cached never
loads the semantic model. With `offload`, only the stage that is running sits on the device.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

# torch comes in with the first model, codec or device asked for, not with the engine: planning,
# and a rerun with everything cached, build an engine for its sources' identities only.
from . import layouts, loading
from .constants import DTYPE_NAMES, INT8, OFFLOAD
from .options import CoarseOptions, FineOptions, SemanticOptions
from .prompts import VoicePrompt, load_npz
from .rows import CoarseRow, FineRow, Progress, SemanticResult, SemanticRow

log = logging.getLogger(__name__)

STAGES = layouts.STAGES


def torch_dtype(name: str):
    """The torch dtype a stage loads in; int8 loads in fp32, then its Linear layers are quantized."""
    import torch

    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16, INT8: torch.float32}[name]


def use_threads(threads: int) -> None:
    """torch's CPU threads (device.threads), set where torch is first needed; 0 leaves torch's choice."""
    if threads:
        import torch

        torch.set_num_threads(threads)


def pick_device(device: str = "auto"):
    import torch

    if device != "auto":
        return torch.device(device)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@dataclass(frozen=True)
class StageSource:
    source: str
    dtype: str = "float32"


class Bark:
    """Bark's stages behind one object; every method takes a batch.

    semantic/coarse/fine: a source per stage (hub id, local folder, .pt file, "tiny"); coarse and
    fine default to the semantic source. codec and tokenizer default to the bundle of the fine and
    semantic sources. device and dtype: one value, or a dict per stage (device also takes
    "default" and "codec"; dtype also int8, CPU only). offload: none | cpu | unload.
    cuda_graphs: replay the semantic and coarse decoding steps from CUDA graphs (CUDA stages only).
    """

    def __init__(
        self,
        semantic: str = "suno/bark-small",
        coarse: Optional[str] = None,
        fine: Optional[str] = None,
        *,
        codec: str = "",
        tokenizer: str = "",
        device: Union[str, dict] = "auto",
        dtype: Union[str, dict] = "float32",
        offload: str = "none",
        batch_size: int = 16,
        cuda_graphs: bool = False,
        threads: int = 0,
    ):
        dtypes = dtype if isinstance(dtype, dict) else {s: dtype for s in STAGES}
        for name in dtypes.values():
            if name not in DTYPE_NAMES:
                raise ValueError(f"dtype must be one of {', '.join(DTYPE_NAMES)}, got {name!r}")
        if offload not in OFFLOAD:
            raise ValueError(f"offload must be one of {', '.join(OFFLOAD)}, got {offload!r}")
        self.sources = {
            "semantic": StageSource(semantic, dtypes.get("semantic", "float32")),
            "coarse": StageSource(coarse or semantic, dtypes.get("coarse", "float32")),
            "fine": StageSource(fine or semantic, dtypes.get("fine", "float32")),
        }
        self.codec_source = codec or (fine or semantic)
        self.tokenizer_source = tokenizer or semantic
        self._device_names = device if isinstance(device, dict) else {"default": device}
        self.offload = offload
        self.batch_size = batch_size
        self.cuda_graphs = cuda_graphs  # semantic/coarse decoding steps replayed from CUDA graphs (graphs.py)
        self.threads = threads  # torch's CPU threads (0: torch's own choice), set when torch is first needed
        for stage, src in self.sources.items():
            if src.dtype == INT8:  # refused before any load
                from .quantize import check_int8_device

                check_int8_device(self.devices[stage], f"{stage}: int8 weights")
        self._models: dict = {}
        self._codec = None
        self._tokenizer = None
        self._identities: dict[str, str] = {}
        self._checked: set[str] = set()  # stages whose config check_sources has passed
        self.loads: list[str] = []  # what was loaded, in order (tests and the run summary read it)

    @functools.cached_property
    def device(self):
        """The default torch device (torch is imported here, not with the engine)."""
        use_threads(self.threads)
        return pick_device(self._device_names.get("default") or "auto")

    @functools.cached_property
    def devices(self) -> dict:
        """Each stage's torch device, and the codec's."""
        names = self._device_names
        return {s: pick_device(names[s]) if names.get(s) else self.device for s in (*STAGES, "codec")}

    # ------------------------------------------------------------------------------------------
    # identity and loading

    def identity(self, stage: str) -> str:
        """What a cache key needs to know about a stage's weights, without loading them.

        Worked out once per engine: a plan asks for it for every segment and step.
        """
        if stage not in self._identities:
            if stage == "codec":
                identity = loading.source_identity("codec", self.codec_source)
            elif stage == "tokenizer":
                identity = loading.source_identity("tokenizer", self.tokenizer_source)
            else:
                src = self.sources[stage]
                identity = f"{loading.source_identity(stage, src.source)}|{src.dtype}"
            self._identities[stage] = identity
        return self._identities[stage]

    def check_sources(self) -> None:
        """Read every stage's config and run the config checks of loading, without loading any
        weights: a bad config.json or model_args is a one-line error before anything renders, not
        when its stage's turn comes after the earlier stages have run. Checked once per engine."""
        for stage in STAGES:
            if stage not in self._checked:
                loading.check_stage_config(stage, self.sources[stage].source)
                self._checked.add(stage)

    def model(self, stage: str):
        """The stage's model on the device; with offload, the other stages step aside first."""
        self._step_aside(keep=stage)
        if stage not in self._models:
            src = self.sources[stage]
            log.info("loading the %s model from %s", stage, src.source)
            loaded = loading.load_stage(stage, src.source, device=self.devices[stage], dtype=torch_dtype(src.dtype))
            if src.dtype == INT8:
                from .quantize import quantize_int8

                loaded.model = quantize_int8(loaded.model)
            self._models[stage] = loaded.model
            if self.cuda_graphs and self.devices[stage].type == "cuda":
                from .graphs import use_cuda_graphs

                use_cuda_graphs(self._models[stage])
            self.loads.append(stage)
        return self._models[stage].to(self.devices[stage])

    def _step_aside(self, keep: Optional[str] = None) -> None:
        """offload=cpu moves idle stages to the CPU; offload=unload frees them."""
        for other in [s for s in self._models if s != keep]:
            if self.offload == "unload":
                del self._models[other]
            elif self.offload == "cpu":
                self._models[other].to("cpu")

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = loading.load_tokenizer(self.tokenizer_source)
            self.loads.append("tokenizer")
        return self._tokenizer

    @property
    def codec(self):
        if self._codec is None:
            # EnCodec stays on the CPU with MPS, as in the reference.
            device = self.devices["codec"]
            device = pick_device("cpu") if device.type == "mps" else device
            self._codec = loading.load_codec(self.codec_source, device=device)
            self.loads.append("codec")
        return self._codec

    def voice(self, voice: Union[str, Path, VoicePrompt, dict, None]) -> Optional[VoicePrompt]:
        """A preset name of the semantic source's bundle, an .npz path, arrays, or None."""
        if voice is None or isinstance(voice, VoicePrompt):
            return voice
        if isinstance(voice, dict):
            return VoicePrompt.from_arrays(voice)
        if str(voice).endswith(".npz") or Path(voice).is_file():
            return load_npz(voice)
        arrays = loading.load_preset_arrays(self.tokenizer_source, str(voice))
        return VoicePrompt.from_arrays(arrays, where=f"preset {voice}")

    # ------------------------------------------------------------------------------------------
    # stages: each takes rows, batches them by length, and returns results in row order

    def semantic(self, rows: Sequence[SemanticRow], progress: Optional[Progress] = None) -> list[SemanticResult]:
        from .sampling import generate_semantic

        model = self.model("semantic")
        encode = self.tokenizer.encode
        return _batched(rows, lambda r: len(r.text), self.batch_size, lambda b: generate_semantic(model, encode, b, progress))

    def coarse(self, rows: Sequence[CoarseRow], progress: Optional[Progress] = None) -> list[np.ndarray]:
        from .sampling import generate_coarse

        model = self.model("coarse")
        return _batched(rows, lambda r: len(r.semantic), self.batch_size, lambda b: generate_coarse(model, b, progress))

    def fine(self, rows: Sequence[FineRow], progress: Optional[Progress] = None) -> list[np.ndarray]:
        from .sampling import generate_fine

        model = self.model("fine")
        return _batched(rows, lambda r: r.coarse.shape[1], self.batch_size, lambda b: generate_fine(model, b, progress))

    def decode(self, codes: Sequence[np.ndarray]) -> list[np.ndarray]:
        """(8, T) codes per row -> float32 waveforms at 24 kHz, 320 samples per frame."""
        self._step_aside()
        spoken = [i for i, c in enumerate(codes) if c.shape[1]]
        waves = self.codec.decode_many([np.asarray(codes[i], dtype=np.int64) for i in spoken]) if spoken else []
        out = [np.zeros(0, dtype=np.float32)] * len(codes)
        for i, wave in zip(spoken, waves):
            out[i] = np.asarray(wave, dtype=np.float32)
        return out

    # ------------------------------------------------------------------------------------------

    def generate(
        self,
        texts: Sequence[str],
        voice=None,
        seed: Union[int, Sequence[int]] = 0,
        semantic: SemanticOptions = SemanticOptions(),
        coarse: CoarseOptions = CoarseOptions(),
        fine: FineOptions = FineOptions(),
    ) -> list[np.ndarray]:
        """Texts to waveforms, like Bark's generate_audio but for a whole list at once.

        voice: one voice for all texts or one per text. seed: one base seed or one per text;
        each stage of text i draws from its own generator, so results do not depend on batching.
        """
        n = len(texts)
        voices = list(voice) if isinstance(voice, (list, tuple)) else [voice] * n
        seeds = list(seed) if isinstance(seed, (list, tuple)) else [seed + i for i in range(n)]
        prompts = [self.voice(v) for v in voices]
        sems = self.semantic([SemanticRow(t, p, semantic, s) for t, p, s in zip(texts, prompts, seeds)])
        spoken = [i for i, r in enumerate(sems) if len(r.tokens)]
        coarse_codes = self.coarse([CoarseRow(sems[i].tokens, prompts[i], coarse, seeds[i]) for i in spoken])
        fine_codes = self.fine([FineRow(c, prompts[i], fine, seeds[i]) for i, c in zip(spoken, coarse_codes)])
        audio = dict(zip(spoken, self.decode(fine_codes)))
        return [audio.get(i, np.zeros(0, dtype=np.float32)) for i in range(n)]


def _batched(rows, length, batch_size, run):
    """Run rows in batches of similar length (less padding, earlier finishes); keep row order."""
    order = sorted(range(len(rows)), key=lambda i: length(rows[i]))
    results = [None] * len(rows)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        for i, result in zip(chunk, run([rows[i] for i in chunk])):
            results[i] = result
    return results
