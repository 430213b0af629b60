"""What checking takes by speech recognition costs, next to what rendering them costs, in one run.

Recognisers: Whisper in the base and small architectures (random weights: the cost of a forward
pass does not depend on the weights; the decoder is held to a realistic transcript length, since
random weights would otherwise stop at once or run to the limit), and PocketSphinx on flite speech
when both are installed. Render: barkflow batched, bark-small architecture, random weights
(bench/engine.py's run). All on the CPU.

    python bench/verify.py                  # 4 segments of ~3 s: a few minutes on 2 CPU cores
    python bench/verify.py --skip-render    # the recognisers only

Target (issue 13): verifying adds under a tenth to a CPU render. Prints seconds per second of audio
for each recogniser and the render, and each recogniser's cost as a fraction of the render's.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from barkflow.engine.constants import SAMPLE_RATE, SEMANTIC_RATE_HZ  # noqa: E402

WHISPER_RATE = 16_000
TOKENS_PER_SECOND = 3.5  # Whisper's BPE tokens per second of read English speech, roughly
ARCHITECTURES = {  # (d_model, encoder and decoder layers, heads, ffn): openai/whisper-{base,small}
    "whisper-base": (512, 6, 8, 2048),
    "whisper-small": (768, 12, 12, 3072),
}


def whisper_seconds(name: str, audios: list[np.ndarray]) -> float:
    """Wall seconds for one batched greedy transcription of `audios` (24 kHz) by a random Whisper."""
    from transformers import GenerationMixin, WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration

    width, layers, heads, ffn = ARCHITECTURES[name]
    config = WhisperConfig(
        d_model=width, encoder_layers=layers, decoder_layers=layers, encoder_attention_heads=heads,
        decoder_attention_heads=heads, encoder_ffn_dim=ffn, decoder_ffn_dim=ffn,
    )
    model = WhisperForConditionalGeneration(config).eval()
    extractor = WhisperFeatureExtractor()
    speech = [soxr.resample(a, SAMPLE_RATE, WHISPER_RATE) for a in audios]
    tokens = max(2, round(TOKENS_PER_SECOND * max(len(a) for a in audios) / SAMPLE_RATE))
    start = time.perf_counter()
    features = extractor(speech, sampling_rate=WHISPER_RATE, return_tensors="pt").input_features
    with torch.inference_mode():
        # The plain greedy loop (Whisper's own generate wants a trained generation config); a
        # fixed length, as a real transcript of this much speech would have.
        GenerationMixin.generate(
            model, features, do_sample=False, max_new_tokens=tokens, min_new_tokens=tokens,
            decoder_start_token_id=config.decoder_start_token_id, pad_token_id=config.pad_token_id,
        )
    return time.perf_counter() - start


def flite_speech(texts: list[str], folder: Path) -> list[np.ndarray] | None:
    if not shutil.which("flite"):
        return None
    audios = []
    for i, text in enumerate(texts):
        path = folder / f"{i}.wav"
        subprocess.run(["flite", "-voice", "rms", "-t", text, "-o", str(path)], check=True, capture_output=True)
        audio, rate = sf.read(path, dtype="float32")
        audios.append(soxr.resample(audio, rate, SAMPLE_RATE).astype(np.float32))
    return audios


def sphinx_seconds(audios: list[np.ndarray]) -> float | None:
    try:
        from barkflow.engine.asr import SphinxRecogniser

        recogniser = SphinxRecogniser()
        recogniser.transcribe(audios[:1])  # loads the model
    except Exception as error:  # noqa: BLE001 - the bench reports what it could not measure
        print(f"sphinx: not measured ({error})")
        return None
    start = time.perf_counter()
    recogniser.transcribe(audios)
    return time.perf_counter() - start


def render_seconds_per_audio_second(segments: int, seconds: float) -> float:
    """barkflow batched, bark-small architecture, random weights: wall seconds per audio-second."""
    from engine import TEXTS, build_weights, run_barkflow

    from barkflow.engine.api import Bark

    n_tokens = max(2, round(seconds * SEMANTIC_RATE_HZ))
    texts = (TEXTS * segments)[:segments]
    with tempfile.TemporaryDirectory() as tmp:
        bark = Bark(str(build_weights(Path(tmp) / "bark", 12, 768, 12)), device="cpu", batch_size=segments)
        run_barkflow(bark, texts[:1], 4, batch=True)  # warm-up: loads every stage
        times, audio_seconds, _ = run_barkflow(bark, texts, n_tokens, batch=True)
    return sum(times.values()) / audio_seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--segments", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0, help="audio per segment")
    parser.add_argument("--skip-render", action="store_true")
    args = parser.parse_args(argv)
    print(f"torch {torch.__version__}, threads={torch.get_num_threads()}; {args.segments} segments of ~{args.seconds} s")

    from engine import TEXTS

    texts = (TEXTS * args.segments)[: args.segments]
    with tempfile.TemporaryDirectory() as tmp:
        speech = flite_speech(texts, Path(tmp))
    if speech is None:  # noise of the same length: the recognisers' cost does not depend on the words
        rng = np.random.default_rng(0)
        speech = [0.1 * rng.standard_normal(int(args.seconds * SAMPLE_RATE)).astype(np.float32) for _ in texts]
    audio_seconds = sum(len(a) for a in speech) / SAMPLE_RATE
    costs = {}
    for name in ARCHITECTURES:
        whisper_seconds(name, speech[:1])  # warm-up
        costs[name] = whisper_seconds(name, speech) / audio_seconds
    sphinx = sphinx_seconds(speech)
    if sphinx is not None:
        costs["sphinx"] = sphinx / audio_seconds
    render = None if args.skip_render else render_seconds_per_audio_second(args.segments, args.seconds)
    for name, cost in costs.items():
        share = f"   {cost / render:.3f} of the render" if render else ""
        print(f"{name:<15} {cost:7.3f} s per audio-second{share}")
    if render:
        print(f"{'render':<15} {render:7.3f} s per audio-second (barkflow batched, bark-small, random weights)")


if __name__ == "__main__":
    main()
