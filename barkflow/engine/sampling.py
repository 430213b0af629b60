"""Bark's three sampling loops, batched: text → semantic → coarse → fine (docs/bark.md §3, §4, §5).

Every loop takes a list of rows, each with its own input, voice prompt, options and seed, and
returns each row's tokens at that row's own length. Under deterministic decoding (top_k=1, fine
temp None) row i of a batch gives the tokens of row i run alone, and both give the tokens of
Suno's `bark/generation.py`.

Randomness comes from one `torch.Generator` per row, seeded with the row's seed, and each row
draws exactly as the reference draws from the global generator: seeding the reference with
`torch.manual_seed(seed)` before a stage gives the same samples on CPU.

Deliberate oddities of the reference that are kept on purpose (do not "fix" them):
- top-p is applied to the *untempered* softmax, then top-k, then temperature (§3);
- min_eos_p is tested on the probabilities after those filters, with >= (§3);
- the EOS token is never appended (§3);
- the coarse history drops its last frame, the "time alignment hack" (§4);
- fine temp None means argmax; 1.0 samples (§5, unlike transformers).

The extra controls (repetition penalty, inverted top-p, bottom-k, mirostat; docs/sampling-controls.md)
are skipped entirely at their defaults, so the default path stays the reference's.
"""

from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .constants import (
    COARSE_INFER_TOKEN,
    COARSE_SEMANTIC_PAD_TOKEN,
    COARSE_SEMANTIC_WINDOW,
    CODEBOOK_SIZE,
    FINE_HISTORY,
    FINE_HOP,
    FINE_PAD_TOKEN,
    FINE_WINDOW,
    MAX_SEMANTIC_STEPS,
    N_COARSE_CODEBOOKS,
    N_FINE_CODEBOOKS,
    SEMANTIC_EOS_TOKEN,
    SEMANTIC_HISTORY,
    SEMANTIC_INFER_TOKEN,
    SEMANTIC_PAD_TOKEN,
    SEMANTIC_PREFIX_LEN,
    SEMANTIC_RATE_HZ,
    SEMANTIC_TO_COARSE_RATIO,
    SEMANTIC_VOCAB_SIZE,
    max_semantic_history,
)
from .controls import MirostatState, filter_logits, negative_guidance, repetition_bias, sample_token
from .graphs import decode_step
from .model import GPT, FineGPT, KVCache
from .options import SemanticOptions
from .prompts import VoicePrompt
from .rows import CoarseRow, FineRow, Progress, SemanticResult, SemanticRow  # noqa: F401 (re-exported)


def _generators(seeds, device) -> list[torch.Generator]:
    return [torch.Generator(device=device).manual_seed(int(seed)) for seed in seeds]


def _device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def _feed_live_rows(model: GPT, cache, live: list, kept: list[int], tokens: list[int]):
    """One decode step: drop the rows that stopped from the cache, feed the rest their new tokens.

    live[j] is what cache row j holds; kept are the rows (indices into live) still going.
    Returns the new live list and the (len(kept), vocab) float32 logits.
    """
    device = _device(model)
    if len(kept) < len(live):
        cache.keep_rows(torch.tensor(kept, device=device))
        live = [live[j] for j in kept]
    return live, decode_step(model, torch.tensor(tokens, device=device)[:, None], cache).float()


# ----------------------------------------------------------------------------------------------
# Semantic (§3)


def semantic_history(prompt: Optional[VoicePrompt]) -> np.ndarray:
    """The last 256 semantic tokens of the voice, right-padded with the pad token."""
    if prompt is None:
        return np.full(SEMANTIC_HISTORY, SEMANTIC_PAD_TOKEN, dtype=np.int64)
    history = prompt.semantic[-SEMANTIC_HISTORY:].astype(np.int64)
    return np.pad(history, (0, SEMANTIC_HISTORY - len(history)), constant_values=SEMANTIC_PAD_TOKEN)


