"""Our GPT/FineGPT (barkflow/engine/model.py) against transformers' Bark models on the same weights.

The tiny bundle's HF layout is loaded twice: by our loader into our models, and by
transformers into BarkModel. Logits must agree to 1e-5 (docs/bark.md §8, §14.10), including the
semantic merged prefix built the way HF's generate builds it (§3, §10) and every fine codebook.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from barkflow.engine import model as model_module
from barkflow.engine.constants import (
    COARSE_VOCAB,
    CODEBOOK_SIZE,
    FINE_PAD_TOKEN,
    FINE_VOCAB,
    N_FINE_CODEBOOKS,
    SEMANTIC_HISTORY,
    SEMANTIC_INFER_TOKEN,
    SEMANTIC_PAD_TOKEN,
    SEMANTIC_VOCAB_SIZE,
    TEXT_CONTEXT,
    TEXT_ENCODING_OFFSET,
    TEXT_PAD_TOKEN,
)
from barkflow.engine.loading import load_preset_arrays, load_stage, load_tokenizer

ATOL = 1e-5


@pytest.fixture(scope="module")
def ours(tiny_bundle):
    return {stage: load_stage(stage, tiny_bundle / "hf").model for stage in ("semantic", "coarse", "fine")}


def _semantic_prefix(n_text: int, history: np.ndarray | None, seed: int) -> torch.Tensor:
    """[text(256) | history(256) | infer] as in §3, with random text ids."""
    g = torch.Generator().manual_seed(seed)
    text = torch.full((TEXT_CONTEXT,), TEXT_PAD_TOKEN)
    text[:n_text] = torch.randint(TEXT_ENCODING_OFFSET, TEXT_ENCODING_OFFSET + 500, (n_text,), generator=g)
    hist = torch.full((SEMANTIC_HISTORY,), SEMANTIC_PAD_TOKEN)
    if history is not None:
        h = torch.as_tensor(history[-SEMANTIC_HISTORY:].astype(np.int64))
        hist[: len(h)] = h
    return torch.cat([text, hist, torch.tensor([SEMANTIC_INFER_TOKEN])])


def _hf_semantic_embeds(hf_semantic, x: torch.Tensor) -> torch.Tensor:
    """BarkSemanticModel.generate's inputs_embeds: emb(text)+emb(history), emb(infer), then the rest."""
    wte = hf_semantic.input_embeds_layer
    text, hist, rest = (
        x[:, :TEXT_CONTEXT],
        x[:, TEXT_CONTEXT : TEXT_CONTEXT + SEMANTIC_HISTORY],
        x[:, 2 * TEXT_CONTEXT :],
    )
    return torch.cat([wte(text) + wte(hist), wte(rest)], dim=1)


@torch.no_grad()
def test_semantic_merged_prefix_matches_hf(ours, hf_tiny_bark, tiny_bundle):
    history = load_preset_arrays(tiny_bundle / "hf", "v2/en_speaker_1")["semantic_prompt"]
    x = torch.stack([_semantic_prefix(12, None, 0), _semantic_prefix(200, history, 1)])
    generated = torch.randint(0, SEMANTIC_VOCAB_SIZE, (2, 5), generator=torch.Generator().manual_seed(2))
    for n in (0, 5):  # the prefix alone, then with generated tokens after it
        full = torch.cat([x, generated[:, :n]], dim=1)
        logits = ours["semantic"](full, merge_context=True)
        hf = hf_tiny_bark.semantic(inputs_embeds=_hf_semantic_embeds(hf_tiny_bark.semantic, full), use_cache=False)
        assert logits.shape == (2, 10_048)
        torch.testing.assert_close(logits, hf.logits[:, -1], atol=ATOL, rtol=0)


