"""The engine as a library: Bark(...).generate, lazy per-stage loading, offload, no Hydra."""

import subprocess
import sys

import numpy as np
import pytest

from barkflow.engine import Bark, SemanticOptions
from barkflow.engine.constants import SAMPLES_PER_FRAME

FAST = SemanticOptions(max_gen_duration_s=0.3)


def test_generate_renders_a_list_of_texts_with_voices():
    bark = Bark("tiny", device="cpu")
    clips = bark.generate(["Hello there.", "And hello again."], voice=["v2/en_speaker_0", None], seed=[1, 2], semantic=FAST)
    assert len(clips) == 2 and all(c.dtype == np.float32 and len(c) > 0 for c in clips)
    assert all(len(c) % SAMPLES_PER_FRAME == 0 for c in clips)
    assert not np.array_equal(clips[0][:1000], clips[1][:1000])


def test_a_text_renders_the_same_alone_and_in_a_batch():
    bark = Bark("tiny", device="cpu")
    together = bark.generate(["One.", "Two words.", "Three words here."], voice="v2/en_speaker_1", seed=[5, 6, 7], semantic=FAST)
    alone = bark.generate(["Two words."], voice="v2/en_speaker_1", seed=[6], semantic=FAST)
    np.testing.assert_allclose(together[1], alone[0], atol=1e-5)


def test_models_load_lazily_and_unload_with_offload():
    bark = Bark("tiny", device="cpu", offload="unload")
    assert bark.loads == []
    bark.generate(["Hi."], semantic=FAST)
    assert {"tokenizer", "semantic", "coarse", "fine", "codec"} == set(bark.loads)
    assert bark._models == {}  # every stage was freed once the next one ran, and before decoding


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="offload"):
        Bark("tiny", offload="sometimes")
    with pytest.raises(ValueError, match="dtype"):
        Bark("tiny", dtype="int4")


def test_the_engine_imports_no_hydra():
    code = "import sys, barkflow.engine, barkflow.engine.api; print('hydra' in sys.modules, 'omegaconf' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_each_stage_can_have_its_own_device():
    bark = Bark("tiny", device={"default": "cpu", "coarse": "cpu", "fine": "meta"})
    assert bark.devices["semantic"].type == "cpu" and bark.devices["fine"].type == "meta"
    assert bark.devices["codec"].type == "cpu"


def test_int8_stages_quantize_their_linears_and_keep_their_own_cache_identity():
    from barkflow.engine.quantize import is_int8

    exact = Bark("tiny", device="cpu")
    quantized = Bark("tiny", device="cpu", dtype={"semantic": "float32", "coarse": "int8", "fine": "int8"})
    assert quantized.identity("semantic") == exact.identity("semantic")
    assert quantized.identity("coarse") != exact.identity("coarse") and quantized.identity("coarse").endswith("|int8")
    clips = quantized.generate(["Hello there."], seed=3, semantic=FAST)
    assert len(clips[0]) > 0
    assert is_int8(quantized.model("coarse")) and not is_int8(quantized.model("semantic"))
    from torch import nn
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    linears = [m for m in quantized.model("fine").modules() if isinstance(m, (nn.Linear, DynamicLinear))]
    assert linears and all(isinstance(m, DynamicLinear) for m in linears)


def test_int8_on_a_gpu_is_refused():
    with pytest.raises(ValueError, match="int8 weights run on the CPU only"):
        Bark("tiny", device="meta", dtype="int8")
