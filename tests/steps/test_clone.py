"""The cached clone step end to end (tiny HuBERT, quantizer and codec in their real layouts), the
clone voice through resolve_voice, quantizer training from the cache, and the clone/train CLI."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from barkflow import voices_cli
from barkflow.engine import cloning as C
from barkflow.engine.loading import load_codec
from barkflow.engine.prompts import load_npz
from barkflow.errors import BarkflowError
from barkflow.planning.config import VoiceConfig
from barkflow.planning.voices import list_voices, prompt_key, resolve_voice
from barkflow.steps import clone as step
from barkflow.steps.clone import CloneConfig
from barkflow.store.cache import Store


def speech_wav(path: Path) -> Path:
    """Real speech from espeak-ng when installed, else a generated voiced signal with pauses."""
    text = "Hello, my name is Ada. I read stories aloud. This is how I sound when I speak slowly."
    if shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
        return path
    rate, rng, parts = 22_050, np.random.default_rng(0), []
    for _ in range(10):
        n = int(rng.uniform(0.4, 1.0) * rate)
        phase = 2 * np.pi * np.cumsum(np.full(n, rng.uniform(110, 180))) / rate
        parts += [0.2 * sum(np.sin(k * phase) / k for k in range(1, 10)) * np.hanning(n), np.zeros(int(0.35 * rate))]
    sf.write(path, np.concatenate(parts).astype(np.float32), rate)
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("clone")
    hubert_dir = C.tiny_hubert(root / "hubert")
    quantizer = C.tiny_quantizer(root / "q.pth", 1)
    return {
        "root": root,
        "audio": speech_wav(root / "ada.wav"),
        "hubert": str(hubert_dir),
        "quantizer": str(quantizer),
        "codec": load_codec("tiny"),
    }


def _run(env, store, clone, **kw):
    codec = env["codec"]
    return step.run(clone, store, codec=codec, codec_id=codec.identity, **kw)


def test_clone_step_caches_by_content(env, tmp_path, monkeypatch):
    store = Store(tmp_path / "cache")
    clone = CloneConfig(audio=str(env["audio"]), hubert=env["hubert"], quantizer=env["quantizer"])
    prompt = _run(env, store, clone)
    assert prompt.semantic.size > 100 and prompt.fine.shape == (8, C.frames_for_tokens(prompt.semantic.size))
    sha = C.sha256_file(env["audio"])
    ids = step.model_ids(clone, env["codec"].identity)
    key = step.cache_key(clone, sha, ids)
    meta = store.meta(step.NAME, key)
    assert meta["audio_sha256"] == sha and meta["candidate"] == "end" and meta["model_ids"] == ids
    assert ids["quantizer"] == "sha256:" + C.sha256_file(env["quantizer"]) and ids["hubert"].startswith("folder:")
    # the same recording elsewhere is a cache hit: nothing is loaded or computed
    moved = tmp_path / "renamed.wav"
    shutil.copy(env["audio"], moved)

    def boom(*a, **k):
        raise AssertionError("recomputed")

    monkeypatch.setattr(C, "HubertFeatures", boom)
    again = _run(env, store, CloneConfig(audio=str(moved), hubert=env["hubert"], quantizer=env["quantizer"]))
    assert prompt_key(again) == prompt_key(prompt)
    # the key follows the candidate, the recording's content and the models
    other = CloneConfig(audio=str(env["audio"]), candidate="whole", hubert=env["hubert"], quantizer=env["quantizer"])
    assert step.cache_key(other, sha, ids) != key
    assert step.cache_key(clone, "0" * 64, ids) != key
    assert step.cache_key(clone, sha, dict(ids, codec="other")) != key


def test_clone_step_candidates_and_errors(env, tmp_path):
    store = Store(tmp_path / "cache")
    base = dict(hubert=env["hubert"], quantizer=env["quantizer"])
    whole = _run(env, store, CloneConfig(audio=str(env["audio"]), candidate="whole", **base))
    end = _run(env, store, CloneConfig(audio=str(env["audio"]), **base))
    assert whole.semantic.size >= end.semantic.size
    # relative audio paths are tried next to the voice entry
    rel = _run(env, store, CloneConfig(audio="ada.wav", **base), base_dir=env["root"])
    assert prompt_key(rel) == prompt_key(end)
    with pytest.raises(BarkflowError, match="clone.audio .* not found"):
        _run(env, store, CloneConfig(audio="missing.wav", **base))
    with pytest.raises(BarkflowError, match="no candidate 'pause-42'"):
        _run(env, store, CloneConfig(audio=str(env["audio"]), candidate="pause-42", **base))
    short = tmp_path / "short.wav"
    sf.write(short, np.zeros(16_000, np.float32) + 0.1, 16_000)
    with pytest.raises(BarkflowError, match="at least 2 s"):
        _run(env, store, CloneConfig(audio=str(short), **base))


def test_clone_voice_through_resolve_voice(env, tmp_path):
    """A library entry with clone: runs the cached step with the tiny bundle's codec (default runner)."""
    store = Store(tmp_path / "cache")
    lib = tmp_path / "voices"
    lib.mkdir()
    shutil.copy(env["audio"], lib / "ada.wav")
    (lib / "ada.yaml").write_text(
        f"clone: {{audio: ada.wav, hubert: {env['hubert']}, quantizer: tiny}}\nlanguage: en\ndescription: Ada\n"
    )
    inline = {"narrator": VoiceConfig(source="ada", prefix="[WOMAN]")}
    voice = resolve_voice("narrator", inline=inline, library_dirs=[lib], preset_source="tiny", store=store)
    assert voice.origin == "clone" and voice.config.language == "en" and voice.config.prefix == "[WOMAN]"
    direct = _run(env, Store(tmp_path / "c2"), CloneConfig(audio=str(lib / "ada.wav"), hubert=env["hubert"], quantizer="tiny"))
    assert voice.key == prompt_key(direct)
    assert any(i.name == "ada" and i.origin == "clone" for i in list_voices([lib], ""))


