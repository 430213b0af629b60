"""Cloning core: reference checks, HuBERT features, both quantizer layouts, safety, candidates, training."""

import json
import logging
import shutil
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf
import torch

from barkflow.engine import cloning as C
from barkflow.engine.cloning import hubert as hubert_module
from barkflow.engine.prompts import load_npz
from barkflow.errors import BarkflowError

SR = 24_000


def voiced_signal(seconds=8.0, rate=22_050, seed=0):
    """Speech-like audio: harmonic 'words' with a moving pitch, separated by pauses."""
    rng = np.random.default_rng(seed)
    out, t = [], 0.0
    while t < seconds:
        word = rng.uniform(0.5, 1.4)
        n = int(word * rate)
        time = np.arange(n) / rate
        f0 = rng.uniform(110, 180) * (1 + 0.1 * np.sin(2 * np.pi * 3 * time))
        phase = 2 * np.pi * np.cumsum(f0) / rate
        voice = sum(np.sin(k * phase) / k for k in range(1, 12))
        envelope = np.sin(np.pi * np.arange(n) / n) ** 0.5 * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * time))
        out += [0.2 * voice * envelope, np.zeros(int(rng.uniform(0.3, 0.6) * rate))]
        t += word + 0.45
    return np.concatenate(out)[: int(seconds * rate)].astype(np.float32)


def speech_wav(path: Path) -> Path:
    """Real speech from espeak-ng when it is installed, else a generated voiced signal."""
    text = "The quick brown fox jumps over the lazy dog. Then it sat down, and looked around. Finally, it went home."
    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
    else:
        sf.write(path, voiced_signal(), 22_050)
    return path


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("ref") / "speech.wav")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    hubert = C.HubertFeatures(str(C.tiny_hubert(root / "hubert")))
    quantizer = C.Quantizer.load(str(C.tiny_quantizer(root / "q.pth", 0)))
    from barkflow.engine.loading import load_codec

    return hubert, quantizer, load_codec("tiny")


# ------------------------------------------------------------------------------ reference audio


def test_short_silent_clipped_references(tmp_path, caplog):
    short = tmp_path / "short.wav"
    sf.write(short, voiced_signal(1.5)[: int(1.5 * 22_050)], 22_050)
    with pytest.raises(BarkflowError, match=r"at least 2 s"):
        C.read_reference(short)
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.full(3 * 16_000, 1e-4, np.float32), 16_000)  # -80 dBFS
    with pytest.raises(BarkflowError, match="silent"):
        C.read_reference(silent)
    clipped = tmp_path / "clipped.wav"
    sf.write(clipped, np.clip(voiced_signal(3.0) * 8, -1, 1), 22_050, subtype="FLOAT")
    with caplog.at_level(logging.WARNING, logger="barkflow.engine.cloning"):
        ref = C.read_reference(clipped)
    assert "clipped" in caplog.text and ref.seconds >= 2
    with pytest.raises(BarkflowError, match="not found"):
        C.read_reference(tmp_path / "nope.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF nonsense")
    with pytest.raises(BarkflowError, match="could not be read"):
        C.read_reference(bad)


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3"])
def test_formats_downmix_and_resample(tmp_path, fmt):
    mono = voiced_signal(2.5, rate=44_100)
    stereo = np.stack([mono, 0.5 * mono], axis=1)
    path = tmp_path / f"ref.{fmt}"
    sf.write(path, stereo, 44_100)
    ref = C.read_reference(path)
    assert ref.sample_rate == 44_100 and ref.sha256 == C.sha256_file(path)
    assert abs(ref.audio_16k.size - 2.5 * 16_000) < 2_000 and abs(ref.audio_24k.size - 2.5 * SR) < 3_000
    assert ref.audio_16k.dtype == np.float32 and ref.audio_24k.dtype == np.float32
    if fmt in ("wav", "flac"):  # lossless: the downmix is the channel mean
        audio, rate = C.read_audio(path)
        np.testing.assert_allclose(audio, 0.75 * mono, atol=1e-3)


# ------------------------------------------------------------------------------ quantizer


