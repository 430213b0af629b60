"""barkflow/engine/loading.py on the tiny bundle's real on-disk layouts (docs/bark.md §9, §12, §7).

Hub ids are tested offline against a fake Hugging Face cache (snapshots/<commit>/..., refs/main),
which is exactly what huggingface_hub reads when HF_HUB_OFFLINE=1.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import threading
import time
import zipfile
from pathlib import Path

import huggingface_hub.constants
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from barkflow.engine import bundles, checkpoints
from barkflow.engine import model as model_module
from barkflow.engine.layouts import hf_to_reference_name, reference_to_hf_name
from barkflow.engine.loading import (
    check_stage_config,
    load_codec,
    load_preset_arrays,
    load_stage,
    load_tokenizer,
    resolve_voice_presets,
    source_identity,
)
from barkflow.errors import BarkflowError

STAGES = ("semantic", "coarse", "fine")
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key


def _error(fn, *args, **kwargs) -> str:
    with pytest.raises(BarkflowError) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message  # one line: what, where, how to fix
    return message


@pytest.fixture
def hf_copy(tiny_bundle, tmp_path) -> Path:
    out = tmp_path / "hf"
    shutil.copytree(tiny_bundle / "hf", out)
    return out


@pytest.fixture
def suno_copy(tiny_bundle, tmp_path) -> Path:
    out = tmp_path / "suno"
    shutil.copytree(tiny_bundle / "suno", out)
    return out


@pytest.fixture
def hub_cache(tmp_path, monkeypatch) -> Path:
    """An empty Hugging Face cache for this test (offline mode is on for the whole suite)."""
    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    return cache


def _cache_repo(cache: Path, repo_id: str, *folders: Path) -> Path:
    """Put `folders`' files into the cache as repo_id@COMMIT, with refs/main -> COMMIT."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / COMMIT
    for folder in folders:
        shutil.copytree(folder, snapshot, dirs_exist_ok=True)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(COMMIT)
    return snapshot


# ------------------------------------------------------------------------------------------
# The key map and the layouts
# ------------------------------------------------------------------------------------------


def test_key_map_round_trips_on_every_tiny_tensor(tiny_bundle):
    with safe_open(tiny_bundle / "hf" / "model.safetensors", "pt") as f:
        keys = [k for k in f.keys() if not k.startswith("codec_model.")]
    for key in keys:
        stage_prefix, name = key.split(".", 1)
        assert reference_to_hf_name(hf_to_reference_name(name)) == name
    assert hf_to_reference_name("layers.3.attn.att_proj.weight") == "transformer.h.3.attn.c_attn.weight"
    assert hf_to_reference_name("layers.0.mlp.out_proj.weight") == "transformer.h.0.mlp.c_proj.weight"
    assert hf_to_reference_name("input_embeds_layers.5.weight") == "transformer.wtes.5.weight"
    assert hf_to_reference_name("lm_heads.2.weight") == "lm_heads.2.weight"
    assert hf_to_reference_name("layernorm_final.bias") == "transformer.ln_f.bias"


@pytest.mark.parametrize("stage", STAGES)
def test_hf_and_suno_layouts_load_identical_weights(tiny_bundle, stage):
    hf = load_stage(stage, tiny_bundle / "hf")
    for other in (
        load_stage(stage, tiny_bundle / "suno"),
        load_stage(stage, tiny_bundle / "suno", small=True),  # coarse.pt/fine.pt use the vocab_size hack
        load_stage(stage, tiny_bundle / "suno" / bundles.SUNO_FILES[stage][0]),
        load_stage(stage, "tiny"),
        load_stage(stage, "tiny-suno"),
    ):
        assert other.config == hf.config
        _same_weights(hf.model, other.model)
    _same_weights(hf.model, bundles.tiny_models()[stage])  # and what bundles.py wrote
    assert not hf.model.training
    assert not any(p.requires_grad for p in hf.model.parameters())


def test_dtype_device_and_fine_ties(tiny_bundle):
    fine = load_stage("fine", tiny_bundle / "suno", dtype=torch.float64).model
    assert {p.dtype for p in fine.parameters()} == {torch.float64}
    assert all(fine.lm_heads[i].weight is fine.transformer.wtes[i + 1].weight for i in range(7))
    semantic = load_stage("semantic", "tiny", device=torch.device("cpu"), dtype=torch.bfloat16).model
    assert semantic.lm_head.weight.dtype == torch.bfloat16


