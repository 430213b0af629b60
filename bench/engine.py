"""Engine speed: barkflow batched vs one at a time vs transformers' BarkModel.generate.

All three run the same random weights in the bark-small architecture (12 layers, 768 wide; or
bark-large with --large), written once by transformers in the Hugging Face layout and loaded by
barkflow's own loader. Every segment has a fixed length (EOS disabled), so all three do the same
work: N semantic tokens, 3N coarse tokens, the fine windows, and the codec.

    python bench/engine.py            # 8 segments of ~3 s: about 14 minutes on 2 CPU cores
    python bench/engine.py --quick    # a smoke run: 2 tiny-depth segments of ~0.5 s
    python bench/engine.py --large --device cuda --dtype bfloat16 --segments 32   # on a GPU
    python bench/engine.py --voice --seconds 14 --segments 4   # closer to real use: about 25 minutes
    python bench/engine.py --int8 --skip-transformers --segments 8 --seconds 1   # fp32 vs int8, side by side

Prints, per variant and stage, tokens per second and wall-seconds per second of audio, and the
speed-up of each barkflow variant over transformers. It also measures this machine's floor in the
same run (fp32 GEMM peak, copy bandwidth: bench/roofline.py) and prints, per stage, the GB/s
and GFLOP/s achieved and how many times the roofline time the stage took. With --int8 it adds
the int8 variants and their agreement with fp32 under teacher forcing (top-1 and mean KL).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from barkflow.engine.api import Bark, torch_dtype  # noqa: E402
from barkflow.engine.constants import (  # noqa: E402
    COARSE_RATE_HZ,
    CODEBOOK_SIZE,
    DTYPE_NAMES,
    SAMPLE_RATE,
    SEMANTIC_RATE_HZ,
    SEMANTIC_VOCAB_SIZE,
)
from barkflow.engine.options import CoarseOptions, FineOptions, SemanticOptions  # noqa: E402
from barkflow.engine.prompts import VoicePrompt  # noqa: E402
from barkflow.engine.sampling import CoarseRow, FineRow, SemanticRow  # noqa: E402
from bench.roofline import WorkCounter, int8_agreement, measure_floor  # noqa: E402

TEXTS = [
    "The river ran low that summer, and the stones on its bed showed white in the sun.",
    "Mara walked along the bank every morning, counting the herons.",
    "She had counted eleven on the first day.",
    "By the end of June there were only four.",
    "The old ferryman said the fish had gone downstream to deeper water.",
    "When the rain finally came, it came all at once.",
    "The river rose in a single night, brown and loud.",
    "In the morning the herons were back.",
]


def segment_texts(segments: int) -> list[str]:
    """`segments` texts, TEXTS over and over."""
    return (TEXTS * ((segments + len(TEXTS) - 1) // len(TEXTS)))[:segments]


def build_weights(folder: Path, layers: int, width: int, heads: int) -> Path:
    """A random Bark in the HF layout, written by transformers itself (so both sides read it)."""
    from transformers import BarkConfig, BarkModel, BertTokenizer, EncodecConfig
    from transformers.models.bark.configuration_bark import BarkCoarseConfig, BarkFineConfig, BarkSemanticConfig

    from barkflow.engine.bundles import fill_codebooks, hub_generation_config, tiny_vocab

    common = dict(hidden_size=width, num_layers=layers, num_heads=heads, block_size=1024, bias=False)
    config = BarkConfig(
        semantic_config=BarkSemanticConfig(input_vocab_size=129_600, output_vocab_size=10_048, **common).to_dict(),
        coarse_acoustics_config=BarkCoarseConfig(input_vocab_size=12_096, output_vocab_size=12_096, **common).to_dict(),
        fine_acoustics_config=BarkFineConfig(
            input_vocab_size=1056, output_vocab_size=1056, n_codes_total=8, n_codes_given=1, **common
        ).to_dict(),
        codec_config=EncodecConfig(target_bandwidths=[6.0]).to_dict(),  # the real 24 kHz shape
    )
    torch.manual_seed(0)
    model = BarkModel(config)
    fill_codebooks(model.codec_model, torch.Generator().manual_seed(0))
    model.generation_config = hub_generation_config()
    model.save_pretrained(folder)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(tiny_vocab()))
    BertTokenizer(vocab=str(vocab), do_lower_case=False).save_pretrained(folder)
    return folder


def random_voice(seconds: float = 14.0) -> VoicePrompt:
    """A voice prompt as long as a real preset's (about 14 s), with random tokens.

    With a voice, coarse history fills up and the semantic window slides, so every coarse window
    is prefilled from scratch (as in the reference), and the fine window carries 512 history frames.
    """
    rng = np.random.default_rng(0)
    frames = round(seconds * COARSE_RATE_HZ)
    return VoicePrompt.from_arrays(
        {
            "semantic_prompt": rng.integers(0, SEMANTIC_VOCAB_SIZE, round(seconds * SEMANTIC_RATE_HZ)),
            "coarse_prompt": rng.integers(0, CODEBOOK_SIZE, (2, frames)),
            "fine_prompt": rng.integers(0, CODEBOOK_SIZE, (8, frames)),
        }
    )


class StageClock:
    """Wall time per stage: from a sub-model's first forward to its last (forward hooks)."""

    def __init__(self, modules: dict):
        self.spans = {name: [None, None] for name in modules}
        for name, module in modules.items():
            module.register_forward_pre_hook(self._start(name))
            module.register_forward_hook(self._end(name))

    def _start(self, name):
        def hook(*_):
            if self.spans[name][0] is None:
                self.spans[name][0] = time.perf_counter()

        return hook

    def _end(self, name):
        def hook(*_):
            self.spans[name][1] = time.perf_counter()

        return hook

    def seconds(self) -> dict:
        return {k: (e - s) if s is not None else 0.0 for k, (s, e) in self.spans.items()}

    def reset(self):
        for span in self.spans.values():
            span[:] = [None, None]


