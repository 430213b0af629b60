"""barkflow's sampling loops against Suno's own `bark.generation`, token for token.

The reference package (`pip install --no-deps bark==0.1.5`) runs on the very same random weights:
its nanoGPT classes share our parameter names, so one state dict loads into both. Its `encodec`
import is stubbed: only the token stages are compared here.
"""

import dataclasses
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch

from barkflow.engine import sampling as S
from barkflow.engine.model import FineGPTConfig, GPTConfig, random_model
from barkflow.engine.options import CoarseOptions, FineOptions, SemanticOptions
from barkflow.engine.prompts import VoicePrompt, load_npz

sys.modules.setdefault("encodec", types.SimpleNamespace(EncodecModel=None))
gen = pytest.importorskip("bark.generation", reason="install the reference: pip install --no-deps bark==0.1.5")
from bark.model import GPT as RefGPT  # noqa: E402
from bark.model import GPTConfig as RefGPTConfig
from bark.model_fine import FineGPT as RefFineGPT  # noqa: E402
from bark.model_fine import FineGPTConfig as RefFineGPTConfig

WORDS = (
    "the a of and to in is it you that he was for on are with as his they be at one have this from "
    "or had by hot word but what some we can out other were all there when up use your how said an "
    "each she which do their time if will way about many then them write would like so these her "
    "long make thing see him two has look more day could go come did number sound no most people my "
    "over know water than call first who may down side been now find hello world moon egg leaf little light"
).split()
TEXTS = [
    "hello world, the moon",
    "a little egg lay on a leaf in the light of the moon and the water",
    "write",
    "What   a  day!\n\nNo more water?",
]
SUNO_PROMPTS = Path(gen.__file__).parent / "assets" / "prompts"


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    from transformers import BertTokenizer

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "?", "'"] + WORDS
    vocab += list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz"]
    path = tmp_path_factory.mktemp("tok") / "vocab.txt"
    path.write_text("\n".join(vocab))
    return BertTokenizer(vocab=str(path), do_lower_case=False)


def _spread(model, std):
    """Wider weights than nanoGPT's init, so greedy decoding wanders over many tokens."""
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 2:
                p.normal_(0, std)
    return model


@pytest.fixture(scope="module")
def models():
    torch.manual_seed(0)
    common = dict(n_layer=2, n_head=2, n_embd=32)
    semantic = _spread(random_model(GPTConfig(**common, input_vocab_size=129_600, output_vocab_size=10_048), 1), 0.5)
    coarse = _spread(random_model(GPTConfig(**common, input_vocab_size=12_096, output_vocab_size=12_096), 2), 0.5)
    fine = _spread(random_model(FineGPTConfig(**common, input_vocab_size=1056, output_vocab_size=1056), 3), 0.5)
    with torch.no_grad():  # make EOS likely in some contexts, so rows stop at different lengths
        semantic.lm_head.weight[10_000] *= 6.0
    return semantic, coarse, fine


def _reference_copy(model, ref_cls, ref_config_cls):
    c = model.config
    kwargs = dict(
        n_layer=c.n_layer, n_head=c.n_head, n_embd=c.n_embd, block_size=c.block_size,
        input_vocab_size=c.input_vocab_size, output_vocab_size=c.output_vocab_size, bias=c.bias, dropout=0.0,
    )
    if isinstance(c, FineGPTConfig):
        kwargs.update(n_codes_total=c.n_codes_total, n_codes_given=c.n_codes_given)
    ref = ref_cls(ref_config_cls(**kwargs))
    ref.load_state_dict(model.state_dict())
    return ref.eval()


@pytest.fixture(scope="module")
def reference(models, tokenizer):
    semantic, coarse, fine = models
    gen.models["text"] = {"model": _reference_copy(semantic, RefGPT, RefGPTConfig), "tokenizer": tokenizer}
    gen.models["coarse"] = _reference_copy(coarse, RefGPT, RefGPTConfig)
    gen.models["fine"] = _reference_copy(fine, RefFineGPT, RefFineGPTConfig)
    yield gen
    gen.models.clear()


def _encode(tokenizer):
    def encode(text):
        ids = np.array(tokenizer.encode(" ".join(text.split()), add_special_tokens=False), dtype=np.int64) + 10_048
        ids = ids[:256]
        return np.pad(ids, (0, 256 - len(ids)), constant_values=129_595)

    return encode


def _random_prompt(n, seed):
    rng = np.random.default_rng(seed)
    m = int(n * 1.5)
    return VoicePrompt.from_arrays(
        {"semantic_prompt": rng.integers(0, 10_000, n), "coarse_prompt": rng.integers(0, 1024, (2, m)),
         "fine_prompt": rng.integers(0, 1024, (8, m))}
    )


