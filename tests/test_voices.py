"""Voices: every source (inline, library yaml/npz, presets, .npz paths, random), validation, safety, list/add/CLI."""

import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow import voices_cli
from barkflow.engine.prompts import VoicePrompt, load_npz
from barkflow.errors import BarkflowError
from barkflow.planning.config import VoiceConfig, load_voice_file
from barkflow.planning.voices import (
    VoiceInfo,
    add_voice,
    builtin_library_dir,
    list_voices,
    merge_configs,
    prompt_key,
    resolve_voice,
)

REPO = Path(__file__).resolve().parents[1]


def _suno_prompts():
    sys.modules.setdefault("encodec", types.SimpleNamespace(EncodecModel=None))
    try:
        import bark
    except Exception:  # noqa: BLE001
        return None
    path = Path(bark.__file__).parent / "assets" / "prompts"
    return path if (path / "announcer.npz").is_file() else None


SUNO = _suno_prompts()
needs_suno = pytest.mark.skipif(SUNO is None, reason="Suno's bark package (its preset .npz files) is not installed")


def arrays(n=100, seed=0):
    rng = np.random.default_rng(seed)
    m = (3 * n + 1) // 2
    fine = rng.integers(0, 1024, (8, m))
    return {"semantic_prompt": rng.integers(0, 10_000, n), "coarse_prompt": fine[:2].copy(), "fine_prompt": fine.astype(np.int32)}


def write(path: Path, **arrs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrs)
    return path


def resolve(ref, *, inline=None, library=(), presets="", clone_runner=None):
    return resolve_voice(ref, inline=inline or {}, library_dirs=list(library), preset_source=presets, store=None, clone_runner=clone_runner)


# ------------------------------------------------------------------------------ sources


def test_npz_path_voice(tmp_path):
    path = write(tmp_path / "line.npz", **arrays())
    voice = resolve(str(path))
    assert voice.origin == "npz" and voice.prompt.semantic.dtype == np.int64 and voice.prompt.fine.dtype == np.int64
    assert voice.key == prompt_key(voice.prompt) and len(voice.key) == 32
    assert voice.config.source == str(path)


@pytest.mark.parametrize("ref", ["random", "", "RANDOM"])
def test_random_is_no_prompt(ref):
    voice = resolve(ref)
    assert voice.prompt is None and voice.key == "none" and voice.origin == "none"


def test_library_yaml_and_npz(tmp_path):
    lib = tmp_path / "lib"
    write(lib / "bare.npz", **arrays(seed=1))
    write(lib / "clips" / "take3.npz", **arrays(seed=2))
    (lib / "warm.yaml").write_text(
        "source: clips/take3.npz\nlanguage: en\nprefix: '[MAN]'\nsampling: {semantic: {temp: 0.6}}\n"
    )
    bare = resolve("bare", library=[lib])
    assert bare.origin == "library" and np.array_equal(bare.prompt.semantic, arrays(seed=1)["semantic_prompt"])
    warm = resolve("warm", library=[lib])  # relative source: next to the entry
    assert warm.origin == "library" and warm.config.prefix == "[MAN]" and warm.config.sampling == {"semantic": {"temp": 0.6}}
    assert warm.key == prompt_key(load_npz(lib / "clips" / "take3.npz"))


def test_entry_named_like_its_npz(tmp_path):
    """x.yaml with source x uses the x.npz beside it (no endless recursion)."""
    write(tmp_path / "x.npz", **arrays(seed=3))
    (tmp_path / "x.yaml").write_text("source: x\ndescription: mine\n")
    voice = resolve("x", library=[tmp_path])
    assert voice.origin == "library" and voice.config.description == "mine" and voice.prompt is not None


