"""The CUDA path: tokens, batching, bf16 and offload on a GPU. Skipped without one (CI has none).

On a CPU the same properties are tested elsewhere; these check that nothing in the engine assumes
a CPU (generators, the packed Linear, cache masks, offloading moves).
"""

import numpy as np
import pytest
import torch

from barkflow.engine import Bark
from barkflow.engine.constants import CODEBOOK_SIZE, SAMPLES_PER_FRAME
from barkflow.engine.options import CoarseOptions, FineOptions, SemanticOptions
from barkflow.engine.sampling import CoarseRow, FineRow, SemanticRow

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

GREEDY = (
    SemanticOptions(top_k=1, allow_early_stop=False, max_gen_duration_s=1.0),
    CoarseOptions(top_k=1),
    FineOptions(temp=None),
)
TEXTS = ["Hello there.", "A longer sentence, so that the rows differ in their prompts.", "Bye."]
VOICES = ["v2/en_speaker_0", None, "v2/en_speaker_2"]


def render_tokens(bark: Bark, texts=TEXTS, voices=VOICES, options=GREEDY):
    """Every stage's tokens for the texts: (semantic, coarse, fine) lists, one array per text."""
    so, co, fo = options
    prompts = [bark.voice(v) for v in voices]
    semantic = bark.semantic([SemanticRow(t, p, so, seed=i) for i, (t, p) in enumerate(zip(texts, prompts))])
    coarse = bark.coarse([CoarseRow(r.tokens, p, co, seed=i) for i, (r, p) in enumerate(zip(semantic, prompts))])
    fine = bark.fine([FineRow(c, p, fo, seed=i) for i, (c, p) in enumerate(zip(coarse, prompts))])
    return [r.tokens for r in semantic], coarse, fine


def assert_same_tokens(ours, theirs):
    for stage, a, b in zip(("semantic", "coarse", "fine"), ours, theirs):
        assert len(a) == len(b), stage
        for row, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_array_equal(x, y, err_msg=f"{stage} tokens of row {row}")


def test_greedy_tokens_on_cuda_equal_the_cpu_tokens():
    assert_same_tokens(render_tokens(Bark("tiny", device="cuda")), render_tokens(Bark("tiny", device="cpu")))


def test_a_row_of_a_cuda_batch_equals_the_row_alone():
    bark = Bark("tiny", device="cuda")
    together = render_tokens(bark)
    alone = render_tokens(bark, TEXTS[1:2], VOICES[1:2])
    assert_same_tokens([stage[1:2] for stage in together], alone)


def test_bfloat16_on_cuda_renders_every_stage():
    bark = Bark("tiny", device="cuda", dtype="bfloat16")
    semantic, coarse, fine = render_tokens(bark)
    assert all(len(tokens) > 0 for tokens in semantic)
    assert all(c.shape[0] == 2 and f.shape == (8, c.shape[1]) for c, f in zip(coarse, fine))
    assert all(f.min() >= 0 and f.max() < CODEBOOK_SIZE for f in fine)
    audio = bark.decode(fine)
    assert all(len(a) == f.shape[1] * SAMPLES_PER_FRAME and np.isfinite(a).all() for a, f in zip(audio, fine))


def test_offload_cpu_keeps_only_the_running_stage_on_the_gpu():
    bark = Bark("tiny", device="cuda", offload="cpu")
    render_tokens(bark)
    on_device = {stage: next(model.parameters()).device.type for stage, model in bark._models.items()}
    assert on_device == {"semantic": "cpu", "coarse": "cpu", "fine": "cuda"}
    bark.decode([np.zeros((8, 4), dtype=np.int64)])  # the codec's turn: every stage steps aside
    assert {next(m.parameters()).device.type for m in bark._models.values()} == {"cpu"}


def test_cuda_graphs_give_the_eager_tokens():
    graphed = Bark("tiny", device="cuda", cuda_graphs=True)
    assert_same_tokens(render_tokens(graphed), render_tokens(Bark("tiny", device="cuda")))
    assert graphed.model("semantic")._graphed_step.graphs  # the steps did go through graphs


@torch.inference_mode()
def test_a_graph_replay_is_the_static_step_bit_for_bit():
    from barkflow.engine.graphs import GraphedStep, static_step
    from barkflow.engine.model import GPTConfig, random_model

    config = GPTConfig(n_layer=2, n_head=2, n_embd=32, block_size=64, input_vocab_size=50, output_vocab_size=50)
    model = random_model(config, seed=1).cuda()
    prompts = torch.randint(0, 50, (3, 9), device="cuda")
    eager, graphed = model.new_cache(3, 40), model.new_cache(3, 40)
    for cache in (eager, graphed):
        cache.left_pad(torch.tensor([0, 4, 2], device="cuda"), 9)
        model(prompts, cache=cache)
    step = GraphedStep(model)
    tokens = torch.randint(0, 50, (3, 1), device="cuda")
    for _ in range(10):
        expected = static_step(model, tokens, torch.tensor([eager.length], device="cuda"), eager)
        eager.length += 1
        assert torch.equal(step(tokens, graphed), expected)
        tokens = expected.argmax(-1, keepdim=True)
    assert len(step.graphs) == 1  # one capture, then replays