def test_stage_reads_only_its_own_tensors(tiny_bundle, monkeypatch):
    read = []

    class Spy:
        def __init__(self, *args, **kwargs):
            self.f = safe_open(*args, **kwargs)

        def __enter__(self):
            self.f.__enter__()
            return self

        def __exit__(self, *exc):
            return self.f.__exit__(*exc)

        def keys(self):
            return self.f.keys()

        def get_tensor(self, key):
            read.append(key)
            return self.f.get_tensor(key)

    monkeypatch.setattr(checkpoints, "safe_open", Spy)
    load_stage("coarse", tiny_bundle / "hf")
    assert read and all(k.startswith("coarse_acoustics.") for k in read)


def test_stage_loads_when_other_stages_are_absent(hf_copy):
    tensors = load_file(hf_copy / "model.safetensors")
    save_file({k: v for k, v in tensors.items() if k.startswith("semantic.")}, hf_copy / "model.safetensors")
    load_stage("semantic", hf_copy)
    assert "has none of the weights of Bark's coarse model" in _error(load_stage, "coarse", hf_copy)
    tensors = {k: v for k, v in tensors.items() if k != "fine_acoustics.layers.1.mlp.in_proj.weight"}
    save_file(tensors, hf_copy / "model.safetensors")
    assert "missing transformer.h.1.mlp.c_fc.weight" in _error(load_stage, "fine", hf_copy)


def test_sharded_checkpoint_opens_only_the_needed_shards(hf_copy, tiny_bundle):
    tensors = load_file(hf_copy / "model.safetensors")
    (hf_copy / "model.safetensors").unlink()
    shards = {"model-00001-of-00002.safetensors": "semantic.", "model-00002-of-00002.safetensors": ""}
    weight_map = {}
    for key in tensors:
        shard = next(name for name, prefix in shards.items() if key.startswith(prefix))
        weight_map[key] = shard
    for name in shards:
        save_file({k: tensors[k] for k, s in weight_map.items() if s == name}, hf_copy / name)
    (hf_copy / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    (hf_copy / "model-00002-of-00002.safetensors").unlink()  # semantic never needs it
    _same_weights(load_stage("semantic", hf_copy).model, load_stage("semantic", tiny_bundle / "hf").model)
    assert "model-00002-of-00002.safetensors is missing" in _error(load_stage, "fine", hf_copy)


def test_pytorch_model_bin_fallback(hf_copy, tiny_bundle):
    tensors = load_file(hf_copy / "model.safetensors")
    for i in range(7):  # transformers 4.x saved the fine model's tied heads too
        tensors[f"fine_acoustics.lm_heads.{i}.weight"] = tensors[f"fine_acoustics.input_embeds_layers.{i + 1}.weight"]
    (hf_copy / "model.safetensors").unlink()
    torch.save(tensors, hf_copy / "pytorch_model.bin")
    for stage in STAGES:
        _same_weights(load_stage(stage, hf_copy).model, load_stage(stage, tiny_bundle / "hf").model)


def test_suno_checkpoint_variants(suno_copy, tiny_bundle):
    path = suno_copy / "text_2.pt"
    ckpt = torch.load(path, weights_only=False)
    reference = load_stage("semantic", tiny_bundle / "suno").model
    # without the _orig_mod. prefix, and with the causal-mask buffers of a non-SDPA reference
    state = {k.removeprefix("_orig_mod."): v for k, v in ckpt["model"].items()}
    state["transformer.h.0.attn.bias"] = torch.ones(1, 1, 1024, 1024).tril()
    torch.save({**ckpt, "model": state, "iter_num": 1000}, path)
    _same_weights(load_stage("semantic", path).model, reference)


def test_numpy1_pickled_scalar_is_allowed(suno_copy):
    """Files pickled under numpy 1.x name the scalar numpy.core.multiarray.scalar (§12)."""
    path = suno_copy / "coarse_2.pt"
    with zipfile.ZipFile(path) as z:
        entries = {info.filename: z.read(info) for info in z.infolist()}
    pkl = next(name for name in entries if name.endswith("data.pkl"))
    assert b"numpy._core.multiarray" in entries[pkl]
    entries[pkl] = entries[pkl].replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name), data)  # stored, like torch.save
    assert "numpy.core.multiarray.scalar" in torch.serialization.get_unsafe_globals_in_checkpoint(path)
    load_stage("coarse", path)


