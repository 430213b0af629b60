"""The static decoding step CUDA graphs replay (engine/graphs.py), checked against the eager step on
the CPU: the graph itself needs CUDA (tests/engine/test_cuda.py), its math does not."""

import torch

from barkflow.engine.graphs import static_step
from barkflow.engine.model import GPTConfig, random_model

CONFIG = GPTConfig(n_layer=2, n_head=2, n_embd=32, block_size=64, input_vocab_size=50, output_vocab_size=50)


@torch.inference_mode()
def test_the_static_step_gives_the_eager_steps_logits_on_padded_rows():
    model = random_model(CONFIG, seed=1)
    prompts = torch.randint(0, 50, (3, 9))
    pad_left = torch.tensor([0, 4, 2])
    eager, static = model.new_cache(3, 40), model.new_cache(3, 40)
    for cache in (eager, static):
        cache.left_pad(pad_left, 9)
    first = model(prompts, cache=eager)
    assert torch.equal(first, model(prompts, cache=static))
    tokens = first.argmax(-1, keepdim=True)
    for _ in range(12):
        expected = model(tokens, cache=eager)
        got = static_step(model, tokens, torch.tensor([static.length]), static)
        static.length += 1
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
        assert torch.equal(got.argmax(-1), expected.argmax(-1))
        tokens = expected.argmax(-1, keepdim=True)
    torch.testing.assert_close(eager.k[:, :, :, : eager.length], static.k[:, :, :, : static.length])