@contextmanager
def timed(times: dict, stage: str):
    start = time.perf_counter()
    yield
    times[stage] = times.get(stage, 0.0) + time.perf_counter() - start


def run_barkflow(bark: Bark, texts, n_tokens: int, batch: bool, voice=None, outputs=None) -> tuple[dict, float, dict]:
    so = SemanticOptions(allow_early_stop=False, max_gen_duration_s=(n_tokens - 0.5) / SEMANTIC_RATE_HZ)
    co, fo = CoarseOptions(), FineOptions()
    groups = [texts] if batch else [[t] for t in texts]
    times, counts, audio_samples = {}, {"semantic": 0, "coarse": 0, "fine": 0}, 0
    for group in groups:
        with timed(times, "semantic"):
            sem = bark.semantic([SemanticRow(t, voice, so, seed=i) for i, t in enumerate(group)])
        with timed(times, "coarse"):
            coarse = bark.coarse([CoarseRow(r.tokens, voice, co, seed=i) for i, r in enumerate(sem)])
        with timed(times, "fine"):
            fine = bark.fine([FineRow(c, voice, fo, seed=i) for i, c in enumerate(coarse)])
        with timed(times, "codec"):
            audio = bark.decode(fine)
        if outputs is not None:
            outputs["semantic"] += [r.tokens for r in sem]
            outputs["coarse"] += coarse
            outputs["fine"] += fine
        counts["semantic"] += sum(len(r.tokens) for r in sem)
        counts["coarse"] += sum(c.size for c in coarse)
        counts["fine"] += sum(f.shape[1] * 6 for f in fine)  # codebooks 2..7 predicted per frame
        audio_samples += sum(len(a) for a in audio)
    return times, audio_samples / SAMPLE_RATE, counts


