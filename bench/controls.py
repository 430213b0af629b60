"""What Bark Infinity's semantic controls cost: the semantic stage with each one, against none.

Random weights in the bark-small architecture (bench/engine.py's), every row with a ~14 s voice
prompt and a fixed length (EOS disabled), so every variant generates the same number of tokens.
A negative prompt runs a second forward pass per row (its own text under the anti-speaker), so
it is expected near 2x; the logit filters and mirostat touch only the 10k logits of each step.

    python bench/controls.py                 # 4 rows of ~3 s: a few minutes on 2 CPU cores
    python bench/controls.py --quick         # a smoke run: 2 layers, 2 rows of ~0.5 s

Prints, per variant, semantic tokens per second and the time as a multiple of the plain run's.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from barkflow.engine.api import Bark  # noqa: E402
from barkflow.engine.constants import SEMANTIC_RATE_HZ  # noqa: E402
from barkflow.engine.options import SemanticOptions
from barkflow.engine.sampling import SemanticRow  # noqa: E402

VARIANTS = {
    "plain": {},
    "repetition_penalty=1.1": {"repetition_penalty": 1.1},
    "inverted_top_p=0.9": {"inverted_top_p": 0.9},
    "bottom_k=500": {"bottom_k": 500},
    "mirostat_tau=5": {"mirostat_tau": 5.0},
    "negative prompt": {"negative_text": "A loud and angry voice shouting."},
    "negative prompt, divergence": {"negative_text": "A loud and angry voice shouting.", "negative_weighting": "divergence"},
}


def main(argv=None):
    from engine import TEXTS, build_weights, random_voice

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 layers, 2 rows of ~0.5 s: a smoke run")
    parser.add_argument("--rows", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    layers, rows, seconds = (2, 2, 0.5) if args.quick else (12, args.rows, args.seconds)
    n_tokens = max(2, round(seconds * SEMANTIC_RATE_HZ))
    voice = random_voice()
    print(f"small architecture, {layers} layers, cpu, threads={torch.get_num_threads()}; "
          f"{rows} rows of {n_tokens} semantic tokens, each with a voice prompt", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        bark = Bark(str(build_weights(Path(tmp) / "bark", layers, 768, 12)), device="cpu", batch_size=rows)
        fixed = SemanticOptions(allow_early_stop=False, max_gen_duration_s=(n_tokens - 0.5) / SEMANTIC_RATE_HZ)
        bark.semantic([SemanticRow(t, voice, fixed, seed=i) for i, t in enumerate(TEXTS[:rows])])  # warm-up
        plain = None
        for name, controls in VARIANTS.items():
            options = dataclasses.replace(fixed, **controls)
            batch = [SemanticRow(t, voice, options, seed=i, negative_prompt=voice if "negative_text" in controls else None)
                     for i, t in enumerate(TEXTS[:rows])]
            start = time.perf_counter()
            results = bark.semantic(batch)
            spent = time.perf_counter() - start
            tokens = sum(len(r.tokens) for r in results)
            plain = plain or spent
            print(f"{name:30s} {tokens / spent:7.1f} tokens/s   {spent / plain:5.2f}x the plain run", flush=True)


if __name__ == "__main__":
    main()