class _SemanticControls:
    """One row's sampling for the semantic stage, with the state its controls carry between steps.

    With every control at its default this is exactly `sample_token`, the reference's sampling.
    """

    def __init__(self, options: SemanticOptions, device: torch.device):
        self.options = options
        penalised = options.repetition_penalty != 1.0
        self.counts = torch.zeros(SEMANTIC_VOCAB_SIZE, device=device) if penalised else None
        self.mirostat = MirostatState(options.mirostat_tau, options.mirostat_eta) if options.mirostat_tau is not None else None

    def sample(
        self, logits: torch.Tensor, generator: torch.Generator, negative: Optional[torch.Tensor] = None
    ) -> tuple[int, torch.Tensor]:
        """logits (and the negative pass's, if any): the semantic vocabulary, then EOS if early stop
        is allowed -> (token, probabilities drawn from)."""
        opts = self.options
        if negative is not None:
            logits = negative_guidance(logits, negative, opts.negative_scale, opts.negative_weighting)
        if self.counts is not None:
            logits = repetition_bias(logits, self.counts, opts.repetition_penalty)
        if self.mirostat is None:
            return sample_token(logits, opts.temp, opts.top_k, opts.top_p, generator, opts.inverted_top_p, opts.bottom_k)
        filtered = filter_logits(logits, opts.top_k, opts.top_p, opts.inverted_top_p, opts.bottom_k)
        token, kept, _ = self.mirostat.sample(F.softmax(filtered / opts.temp, dim=-1), generator)
        return token, kept

    def generated(self, token: int) -> None:
        if self.counts is not None:
            self.counts[token] += 1


def _semantic_prefix(encode: Callable[[str], np.ndarray], text: str, prompt: Optional[VoicePrompt]) -> np.ndarray:
    """[text ids (256) | voice history (256) | infer]: what the model reads before the first step."""
    return np.concatenate([encode(text), semantic_history(prompt), [SEMANTIC_INFER_TOKEN]])


def _relevant(logits: torch.Tensor, allow_early_stop: bool) -> torch.Tensor:
    """The logits a semantic step samples from: the vocabulary, then EOS if the row may stop."""
    relevant = logits[:SEMANTIC_VOCAB_SIZE]
    if allow_early_stop:
        relevant = torch.cat([relevant, logits[SEMANTIC_EOS_TOKEN : SEMANTIC_EOS_TOKEN + 1]])
    return relevant


class _NegativePass:
    """The negative prompts' forward pass, for the rows that have one, with its own KV cache.

    It reads the negative text under the anti-speaker's history, then the row's own generated
    tokens, so at every step it says what the anti-speaker would say next in the row's place.
    """

    def __init__(self, model: GPT, encode: Callable[[str], np.ndarray], rows: list[SemanticRow]):
        self.model = model
        self.live = [i for i, r in enumerate(rows) if r.options.negative_text is not None]  # cache row j: rows[live[j]]
        self.logits: Optional[torch.Tensor] = None
        if self.live:
            prefix = np.stack([_semantic_prefix(encode, rows[i].options.negative_text, rows[i].negative_prompt)
                               for i in self.live])
            self.cache = model.new_cache(len(self.live), SEMANTIC_PREFIX_LEN + MAX_SEMANTIC_STEPS - 1)
            inputs = torch.from_numpy(prefix).to(_device(model))
            self.logits = model(inputs, merge_context=True, cache=self.cache).float()

    def logits_for(self, row: int, allow_early_stop: bool) -> Optional[torch.Tensor]:
        """The negative pass's logits a semantic step of `row` reads (see `_relevant`), or None."""
        if row not in self.live:
            return None
        return _relevant(self.logits[self.live.index(row)], allow_early_stop)

    def feed(self, continuing: dict[int, int]) -> None:
        """Feed each row that goes on (row -> its new token) and drop the others."""
        kept = [j for j, i in enumerate(self.live) if i in continuing]
        if kept:
            tokens = [continuing[self.live[j]] for j in kept]
            self.live, self.logits = _feed_live_rows(self.model, self.cache, self.live, kept, tokens)
        else:
            self.live = []