def run_transformers(folder: Path, texts, n_tokens: int, device, dtype, voice=None) -> tuple[dict, float, dict]:
    from transformers import BarkModel, BarkProcessor

    model = BarkModel.from_pretrained(folder, local_files_only=True, dtype=dtype).to(device).eval()
    processor = BarkProcessor.from_pretrained(folder, local_files_only=True)
    # The fine model is not called through __call__, so its hooks never fire: fine gets the rest.
    clock = StageClock({"semantic": model.semantic, "coarse": model.coarse_acoustics, "codec": model.codec_model})
    times, counts, audio_samples = {}, {"semantic": 0, "coarse": 0, "fine": 0}, 0
    for text in texts:
        inputs = processor(text, voice_preset=voice.as_arrays() if voice else None).to(device)
        clock.reset()
        start = time.perf_counter()
        with torch.inference_mode():
            audio = model.generate(
                **inputs, do_sample=True, semantic_max_new_tokens=n_tokens, semantic_min_eos_p=None,
                semantic_sequence_bias={(10_000,): -1e9},  # EOS off, so every segment is n_tokens long
                semantic_temperature=0.7, coarse_temperature=0.7, fine_temperature=0.5,
            )
        total = time.perf_counter() - start
        spans = clock.seconds()
        spans["fine"] = total - sum(spans.values())
        for stage, seconds in spans.items():
            times[stage] = times.get(stage, 0.0) + seconds
        samples = audio.shape[-1]
        audio_samples += samples
        frames = samples // 320
        counts["semantic"] += n_tokens
        counts["coarse"] += frames * 2
        counts["fine"] += frames * 6
    return times, audio_samples / SAMPLE_RATE, counts


def report(name, times, seconds, counts, counters=None, floor=None) -> dict:
    total = sum(times.values())
    row = {"variant": name, "audio_s": round(seconds, 2), "wall_s": round(total, 2), "wall_per_audio_s": total / seconds}
    for stage in ("semantic", "coarse", "fine"):
        row[f"{stage}_tok_per_s"] = counts[stage] / times[stage] if times.get(stage) else 0.0
    for stage in ("semantic", "coarse", "fine", "codec"):
        row[f"{stage}_s_per_audio_s"] = times.get(stage, 0.0) / seconds
    print(
        f"{name:<22} audio {seconds:6.1f} s  wall {total:7.1f} s  = {total / seconds:6.2f} s per audio-second   "
        + "  ".join(f"{s} {row[f'{s}_tok_per_s']:7.1f} tok/s" for s in ("semantic", "coarse", "fine")),
        flush=True,
    )
    for stage in ("semantic", "coarse", "fine"):
        ms = 1e3 * times.get(stage, 0.0) / counts[stage] if counts[stage] else 0.0
        row[f"{stage}_ms_per_token"] = ms
        line = f"    {stage:<8} {times.get(stage, 0.0) / seconds:6.2f} s/audio-s  {ms:7.2f} ms/token"
        if counters and floor:
            rates = counters[stage].rates(times[stage], floor)
            row.update({f"{stage}_{k}": v for k, v in rates.items()})
            line += (f"  {rates['gbps']:6.1f} GB/s ({rates['gbps'] / floor['gbps']:4.0%} of copy)"
                     f"  {rates['gflops']:6.1f} GFLOP/s ({rates['gflops'] / floor['gflops']:4.0%} of GEMM)"
                     f"  {rates['x_floor']:5.1f}x the floor")
        print(line, flush=True)
    return row


