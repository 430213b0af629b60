"""Speech recognisers for the verify step: one small interface, any backend.

A recogniser hears one language at a time (an ISO code such as "en"; the verify step groups takes
by their voice's language). It has `identity(language)`: a string that changes whenever its
transcripts in that language could (the cache key of a transcript includes it), raising a one-line
error for a language it cannot hear; and `transcribe(audios, language)`: 24 kHz mono float arrays
in, one transcript each out. Models load on the first `transcribe`, so planning and a fully cached
rerun load nothing.

- `sphinx`: PocketSphinx and the English model its wheel ships; no download, rough but offline.
  English only.
- `whisper`: transformers' Whisper, `verify.source` for English voices and
  `verify.multilingual_source` for voices of any other language (an English-only model such as
  whisper-base.en is better at English than the multilingual model of its size). Each is a hub id
  (pinned to a commit like every source), a local folder in the Hugging Face layout, or
  `tiny-whisper`: a tiny random-weight bundle built here (a byte-level tokenizer with no merges,
  two small layers) for plumbing tests; it hears gibberish.
"""

from __future__ import annotations

import json
import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from barkflow.engine.constants import SAMPLE_RATE
from barkflow.errors import BarkflowError, user_path

log = logging.getLogger(__name__)

SPHINX_RATE = 16_000  # the rate the bundled English acoustic model was trained at
WHISPER_RATE = 16_000  # Whisper's feature extractor expects 16 kHz
TINY_WHISPER = "tiny-whisper"
TINY_WHISPER_VERSION = 2  # bump when the tiny bundle changes: its folder name changes with it
ENGLISH = "en"
# Bark's languages: the tiny bundle knows their language tokens, so any Bark voice can be verified with it.
BARK_LANGUAGES = ("en", "de", "es", "fr", "hi", "it", "ja", "ko", "pl", "pt", "ru", "tr", "zh")
# Files of a Whisper folder; the first two must be there, the rest are read when present.
WHISPER_FILES = ("config.json", "model.safetensors")
WHISPER_EXTRA_FILES = (
    "generation_config.json", "preprocessor_config.json", "processor_config.json", "tokenizer.json",
    "tokenizer_config.json", "vocab.json", "merges.txt", "normalizer.json", "added_tokens.json",
    "special_tokens_map.json",
)


class Recogniser(Protocol):
    def identity(self, language: str) -> str: ...

    def transcribe(self, audios: Sequence[np.ndarray], language: str) -> list[str]: ...


