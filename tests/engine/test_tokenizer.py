"""barkflow/engine/tokenizer.py: the text encoding of docs/bark.md §2, on the tiny bundle's tokenizer."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from barkflow.engine.loading import load_tokenizer
from barkflow.engine.tokenizer import BarkTokenizer, normalize_whitespace
from barkflow.errors import BarkflowError

OFFSET, PAD = 10_048, 129_595


@pytest.fixture(scope="module")
def tokenizer(tiny_bundle) -> BarkTokenizer:
    return load_tokenizer(tiny_bundle / "hf")


def _bert_ids(tokenizer: BarkTokenizer, text: str) -> list[int]:
    return tokenizer.tokenizer.encode(text, add_special_tokens=False)


def test_offsets_and_padding(tokenizer):
    ids = tokenizer.encode("In the light of the moon, a little egg lay on a leaf.")
    bert = _bert_ids(tokenizer, "In the light of the moon, a little egg lay on a leaf.")
    assert ids.shape == (256,) and ids.dtype == np.int64
    assert 1 not in bert  # [UNK]: the tiny vocab covers ordinary English
    np.testing.assert_array_equal(ids[: len(bert)], np.array(bert) + OFFSET)
    assert (ids[len(bert) :] == PAD).all()
    assert tokenizer.count("In the light of the moon, a little egg lay on a leaf.") == len(bert)
    assert tokenizer.decode(ids) == "In the light of the moon, a little egg lay on a leaf."


def test_whitespace_is_collapsed(tokenizer):
    assert normalize_whitespace("  Hello \n\t world \r\n ") == "Hello world"
    np.testing.assert_array_equal(tokenizer.encode("\tHello   \n world  "), tokenizer.encode("Hello world"))
    with pytest.raises(ValueError):
        tokenizer.encode(" \n\t ")
    assert tokenizer.count(" \n ") == 0


def test_text_over_the_limit_is_an_error_when_asked_never_a_silent_cut(tokenizer):
    text = " ".join(["one", "two", "three", "four", "five"] * 60)  # 300 tokens
    with pytest.raises(BarkflowError, match="^text of 300 tokens is over Bark's 256-token limit .*split.max_tokens"):
        tokenizer.encode(text, truncate=False)


def test_truncation_keeps_the_first_256_and_warns(tokenizer, caplog):
    words = [f"{w}" for w in ("one", "two", "three", "four", "five")] * 60  # 300 tokens
    text = " ".join(words)
    bert = _bert_ids(tokenizer, text)
    assert len(bert) == 300 and tokenizer.count(text) == 300
    with caplog.at_level(logging.WARNING, logger="barkflow.engine.tokenizer"):
        ids = tokenizer.encode(text)
    np.testing.assert_array_equal(ids, np.array(bert[:256]) + OFFSET)
    assert "14.7% cut" in caplog.text  # (300 - 256) / 300

    exact = " ".join(words[:256])
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="barkflow.engine.tokenizer"):
        assert (tokenizer.encode(exact) != PAD).all()
    assert caplog.text == ""


@pytest.mark.parametrize(
    "text",
    [
        "Hello world.",
        "Good morning, doctor! How are you today? I'm fine - thanks.",
        "Numbers 1, 22 and 333; quotes \"yes\" and 'no' (maybe) [sometimes].",
        "Café, naïve, über: 100% déjà vu…",
        "  leading   and\ttrailing whitespace  ",
        " ".join(["word"] * 300),  # longer than 256: HF slices, we truncate
    ],
)
def test_agrees_with_transformers_bark_processor(tokenizer, tiny_bundle, text):
    """BarkProcessor + BarkSemanticModel.generate's input handling (§2): +10048, pads -> 129595, [:256]."""
    from transformers import BarkProcessor

    processor = BarkProcessor.from_pretrained(tiny_bundle / "hf", local_files_only=True)
    inputs = processor(text, return_tensors="np")
    hf = np.where(inputs["attention_mask"][0] == 1, inputs["input_ids"][0] + OFFSET, PAD)[:256]
    np.testing.assert_array_equal(tokenizer.encode(text), hf)


def test_identity(tiny_bundle, tokenizer):
    from barkflow.engine.loading import source_identity

    assert (
        load_tokenizer("tiny").identity == load_tokenizer("tiny-suno").identity == source_identity("tokenizer", "tiny")
    )
    assert "vocab.txt" in tokenizer.identity
    # built directly, a tokenizer is identified by its content
    direct = BarkTokenizer.from_dir(tiny_bundle / "hf")
    assert (
        direct.identity.startswith("tokenizer|sha256:") and direct.identity == BarkTokenizer(direct.tokenizer).identity
    )