@torch.inference_mode()
def generate_semantic(
    model: GPT, encode: Callable[[str], np.ndarray], rows: list[SemanticRow], progress: Optional[Progress] = None
) -> list[SemanticResult]:
    """Text to semantic tokens for every row at once.

    encode: text -> (256,) input ids (tokenizer.encode: normalised, offset, truncated, padded).
    Finished rows leave the batch, so the live rows' steps get cheaper as rows stop.
    """
    device = _device(model)
    prefix = np.stack([_semantic_prefix(encode, r.text, r.prompt) for r in rows])  # (B, 513)
    generators = _generators([r.seed for r in rows], device)
    controls = [_SemanticControls(r.options, device) for r in rows]
    tokens: list[list[int]] = [[] for _ in rows]
    stop_reason = [""] * len(rows)
    durations = [0.0] * len(rows)
    live = list(range(len(rows)))  # cache row j holds rows[live[j]]

    cache = model.new_cache(len(rows), SEMANTIC_PREFIX_LEN + MAX_SEMANTIC_STEPS - 1)
    logits = model(torch.from_numpy(prefix).to(device), merge_context=True, cache=cache).float()
    negatives = _NegativePass(model, encode, rows)
    for step in range(MAX_SEMANTIC_STEPS):
        still_live, fed = [], []
        for j, i in enumerate(live):
            opts = rows[i].options
            negative = negatives.logits_for(i, opts.allow_early_stop)
            token, probs = controls[i].sample(_relevant(logits[j], opts.allow_early_stop), generators[i], negative)
            if opts.allow_early_stop and token == SEMANTIC_EOS_TOKEN:
                stop_reason[i] = "eos"  # EOS is not appended
            elif opts.allow_early_stop and opts.min_eos_p is not None and probs[-1] >= opts.min_eos_p:
                stop_reason[i] = "min_eos_p"  # the sampled token is dropped, as in the reference
            else:
                tokens[i].append(token)
                controls[i].generated(token)
                durations[i] += 1 / SEMANTIC_RATE_HZ  # accumulated like the reference, float by float
                if opts.max_gen_duration_s is not None and durations[i] > opts.max_gen_duration_s:
                    stop_reason[i] = "max_duration"
                elif step == MAX_SEMANTIC_STEPS - 1:
                    stop_reason[i] = "max_length"
                else:
                    still_live.append(j)
                    fed.append(token)
        if progress and len(still_live) < len(live):
            progress("semantic", len(rows) - len(still_live), len(rows))
        if not still_live:
            break
        if negatives.live:
            negatives.feed({live[j]: token for j, token in zip(still_live, fed)})
        live, logits = _feed_live_rows(model, cache, live, still_live, fed)
    return [SemanticResult(np.array(t, dtype=np.int64), r) for t, r in zip(tokens, stop_reason)]


# ----------------------------------------------------------------------------------------------
# Coarse (§4)


def coarse_histories(prompt: Optional[VoicePrompt], max_coarse_history: int) -> tuple[np.ndarray, np.ndarray]:
    """The voice's semantic and flattened coarse history, trimmed to fit the windows (§4)."""
    if prompt is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    semantic = prompt.semantic
    offsets = (np.arange(N_COARSE_CODEBOOKS) * CODEBOOK_SIZE)[:, None]
    # Interleave frame by frame: [c0[0], c1[0]+1024, c0[1], ...], then shift into coarse id space.
    coarse = (prompt.coarse + offsets).ravel("F") + SEMANTIC_VOCAB_SIZE
    n_semantic = int(
        min(
            max_semantic_history(max_coarse_history),
            len(semantic) - len(semantic) % 2,
            math.floor(len(coarse) / SEMANTIC_TO_COARSE_RATIO),
        )
    )
    n_coarse = int(round(n_semantic * SEMANTIC_TO_COARSE_RATIO))
    # `[-n:]` with n = 0 keeps everything: a reference quirk for one-token prompts, kept for parity.
    semantic = semantic[-n_semantic:].astype(np.int64)
    coarse = coarse[-n_coarse:].astype(np.int64)
    return semantic, coarse[:-2]  # the reference's time-alignment hack drops the last frame