def test_malicious_checkpoint_is_refused_without_running_it(suno_copy, tmp_path, pickle_payload):
    live = tmp_path / "payload-works"
    pickle.loads(pickle.dumps(pickle_payload(live)))
    assert live.exists()  # the payload is real ...

    marker = tmp_path / "pwned"
    path = suno_copy / "text_2.pt"
    ckpt = torch.load(path, weights_only=False)
    torch.save({**ckpt, "best_val_loss": pickle_payload(marker)}, path)
    message = _error(load_stage, "semantic", suno_copy)
    assert "refusing to load" in message and "exec" in message and str(path) in message
    assert not marker.exists()  # ... and was never run


def test_malicious_pytorch_model_bin_is_refused(hf_copy, tmp_path, pickle_payload):
    marker = tmp_path / "pwned"
    (hf_copy / "model.safetensors").unlink()
    torch.save({"semantic.x": pickle_payload(marker)}, hf_copy / "pytorch_model.bin")
    assert "refusing to load" in _error(load_stage, "semantic", hf_copy)
    assert not marker.exists()


# ------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------


def test_missing_paths(tmp_path, suno_copy):
    assert "no such file or folder" in _error(load_stage, "semantic", tmp_path / "nope")
    assert "neither config.json" in _error(load_stage, "semantic", tmp_path)
    (suno_copy / "text_2.pt").unlink()
    (suno_copy / "text.pt").unlink()
    message = _error(load_stage, "semantic", suno_copy, setting="model.semantic.source")
    assert "text_2.pt is missing" in message and str(suno_copy) in message and "model.semantic.source" in message


def test_hf_folder_without_weights(hf_copy):
    (hf_copy / "model.safetensors").unlink()
    assert "no weights" in _error(load_stage, "semantic", hf_copy)


def test_truncated_files(hf_copy, suno_copy):
    for path in (hf_copy / "model.safetensors", suno_copy / "text_2.pt"):
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2)
    assert "truncated" in _error(load_stage, "semantic", hf_copy)
    message = _error(load_stage, "semantic", suno_copy)
    assert "truncated" in message and "text_2.pt" in message


def test_wrong_shapes_and_keys(suno_copy, hf_copy):
    path = suno_copy / "coarse_2.pt"
    ckpt = torch.load(path, weights_only=False)
    state = dict(ckpt["model"])
    state["_orig_mod.transformer.ln_f.weight"] = torch.zeros(8)
    torch.save({**ckpt, "model": state}, path)
    message = _error(load_stage, "coarse", path)
    assert "wrong shape" in message and "transformer.ln_f.weight (8,) != (16,)" in message

    state = dict(ckpt["model"], **{"_orig_mod.transformer.extra.weight": torch.zeros(1)})
    del state["_orig_mod.lm_head.weight"]
    torch.save({**ckpt, "model": state}, path)
    message = _error(load_stage, "coarse", path)
    assert "missing lm_head.weight" in message and "unexpected transformer.extra.weight" in message

    tensors = load_file(hf_copy / "model.safetensors")
    tensors["semantic.layers.0.extra.weight"] = torch.zeros(2)
    save_file(tensors, hf_copy / "model.safetensors")
    assert "unexpected transformer.h.0.extra.weight" in _error(load_stage, "semantic", hf_copy)

    config = json.loads((hf_copy / "config.json").read_text())
    config["coarse_acoustics_config"]["hidden_size"] = 32
    (hf_copy / "config.json").write_text(json.dumps(config))
    message = _error(load_stage, "coarse", hf_copy)
    assert "hidden_size = 32" in message and "have 16" in message and "config.json" in message


def _set_hf_config(folder: Path, section: str, key: str, value) -> None:
    config = json.loads((folder / "config.json").read_text())
    config[section][key] = value
    (folder / "config.json").write_text(json.dumps(config))


def _set_model_args(path: Path, key: str, value) -> None:
    ckpt = torch.load(path, weights_only=False)
    torch.save({**ckpt, "model_args": {**ckpt["model_args"], key: value}}, path)