@pytest.mark.parametrize("variant, suffix", [(0, ".pth"), (1, ".pth"), (0, ".safetensors"), (1, ".safetensors")])
def test_quantizer_layouts_roundtrip(tmp_path, variant, suffix):
    path = C.tiny_quantizer(tmp_path / f"q{suffix}", variant, input_size=24)
    model = C.load_quantizer_checkpoint(path)
    assert model.info() == {"input_size": 24, "hidden_size": 32, "output_size": 10_000, "version": variant}
    keys = set(model.state_dict())
    assert {"lstm.weight_ih_l0", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "fc.weight", "fc.bias"} <= keys
    assert ("intermediate.weight" in keys) == (variant == 1)
    if suffix == ".pth":  # gitmylo's format: a torch zip with <stem>/.info appended
        with zipfile.ZipFile(path) as z:
            info = [n for n in z.namelist() if n.endswith("/.info")]
            assert len(info) == 1 and json.loads(z.read(info[0]))["version"] == variant
    q = C.Quantizer.load(str(path))
    tokens = q(np.random.default_rng(0).standard_normal((50, 24)).astype(np.float32))
    assert tokens.shape == (50,) and tokens.dtype == np.int64 and tokens.max() < 10_000
    with pytest.raises(BarkflowError, match="24-d HuBERT features"):
        q(np.zeros((5, 768), np.float32))


def test_published_sizes():
    """The real architectures have the parameter counts of the 104 MB and 244 MB files (docs/cloning.md §4.2)."""
    with torch.device("meta"):
        v0 = C.CustomTokenizer(version=0)
        v1 = C.CustomTokenizer(version=1)
    assert sum(p.numel() for p in v0.parameters()) == 25_995_024
    assert sum(p.numel() for p in v1.parameters()) == 60_913_424
    assert v1.intermediate.out_features == 4096 and v1.fc.in_features == 4096


def test_checkpoint_without_info_and_with_wrong_info(tmp_path):
    model = C.tiny_quantizer_model(16, version=1)
    plain = tmp_path / "plain.pth"
    torch.save(model.state_dict(), plain)  # no .info: the architecture is read from the shapes
    assert C.load_quantizer_checkpoint(plain).info()["version"] == 1
    lying = tmp_path / "lying.pth"
    torch.save(model.state_dict(), lying)
    with zipfile.ZipFile(lying, "a") as z:
        z.writestr("lying/.info", json.dumps({"input_size": 768, "hidden_size": 32, "output_size": 10000, "version": 1}))
    with pytest.raises(BarkflowError, match="disagrees"):
        C.load_quantizer_checkpoint(lying)
    other = tmp_path / "other.pth"
    torch.save({"weight": torch.zeros(3)}, other)
    with pytest.raises(BarkflowError, match="not a gitmylo CustomTokenizer"):
        C.load_quantizer_checkpoint(other)


def test_pickled_checkpoint_is_refused_without_running(tmp_path, pickle_payload):
    marker = tmp_path / "PWNED"
    evil = pickle_payload(marker)
    state = C.tiny_quantizer_model(16).state_dict()
    state["extra"] = evil
    path = tmp_path / "evil.pth"
    torch.save(state, path)
    with pytest.raises(BarkflowError, match="pickled Python objects"):
        C.Quantizer.load(str(path))
    assert not marker.exists()


def test_quantizer_sources(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # no network in tests
    assert C.quantizer_identity("tiny") == C.TINY_QUANTIZER_ID
    with pytest.raises(BarkflowError, match="not found"):
        C.resolve_quantizer_path("./missing.pth")
    # a hub file goes through huggingface_hub; offline here, so it is a one-line download error
    with pytest.raises(BarkflowError, match=r"not found in the local Hugging Face cache and the hub is offline.*hf download nobody-xyz/none-xyz q\.pth"):
        C.resolve_quantizer_path("nobody-xyz/none-xyz/q.pth")
    assert C.KNOWN_QUANTIZERS["en-large"].endswith("quantifier_V1_hubert_base_ls960_23.pth")


# ------------------------------------------------------------------------------ HuBERT and candidates


def _hub_cache_with_hubert(root: Path, commit: str, monkeypatch) -> Path:
    """A Hugging Face cache whose facebook/hubert-base-ls960 main branch points at `commit` (tiny weights)."""
    import huggingface_hub.constants

    repo = root / commit[:8] / "models--facebook--hubert-base-ls960"
    C.tiny_hubert(repo / "snapshots" / commit)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(root / commit[:8]))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    return repo / "snapshots" / commit