def test_inline_chain_merges_configs(tmp_path):
    write(tmp_path / "base.npz", **arrays(seed=4))
    (tmp_path / "narr.yaml").write_text(
        "source: base.npz\nlanguage: en\nhistory: chain\nsampling: {semantic: {temp: 0.6, top_k: 50}}\n"
    )
    inline = {"narrator": VoiceConfig(source="narr", prefix="[MAN]", sampling={"semantic": {"temp": 0.8}})}
    voice = resolve("narrator", inline=inline, library=[tmp_path])
    assert voice.name == "narrator" and voice.origin == "library"
    assert voice.config.prefix == "[MAN]" and voice.config.history == "chain" and voice.config.language == "en"
    assert voice.config.sampling == {"semantic": {"temp": 0.8, "top_k": 50}}
    assert voice.config.source == "narr"


def test_merge_configs_outer_wins():
    merged = merge_configs(VoiceConfig(source="a", language=""), VoiceConfig(source="b", language="de", suffix="!"))
    assert (merged.source, merged.language, merged.suffix) == ("a", "de", "!")


def test_lookup_order(tmp_path):
    lib1, lib2 = tmp_path / "l1", tmp_path / "l2"
    write(lib1 / "v.npz", **arrays(seed=5))
    write(lib2 / "v.npz", **arrays(seed=6))
    write(tmp_path / "presets" / "v.npz", **arrays(seed=7))
    assert resolve("v", library=[lib1, lib2]).key == prompt_key(load_npz(lib1 / "v.npz"))
    assert resolve("v", library=[lib2, lib1]).key == prompt_key(load_npz(lib2 / "v.npz"))
    assert resolve("v", library=[], presets=str(tmp_path / "presets")).origin == "preset"
    inline = {"v": VoiceConfig(source=str(tmp_path / "presets" / "v.npz"))}
    voice = resolve("v", inline=inline, library=[lib1], presets=str(tmp_path / "presets"))
    assert voice.origin == "npz" and voice.key == prompt_key(load_npz(tmp_path / "presets" / "v.npz"))
    # an inline voice named like a preset may point at that preset
    inline = {"v": VoiceConfig(source="v", suffix="!")}
    voice = resolve("v", inline=inline, presets=str(tmp_path / "presets"))
    assert voice.origin == "preset" and voice.config.suffix == "!"


def test_unknown_voice_lists_close_matches(tmp_path):
    (tmp_path / "narrator.yaml").write_text("source: random\n")
    with pytest.raises(BarkflowError) as err:
        resolve("narator", inline={"narrative": VoiceConfig()}, library=[tmp_path])
    msg = str(err.value)
    assert "'narator'" in msg and "narrator" in msg and str(tmp_path) in msg and "\n" not in msg
    with pytest.raises(BarkflowError, match="not found"):
        resolve(str(tmp_path / "missing.npz"))


def test_a_voice_under_an_unknown_users_home_is_a_one_line_error():
    """'~0' (the fuzzed cast found it) asks for user 0's home, which pathlib cannot find."""
    with pytest.raises(BarkflowError, match=r"~0: no home folder for '~0'; write the path in full") as err:
        resolve("~0")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("ref", ["a" * 300, "voices/" + "b" * 251, "a/" * 3000])
def test_a_voice_name_too_long_for_a_file_name_is_a_one_line_error(tmp_path, ref):
    """Looked up as a file, such a name made the system raise ENAMETOOLONG instead of not finding it."""
    with pytest.raises(BarkflowError, match="at most 250 bytes") as err:
        resolve(ref, library=[tmp_path])
    assert "\n" not in str(err.value)


def test_voice_cycle_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text("source: b\n")
    (tmp_path / "b.yaml").write_text("source: a\n")
    with pytest.raises(BarkflowError, match="'a'"):
        resolve("a", library=[tmp_path])


def test_clone_voice_uses_the_runner(tmp_path):
    seen = []
    prompt = VoicePrompt.from_arrays(arrays(seed=8))

    def runner(clone, base_dir=None):
        seen.append((clone.audio, base_dir))
        return prompt

    (tmp_path / "me.yaml").write_text("clone: {audio: me.wav}\nlanguage: en\n")
    voice = resolve("me", library=[tmp_path], clone_runner=runner)
    assert voice.origin == "clone" and voice.key == prompt_key(prompt) and seen == [("me.wav", tmp_path)]
    inline = {"host": VoiceConfig(source="me", prefix="[WOMAN]")}
    assert resolve("host", inline=inline, library=[tmp_path], clone_runner=runner).origin == "clone"