def coarse_steps(n_semantic: int) -> int:
    """Coarse tokens (two per frame) generated for n semantic tokens."""
    return int(math.floor(n_semantic * SEMANTIC_TO_COARSE_RATIO / N_COARSE_CODEBOOKS) * N_COARSE_CODEBOOKS)


class _CoarseState:
    """One row's progress through its windows."""

    def __init__(self, row: CoarseRow, generator: torch.Generator):
        opts = row.options
        semantic_hist, coarse_hist = coarse_histories(row.prompt, opts.max_coarse_history)
        self.options = opts
        self.generator = generator
        self.max_semantic_history = max_semantic_history(opts.max_coarse_history)
        self.semantic = np.concatenate([semantic_hist, np.asarray(row.semantic, dtype=np.int64)])
        self.base = len(semantic_hist)
        self.coarse = list(coarse_hist)  # history, then generated ids, in coarse id space
        self.n_history = len(coarse_hist)
        self.n_steps = coarse_steps(len(row.semantic))
        self.step = 0
        self.window_left = 0
        self.window_tokens = np.zeros(0, dtype=np.int64)  # what the current window was prefilled with
        self.window_start = 0  # len(self.coarse) when it began
        self.prefix_kv: tuple[torch.Tensor, torch.Tensor] | None = None  # see keep_prefix

    @property
    def done(self) -> bool:
        return self.step >= self.n_steps

    def window_input(self) -> np.ndarray:
        """[semantic window (256, padded) | infer | the last max_coarse_history coarse ids]."""
        semantic_idx = self.base + int(round(self.step / SEMANTIC_TO_COARSE_RATIO))
        window = self.semantic[max(0, semantic_idx - self.max_semantic_history) :][:COARSE_SEMANTIC_WINDOW]
        window = np.pad(window, (0, COARSE_SEMANTIC_WINDOW - len(window)), constant_values=COARSE_SEMANTIC_PAD_TOKEN)
        history = np.array(self.coarse[-self.options.max_coarse_history :], dtype=np.int64)
        return np.concatenate([window, [COARSE_INFER_TOKEN], history])

    @property
    def next_window_len(self) -> int:
        return min(self.options.sliding_window_len, self.n_steps - self.step)

    def begin_window(self, tokens: np.ndarray) -> None:
        self.window_tokens = tokens
        self.window_start = len(self.coarse)
        self.window_left = self.next_window_len
        self.prefix_kv = None

    def keep_prefix(self, cache: KVCache, row: int) -> None:
        """At the end of a window, keep the keys/values the next window would recompute.

        The reference re-prefills every window. Attention is causal, so positions whose tokens the
        next window shares with what this window fed hold the same keys and values: while the
        history is not yet trimmed and the semantic window has not moved, that is all of them but
        the newest token. Where the window slides, the shared prefix is usually empty.
        """
        if self.done:
            return
        fed = np.concatenate([self.window_tokens, np.array(self.coarse[self.window_start : -1], dtype=np.int64)])
        upcoming = self.window_input()
        n = min(len(fed), len(upcoming) - 1)  # the newest token is always fed: its logits are needed
        mismatch = np.flatnonzero(fed[:n] != upcoming[:n])
        shared = int(mismatch[0]) if mismatch.size else n
        if shared:
            pad = int(cache.pad_left[row])
            self.prefix_kv = cache.row_slice(row, pad, pad + shared)

    @property
    def n_reusable(self) -> int:
        return self.prefix_kv[0].shape[2] if self.prefix_kv is not None else 0

    def codebook_offset(self) -> int:
        """Even steps sample codebook 0, odd steps codebook 1, each within its own 1024 ids."""
        return SEMANTIC_VOCAB_SIZE + (self.step % N_COARSE_CODEBOOKS) * CODEBOOK_SIZE

    def result(self) -> np.ndarray:
        generated = np.array(self.coarse[self.n_history :], dtype=np.int64)
        codes = generated.reshape(-1, N_COARSE_CODEBOOKS).T - SEMANTIC_VOCAB_SIZE  # (2, frames)
        return codes - (np.arange(N_COARSE_CODEBOOKS) * CODEBOOK_SIZE)[:, None]


