"""barkflow/engine/codec.py on the tiny bundle's codec (docs/bark.md §6). The codec is random, so
these tests check shapes, determinism and agreement with transformers, not sound."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from barkflow.engine.codec import Codec
from barkflow.engine.loading import load_codec


@pytest.fixture(scope="module")
def codec(tiny_bundle) -> Codec:
    return load_codec(tiny_bundle / "hf")


def _codes(batch: int, frames: int, seed: int) -> torch.Tensor:
    return torch.randint(0, 1024, (batch, 8, frames), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("frames", [1, 7, 75])
def test_decode_shape_and_dtype(codec, frames):
    audio = codec.decode(_codes(2, frames, frames))
    assert audio.shape == (2, 320 * frames) and audio.dtype == torch.float32
    assert torch.isfinite(audio).all() and audio.abs().max() > 0
    assert codec.sample_rate == 24_000 and codec.decode(_codes(1, 0, 0)).shape == (1, 0)


def test_different_codes_give_different_audio(codec):
    codes = _codes(1, 20, 1)
    other = codes.clone()
    other[0, 5, 10] = (other[0, 5, 10] + 1) % 1024  # one code of a fine codebook
    a, b = codec.decode(codes), codec.decode(other)
    assert not torch.allclose(a, b)
    torch.testing.assert_close(a[:, : 320 * 10 - 320], b[:, : 320 * 10 - 320])  # causal: earlier audio unchanged
    torch.testing.assert_close(codec.decode(codes), a, atol=0, rtol=0)  # deterministic


def test_batch_equals_each_row_alone(codec):
    codes = _codes(3, 30, 2)
    batch = codec.decode(codes)
    for i in range(3):
        torch.testing.assert_close(batch[i : i + 1], codec.decode(codes[i : i + 1]), atol=1e-6, rtol=0)


def test_decode_many_is_bit_identical_to_each_item_alone(codec):
    """A segment's audio must not depend on which segments were decoded beside it (reruns, shards)."""
    items = [_codes(1, n, n)[0].numpy() for n in (12, 5, 12, 7)]
    for item, audio in zip(items, codec.decode_many(items)):
        np.testing.assert_array_equal(audio, codec.decode(item[None])[0].numpy())
    assert np.array_equal(codec.decode_many(items[:1])[0], codec.decode_many(items)[0])


def test_decode_matches_transformers_bark_codec_decode(codec, hf_tiny_bark):
    codes = _codes(2, 40, 3)
    with torch.no_grad():
        expected = hf_tiny_bark.codec_decode(codes)
    torch.testing.assert_close(codec.decode(codes), expected, atol=1e-6, rtol=0)


def test_encode(codec):
    n = 24_000 // 2 + 100
    audio = np.sin(np.arange(n) * 2 * np.pi * 220 / 24_000).astype(np.float32)
    codes = codec.encode(audio)
    assert codes.shape == (8, math.ceil(n / 320)) and codes.dtype == np.int64
    assert codes.min() >= 0 and codes.max() < 1024
    np.testing.assert_array_equal(codec.encode(audio), codes)
    assert codec.decode(codes[None]).shape == (1, 320 * codes.shape[1])


def test_bad_codes_are_rejected(codec):
    with pytest.raises(ValueError, match="batch, 8, frames"):
        codec.decode(torch.zeros(1, 2, 5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\[0, 1024\)"):
        codec.decode(torch.full((1, 8, 5), 1024))
    with pytest.raises(ValueError, match="integers"):
        codec.decode(torch.zeros(1, 8, 5))


def test_identity(codec, tiny_bundle):
    assert codec.identity == load_codec(tiny_bundle / "hf").identity
    assert codec.identity.startswith("codec|") and "model.safetensors" in codec.identity