def _run_ours(models, tokenizer, texts, prompts, so, co, fo, seed0=1):
    """All rows through the three stages as batches; coarse and fine keyed by row (rows with no tokens stop)."""
    semantic, coarse, fine = models
    sems = S.generate_semantic(
        semantic, _encode(tokenizer), [S.SemanticRow(t, p, so, seed0 + i) for i, (t, p) in enumerate(zip(texts, prompts))]
    )
    kept = [i for i, r in enumerate(sems) if len(r.tokens)]
    coas = S.generate_coarse(coarse, [S.CoarseRow(sems[i].tokens, prompts[i], co, seed0 + 10 + i) for i in kept])
    fins = S.generate_fine(fine, [S.FineRow(c, prompts[i], fo, seed0 + 20 + i) for i, c in zip(kept, coas)])
    return sems, dict(zip(kept, coas)), dict(zip(kept, fins))


def _run_reference(ref, text, prompt, so, co, fo, i, seed0=1):
    history = prompt.as_arrays() if prompt is not None else None
    torch.manual_seed(seed0 + i)
    sem = ref.generate_text_semantic(
        text, history, temp=so.temp, top_k=so.top_k, top_p=so.top_p, min_eos_p=so.min_eos_p,
        max_gen_duration_s=so.max_gen_duration_s, allow_early_stop=so.allow_early_stop, silent=True, use_kv_caching=True,
    )
    if len(sem) == 0:  # the reference cannot go on from zero tokens
        return sem, None, None
    torch.manual_seed(seed0 + 10 + i)
    coa = ref.generate_coarse(
        sem, history, temp=co.temp, top_k=co.top_k, top_p=co.top_p, max_coarse_history=co.max_coarse_history,
        sliding_window_len=co.sliding_window_len, silent=True, use_kv_caching=True,
    )
    torch.manual_seed(seed0 + 20 + i)
    return sem, coa, ref.generate_fine(coa, history, temp=fo.temp)


GREEDY = (SemanticOptions(top_k=1, max_gen_duration_s=2.5), CoarseOptions(top_k=1), FineOptions(temp=None))
SAMPLED = (
    SemanticOptions(temp=0.9, top_p=0.95, top_k=300, min_eos_p=0.3, max_gen_duration_s=2.5),
    CoarseOptions(temp=0.8, top_p=0.9, max_coarse_history=300, sliding_window_len=50),
    FineOptions(temp=0.5),
)


@pytest.mark.parametrize("options", [GREEDY, SAMPLED], ids=["greedy", "sampled"])
def test_batch_matches_reference_per_row(models, tokenizer, reference, options):
    so, co, fo = options
    prompts = [None, _random_prompt(120, 1), load_npz(SUNO_PROMPTS / "announcer.npz"), load_npz(SUNO_PROMPTS / "v2" / "en_speaker_6.npz")]
    sems, coas, fins = _run_ours(models, tokenizer, TEXTS, prompts, so, co, fo)
    lengths = set()
    for i, (text, prompt) in enumerate(zip(TEXTS, prompts)):
        ref_sem, ref_coa, ref_fin = _run_reference(reference, text, prompt, so, co, fo, i)
        np.testing.assert_array_equal(sems[i].tokens, ref_sem)
        lengths.add(len(ref_sem))
        if ref_coa is not None:
            np.testing.assert_array_equal(coas[i], ref_coa)
            np.testing.assert_array_equal(fins[i], ref_fin)
    assert len(lengths) > 1, "rows should stop at different lengths for this test to mean something"


def test_long_generation_matches_reference(models, tokenizer, reference):
    """768 semantic tokens: the length limit, 39 coarse windows and three fine windows after a 512-frame history."""
    so = SemanticOptions(top_k=1, allow_early_stop=False)
    co, fo = CoarseOptions(top_k=1), FineOptions(temp=None)
    prompt = load_npz(SUNO_PROMPTS / "v2" / "en_speaker_6.npz")
    sems, coas, fins = _run_ours(models, tokenizer, [TEXTS[1]], [prompt], so, co, fo)
    ref_sem, ref_coa, ref_fin = _run_reference(reference, TEXTS[1], prompt, so, co, fo, 0)
    assert len(ref_sem) == 768 and sems[0].stop_reason == "max_length"
    np.testing.assert_array_equal(sems[0].tokens, ref_sem)
    np.testing.assert_array_equal(coas[0], ref_coa)
    np.testing.assert_array_equal(fins[0], ref_fin)


def _positions_fed(model, run) -> int:
    """How many positions `run()` pushes through the model, prefills and decode steps together."""
    fed = []
    hook = model.register_forward_pre_hook(lambda _, args, kwargs: fed.append(args[0].shape[1]), with_kwargs=True)
    try:
        run()
    finally:
        hook.remove()
    return sum(fed)