@torch.inference_mode()
def generate_coarse(model: GPT, rows: list[CoarseRow], progress: Optional[Progress] = None) -> list[np.ndarray]:
    """Semantic tokens to codebooks 0 and 1, (2, frames) per row.

    The reference runs windows of `sliding_window_len` steps, each from a fresh prefill. Here the
    k-th window of every unfinished row runs as one batch: prompts of different lengths are
    left-padded, a row leaves the batch when its window ends, and the positions a row's window
    shares with its previous one are not computed again (`_CoarseState.keep_prefix`).
    """
    device = _device(model)
    states = [_CoarseState(r, g) for r, g in zip(rows, _generators([r.seed for r in rows], device))]
    while True:
        active = [s for s in states if not s.done]
        if not active:
            break
        inputs = [s.window_input() for s in active]
        width = max(len(x) for x in inputs)
        # Columns before `start` come from the previous windows; every row feeds the same columns.
        start = width - max(len(x) - s.n_reusable for s, x in zip(active, inputs))
        batch = np.zeros((len(active), width), dtype=np.int64)
        pad_left = [width - len(x) for x in inputs]
        cache = model.new_cache(len(active), width + max(s.next_window_len for s in active))
        cache.left_pad(torch.tensor(pad_left, device=device), width)
        for j, (s, x, pad) in enumerate(zip(active, inputs, pad_left)):
            batch[j, pad:] = x
            if start > pad:
                cache.put_row_slice(j, pad, tuple(t[:, :, : start - pad] for t in s.prefix_kv))
            s.begin_window(x)
        cache.length = start
        logits = model(torch.from_numpy(batch[:, start:]).to(device), cache=cache).float()
        live = active  # cache row j holds live[j]
        while live:
            kept, fed = [], []
            for j, s in enumerate(live):
                offset = s.codebook_offset()
                opts = s.options
                relevant = logits[j, offset : offset + CODEBOOK_SIZE]
                token = offset + sample_token(
                    relevant, opts.temp, opts.top_k, opts.top_p, s.generator, opts.inverted_top_p, opts.bottom_k
                )[0]
                s.coarse.append(token)
                s.step += 1
                s.window_left -= 1
                if s.window_left > 0:
                    kept.append(j)
                    fed.append(token)
                else:
                    s.keep_prefix(cache, j)
            if not kept:
                break
            live, logits = _feed_live_rows(model, cache, live, kept, fed)
        if progress:
            progress("coarse", sum(s.done for s in states), len(states))
    return [s.result() for s in states]


# ----------------------------------------------------------------------------------------------
# Fine (§5)