# ------------------------------------------------------------------------------ validation


def _bad(tmp_path, name, **changes):
    a = arrays()
    a.update(changes)
    for k in [k for k, v in a.items() if v is None]:
        del a[k]
    return write(tmp_path / f"{name}.npz", **a)


@pytest.mark.parametrize(
    "name, changes, match",
    [
        ("missing", {"fine_prompt": None}, "missing fine_prompt"),
        ("sem2d", {"semantic_prompt": np.zeros((2, 50), np.int64)}, "semantic_prompt must be 1-D"),
        ("semrange", {"semantic_prompt": np.full(100, 10_000)}, "ids must be in 0..9999"),
        ("semneg", {"semantic_prompt": np.full(100, -1)}, "ids must be in 0..9999"),
        ("coarserows", {"coarse_prompt": np.zeros((3, 150), np.int64)}, r"coarse_prompt must have shape \(2, frames\)"),
        ("finerows", {"fine_prompt": np.zeros((7, 150), np.int64)}, r"fine_prompt must have shape \(8, frames\)"),
        ("coderange", {"coarse_prompt": np.full((2, 150), 1024)}, "codes must be in 0..1023"),
        ("ratio", {"coarse_prompt": np.zeros((2, 100), np.int64)}, "ratio of 1.5"),
        ("floaty", {"semantic_prompt": np.zeros(100, np.float32)}, "dtype float32"),
    ],
)
def test_each_validation_failure_names_check_and_file(tmp_path, name, changes, match):
    path = _bad(tmp_path, name, **changes)
    with pytest.raises(BarkflowError, match=match) as err:
        resolve(str(path))
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_odd_dtypes_are_cast(tmp_path):
    a = {k: v.astype(np.uint16) for k, v in arrays().items()}
    voice = resolve(str(write(tmp_path / "u16.npz", **a)))
    assert all(x.dtype == np.int64 for x in (voice.prompt.semantic, voice.prompt.coarse, voice.prompt.fine))


def test_pickled_npz_is_refused_without_running(tmp_path, pickle_payload):
    marker = tmp_path / "PWNED"
    evil = pickle_payload(marker)
    a = arrays()
    a["semantic_prompt"] = np.array([evil], dtype=object)
    path = write(tmp_path / "evil.npz", **a)
    with pytest.raises(BarkflowError, match="pickled"):
        resolve(str(path))
    with pytest.raises(BarkflowError, match="pickled"):
        add_voice(path, "evil", tmp_path / "lib")
    assert not marker.exists()
    assert not (tmp_path / "lib" / "evil.npz").exists()