# Each bad value gives one line naming the key, the value and the file, before any model is built.
_BAD_CONFIG_VALUES = [
    ("num_heads", "n_head", 0, "whole number"),
    ("num_heads", "n_head", "two", "whole number"),
    ("num_heads", "n_head", -2, "whole number"),
    ("num_heads", "n_head", 3, "not divisible by"),
    ("num_layers", "n_layer", True, "whole number"),
    ("num_layers", "n_layer", 3, "have 2"),  # the weights have 2 layers
    ("num_layers", "n_layer", 10**9, "have 2"),  # refused before building a billion layers
    ("hidden_size", "n_embd", 16.5, "whole number"),
    ("hidden_size", "n_embd", None, "whole number"),
    ("hidden_size", "n_embd", -16, "whole number"),
    ("hidden_size", "n_embd", 32, "have 16"),
    ("block_size", "block_size", 0, "whole number"),
    ("block_size", "block_size", 512, "have 1024"),
    ("dropout", "dropout", "0.1", "number in [0, 1)"),
    ("dropout", "dropout", 1.5, "number in [0, 1)"),
    ("bias", "bias", "no", "true or false"),
    ("output_vocab_size", "output_vocab_size", 10_048.0, "whole number"),
]


@pytest.mark.parametrize("hf_key, suno_key, value, problem", _BAD_CONFIG_VALUES)
def test_bad_config_values_are_one_line_errors(hf_copy, suno_copy, hf_key, suno_key, value, problem):
    _set_hf_config(hf_copy, "coarse_acoustics_config", hf_key, value)
    message = _error(load_stage, "coarse", hf_copy, setting="model.coarse.source")
    assert f"{hf_key} = {value!r}" in message and problem in message
    assert str(hf_copy / "config.json") in message and "model.coarse.source" in message
    config_alone_is_bad = not problem.startswith("have ")  # else only the weights show it
    if config_alone_is_bad:  # check_sources' check refuses it too, in the same words, without the weights
        assert _error(check_stage_config, "coarse", hf_copy, setting="model.coarse.source") == message

    _set_model_args(suno_copy / "coarse_2.pt", suno_key, value)
    message = _error(load_stage, "coarse", suno_copy)
    assert f"{suno_key} = {value!r}" in message and problem in message and "coarse_2.pt" in message
    if config_alone_is_bad:
        assert _error(check_stage_config, "coarse", suno_copy) == message


def test_vocab_sizes_that_do_not_match_the_weights(hf_copy):
    tensors = load_file(hf_copy / "model.safetensors")
    tensors["semantic.input_embeds_layer.weight"] = tensors["semantic.input_embeds_layer.weight"][:1000].clone()
    save_file(tensors, hf_copy / "model.safetensors")
    message = _error(load_stage, "semantic", hf_copy)
    assert "input_vocab_size = 129600 in" in message and "have 1000" in message


def test_bad_fine_config_values(hf_copy):
    _set_hf_config(hf_copy, "fine_acoustics_config", "n_codes_given", 8)
    assert "n_codes_given = 8" in _error(load_stage, "fine", hf_copy)
    _set_hf_config(hf_copy, "fine_acoustics_config", "n_codes_given", 0)
    assert "n_codes_given = 0" in _error(load_stage, "fine", hf_copy)


def test_vocab_size_hack_names_the_key_the_file_has(suno_copy):
    _set_model_args(suno_copy / "coarse.pt", "vocab_size", "12096")
    message = _error(load_stage, "coarse", suno_copy, small=True)
    assert "vocab_size = '12096'" in message and "coarse.pt (model_args)" in message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(sorted({key for key, *_ in _BAD_CONFIG_VALUES} | {"input_vocab_size", "n_codes_total"})),
    value=st.one_of(st.none(), st.booleans(), st.integers(-3, 2**40), st.floats(), st.text(max_size=4)),
)
def test_any_config_value_loads_or_is_a_one_line_error(hf_copy, key, value):
    _set_hf_config(hf_copy, "fine_acoustics_config", key, value)
    try:
        check_stage_config("fine", hf_copy)
        refused = None
    except BarkflowError as e:
        refused = str(e)
    try:
        load_stage("fine", hf_copy)
    except BarkflowError as e:
        assert "\n" not in str(e) and str(hf_copy) in str(e)
        assert refused in (None, str(e))  # the check refuses what the load's config gate refuses, in its words
    else:
        assert refused is None