def resample(audio: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Audio as mono float32 at `to_rate` (soxr's high-quality resampler)."""
    import soxr

    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    return soxr.resample(audio, from_rate, to_rate) if from_rate != to_rate else audio


def to_pcm16(audio: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Float audio in [-1, 1] at `from_rate` as 16-bit PCM at `to_rate`."""
    return (np.clip(resample(audio, from_rate, to_rate), -1.0, 1.0) * 32767).astype(np.int16)


class SphinxRecogniser:
    """PocketSphinx with its bundled US English model (acoustic model, language model, dictionary)."""

    def __init__(self) -> None:
        try:
            import pocketsphinx
        except ImportError:
            raise BarkflowError(
                "verify=sphinx needs PocketSphinx: pip install pocketsphinx (or choose verify=whisper or none)"
            ) from None
        self._pocketsphinx = pocketsphinx
        self._decoder = None

    def identity(self, language: str) -> str:
        if language != ENGLISH:
            raise BarkflowError(
                f"verify=sphinx hears English only, and a voice here speaks {language!r}: "
                f"use verify=whisper for it (or set the voice's language to en if that is wrong)"
            )
        try:
            release = version("pocketsphinx")
        except PackageNotFoundError:
            release = "unknown"
        # The model ships inside the wheel, so the release pins its files; the folder name says which model.
        return f"sphinx|pocketsphinx {release}|{Path(self._pocketsphinx.get_model_path()).name}/en-us"

    def transcribe(self, audios: Sequence[np.ndarray], language: str = ENGLISH) -> list[str]:
        self.identity(language)  # English only
        if self._decoder is None:
            self._decoder = self._pocketsphinx.Decoder(samprate=SPHINX_RATE, loglevel="FATAL")
        transcripts = []
        for audio in audios:
            pcm = to_pcm16(audio, SAMPLE_RATE, SPHINX_RATE)
            if not pcm.size:  # PocketSphinx fails on an empty buffer; nothing was said
                transcripts.append("")
                continue
            self._decoder.start_utt()
            self._decoder.process_raw(pcm.tobytes(), no_search=False, full_utt=True)
            self._decoder.end_utt()
            hypothesis = self._decoder.hyp()
            transcripts.append(hypothesis.hypstr if hypothesis is not None else "")
        return transcripts


class WhisperRecogniser:
    """Whisper for each language: `source` hears English, `multilingual_source` every other
    language (each loaded on first use, so an English book never resolves the multilingual one)."""

    def __init__(self, source: str, multilingual_source: str = "", device: str = "cpu"):
        self.sources = {ENGLISH: ("verify.source", source), "other": ("verify.multilingual_source", multilingual_source)}
        self.device = device
        self._models: dict[str, WhisperModel] = {}
        self._model(ENGLISH)  # a bad source fails before anything renders

    def _model(self, language: str) -> "WhisperModel":
        which = ENGLISH if language == ENGLISH else "other"
        if which not in self._models:
            where, source = self.sources[which]
            self._models[which] = WhisperModel(source, self.device, where)
        return self._models[which]

    def identity(self, language: str) -> str:
        model = self._model(language)
        model.check_language(language)
        return f"{model.identity}|language={language}"

    def transcribe(self, audios: Sequence[np.ndarray], language: str = ENGLISH) -> list[str]:
        return self._model(language).transcribe(audios, language)


class WhisperModel:
    """One transformers Whisper checkpoint, batched and greedy (the same take always gives the same transcript)."""

    def __init__(self, source: str, device: str, where: str):
        from barkflow.engine.sources import HubRepo, LocalRepo, parse_hub_repo, repo_identity

        text = (source or "").strip()
        if not text:
            raise BarkflowError(
                f"verify=whisper needs {where}: a hub id such as openai/whisper-base.en, a folder, or tiny-whisper"
            )
        path = user_path(text)
        if text == TINY_WHISPER:
            repo = LocalRepo(tiny_whisper_dir())
        elif path.is_dir():
            repo = LocalRepo(path.resolve())
        elif (hub := parse_hub_repo(text)) is not None:
            repo = HubRepo(*hub)
        else:
            raise BarkflowError(f"{where}={text}: no such folder; give a hub id such as openai/whisper-base.en")
        self._files = [repo.file(name, where=where) for name in WHISPER_FILES]
        for name in WHISPER_EXTRA_FILES:
            repo.file(name, required=False, where=where)
        self._folder = self._files[0].parent  # a hub snapshot holds every file of one commit
        self.where = where
        self.device = device
        self.identity = repo_identity("whisper", repo, self._files, None, where) + "|greedy"
        self.languages = _whisper_languages(self._folder / "generation_config.json")
        self._model = self._processor = None

    def check_language(self, language: str) -> None:
        """A one-line error, before anything renders, for a language this checkpoint cannot hear."""
        if self.languages is None:  # English-only
            if language != ENGLISH:
                raise BarkflowError(
                    f"{self.where} is an English-only Whisper, and a voice here speaks {language!r}: set "
                    f"verify.multilingual_source to a multilingual one such as openai/whisper-base"
                )
        elif language not in self.languages:
            raise BarkflowError(f"{self.where}: this Whisper does not know the language {language!r}; "
                                f"fix the voice's language (an ISO code such as de)")

    def _load(self) -> None:
        import torch
        from transformers import WhisperForConditionalGeneration, WhisperProcessor

        device = self.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self._processor = WhisperProcessor.from_pretrained(self._folder, local_files_only=True)
        model = WhisperForConditionalGeneration.from_pretrained(self._folder, local_files_only=True)
        self._model = model.to(device).eval()
        self.device = device

    def transcribe(self, audios: Sequence[np.ndarray], language: str) -> list[str]:
        import torch

        if self._model is None:
            self._load()
        self.check_language(language)
        # A multilingual model is told the language rather than left to guess it from a few seconds.
        options = {} if self.languages is None else {"language": language, "task": "transcribe"}
        speech = [resample(a, SAMPLE_RATE, WHISPER_RATE) for a in audios]
        speech = [a if a.size else np.zeros(WHISPER_RATE // 10, np.float32) for a in speech]  # silence for none
        features = self._processor.feature_extractor(
            speech, sampling_rate=WHISPER_RATE, return_tensors="pt"
        ).input_features.to(self.device)
        with torch.inference_mode():
            ids = self._model.generate(features, do_sample=False, **options)
        return [t.strip() for t in self._processor.batch_decode(ids, skip_special_tokens=True)]


def _whisper_languages(generation_config: Path) -> "set[str] | None":
    """The language codes a checkpoint's generation config names, or None for an English-only model."""
    try:
        config = json.loads(generation_config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no generation config: transformers treats the model as English-only too
    if not config.get("is_multilingual"):
        return None
    return {token.strip("<|>") for token in config.get("lang_to_id", {})}


def write_tiny_whisper(out: Path, seed: int = 0) -> Path:
    """A random-weight Whisper in the Hugging Face layout: model, generation config, processor."""
    import torch
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
    )
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab = {char: i for i, char in enumerate(bytes_to_unicode().values())}  # every byte; no merges
    end = "<|endoftext|>"
    tokenizer = WhisperTokenizer(vocab=vocab, merges=[], unk_token=end, bos_token=end, eos_token=end, pad_token=end)
    languages = [f"<|{code}|>" for code in BARK_LANGUAGES]
    specials = ["<|startoftranscript|>", *languages, "<|translate|>", "<|transcribe|>", "<|startoflm|>",
                "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>"]  # fmt: skip
    tokenizer.add_special_tokens({"additional_special_tokens": specials})
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in [end, *specials]}
    config = WhisperConfig(
        vocab_size=len(tokenizer), num_mel_bins=80, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, d_model=32, encoder_ffn_dim=64, decoder_ffn_dim=64, max_source_positions=1500,
        max_target_positions=64, decoder_start_token_id=ids["<|startoftranscript|>"], eos_token_id=ids[end],
        pad_token_id=ids[end], bos_token_id=ids[end],
    )
    torch.manual_seed(seed)
    model = WhisperForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        decoder_start_token_id=ids["<|startoftranscript|>"], eos_token_id=ids[end], pad_token_id=ids[end],
        no_timestamps_token_id=ids["<|notimestamps|>"], lang_to_id={token: ids[token] for token in languages},
        task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
        is_multilingual=True, max_length=24, begin_suppress_tokens=[], suppress_tokens=[],
    )
    model.save_pretrained(out)
    WhisperProcessor(WhisperFeatureExtractor(feature_size=80), tokenizer).save_pretrained(out)
    (out / "bundle.json").write_text(json.dumps({"name": TINY_WHISPER, "version": TINY_WHISPER_VERSION, "seed": seed}))
    return out


def tiny_whisper_dir() -> Path:
    """The tiny Whisper bundle's folder, built on first use."""
    from barkflow.engine.bundles import built_once

    return built_once(f"{TINY_WHISPER}-{TINY_WHISPER_VERSION}", write_tiny_whisper, "tiny random Whisper bundle")


def make_recogniser(config) -> Recogniser:
    """The recogniser a VerifyConfig names."""
    if config.recogniser == "sphinx":
        return SphinxRecogniser()
    if config.recogniser == "whisper":
        return WhisperRecogniser(config.source, config.multilingual_source, config.device)
    raise BarkflowError(f"verify.recogniser is {config.recogniser!r}: set it to sphinx or whisper, or none to skip verifying")