def measured(name, bark, texts, n_tokens, batch, voice, floor, outputs=None) -> dict:
    """One barkflow variant, with its stages' work counted for the floor ratios."""
    counters = {stage: WorkCounter(bark.model(stage)) for stage in ("semantic", "coarse", "fine")}
    try:
        return report(name, *run_barkflow(bark, texts, n_tokens, batch, voice, outputs), counters, floor)
    finally:
        for counter in counters.values():
            counter.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 segments of ~0.5 s, 2 layers: a smoke run")
    parser.add_argument("--large", action="store_true", help="the bark (large) architecture: 24 layers, 1024 wide")
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0, help="audio per segment")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=list(DTYPE_NAMES))
    parser.add_argument("--voice", action="store_true", help="every segment speaks with a random ~14 s voice prompt")
    parser.add_argument("--skip-transformers", action="store_true")
    parser.add_argument("--int8", action="store_true", help="also run every stage with int8 weights (CPU), and their agreement with fp32")
    parser.add_argument("--cuda-graphs", action="store_true", help="replay decoding steps from CUDA graphs (device.cuda_graphs)")
    parser.add_argument("--shape", type=int, nargs=3, metavar=("LAYERS", "WIDTH", "HEADS"), help="another architecture (e.g. 1 64 2 for a dry run)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--no-one-by-one", action="store_true", help="only the batched variants")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    layers, width, heads = (24, 1024, 16) if args.large else (12, 768, 12)
    segments, seconds = args.segments, args.seconds
    if args.quick:
        layers, segments, seconds = 2, 2, 0.5
    if args.shape:
        layers, width, heads = args.shape
    n_tokens = max(2, round(seconds * SEMANTIC_RATE_HZ))
    texts = segment_texts(segments)
    voice = random_voice() if args.voice else None
    print(f"{'large' if args.large else 'small'} architecture, {layers} layers x {width}, cuda_graphs={args.cuda_graphs}, {args.dtype}, {args.device}, "
          f"threads={torch.get_num_threads()}; {segments} segments of {n_tokens} semantic tokens"
          f"{', with a voice prompt' if voice else ''}", flush=True)

    floor = measure_floor(args.device)
    print(f"floor: fp32 GEMM {floor['gflops']:.1f} GFLOP/s, copy {floor['gbps']:.1f} GB/s (read + write)", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_weights(Path(tmp) / "bark", layers, width, heads)
        variants = [("barkflow", args.dtype)] + ([("barkflow int8", "int8")] if args.int8 else [])
        outputs = {"semantic": [], "coarse": [], "fine": []}
        for label, dtype in variants:
            bark = Bark(str(folder), device=args.device, dtype=dtype, batch_size=max(segments, 1), cuda_graphs=args.cuda_graphs)
            run_barkflow(bark, texts[:1], 4, batch=True)  # warm-up: loads every stage
            rows.append(measured(f"{label} batched", bark, texts, n_tokens, True, voice, floor,
                                 outputs if dtype == args.dtype else None))
            if not args.no_one_by_one:
                rows.append(measured(f"{label} one-by-one", bark, texts, n_tokens, False, voice, floor))
            if dtype == args.dtype and args.int8:
                models = {stage: bark.model(stage) for stage in ("semantic", "coarse", "fine")}
                agreement = int8_agreement(models, bark.tokenizer.encode, texts, **outputs)
                for stage, a in agreement.items():
                    print(f"int8 vs fp32, {stage:<8} top-1 agreement {a['top1']:.3f}, mean KL {a['kl']:.4f} nats "
                          f"over {a['steps']} teacher-forced steps", flush=True)
                rows.append({"variant": "int8 agreement", **{f"{s}_{k}": v for s, a in agreement.items() for k, v in a.items()}})
            del bark
        if args.int8:
            for mode in ("batched",) + (() if args.no_one_by_one else ("one-by-one",)):
                fp32 = next(r for r in rows if r["variant"] == f"barkflow {mode}")
                int8 = next(r for r in rows if r["variant"] == f"barkflow int8 {mode}")
                print(f"int8 {mode}: " + "  ".join(
                    f"{s} {fp32[f'{s}_s_per_audio_s'] / int8[f'{s}_s_per_audio_s']:.2f}x" for s in ("semantic", "coarse", "fine")
                ) + " faster than fp32", flush=True)
        if not args.skip_transformers:
            rows.append(report("transformers generate", *run_transformers(folder, texts, n_tokens, args.device, torch_dtype(args.dtype), voice)))
            base = rows[-1]["wall_per_audio_s"]
            for row in rows[:-1]:
                if "wall_per_audio_s" in row:
                    print(f"{row['variant']}: {base / row['wall_per_audio_s']:.2f}x faster than transformers")
    rows.insert(0, {"variant": "floor", **floor})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