@pytest.mark.parametrize("layout", ["hf", "suno"])
def test_check_sources_reports_a_bad_fine_config_before_any_model_loads(hf_copy, suno_copy, layout, monkeypatch):
    from barkflow.engine import loading
    from barkflow.engine.api import Bark

    if layout == "hf":
        _set_hf_config(hf_copy, "fine_acoustics_config", "num_heads", 0)
        source, key = hf_copy, "num_heads"
    else:
        _set_model_args(suno_copy / "fine_2.pt", "n_head", 0)
        source, key = suno_copy, "n_head"

    def no_model(*args, **kwargs):
        raise AssertionError("check_sources built a model")

    monkeypatch.setattr(loading, "load_stage", no_model)
    monkeypatch.setattr(model_module, "build", no_model)  # loading imports it where a model is built
    bark = Bark(str(source), device="cpu")
    message = _error(bark.check_sources)
    assert f"{key} = 0" in message and "must be a whole number >= 1" in message and "fine model source" in message
    assert bark.loads == []
    Bark("tiny", device="cpu").check_sources()  # a good bundle passes


@pytest.mark.parametrize("dtype", [torch.int8, torch.uint8, torch.int64, torch.bool])
def test_integer_weights_are_refused(suno_copy, dtype):
    path = suno_copy / "text_2.pt"
    ckpt = torch.load(path, weights_only=False)
    name = "_orig_mod.transformer.h.1.mlp.c_fc.weight"
    state = {**ckpt["model"], name: ckpt["model"][name].to(dtype)}
    torch.save({**ckpt, "model": state}, path)
    message = _error(load_stage, "semantic", suno_copy)
    assert "transformer.h.1.mlp.c_fc.weight" in message and str(path) in message and "not floating point" in message


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_weights_are_refused(hf_copy, bad):
    tensors = load_file(hf_copy / "model.safetensors")
    tensors["fine_acoustics.layers.0.mlp.in_proj.weight"][3, 5] = bad
    save_file(tensors, hf_copy / "model.safetensors")
    message = _error(load_stage, "fine", hf_copy)
    assert "transformer.h.0.mlp.c_fc.weight" in message and "NaN or infinite" in message and str(hf_copy) in message
    load_stage("semantic", hf_copy)  # the other stages' tensors are not read, so they still load


def test_checkpoint_of_another_stage_is_rejected(tiny_bundle):
    message = _error(load_stage, "coarse", tiny_bundle / "suno" / "text_2.pt")
    assert "holds Bark's semantic model, not Bark's coarse model" in message
    assert "holds Bark's fine model" in _error(load_stage, "semantic", tiny_bundle / "suno" / "fine.pt")
    with pytest.raises(ValueError):
        load_stage("text", "tiny")


def test_offline_hub_id_names_repo_and_file(hub_cache):
    message = _error(load_stage, "semantic", "suno/bark-small", setting="model.semantic.source")
    assert "config.json of hub repo suno/bark-small" in message
    assert "HF_HUB_OFFLINE" in message and "`hf download suno/bark-small" in message
    assert "model.semantic.source" in message
    message = _error(load_stage, "fine", "suno/bark@v1/fine_2.pt")
    assert "fine_2.pt of hub repo suno/bark@v1" in message
    assert "suno/bark" in _error(load_codec, "suno/bark")
    assert "google-bert/bert-base-multilingual-cased" in _error(load_tokenizer, "suno/bark/text_2.pt")
    assert "facebook/encodec_24khz" in _error(load_codec, "suno/bark/text.pt")
    assert "speaker_embeddings_path.json" in _error(resolve_voice_presets, "suno/bark")
    assert "hub repo suno/bark-small" in _error(source_identity, "semantic", "suno/bark-small")


# ------------------------------------------------------------------------------------------
# Hub ids, through a fake cache
# ------------------------------------------------------------------------------------------