@torch.no_grad()
def test_semantic_kv_cache_matches_full_forward_and_hf_cache(ours, hf_tiny_bark):
    model, hf = ours["semantic"], hf_tiny_bark.semantic
    x = _semantic_prefix(30, None, 3)[None]
    cache = model.new_cache(1, 300)
    step_logits = model(x, merge_context=True, cache=cache)
    hf_out = hf(inputs_embeds=_hf_semantic_embeds(hf, x), use_cache=True)
    past = hf_out.past_key_values
    torch.testing.assert_close(step_logits, hf_out.logits[:, -1], atol=ATOL, rtol=0)
    tokens = []
    for _ in range(8):
        token = int(step_logits[0, :SEMANTIC_VOCAB_SIZE].argmax())
        tokens.append(token)
        step_logits = model(torch.tensor([[token]]), cache=cache)
        full_logits = model(torch.cat([x, torch.tensor([tokens])], dim=1), merge_context=True)
        torch.testing.assert_close(step_logits, full_logits, atol=ATOL, rtol=0)
        hf_out = hf(input_ids=torch.tensor([[token]]), past_key_values=past, use_cache=True)
        past = hf_out.past_key_values
        torch.testing.assert_close(step_logits, hf_out.logits[:, -1], atol=ATOL, rtol=0)
    assert cache.length == x.shape[1] - SEMANTIC_HISTORY + len(tokens)  # the merged prefix is 257 positions


@torch.no_grad()
def test_coarse_matches_hf_and_kv_cache(ours, hf_tiny_bark):
    model = ours["coarse"]
    ids = torch.randint(0, COARSE_VOCAB, (2, 300), generator=torch.Generator().manual_seed(4))
    logits = model(ids)
    hf = hf_tiny_bark.coarse_acoustics(input_ids=ids, use_cache=False).logits
    torch.testing.assert_close(logits, hf[:, -1], atol=ATOL, rtol=0)
    cache = model.new_cache(2, 300)
    model(ids[:, :290], cache=cache)
    for t in range(290, 300):
        step = model(ids[:, t : t + 1], cache=cache)
        torch.testing.assert_close(
            step, hf_tiny_bark.coarse_acoustics(input_ids=ids[:, : t + 1]).logits[:, -1], atol=ATOL, rtol=0
        )


