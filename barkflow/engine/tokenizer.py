"""Bark's text encoding (docs/bark.md §2).

The reference: collapse whitespace, mBERT-cased WordPiece without special tokens, add 10048,
keep the first 256 ids (warning with the % cut), right-pad with 129595 to exactly 256.
`load_tokenizer` (loading.py) builds a `BarkTokenizer` from a source string.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import numpy as np

from barkflow.errors import BarkflowError

from .constants import TEXT_CONTEXT, TEXT_ENCODING_OFFSET, TEXT_PAD_TOKEN

logger = logging.getLogger(__name__)

# BERT ids must stay below the text pad token once offset (mBERT-cased has exactly this many).
MAX_BERT_VOCAB = TEXT_PAD_TOKEN - TEXT_ENCODING_OFFSET  # 119547


def normalize_whitespace(text: str) -> str:
    """Every run of whitespace -> one space, ends stripped (§2 step 1)."""
    return re.sub(r"\s+", " ", text).strip()


class BarkTokenizer:
    """Text -> the 256 text ids of the semantic model's input."""

    def __init__(self, tokenizer, *, identity: str | None = None, where: str = "tokenizer"):
        size = len(tokenizer)
        if size <= len(tokenizer.all_special_tokens) or size > MAX_BERT_VOCAB:
            raise BarkflowError(
                f"the tokenizer of {where} has {size} tokens, expected a BERT vocabulary of at most {MAX_BERT_VOCAB} "
                f"(its files are missing or it is not mBERT-cased); use google-bert/bert-base-multilingual-cased"
            )
        self.tokenizer = tokenizer
        self.identity = identity or self._content_identity()
        self.where = where

    @classmethod
    def from_dir(cls, folder: str | Path, *, identity: str | None = None, where: str | None = None) -> BarkTokenizer:
        """A BertTokenizer folder (vocab.txt and/or tokenizer.json, tokenizer_config.json)."""
        from transformers import BertTokenizer

        where = where or str(folder)
        try:
            tokenizer = BertTokenizer.from_pretrained(str(folder), local_files_only=True)
        except (OSError, ValueError, TypeError) as e:
            raise BarkflowError(
                f"could not load the tokenizer files in {where}: {' '.join(str(e).split())[:200]}; download them again"
            ) from e
        return cls(tokenizer, identity=identity, where=where)

    def _content_identity(self) -> str:
        backend = getattr(self.tokenizer, "backend_tokenizer", None)
        text = backend.to_str() if backend is not None else repr(sorted(self.tokenizer.get_vocab().items()))
        return "tokenizer|sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]

    def _ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(normalize_whitespace(text), add_special_tokens=False)

    def count(self, text: str) -> int:
        """Number of text tokens before truncation (0 for blank text); for splitting long text."""
        return len(self._ids(text)) if normalize_whitespace(text) else 0

    def encode(self, text: str, *, truncate: bool = True) -> np.ndarray:
        """(256,) int64: BERT ids + 10048, right-padded with 129595 (§2).

        Text over 256 tokens is cut as the reference cuts it, keeping the first 256, with a warning
        that says how much went unspoken; `truncate=False` makes it an error instead. A render never
        comes here with such text: the split and the split memo's check keep every segment within
        the limit (planning/plan.py).
        """
        if not normalize_whitespace(text):
            raise ValueError("text is empty after whitespace normalisation")
        ids = np.asarray(self._ids(text), dtype=np.int64) + TEXT_ENCODING_OFFSET
        if len(ids) > TEXT_CONTEXT:
            cut = (len(ids) - TEXT_CONTEXT) / len(ids) * 100
            if not truncate:
                raise BarkflowError(
                    f"text of {len(ids)} tokens is over Bark's {TEXT_CONTEXT}-token limit ({cut:.1f}% would be cut "
                    f"unspoken): {text[:60]!r}...; split it into shorter segments (split.max_tokens, split.max_chars)"
                )
            logger.warning(
                "text too long: %d tokens, keeping the first %d (%.1f%% cut): %.60r...",
                len(ids),
                TEXT_CONTEXT,
                cut,
                text,
            )
            ids = ids[:TEXT_CONTEXT]
        return np.pad(ids, (0, TEXT_CONTEXT - len(ids)), constant_values=TEXT_PAD_TOKEN)

    def decode(self, ids: np.ndarray) -> str:
        """Text ids (offset, possibly padded) back to text, for logs and debugging."""
        ids = np.asarray(ids)
        ids = ids[(ids >= TEXT_ENCODING_OFFSET) & (ids < TEXT_PAD_TOKEN)] - TEXT_ENCODING_OFFSET
        return self.tokenizer.decode(ids.tolist())