def test_hub_layouts_load_from_the_cache(hub_cache, tiny_bundle):
    _cache_repo(hub_cache, "suno/bark", tiny_bundle / "hf", tiny_bundle / "suno")  # the real repo has both
    for source in ("suno/bark", f"suno/bark@{COMMIT}"):
        loaded = load_stage("semantic", source)
        assert loaded.identity == source_identity("semantic", source) == f"semantic|hf:suno/bark@{COMMIT}"
        _same_weights(loaded.model, load_stage("semantic", "tiny").model)
    loaded = load_stage("coarse", "suno/bark/coarse.pt")
    assert (
        loaded.identity == source_identity("coarse", "suno/bark/coarse.pt") == f"coarse|hf:suno/bark@{COMMIT}:coarse.pt"
    )
    _same_weights(loaded.model, load_stage("coarse", "tiny").model)
    assert load_codec("suno/bark").identity == source_identity("codec", "suno/bark") == f"codec|hf:suno/bark@{COMMIT}"
    tokenizer = load_tokenizer("suno/bark")
    assert tokenizer.identity == source_identity("tokenizer", "suno/bark") == f"tokenizer|hf:suno/bark@{COMMIT}"
    assert (tokenizer.encode("hello there") == load_tokenizer("tiny").encode("hello there")).all()
    assert set(resolve_voice_presets("suno/bark")) == set(bundles.TINY_PRESETS)
    np.testing.assert_array_equal(
        load_preset_arrays("suno/bark", "v2/en_speaker_2")["fine_prompt"],
        np.load(tiny_bundle / "voices" / "v2" / "en_speaker_2.npz")["fine_prompt"],
    )


def test_suno_layout_takes_codec_and_tokenizer_from_the_defaults(hub_cache, tiny_bundle, tmp_path):
    assert "facebook/encodec_24khz" in _error(load_codec, tiny_bundle / "suno")
    assert "google-bert/bert-base-multilingual-cased" in _error(load_tokenizer, tiny_bundle / "suno" / "text.pt")
    encodec = tmp_path / "encodec"
    load_codec("tiny").model.save_pretrained(encodec)  # an Encodec layout, like facebook/encodec_24khz
    _cache_repo(hub_cache, "facebook/encodec_24khz", encodec)
    codec = load_codec(tiny_bundle / "suno")
    assert codec.identity == source_identity("codec", "") == f"codec|hf:facebook/encodec_24khz@{COMMIT}"
    codes = torch.randint(0, 1024, (1, 8, 10))
    torch.testing.assert_close(codec.decode(codes), load_codec("tiny").decode(codes), atol=1e-6, rtol=0)


# ------------------------------------------------------------------------------------------
# Identity
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, source",
    [
        ("semantic", "tiny"),
        ("fine", "tiny-suno"),
        ("coarse", "suno"),
        ("semantic", "suno/text.pt"),
        ("coarse", "hf"),
        ("codec", "tiny"),
        ("codec", "tiny-suno"),
        ("codec", "hf"),
        ("tokenizer", "tiny-suno"),
        ("tokenizer", "hf"),
    ],
)
def test_source_identity_equals_the_loaded_identity(tiny_bundle, kind, source):
    if source not in ("tiny", "tiny-suno"):
        source = str(tiny_bundle / source)
    loaders = {"codec": load_codec, "tokenizer": load_tokenizer}
    loaded = loaders[kind](source) if kind in loaders else load_stage(kind, source)
    assert source_identity(kind, source) == loaded.identity
    assert loaded.identity.startswith(f"{kind}|")


def test_source_identity_of_a_suno_folder_follows_small(tiny_bundle):
    large = source_identity("fine", tiny_bundle / "suno")
    assert "fine_2.pt" in large and "fine.pt" in source_identity("fine", tiny_bundle / "suno", small=True)
    assert load_stage("fine", tiny_bundle / "suno", small=True).identity != large