@torch.no_grad()
@pytest.mark.parametrize("width", [1024, 100])
def test_fine_matches_hf_for_every_codebook(ours, hf_tiny_bark, width):
    g = torch.Generator().manual_seed(5)
    idx = torch.randint(0, CODEBOOK_SIZE, (2, width, N_FINE_CODEBOOKS), generator=g)
    idx[:, width // 2 :, 3:] = FINE_PAD_TOKEN  # "not predicted yet", as in a real window
    for k in range(1, N_FINE_CODEBOOKS):
        logits = ours["fine"](k, idx)
        assert logits.shape == (2, width, FINE_VOCAB)
        hf = hf_tiny_bark.fine_acoustics(k, input_ids=idx).logits
        torch.testing.assert_close(logits, hf, atol=ATOL, rtol=0)


def test_fine_heads_stay_tied(ours):
    fine = ours["fine"]
    for i in range(N_FINE_CODEBOOKS - 1):
        assert fine.lm_heads[i].weight is fine.transformer.wtes[i + 1].weight


@torch.no_grad()
def test_left_padded_batch_equals_each_row_alone(ours):
    model = ours["coarse"]
    g = torch.Generator().manual_seed(6)
    rows = [torch.randint(0, COARSE_VOCAB, (n,), generator=g) for n in (40, 25, 33)]
    width = max(len(r) for r in rows)
    pad_left = torch.tensor([width - len(r) for r in rows])
    batch = torch.stack([torch.cat([torch.full((width - len(r),), 7), r]) for r in rows])  # any pad id
    cache = model.new_cache(len(rows), width + 4)
    cache.left_pad(pad_left, width)
    batch_logits = [model(batch, cache=cache)]
    next_tokens = torch.randint(0, COARSE_VOCAB, (len(rows), 3), generator=g)
    for t in range(3):
        batch_logits.append(model(next_tokens[:, t : t + 1], cache=cache))
    for i, row in enumerate(rows):
        alone = model.new_cache(1, len(row) + 4)
        row_logits = [model(row[None], cache=alone)]
        for t in range(3):
            row_logits.append(model(next_tokens[i : i + 1, t : t + 1], cache=alone))
        for b, r in zip(batch_logits, row_logits):
            torch.testing.assert_close(b[i : i + 1], r, atol=ATOL, rtol=0)


@pytest.mark.skipif(not model_module._HAS_ONEDNN_LINEAR, reason="this torch has no oneDNN linear")
@torch.no_grad()
def test_an_unpadded_row_gets_the_same_bits_in_any_batch(ours):
    """On CPU, semantic rows (never padded: the prefix has a fixed width) and fine windows compute
    exactly as they would alone, so a rerun that groups segments differently cannot flip a token."""
    model = ours["semantic"]
    prefixes = torch.stack([_semantic_prefix(n, None, seed=n) for n in (5, 40, 200)])
    steps = torch.randint(0, SEMANTIC_VOCAB_SIZE, (3, 4), generator=torch.Generator().manual_seed(3))

    def run(rows):
        cache = model.new_cache(len(rows), prefixes.shape[1] + steps.shape[1])
        logits = [model(prefixes[rows], merge_context=True, cache=cache)]
        logits += [model(steps[rows, t : t + 1], cache=cache) for t in range(steps.shape[1])]
        return torch.stack(logits, dim=1)  # (rows, 1 + steps, vocab)

    together = run([0, 1, 2])
    for i in range(3):
        assert torch.equal(together[i], run([i])[0])

    fine = ours["fine"]
    windows = torch.randint(0, CODEBOOK_SIZE, (3, 1024, N_FINE_CODEBOOKS), generator=torch.Generator().manual_seed(4))
    together = fine(4, windows)
    for i in range(3):
        assert torch.equal(together[i], fine(4, windows[i : i + 1])[0])


@torch.no_grad()
def test_a_prefill_can_continue_a_filled_cache(ours):
    """Coarse windows feed a block of new positions after kept ones; a short row's padding may
    reach into that block. Each row's logits equal the row run alone from an empty cache."""
    model = ours["coarse"]
    g = torch.Generator().manual_seed(7)
    rows = [torch.randint(0, COARSE_VOCAB, (n,), generator=g) for n in (40, 12, 31)]
    width, start = 40, 30  # columns [0, 30) come from an earlier call; row 1 is padding up to column 28
    pad_left = torch.tensor([width - len(r) for r in rows])
    batch = torch.stack([torch.cat([torch.zeros(width - len(r), dtype=torch.long), r]) for r in rows])
    cache = model.new_cache(len(rows), width + 1)
    cache.left_pad(pad_left, width)
    model(batch[:, :start], cache=cache)
    logits = model(batch[:, start:], cache=cache)
    assert torch.isfinite(logits).all()
    for i, row in enumerate(rows):
        torch.testing.assert_close(logits[i : i + 1], model(row[None]), atol=ATOL, rtol=0)
    # no padding at all: the continued block is causal after the cached columns
    cache = model.new_cache(1, width)
    model(rows[0][None, :start], cache=cache)
    torch.testing.assert_close(model(rows[0][None, start:], cache=cache), model(rows[0][None]), atol=ATOL, rtol=0)


@pytest.mark.skipif(not model_module._HAS_ONEDNN_LINEAR, reason="this torch has no oneDNN linear")
@torch.no_grad()
def test_packed_linear_equals_dense_and_follows_its_weight():
    """The CPU path (a oneDNN-packed weight copy) gives F.linear's numbers, gives a row the same
    bits whatever rows share the call, is remade when the weight is loaded anew, and is dropped
    when the module moves or changes dtype."""
    torch.manual_seed(0)
    layer = model_module.Linear(48, 80, bias=True)
    x = torch.randn(300, 1, 48)
    torch.testing.assert_close(layer(x), F.linear(x, layer.weight, layer.bias), atol=ATOL, rtol=0)
    assert "_packed" in layer.__dict__  # the packed path ran
    for rows in (1, 3, 8, 300):
        assert torch.equal(layer(x[:rows])[:1], layer(x[:1]))

    layer.load_state_dict({"weight": torch.randn(80, 48), "bias": torch.randn(80)})
    torch.testing.assert_close(layer(x), F.linear(x, layer.weight, layer.bias), atol=ATOL, rtol=0)

    layer.double()
    assert "_packed" not in layer.__dict__
    assert layer(x.double()).dtype == torch.float64


@torch.no_grad()
def test_tiny_bundle_greedy_decoding_is_varied(ours, tiny_bundle):
    """bundles.py's init: greedy semantic tokens depend on the text, vary, and end by EOS before 768."""
    tokenizer = load_tokenizer(tiny_bundle / "hf")
    texts = [
        "Hello world.",
        "In the light of the moon, a little egg lay on a leaf",
        "The quick brown fox jumps over the lazy dog.",
        "Good morning, doctor! How are you today?",
    ]
    model = ours["semantic"]
    runs = []
    for text in texts:
        text_ids = torch.as_tensor(tokenizer.encode(text))
        x = torch.cat(
            [text_ids, torch.full((SEMANTIC_HISTORY,), SEMANTIC_PAD_TOKEN), torch.tensor([SEMANTIC_INFER_TOKEN])]
        )
        cache = model.new_cache(1, 1024)
        logits = model(x[None], merge_context=True, cache=cache)
        tokens = []
        while len(tokens) < 768:
            token = int(logits[0, : SEMANTIC_VOCAB_SIZE + 1].argmax())
            if token == SEMANTIC_PAD_TOKEN:  # EOS
                break
            tokens.append(token)
            logits = model(torch.tensor([[token]]), cache=cache)
        runs.append(tokens)
    lengths = [len(r) for r in runs]
    assert min(lengths) >= 5, lengths  # no immediate EOS
    assert any(n < 768 for n in lengths), lengths  # EOS does happen
    assert len({tuple(r[:20]) for r in runs}) == len(texts)  # the text matters from the start
    assert all(len(set(r)) >= 0.3 * len(r) for r in runs)  # not one token repeated

    # coarse (greedy within each step's codebook, §4) and fine (argmax) are varied too
    coarse = ours["coarse"]
    window = torch.tensor(runs[1][:256] + [12_048] * (256 - len(runs[1][:256])) + [12_050])[None]
    codes = []
    for step in range(40):
        lo = 10_000 if step % 2 == 0 else 11_024
        token = lo + int(coarse(window)[0, lo : lo + CODEBOOK_SIZE].argmax())
        codes.append(token - lo)
        window = torch.cat([window, torch.tensor([[token]])], dim=1)
    assert len(set(codes[0::2])) > 5 and len(set(codes[1::2])) > 5, codes
    fine_in = torch.full((1, 1024, N_FINE_CODEBOOKS), FINE_PAD_TOKEN)
    fine_in[0, :20, :2] = torch.tensor(codes).reshape(20, 2)
    for k in range(2, N_FINE_CODEBOOKS):
        fine_in[0, :, k] = ours["fine"](k, fine_in)[0, :, :CODEBOOK_SIZE].argmax(-1)
    assert all(len(set(fine_in[0, :20, k].tolist())) > 3 for k in range(2, N_FINE_CODEBOOKS))


def test_build_ties_the_fine_heads_however_the_model_is_made():
    config = model_module.FineGPTConfig(n_layer=1, n_head=1, n_embd=8, block_size=16, input_vocab_size=20, output_vocab_size=20)
    made = [model_module.build(config), model_module.empty_model(config), model_module.random_model(config)]
    for model in made:
        assert all(model.lm_heads[i].weight is model.transformer.wtes[i + 1].weight for i in range(7))
    a, b = model_module.empty_model(config), model_module.empty_model(config)
    model_module.init_weights(a, attn_std=1.0, generator=torch.Generator().manual_seed(3))
    model_module.init_weights(b, attn_std=1.0, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))
    assert float(a.transformer.h[0].attn.c_attn.weight.detach().std()) > 0.5  # attn_std, not nanoGPT's 0.02
