"""barkflow against transformers' own Bark generate, on the tiny bundle, where they must agree.

Under greedy decoding the semantic tokens of both equal the reference's. The fine stage is
compared with its codebooks 0-1 given, at argmax (transformers treats temperature None as argmax).
The coarse stage is left out on purpose: transformers lets codebook-1 steps pick ids >= 12048
(docs/bark.md §10, deviation 1), which random weights do often.
"""

import numpy as np
import pytest
import torch
from transformers import BarkProcessor
from transformers.models.bark.generation_configuration_bark import (
    BarkCoarseGenerationConfig,
    BarkFineGenerationConfig,
    BarkSemanticGenerationConfig,
)

from barkflow.engine import loading
from barkflow.engine.options import FineOptions, SemanticOptions
from barkflow.engine.prompts import VoicePrompt
from barkflow.engine.sampling import FineRow, SemanticRow, generate_fine, generate_semantic

TEXTS = ["Hello there, this is a test.", "The herons came back after the rain."]


@pytest.fixture(scope="module")
def ours(tiny_bundle):
    hf = tiny_bundle / "hf"
    return {s: loading.load_stage(s, str(hf)).model for s in ("semantic", "fine")}, loading.load_tokenizer(str(hf))


@pytest.fixture(scope="module")
def preset(tiny_bundle):
    return loading.load_preset_arrays(str(tiny_bundle / "hf"), "v2/en_speaker_1")


@pytest.mark.parametrize("with_voice", [False, True])
def test_greedy_semantic_tokens_equal_transformers(ours, hf_tiny_bark, tiny_bundle, preset, with_voice):
    models, tokenizer = ours
    processor = BarkProcessor.from_pretrained(tiny_bundle / "hf", local_files_only=True)
    n = 40
    prompt = VoicePrompt.from_arrays(preset) if with_voice else None
    for text in TEXTS:
        inputs = processor(text, voice_preset="v2/en_speaker_1" if with_voice else None)
        history = {k: torch.as_tensor(v) for k, v in inputs["history_prompt"].items()} if with_voice else None
        config = BarkSemanticGenerationConfig(**hf_tiny_bark.generation_config.semantic_config)
        with torch.inference_mode():
            theirs = hf_tiny_bark.semantic.generate(
                inputs["input_ids"], attention_mask=inputs["attention_mask"], history_prompt=history,
                semantic_generation_config=config, do_sample=False, max_new_tokens=n, min_eos_p=None,
            )[0].numpy()  # generate returns only the new tokens
        theirs = theirs[: np.argmax(theirs == 10_000)] if (theirs == 10_000).any() else theirs  # EOS and padding
        options = SemanticOptions(top_k=1, max_gen_duration_s=(n - 0.5) / 49.9)
        mine = generate_semantic(models["semantic"], tokenizer.encode, [SemanticRow(text, prompt, options)])[0].tokens
        np.testing.assert_array_equal(mine, theirs)


def test_fine_argmax_equals_transformers(ours, hf_tiny_bark, preset):
    models, _ = ours
    rng = np.random.default_rng(0)
    coarse = rng.integers(0, 1024, (2, 300))
    history = {k: torch.from_numpy(v.astype(np.int64)) for k, v in preset.items()}
    with torch.inference_mode():
        theirs = hf_tiny_bark.fine_acoustics.generate(
            torch.from_numpy((coarse + np.array([[10_000], [11_024]])).T[None].copy()),  # coarse ids, (1, frames, 2)
            semantic_generation_config=BarkSemanticGenerationConfig(**hf_tiny_bark.generation_config.semantic_config),
            coarse_generation_config=BarkCoarseGenerationConfig(**hf_tiny_bark.generation_config.coarse_acoustics_config),
            fine_generation_config=BarkFineGenerationConfig(temperature=None),
            history_prompt=history,
        )[0].numpy()
    mine = generate_fine(models["fine"], [FineRow(coarse, VoicePrompt.from_arrays(preset), FineOptions(temp=None))])[0]
    np.testing.assert_array_equal(mine, theirs)