def test_hub_hubert_identity_pins_the_commit_its_branch_names(tmp_path, monkeypatch):
    source = C.DEFAULT_HUBERT
    first, moved = "1" * 40, "2" * 40
    _hub_cache_with_hubert(tmp_path, first, monkeypatch)
    assert C.hubert_identity(source) == f"hub:{source}@{first}"
    hubert = C.HubertFeatures(source)  # loads from the commit its identity names
    assert hubert.model_id == f"hub:{source}@{first}" and hubert.hidden_size == 32
    # main moved to another commit (here: another cache): another identity, never a stale hit
    _hub_cache_with_hubert(tmp_path, moved, monkeypatch)
    assert C.hubert_identity(source) == f"hub:{source}@{moved}"
    assert C.hubert_identity(f"{source}@{'3' * 40}") == f"hub:{source}@{'3' * 40}"  # a commit pins itself
    with pytest.raises(BarkflowError, match=r"not found in the local Hugging Face cache.*hf download nobody-xyz/no-hubert"):
        C.hubert_identity("nobody-xyz/no-hubert")




def test_hubert_features(models):
    hubert = models[0]
    assert hubert.hidden_size == 32 and hubert.layer == 9
    feats = hubert(np.random.default_rng(0).standard_normal(3 * 16_000).astype(np.float32) * 0.1)
    assert feats.shape == ((3 * 16_000 - 400) // 320 + 1, 32) and feats.dtype == np.float32
    with pytest.raises(BarkflowError, match=r"HuBERT folder \./no-such-hubert not found"):
        C.HubertFeatures("./no-such-hubert")


class _FrameLocalModel(torch.nn.Module):
    """Stands in for HuBERT where every frame depends only on its own 400 samples (HuBERT's first
    conv normalises over the whole clip, so its chunks can never match one pass exactly): then the
    chunked features must equal one pass's, value for value, or the chunks were cut or placed wrong."""

    def forward(self, x, output_hidden_states=True):
        frames = x.unfold(1, hubert_module.HUBERT_RECEPTIVE_FIELD, hubert_module.HUBERT_HOP)
        features = torch.stack([frames.mean(-1), frames.amax(-1), frames.amin(-1), frames[..., 0]], dim=-1)
        return SimpleNamespace(hidden_states=[features] * (hubert_module.HUBERT_LAYER + 1))


def test_hubert_chunks_long_audio_into_the_same_features(models, monkeypatch):
    hubert = models[0]
    audio = np.random.default_rng(1).standard_normal(5 * 16_000 + 123).astype(np.float32) * 0.1
    monkeypatch.setattr(hubert, "model", _FrameLocalModel())
    whole = hubert(audio)
    monkeypatch.setattr(hubert_module, "HUBERT_CHUNK_S", 1.0)  # five chunks and a bit, each with context
    chunked = hubert(audio)
    assert chunked.shape == whole.shape == ((audio.size - 400) // 320 + 1, 4)
    np.testing.assert_array_equal(chunked, whole)


def test_align_and_windows():
    sem, codes = C.align_tokens(np.arange(400), np.zeros((8, 605), np.int64))
    assert (len(sem), codes.shape[1]) == (400, 600)
    sem, codes = C.align_tokens(np.arange(400), np.zeros((8, 590), np.int64))
    assert (len(sem), codes.shape[1]) == (393, 590)
    windows = C.candidate_windows(1000, [(3.0, 3.5), (10.0, 10.2), (19.9, 20.0)])
    assert windows[:2] == [("whole", 0, 1000), ("end", 1000 - 768, 1000)]
    # a window ends 0.1 s into its pause and spans at most 512 tokens; a pause at the very end is `end`
    assert windows[2:] == [("pause-1", 0, 155), ("pause-2", 0, 505)]
    windows = C.candidate_windows(2000, [(30.0, 31.0)])
    assert windows[2] == ("pause-1", 1505 - 512, 1505)


def test_find_pauses():
    rng = np.random.default_rng(0)
    speech = lambda s: 0.3 * rng.standard_normal(int(s * SR))  # noqa: E731
    gap = lambda s: 1e-4 * rng.standard_normal(int(s * SR))  # noqa: E731
    audio = np.concatenate([gap(0.3), speech(2.0), gap(0.5), speech(1.5), gap(0.1), speech(1.0), gap(0.4), speech(1.0), gap(0.3)])
    pauses = C.find_pauses(audio)
    assert [round(a, 1) for a, _ in pauses] == [2.3, 5.4]  # the 0.1 s gap is too short; the ends are not pauses


def test_clone_prompt_candidates(models, speech):
    hubert, quantizer, codec = models
    ref = C.read_reference(speech)
    cands = C.clone_prompt(speech, hubert, quantizer, codec, candidate="all", reference=ref)
    names = [c.name for c in cands]
    assert names[:2] == ["whole", "end"] and any(n.startswith("pause-") for n in names)
    whole = cands[0]
    n = whole.prompt.semantic.size
    assert abs(n / C.HUBERT_FRAME_RATE - ref.seconds) < 0.1
    assert whole.prompt.fine.shape == (8, C.frames_for_tokens(n))
    np.testing.assert_array_equal(whole.prompt.coarse, whole.prompt.fine[:2])
    codes = codec.encode(ref.audio_24k)
    np.testing.assert_array_equal(whole.prompt.fine, codes[:, : whole.prompt.fine.shape[1]])
    feats = hubert(ref.audio_16k)
    np.testing.assert_array_equal(whole.prompt.semantic, quantizer(feats)[:n])
    for c in cands[2:]:
        assert 0 <= c.start_s < c.end_s < ref.seconds and c.prompt.semantic.size <= C.PAUSE_WINDOW_TOKENS
        a = int(round(c.start_s * 50))
        np.testing.assert_array_equal(c.prompt.semantic, whole.prompt.semantic[a : a + c.prompt.semantic.size])
    (end,) = C.clone_prompt(speech, hubert, quantizer, codec, reference=ref)
    assert end.name == "end" and np.array_equal(end.prompt.fine, cands[1].prompt.fine)
    with pytest.raises(BarkflowError, match="no candidate 'pause-99'"):
        C.clone_prompt(speech, hubert, quantizer, codec, candidate="pause-99", reference=ref)
    with pytest.raises(BarkflowError, match="pair a quantizer with its HuBERT"):
        C.clone_prompt(speech, hubert, C.Quantizer.load("tiny", input_size=768), codec, reference=ref)


def test_write_candidate_is_a_bark_voice(models, speech, tmp_path):
    hubert, quantizer, codec = models
    (cand,) = C.clone_prompt(speech, hubert, quantizer, codec, candidate="whole")
    path = C.write_candidate(cand, tmp_path / "me-whole.npz", {"audio_sha256": "abc"})
    assert np.array_equal(load_npz(path).semantic, cand.prompt.semantic)
    meta = C.read_npz_meta(path)
    assert meta["candidate"] == "whole" and meta["audio_sha256"] == "abc" and meta["start_s"] == 0.0


# ------------------------------------------------------------------------------ training


def test_align_targets():
    frames, targets = C.align_targets(1000, np.arange(998))
    assert frames[-1] == 999 and targets[0] == 0 and targets[-1] == 997  # 1000 frames at 50 Hz ≈ 998 at 49.9
    assert np.all(np.abs(targets - frames * 0.998) <= 0.5)
    frames, targets = C.align_targets(100, np.arange(50))
    assert len(frames) == 50 and targets.max() == 49


@pytest.mark.parametrize("version", [0, 1])
def test_training_lowers_the_loss_and_reloads(models, speech, tmp_path, version):
    hubert = models[0]
    ref = C.read_reference(speech)
    n = int(ref.seconds * 49.9)
    tokens = (np.arange(n) // 7) % 40 + 100  # a learnable token stream
    out = tmp_path / f"q{version}.pth"
    losses = C.train_quantizer(
        [(ref.audio_24k, tokens)], out, 12, hubert=hubert, version=version, hidden_size=32, intermediate_size=64, lr=1e-2
    )
    assert len(losses) == 12 and losses[-1] < 0.6 * losses[0]
    q = C.Quantizer.load(str(out))
    assert q.model.info()["version"] == version and q.input_size == 32
    more = C.train_quantizer([(ref.audio_24k, tokens)], out, 2, hubert=hubert, resume=out, lr=1e-2)
    assert more[0] < losses[0]
    with pytest.raises(BarkflowError, match="no usable"):
        C.train_quantizer([(np.zeros(100, np.float32), tokens)], out, 2, hubert=hubert)
    with pytest.raises(BarkflowError, match="1-D ids"):
        C.train_quantizer([(ref.audio_24k, np.full(5, 10_000))], out, 2, hubert=hubert)