def test_coarse_windows_do_not_recompute_what_the_last_window_fed(models, reference):
    """No voice, short row: each window's prompt is the last one's plus its tokens, so only the newest
    is fed; 7 windows cost one 257-position prefill and single steps, with the reference's tokens."""
    coarse = models[1]
    semantic = np.random.default_rng(0).integers(0, 10_000, 140)  # 420 coarse steps: 7 windows, no trimming
    options = CoarseOptions(top_k=1)
    row = S.CoarseRow(semantic, None, options, seed=0)
    ours = []
    assert _positions_fed(coarse, lambda: ours.append(S.generate_coarse(coarse, [row])[0])) == 257 + 420 - 1
    torch.manual_seed(0)
    np.testing.assert_array_equal(ours[0], reference.generate_coarse(semantic, None, top_k=1, silent=True, use_kv_caching=True))

    # A full voice history is trimmed every window, so windows re-prefill; and a mixed batch still
    # matches each row alone.
    voice = load_npz(SUNO_PROMPTS / "v2" / "en_speaker_6.npz")
    voiced = S.CoarseRow(semantic, voice, options, seed=0)
    assert _positions_fed(coarse, lambda: S.generate_coarse(coarse, [voiced])) > 7 * 630
    both = S.generate_coarse(coarse, [voiced, row])
    np.testing.assert_array_equal(both[1], ours[0])
    np.testing.assert_array_equal(both[0], S.generate_coarse(coarse, [voiced])[0])


@pytest.mark.parametrize("options", [GREEDY, SAMPLED], ids=["greedy", "sampled"])
def test_row_of_a_batch_equals_the_row_alone(models, tokenizer, options):
    so, co, fo = options
    prompts = [_random_prompt(200, 2), None, _random_prompt(60, 3), None]
    batch = _run_ours(models, tokenizer, TEXTS, prompts, so, co, fo)
    for i in range(len(TEXTS)):
        sem_i, coa_i, fin_i = _run_ours(models, tokenizer, [TEXTS[i]], [prompts[i]], so, co, fo, seed0=1 + i)
        np.testing.assert_array_equal(batch[0][i].tokens, sem_i[0].tokens)
    semantic, coarse, fine = models
    for i in batch[1]:  # coarse and fine of each row alone, fed the batch's semantic tokens
        alone = S.generate_coarse(coarse, [S.CoarseRow(batch[0][i].tokens, prompts[i], co, 11 + i)])[0]
        np.testing.assert_array_equal(batch[1][i], alone)
        fine_alone = S.generate_fine(fine, [S.FineRow(alone, prompts[i], fo, 21 + i)])[0]
        np.testing.assert_array_equal(batch[2][i], fine_alone)


def test_fine_rows_per_call_do_not_change_the_codes(models):
    """On a CPU the fine stage runs two rows per call (`fine_rows_per_call`); any grouping gives the same codes."""
    fine = models[2]
    g = np.random.default_rng(5)
    rows = [S.FineRow(g.integers(0, 1024, (2, n)), None, FineOptions(temp=0.5), seed=n) for n in (90, 300, 40)]
    default = S.generate_fine(fine, rows)
    for max_batch in (1, 3):
        for ours, other in zip(default, S.generate_fine(fine, rows, max_batch=max_batch)):
            np.testing.assert_array_equal(ours, other)


def test_stop_reasons(models, tokenizer):
    semantic = models[0]
    encode = _encode(tokenizer)
    rows = [
        S.SemanticRow("hello world", None, SemanticOptions(top_k=1, max_gen_duration_s=1.0)),
        S.SemanticRow("hello world", None, SemanticOptions(top_k=1, allow_early_stop=False, max_gen_duration_s=0.5)),
    ]
    first, second = S.generate_semantic(semantic, encode, rows)
    assert second.stop_reason == "max_duration" and len(second.tokens) == 25  # Σ 1/49.9 over 25 steps > 0.5
    assert first.stop_reason in {"eos", "min_eos_p", "max_duration"}
    if first.stop_reason == "max_duration":
        assert len(first.tokens) == 50  # the spec's worked example: d = 1.0 gives 50 tokens


def test_options_reject_bad_values():
    with pytest.raises(ValueError, match="semantic.top_p"):
        SemanticOptions(top_p=1.5)
    with pytest.raises(ValueError, match="coarse.max_coarse_history"):
        CoarseOptions(max_coarse_history=700)
    with pytest.raises(ValueError, match="sliding_window_len"):
        CoarseOptions(max_coarse_history=630, sliding_window_len=200)
    with pytest.raises(ValueError, match="fine.temp"):
        FineOptions(temp=0.0)
    assert dataclasses.replace(FineOptions(), temp=None).temp is None