class _FineState:
    """One row's code array with history and padding, and its window schedule."""

    def __init__(self, row: FineRow, generator: torch.Generator):
        coarse = np.asarray(row.coarse, dtype=np.int64)
        self.n_coarse, self.n_frames = coarse.shape
        self.options = row.options
        self.generator = generator
        arr = np.vstack([coarse, np.full((N_FINE_CODEBOOKS - self.n_coarse, self.n_frames), FINE_PAD_TOKEN)])
        history = row.prompt.fine[:, -FINE_HISTORY:] if row.prompt is not None else np.zeros((N_FINE_CODEBOOKS, 0))
        self.n_history = history.shape[1]
        arr = np.hstack([history.astype(np.int64), arr])
        self.pad_end = max(0, FINE_WINDOW - arr.shape[1])  # the model is non-causal: fill a whole window
        arr = np.hstack([arr, np.full((N_FINE_CODEBOOKS, self.pad_end), FINE_PAD_TOKEN)])
        self.codes = torch.from_numpy(arr.T.copy())  # (L, 8)
        self.n_windows = max(0, math.ceil((self.n_frames - (FINE_WINDOW - self.n_history)) / FINE_HOP)) + 1

    def window(self, n: int) -> tuple[int, int]:
        """(start of window n, where its predictions start being kept)."""
        length = self.codes.shape[0]
        start = min(n * FINE_HOP, length - FINE_WINDOW)
        fill = min(self.n_history + n * FINE_HOP, length - FINE_HOP)
        return start, fill

    def result(self) -> np.ndarray:
        out = self.codes.numpy().T[:, self.n_history :]
        return out[:, : out.shape[1] - self.pad_end].copy()


def fine_rows_per_call(device: torch.device) -> int:
    """On a CPU one row is already compute-bound, and more rows only push the activations (12 MB
    per row for the MLP alone) out of the L3 cache: 4 rows per call ran 5% slower than 2
    (bark-small shapes, 2 cores, best of 3). A GPU wants as many as fit."""
    return 2 if device.type == "cpu" else 16


@torch.inference_mode()
def generate_fine(
    model: FineGPT, rows: list[FineRow], progress: Optional[Progress] = None, max_batch: Optional[int] = None
) -> list[np.ndarray]:
    """Codebooks 0..n_coarse-1 to all 8, (8, frames) per row.

    Window n of every row that has one runs in batches of `max_batch` (default:
    `fine_rows_per_call`); window n+1 of a row reads what window n wrote, so windows of one row stay
    in order. Each codebook is predicted and written back before the next one is predicted, as
    in the reference.
    """
    device = _device(model)
    max_batch = max_batch or fine_rows_per_call(device)
    states = [_FineState(r, g) for r, g in zip(rows, _generators([r.seed for r in rows], device))]
    for n in range(max((s.n_windows for s in states), default=0)):
        active = [s for s in states if n < s.n_windows]
        for chunk_start in range(0, len(active), max_batch):
            chunk = active[chunk_start : chunk_start + max_batch]
            _fine_window(model, chunk, n, device)
        if progress:
            progress("fine", sum(s.n_windows <= n + 1 for s in states), len(states))
    return [s.result() for s in states]


def _fine_window(model: FineGPT, states: list[_FineState], n: int, device) -> None:
    spans = [s.window(n) for s in states]
    buffers = torch.stack([s.codes[start : start + FINE_WINDOW] for s, (start, _) in zip(states, spans)]).to(device)
    n_coarse = states[0].n_coarse
    assert all(s.n_coarse == n_coarse for s in states), "rows of one fine batch share n_coarse"
    for codebook in range(n_coarse, N_FINE_CODEBOOKS):
        logits = model(codebook, buffers)[:, :, :CODEBOOK_SIZE].float()  # (b, 1024, 1024)
        for j, (s, (start, fill)) in enumerate(zip(states, spans)):
            rel = fill - start
            if s.options.temp is None:
                predictions = torch.argmax(logits[j, rel:], dim=-1)
            else:
                probs = F.softmax(logits[j] / s.options.temp, dim=-1)
                # One draw per position, in order: a 2-D multinomial draws exactly as the reference's
                # loop of 1-D calls does (same values, same generator state after).
                predictions = torch.multinomial(probs[rel:], 1, generator=s.generator)[:, 0]
            buffers[j, rel:, codebook] = predictions
    for j, (s, (start, fill)) in enumerate(zip(states, spans)):
        rel = fill - start
        s.codes[fill : fill + FINE_WINDOW - rel, n_coarse:] = buffers[j, rel:, n_coarse:].cpu()