def test_identity_is_stable_and_follows_the_file(hf_copy):
    a, b = load_stage("semantic", hf_copy), load_stage("semantic", hf_copy)
    assert a.identity == b.identity and str(hf_copy / "model.safetensors") in a.identity
    assert load_stage("coarse", hf_copy).identity != a.identity
    stat = (hf_copy / "model.safetensors").stat()
    os.utime(hf_copy / "model.safetensors", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_stage("semantic", hf_copy).identity != a.identity


# ------------------------------------------------------------------------------------------
# Codec, tokenizer and presets
# ------------------------------------------------------------------------------------------


def test_codec_and_tokenizer_from_tiny_sources(tiny_bundle):
    codes = torch.randint(0, 1024, (1, 8, 6))
    reference = load_codec(tiny_bundle / "hf").decode(codes)
    for source in ("tiny", "tiny-suno"):
        torch.testing.assert_close(load_codec(source).decode(codes), reference, atol=0, rtol=0)
        assert load_tokenizer(source).encode("hello world")[0] > 10_048


def test_codec_with_legacy_weight_norm_names(hf_copy, tiny_bundle):
    """transformers 4.x saved codec_model.*.weight_g / weight_v (the real suno/bark files)."""
    tensors = load_file(hf_copy / "model.safetensors")
    renamed = {}
    for key, value in tensors.items():
        key = key.replace(".parametrizations.weight.original0", ".weight_g")
        renamed[key.replace(".parametrizations.weight.original1", ".weight_v")] = value
    assert any(k.endswith(".weight_g") for k in renamed)
    save_file(renamed, hf_copy / "model.safetensors")
    codes = torch.randint(0, 1024, (2, 8, 5))
    torch.testing.assert_close(load_codec(hf_copy).decode(codes), load_codec("tiny").decode(codes), atol=0, rtol=0)
    tensors.pop("codec_model.decoder.layers.0.conv.bias")
    save_file(tensors, hf_copy / "model.safetensors")
    assert "missing decoder.layers.0.conv.bias" in _error(load_codec, hf_copy)


def test_tokenizer_folder_without_vocab_is_an_error(tmp_path, tiny_bundle):
    shutil.copy(tiny_bundle / "hf" / "tokenizer_config.json", tmp_path)
    assert "vocab.txt is missing" in _error(load_tokenizer, tmp_path)


def test_voice_presets(tiny_bundle):
    presets = resolve_voice_presets("tiny")
    assert set(presets) == {"v2/en_speaker_0", "v2/en_speaker_1", "v2/en_speaker_2", "announcer"}
    assert presets["v2/en_speaker_0"]["coarse_prompt"] == Path("speaker_embeddings/v2/en_speaker_0_coarse_prompt.npy")
    assert resolve_voice_presets("tiny-suno") == presets
    assert resolve_voice_presets(tiny_bundle / "suno") == {}  # Suno .pt files come without presets
    for name in presets:
        arrays = load_preset_arrays(tiny_bundle / "hf", name)
        npz = np.load(tiny_bundle / "voices" / f"{name}.npz")
        for key in ("semantic_prompt", "coarse_prompt", "fine_prompt"):
            np.testing.assert_array_equal(arrays[key], npz[key])
            assert arrays[key].dtype == npz[key].dtype
        np.testing.assert_array_equal(arrays["fine_prompt"][:2], arrays["coarse_prompt"])
    assert load_preset_arrays("tiny", "announcer")["semantic_prompt"].dtype == np.uint16
    assert {a.dtype for a in load_preset_arrays("tiny", "v2/en_speaker_1").values()} == {
        np.dtype("int64"),
        np.dtype("int32"),
    }
    assert "known presets: announcer" in _error(load_preset_arrays, "tiny", "v2/de_speaker_9")


def test_voice_preset_files_are_untrusted(hf_copy, tmp_path):
    table_path = hf_copy / "speaker_embeddings_path.json"
    table = json.loads(table_path.read_text())
    original = dict(table["announcer"])
    np.save(hf_copy / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    table["announcer"]["fine_prompt"] = "obj.npy"
    table_path.write_text(json.dumps(table))
    assert "not a plain .npy array" in _error(load_preset_arrays, hf_copy, "announcer")
    np.save(hf_copy / "float.npy", np.zeros((8, 3)))
    table["announcer"]["fine_prompt"] = "float.npy"
    table_path.write_text(json.dumps(table))
    assert "expected 2-D integers" in _error(load_preset_arrays, hf_copy, "announcer")
    # more tokens than any prompt holds: refused by its header (as in voice .npz files), not loaded
    np.save(hf_copy / "long.npy", np.zeros(40_000, dtype=np.int16))
    table["announcer"] = {**original, "semantic_prompt": "long.npy"}
    table_path.write_text(json.dumps(table))
    message = _error(load_preset_arrays, hf_copy, "announcer")
    assert "semantic_prompt of preset 'announcer'" in message and "(40000,)" in message and "at most 29,940" in message
    # a header that declares more data than the file holds: refused before anything is allocated
    with open(hf_copy / "lie.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<i8", "fortran_order": False, "shape": (10**12,)})
        f.write(b"\0" * 64)
    table["announcer"]["semantic_prompt"] = "lie.npy"
    table_path.write_text(json.dumps(table))
    assert "lie.npy is not a plain .npy array" in _error(load_preset_arrays, hf_copy, "announcer")
    table["announcer"]["fine_prompt"] = "../../etc/passwd"
    table_path.write_text(json.dumps(table))
    assert "points outside its folder" in _error(resolve_voice_presets, hf_copy)


# ------------------------------------------------------------------------------------------
# The bundle itself
# ------------------------------------------------------------------------------------------


def test_bundle_is_deterministic(tiny_bundle, tmp_path):
    again = bundles.write_tiny_bundle(tmp_path / "again")
    for rel in ("hf/model.safetensors",):
        a, b = load_file(tiny_bundle / rel), load_file(again / rel)
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    for rel in ("hf/config.json", "hf/tokenizer.json", "hf/vocab.txt", "hf/speaker_embeddings_path.json"):
        assert (tiny_bundle / rel).read_bytes() == (again / rel).read_bytes(), rel
    for stage in STAGES:
        _same_weights(load_stage(stage, again / "suno").model, load_stage(stage, tiny_bundle / "suno").model)
    layer0 = load_file(tiny_bundle / "hf" / "model.safetensors")["codec_model.quantizer.layers.0.codebook.embed"]
    assert 0.8 < float(layer0.std()) < 1.2  # codebooks filled N(0,1), not HF's zeros


def test_tiny_bundle_dir_builds_once_across_threads(tmp_path, monkeypatch):
    monkeypatch.setenv("BARKFLOW_HOME", str(tmp_path / "home"))
    calls = []

    def fake_write(out, seed=0):
        calls.append(out)
        time.sleep(0.2)  # long enough for the other threads to wait on the lock
        (Path(out) / "bundle.json").write_text("{}")
        return Path(out)

    monkeypatch.setattr(bundles, "write_tiny_bundle", fake_write)
    results = []
    threads = [threading.Thread(target=lambda: results.append(bundles.tiny_bundle_dir())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and set(results) == {tmp_path / "home" / bundles.TINY_NAME}
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == [bundles.TINY_NAME, f"{bundles.TINY_NAME}.lock"]


def _encodec_bin_layout(folder: Path) -> dict[str, torch.Tensor]:
    """An Encodec layout (like facebook/encodec_24khz) with pytorch_model.bin instead of safetensors."""
    load_codec("tiny").model.save_pretrained(folder)
    state = load_file(folder / "model.safetensors")
    (folder / "model.safetensors").unlink()
    torch.save(state, folder / "pytorch_model.bin")
    return state


def test_codec_from_an_encodec_bin_layout(tmp_path):
    _encodec_bin_layout(tmp_path / "encodec")
    codes = torch.randint(0, 1024, (1, 8, 5))
    torch.testing.assert_close(load_codec(tmp_path / "encodec").decode(codes), load_codec("tiny").decode(codes))


@pytest.mark.parametrize("payload_key", ["decoder.layers.0.conv.bias", "best_val_loss"])
def test_codec_checkpoint_with_a_pickled_object_is_refused(tmp_path, pickle_payload, payload_key):
    encodec = tmp_path / "encodec"
    state = _encodec_bin_layout(encodec)
    marker = tmp_path / "pwned"
    torch.save({**state, payload_key: pickle_payload(marker)}, encodec / "pytorch_model.bin")
    message = _error(load_codec, encodec, setting="model.codec.source")
    assert "refusing to load" in message and "pytorch_model.bin" in message and "model.codec.source" in message
    assert "weights_only" not in message
    assert not marker.exists()


def test_codec_checkpoint_that_is_damaged_is_one_line(tmp_path):
    encodec = tmp_path / "encodec"
    _encodec_bin_layout(encodec)
    (encodec / "pytorch_model.bin").write_bytes(b"not a checkpoint")
    message = _error(load_codec, encodec)
    assert "truncated or not a PyTorch checkpoint" in message and "weights_only" not in message
