"""EnCodec 24 kHz at 6 kbps: Bark's codes <-> waveform (docs/bark.md §6).

Wraps transformers' `EncodecModel` (never the `encodec` pip package, no torchaudio). Decoding is
exactly the reference's `codec_decode`: the 8 codebook vectors of each frame are looked up and
summed by the quantizer, the SEANet decoder upsamples 320x; no normalisation, no clipping, no
chunking. `load_codec` (loading.py) builds a `Codec` from a source string.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from barkflow.errors import BarkflowError

from .constants import CODEBOOK_SIZE, DEFAULT_CODEC_REPO, N_FINE_CODEBOOKS, SAMPLE_RATE, SAMPLES_PER_FRAME

BANDWIDTH_KBPS = 6.0  # 8 codebooks x 10 bit x 75 Hz


class Codec:
    """codes (B, 8, T) -> audio (B, 320*T) and back, at 24 kHz."""

    sample_rate = SAMPLE_RATE
    samples_per_frame = SAMPLES_PER_FRAME
    n_codebooks = N_FINE_CODEBOOKS

    def __init__(self, model, *, identity: str, where: str = "codec"):
        config = model.config
        # Bark's codes only mean something to EnCodec 24 kHz with >= 8 codebooks of 1024 (§6).
        problems = []
        if config.sampling_rate != SAMPLE_RATE:
            problems.append(f"sampling rate {config.sampling_rate}, expected {SAMPLE_RATE}")
        if int(np.prod(config.upsampling_ratios)) != SAMPLES_PER_FRAME:
            problems.append(f"hop {int(np.prod(config.upsampling_ratios))}, expected {SAMPLES_PER_FRAME}")
        if config.codebook_size != CODEBOOK_SIZE:
            problems.append(f"codebook size {config.codebook_size}, expected {CODEBOOK_SIZE}")
        if config.num_quantizers < N_FINE_CODEBOOKS:
            problems.append(f"{config.num_quantizers} codebooks, expected at least {N_FINE_CODEBOOKS}")
        if problems:
            raise BarkflowError(
                f"the codec of {where} is not EnCodec 24 kHz ({'; '.join(problems)}); "
                f"use {DEFAULT_CODEC_REPO} or a Bark checkpoint as the codec source"
            )
        self.model = model.eval()
        self.identity = identity
        self.where = where

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    @torch.inference_mode()
    def decode(self, codes: torch.Tensor | np.ndarray) -> torch.Tensor:
        """codes: (B, 8, T) integers in [0, 1024) -> (B, 320*T) float32 audio, on the CPU.

        The rows of a batch share T; the decoder's causal convs and LSTM see each row alone, so a
        row decodes the same in any batch (to float rounding).
        """
        codes = torch.as_tensor(codes)
        if codes.dim() != 3 or codes.shape[1] != N_FINE_CODEBOOKS:
            raise ValueError(f"codes must be (batch, {N_FINE_CODEBOOKS}, frames), got {tuple(codes.shape)}")
        if codes.is_floating_point() or codes.is_complex():
            raise ValueError(f"codes must be integers, got {codes.dtype}")
        if codes.numel() and (int(codes.min()) < 0 or int(codes.max()) >= CODEBOOK_SIZE):
            raise ValueError(f"codes must lie in [0, {CODEBOOK_SIZE}), got [{int(codes.min())}, {int(codes.max())}]")
        if codes.shape[2] == 0:
            return torch.zeros(codes.shape[0], 0)
        codes = codes.to(device=self.device, dtype=torch.long).transpose(0, 1)  # (8, B, T), one row per codebook
        embeddings = self.model.quantizer.decode(codes)  # (B, D, T): sum of the 8 codebook vectors
        audio = self.model.decoder(embeddings.to(self.dtype))  # (B, 1, 320*T)
        return audio[:, 0].float().cpu()

    def decode_many(self, codes: Sequence[np.ndarray | torch.Tensor]) -> list[np.ndarray]:
        """Decode items of different lengths: (8, T_i) each -> (320*T_i,) float32 each, in order.

        Each item is decoded alone. Batching rows changes the convolutions' blocking and with it the
        last bits of the floats; a segment's audio must be bit-identical whichever segments happen to
        be decoded beside it (a rerun after a crash, or another process, groups them differently).
        The decoder is a small share of Bark's time, so this costs little.
        """
        return [self.decode(torch.as_tensor(np.asarray(item))[None])[0].numpy() for item in codes]

    @torch.inference_mode()
    def encode(self, audio: np.ndarray | torch.Tensor) -> np.ndarray:
        """Mono float audio (n,) at 24 kHz -> (8, ceil(n/320)) int64 codes at 6 kbps (for voice cloning)."""
        if BANDWIDTH_KBPS not in self.model.config.target_bandwidths:
            raise BarkflowError(
                f"the codec of {self.where} has no {BANDWIDTH_KBPS} kbps mode "
                f"(it has {self.model.config.target_bandwidths}); use {DEFAULT_CODEC_REPO} as the codec source"
            )
        x = torch.as_tensor(np.asarray(audio, dtype=np.float32))
        if x.dim() != 1 or x.numel() == 0:
            raise ValueError(f"audio must be a non-empty 1-D array of samples, got shape {tuple(x.shape)}")
        x = x.to(device=self.device, dtype=self.dtype)[None, None]  # (batch 1, channel 1, n)
        out = self.model.encode(x, bandwidth=BANDWIDTH_KBPS, return_dict=True)
        codes = out.audio_codes[0, 0, :N_FINE_CODEBOOKS]  # (chunks=1, batch, quantizers, T) -> (8, T)
        return codes.cpu().numpy().astype(np.int64)