def test_train_from_cache_then_clone_with_it(env, tmp_path, capsys):
    """Pairs the runner stored (semantic tokens + decoded audio) train a quantizer the clone step then uses."""
    store = Store(tmp_path / "cache")
    ref = C.read_reference(env["audio"])
    n = int(ref.seconds * 49.9)
    tokens = ((np.arange(n) // 5) % 30 + 500).astype(np.int64)
    store.save("semantic", "sem1", {"tokens": tokens}, {"segment": "l0000-s00"})
    store.save("decode", "dec1", {"audio": ref.audio_24k}, {"semantic_key": "sem1"})
    store.save("decode", "dec2", {"audio": ref.audio_24k[:48_000]}, {})  # names no semantic entry: skipped
    pairs = step.training_pairs(store.root)
    assert len(pairs) == 1 and np.array_equal(pairs[0][1], tokens)

    out = tmp_path / "trained.pth"
    argv = ["train-quantizer", "--data", str(store.root), "--out", str(out), "--steps", "8", "--hubert", env["hubert"],
            "--hidden", "32", "--version", "0", "--lr", "0.02"]
    assert voices_cli.main(argv) == 0
    assert "loss" in capsys.readouterr().out and C.Quantizer.load(str(out)).model.info()["version"] == 0

    clone = CloneConfig(audio=str(env["audio"]), candidate="whole", hubert=env["hubert"], quantizer=str(out))
    prompt = _run(env, Store(tmp_path / "c2"), clone)
    tiny = _run(env, Store(tmp_path / "c3"), CloneConfig(audio=str(env["audio"]), candidate="whole", hubert=env["hubert"], quantizer=env["quantizer"]))
    assert prompt.semantic.shape == tiny.semantic.shape and not np.array_equal(prompt.semantic, tiny.semantic)
    assert np.isin(prompt.semantic, np.unique(tokens)).mean() > 0.5  # it learned the training vocabulary

    empty = Store(tmp_path / "empty")
    empty.save("decode", "x1", {"audio": ref.audio_24k}, {})
    with pytest.raises(BarkflowError, match="do not name their semantic entry"):
        step.training_pairs(empty.root)


def test_training_pairs_from_a_folder(env, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(env["audio"], data / "a.wav")
    np.save(data / "a.npy", np.arange(100))
    shutil.copy(env["audio"], data / "b.wav")  # no tokens: skipped
    pairs = step.training_pairs(data)
    assert len(pairs) == 1 and pairs[0][0].dtype == np.float32
    (tmp_path / "none").mkdir()
    with pytest.raises(BarkflowError, match="no training pairs"):
        step.training_pairs(tmp_path / "none")
    with pytest.raises(BarkflowError, match="not a folder"):
        step.training_pairs(tmp_path / "missing")


def test_cli_clone_writes_candidates(env, tmp_path, capsys):
    lib = tmp_path / "voices"
    argv = ["clone", str(env["audio"]), "--name", "ada", "--library", str(lib), "--hubert", env["hubert"],
            "--quantizer", env["quantizer"], "--codec", "tiny"]
    assert voices_cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "ada-end" in out and (lib / "ada.yaml").is_file()
    for name in ("whole", "end"):
        meta = C.read_npz_meta(lib / f"ada-{name}.npz")
        assert meta["candidate"] == name and meta["audio_sha256"] == C.sha256_file(env["audio"])
        assert meta["model_ids"]["codec"] == env["codec"].identity
    assert list(lib.glob("ada-pause-*.npz"))
    voice = resolve_voice("ada", inline={}, library_dirs=[lib], preset_source="", store=None)
    assert voice.origin == "library" and voice.key == prompt_key(load_npz(lib / "ada-end.npz"))
    assert voices_cli.main(argv) == 2  # exists
    assert "already exists" in capsys.readouterr().err
    assert voices_cli.main(["clone", str(tmp_path / "none.wav"), "--name", "x", "--library", str(lib)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: reference audio") and "\n" not in err


def test_training_tokens_are_size_checked_before_reading(env, tmp_path):
    import tracemalloc
    import zipfile

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(env["audio"], data / "a.wav")
    with zipfile.ZipFile(data / "a.npz", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("tokens.npy", "w", force_zip64=True) as f:  # 64 MB of zeros, ~64 KB on disk
            np.lib.format.write_array_header_1_0(f, {"descr": "<i8", "fortran_order": False, "shape": (2**23,)})
            for _ in range(64):
                f.write(bytes(1 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(BarkflowError, match="tokens declares shape") as err:
            step.training_pairs(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20 and "\n" not in str(err.value)
    (data / "a.npz").unlink()
    np.save(data / "a.npy", np.zeros((2, 5), np.int64))
    with pytest.raises(BarkflowError, match="1-D integer arrays"):
        step.training_pairs(data)