def test_not_an_npz(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(BarkflowError) as err:  # np.load falls back to unpickling junk: refused either way
        resolve(str(path))
    assert str(path) in str(err.value)


# ------------------------------------------------------------------------------ Suno presets


@needs_suno
@pytest.mark.parametrize("name, n, m", [("v2/en_speaker_6", 309, 464), ("announcer", 499, 750)])
def test_suno_presets_from_a_local_folder(name, n, m):
    voice = resolve(name, presets=str(SUNO))
    assert voice.origin == "preset" and voice.prompt.semantic.shape == (n,) and voice.prompt.coarse.shape == (2, m)
    assert voice.prompt.fine.dtype == np.int64  # int32 (v2) and uint16 (announcer) are cast
    raw = np.load(SUNO / f"{name}.npz")
    assert np.array_equal(voice.prompt.fine, raw["fine_prompt"].astype(np.int64))


@needs_suno
def test_v1_preset_and_typo():
    assert resolve("en_speaker_1", presets=str(SUNO)).origin == "preset"
    with pytest.raises(BarkflowError, match="v2/en_speaker_6"):
        resolve("v2/en_speakr_6", presets=str(SUNO))


@needs_suno
def test_builtin_entries_resolve():
    lib = builtin_library_dir()
    assert lib is not None
    for entry in sorted(lib.glob("*.yaml")):
        config = load_voice_file(entry, entry.stem)
        assert config.description, entry
    narrator = resolve("narrator_en", library=[lib], presets=str(SUNO))
    assert narrator.origin == "library" and narrator.key == prompt_key(load_npz(SUNO / "v2" / "en_speaker_6.npz"))
    assert narrator.config.language == "en"
    assert resolve("announcer", library=[lib], presets=str(SUNO)).prompt.semantic.shape == (499,)


# ------------------------------------------------------------------------------ library: add, list, CLI


def test_add_voice_and_list(tmp_path):
    src = write(tmp_path / "export" / "l0012-s01.npz", **{k: v.astype(np.int32) for k, v in arrays(n=150).items()},
                junk=np.arange(3))
    lib = tmp_path / "voices"
    entry = add_voice(src, "warm_take", lib, "the good take")
    assert entry == lib / "warm_take.yaml" and (lib / "warm_take.npz").is_file()
    with np.load(lib / "warm_take.npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["coarse_prompt", "fine_prompt", "semantic_prompt"]
    voice = resolve("warm_take", library=[lib])
    assert voice.origin == "library" and voice.config.description == "the good take"
    assert voice.key == prompt_key(load_npz(src))
    with pytest.raises(BarkflowError, match=f"voice warm_take exists at {lib / 'warm_take.yaml'}; use --force to replace it"):
        add_voice(src, "warm_take", lib)
    add_voice(src, "warm_take", lib, "again", overwrite=True)
    for bad in ("../up", "a/b", "", "random"):
        with pytest.raises(BarkflowError, match="not usable"):
            add_voice(src, bad, lib)
    write(lib / "broken.npz", semantic_prompt=np.zeros(3, np.int64))
    infos = {i.name: i for i in list_voices([lib], "")}
    assert infos["warm_take"] == VoiceInfo("warm_take", "library", "", pytest.approx(225 / 75), "again")
    assert infos["broken"].description.startswith("invalid:")


@needs_suno
def test_list_with_presets(tmp_path):
    (tmp_path / "deep.yaml").write_text("source: v2/de_speaker_3\ndescription: deep\n")
    infos = list_voices([tmp_path], str(SUNO))
    by_name = {i.name: i for i in infos}
    assert by_name["deep"].language == "de" and by_name["deep"].seconds > 1
    assert by_name["v2/en_speaker_6"] == VoiceInfo("v2/en_speaker_6", "preset", "en", pytest.approx(464 / 75), "")
    assert by_name["announcer"].origin == "preset"
    assert infos[0].name == "deep"  # library first


def test_cli_add_list_and_errors(tmp_path, capsys):
    src = write(tmp_path / "x.npz", **arrays())
    lib = tmp_path / "lib"
    assert voices_cli.main(["add", "hero", str(src), "--library", str(lib), "--description", "brave"]) == 0
    assert voices_cli.main(["list", "--library", str(lib), "--presets", ""]) == 0
    out = capsys.readouterr().out
    assert "hero" in out and "brave" in out and "2.0 s" in out
    assert voices_cli.main(["add", "hero", str(src), "--library", str(lib)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: voice hero exists at {lib / 'hero.yaml'}; use --force") and "\n" not in err
    assert voices_cli.main(["add", "hero", str(src), "--library", str(lib), "--force"]) == 0
    assert voices_cli.main(["add", "other", str(tmp_path / "nope.npz"), "--library", str(lib)]) == 2
    assert "not found" in capsys.readouterr().err


def test_the_commands_stdout_holds_only_its_data(tmp_path):
    """barkflow-voices as a process: what it added, and the list, on stdout; nothing else there."""
    src = write(tmp_path / "x.npz", **arrays())
    lib = tmp_path / "lib"
    command = [sys.executable, "-c", "import sys; from barkflow.voices_cli import main; sys.exit(main())"]
    added = subprocess.run([*command, "add", "hero", str(src), "--library", str(lib)],
                           capture_output=True, text=True, timeout=120)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [f"added voice hero: {lib / 'hero.yaml'} (name it in a cast as hero)"]
    listed = subprocess.run([*command, "list", "--library", str(lib), "--presets", ""],
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "hero" in listed.stdout and "INFO" not in listed.stdout and "WARNING" not in listed.stdout


# ------------------------------------------------------------------------------ the tiny bundle's presets (HF layout)


def test_tiny_bundle_presets_hf_layout_and_suno_folder():
    from barkflow.engine.bundles import tiny_bundle_dir
    from barkflow.engine.loading import load_preset_arrays

    lib = builtin_library_dir()
    a = resolve("tiny_a", library=[lib], presets="tiny")
    b = resolve("tiny_b", library=[lib], presets="tiny")
    assert a.origin == b.origin == "library" and a.key != b.key and a.config.language == "en"
    expected = load_preset_arrays("tiny", "v2/en_speaker_0")
    assert np.array_equal(a.prompt.fine, expected["fine_prompt"].astype(np.int64))
    # the same presets as a local folder of Suno .npz files give the same voices
    folder = str(tiny_bundle_dir() / "voices")
    assert resolve("v2/en_speaker_0", presets=folder).key == a.key
    hf, local = resolve("announcer", presets="tiny"), resolve("announcer", presets=folder)
    assert hf.origin == local.origin == "preset" and hf.key == local.key and hf.prompt.semantic.dtype == np.int64
    names = {i.name: i for i in list_voices([lib], "tiny")}
    assert names["v2/en_speaker_2"].origin == "preset" and names["v2/en_speaker_2"].seconds == pytest.approx(210 / 75)
    assert names["tiny_a"].seconds == pytest.approx(150 / 75) and names["tiny_a"].origin == "library"
    with pytest.raises(BarkflowError, match="v2/en_speaker_1"):
        resolve("v2/en_speakr_1", presets="tiny")


# ------------------------------------------------------------------------------ untrusted .npz files (bombs, impostors)


def _zip_bomb(path: Path, name: str, shape: tuple, dtype=np.int64, **members) -> Path:
    """An .npz whose member `name` declares `shape` of zeros, deflated (64 MB of zeros deflate to ~64 KB)."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, value in members.items():
            with archive.open(f"{key}.npy", "w") as f:
                np.lib.format.write_array(f, np.asarray(value))
        with archive.open(f"{name}.npy", "w", force_zip64=True) as f:
            header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_1_0(f, header)
            chunk = bytes(1 << 20)
            remaining = int(np.prod(shape)) * np.dtype(dtype).itemsize
            while remaining:
                f.write(chunk[: min(remaining, len(chunk))])
                remaining -= min(remaining, len(chunk))
    return path


def _peak_mib(fn) -> float:
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


@pytest.mark.parametrize("key, shape, dtype", [
    ("semantic_prompt", (2**23,), np.int64),   # 64 MB of int64 tokens
    ("fine_prompt", (8, 2**20), np.int64),     # 64 MB
    ("coarse_prompt", (2, 2**25), np.uint8),   # 64 MB of one-byte tokens
])
def test_npz_bomb_is_refused_from_its_header(tmp_path, capsys, key, shape, dtype):
    good = arrays()
    members = {k: v for k, v in good.items() if k != key}
    bomb = _zip_bomb(tmp_path / "bomb.npz", key, shape, dtype, **members)
    assert bomb.stat().st_size < 2**20
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "boom.npz").write_bytes(bomb.read_bytes())

    def every_entry_point():
        with pytest.raises(BarkflowError, match=f"{key} declares shape") as err:
            resolve(str(bomb))  # what plan=true and a render do
        assert "\n" not in str(err.value) and str(bomb) in str(err.value)
        assert voices_cli.main(["add", "boom", str(bomb), "--library", str(tmp_path / "other")]) == 2
        assert voices_cli.main(["list", "--library", str(lib), "--presets", ""]) == 0

    assert _peak_mib(every_entry_point) < 32
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "declares shape" in err and "boom" in out
    assert not (tmp_path / "other" / "boom.npz").exists()


@pytest.mark.parametrize("member, shape, dtype", [
    ("padding", (2**23,), np.int64),
    ("barkflow_meta", (), np.dtype(f"<U{2**24}")),  # a clone's meta member, which list reads: 64 MB
])
def test_npz_members_with_other_names_are_never_read(tmp_path, member, shape, dtype):
    lib = tmp_path / "lib"
    lib.mkdir()
    bomb = _zip_bomb(lib / "padded.npz", member, shape, dtype, **arrays())
    voice, infos = None, None

    def load():
        nonlocal voice, infos
        voice = resolve(str(bomb))
        infos = list_voices([lib], "")

    assert _peak_mib(load) < 32
    assert voice.prompt.semantic.shape == (100,)
    assert [(i.name, i.description) for i in infos] == [("padded", "")]
    entry = add_voice(bomb, "added", tmp_path / "other")
    with np.load(entry.with_suffix(".npz"), allow_pickle=False) as data:
        assert sorted(data.files) == ["coarse_prompt", "fine_prompt", "semantic_prompt"]


def test_npz_member_whose_header_lies_about_its_size(tmp_path):
    import zipfile

    path = write(tmp_path / "ok.npz", **arrays())
    liar = tmp_path / "liar.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(liar, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "semantic_prompt.npy":
                data = data.replace(b"(100,)", b"(900,)")  # header says 900 tokens; 100 are stored
            dst.writestr(info.filename, data)
    with pytest.raises(BarkflowError, match="header does not match the member size"):
        resolve(str(liar))


def _npy_bytes(array) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("content, says", [
    (_npy_bytes(np.arange(10)), "is a .npy array, not an .npz voice"),
    (b"semantic_prompt: [1, 2, 3]\n", "is a text file, not an .npz voice"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not a ZIP archive"),
    (b"", "is empty"),
])
def test_a_file_that_is_not_an_npz_says_what_it_is(tmp_path, capsys, content, says):
    path = tmp_path / "voice.npz"
    path.write_bytes(content)
    with pytest.raises(BarkflowError, match=says) as err:
        resolve(str(path))
    assert "\n" not in str(err.value) and "pickled" not in str(err.value)
    assert voices_cli.main(["add", "x", str(path), "--library", str(tmp_path / "lib")]) == 2
    assert says in capsys.readouterr().err


def test_a_pickle_renamed_to_npz_is_refused_without_running(tmp_path, pickle_payload):
    import pickle

    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(pickle_payload(marker)))
    with pytest.raises(BarkflowError, match="is a Python pickle, not an .npz voice"):
        resolve(str(path))
    assert not marker.exists()


_VALID_NPZ: dict = {}


def _valid_npz_bytes(compressed: bool) -> bytes:
    import io

    if compressed not in _VALID_NPZ:
        buffer = io.BytesIO()
        (np.savez_compressed if compressed else np.savez)(buffer, **arrays(n=20))
        _VALID_NPZ[compressed] = buffer.getvalue()
    return _VALID_NPZ[compressed]



@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_bytes_load_or_fail_with_one_line(tmp_path, data):
    """Garbage, impostors and bit-flipped voices: a VoicePrompt or a one-line BarkflowError, nothing else."""
    valid = _valid_npz_bytes(data.draw(st.booleans()))
    kind = data.draw(st.sampled_from(["random", "zip", "npy", "flipped", "truncated"]))
    if kind == "random":
        content = data.draw(st.binary(max_size=300))
    elif kind == "zip":
        content = b"PK\x03\x04" + data.draw(st.binary(max_size=300))
    elif kind == "npy":
        content = b"\x93NUMPY" + data.draw(st.binary(max_size=300))
    elif kind == "truncated":
        content = valid[: data.draw(st.integers(0, len(valid)))]
    else:
        content = bytearray(valid)
        for index in data.draw(st.lists(st.integers(0, len(valid) - 1), min_size=1, max_size=4)):
            content[index] ^= data.draw(st.integers(1, 255))
        content = bytes(content)
    path = tmp_path / "fuzz.npz"
    path.write_bytes(content)
    try:
        prompt = load_npz(path)
    except BarkflowError as e:
        assert "\n" not in str(e) and str(path) in str(e)
    else:
        assert prompt.semantic.dtype == np.int64 and prompt.seconds <= 600


# ------------------------------------------------------------------------------ a voice's identity is its content


def test_moving_a_voice_file_keeps_segment_ids_and_the_cache(tmp_path):
    """Renaming an .npz voice (and updating the cast) re-renders nothing: uids come from the prompt, not the path."""
    from hydra import compose, initialize_config_module

    from barkflow import runner
    from barkflow.engine.loading import load_preset_arrays
    from barkflow.planning import build, plan
    from barkflow.planning.config import register_configs, to_config
    from barkflow.store.cache import Store

    first_home = tmp_path / "takes" / "alice.npz"
    first_home.parent.mkdir()
    np.savez(first_home, **load_preset_arrays("tiny", "v2/en_speaker_1"))

    def config(voice_path):
        register_configs()
        with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
            cfg = compose(config_name="config", overrides=[
                "projects=demo", f"paths.cache_dir={tmp_path / 'cache'}", f"paths.output_dir={tmp_path / 'out'}",
                f"paths.voices_dir={tmp_path / 'voices'}", "sampling.semantic.max_gen_duration_s=0.3", "device=cpu",
                f"project.cast.ALICE={voice_path}",
            ])
        return to_config(cfg)

    def uids(cfg):
        engine = build.make_engine(cfg)
        return [u.uid for u in plan.make_plan(cfg, engine, Store(cfg.paths.cache_dir), [REPO / "conf"]).units]

    before = config(first_home)
    first = runner.render(before, [REPO / "conf"])
    assert first.rendered["semantic"] == first.segments > 0
    uids_before = uids(before)
    second_home = tmp_path / "voices" / "alice_warm.npz"
    second_home.parent.mkdir()
    first_home.rename(second_home)
    after = config(second_home)
    assert uids(after) == uids_before
    again = runner.render(after, [REPO / "conf"])
    assert again.rendered == {"semantic": 0, "coarse": 0, "fine": 0, "decode": 0}
    assert again.reused == first.rendered


# ------------------------------------------------------------------------------ list: the folders resolution uses, real lengths


def test_list_looks_where_resolution_looks(tmp_path, monkeypatch, capsys):
    from barkflow.planning.voices import default_library_dirs

    monkeypatch.chdir(tmp_path)
    write(tmp_path / "voices" / "saved.npz", **arrays(n=100))
    write(tmp_path / "conf" / "voices" / "project_voice.npz", **arrays(n=200))
    dirs = default_library_dirs()
    assert [str(d) for d in dirs] == ["voices", "conf/voices", str(builtin_library_dir())]
    assert resolve("project_voice", library=dirs).origin == "library"
    assert voices_cli.main(["list", "--presets", ""]) == 0
    out = capsys.readouterr().out
    assert "saved" in out and "project_voice" in out and "narrator_en" in out  # ./voices, ./conf/voices, built-in
    assert "4.0 s" in out


def test_list_shows_the_length_of_entries_that_name_other_entries(tmp_path):
    write(tmp_path / "clips" / "take.npz", **arrays(n=150))
    (tmp_path / "base.yaml").write_text("source: clips/take.npz\nlanguage: de\n")
    (tmp_path / "warm.yaml").write_text("source: base\nprefix: '[MAN]'\ndescription: warmer\n")
    (tmp_path / "cloned.yaml").write_text("clone: {audio: me.wav}\n")
    (tmp_path / "via_clone.yaml").write_text("source: cloned\n")
    (tmp_path / "lost.yaml").write_text("source: nowhere_to_be_found\n")
    infos = {i.name: i for i in list_voices([tmp_path], "")}
    assert infos["warm"] == VoiceInfo("warm", "library", "de", pytest.approx(225 / 75), "warmer")
    assert infos["base"].seconds == pytest.approx(225 / 75)
    assert infos["via_clone"].seconds is None and infos["cloned"].origin == "clone"
    assert infos["lost"].seconds is None


def test_clone_help_says_tiny_models_work_offline(capsys):
    with pytest.raises(SystemExit):
        voices_cli.main(["clone", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--hubert tiny --quantizer tiny --codec tiny" in out and "offline" in out
