"""Bark Infinity's sampling controls: repetition penalty, inverted top-p, bottom-k, mirostat v2.

Each control is checked on fixed logits, then through the batched loops: a batch that mixes rows
with and without the controls gives every row the tokens it gets alone.
"""

import dataclasses
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import REPO, demo_config, project_config, write_script
from hypothesis import given, settings
from hypothesis import strategies as st

from barkflow import runner
from barkflow.engine import controls
from barkflow.engine import sampling as S
from barkflow.engine.model import GPTConfig, random_model
from barkflow.engine.options import CoarseOptions, SemanticOptions
from barkflow.engine.prompts import VoicePrompt, save_npz
from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.planning.config import VoiceConfig
from barkflow.planning.overrides import apply_overrides
from barkflow.steps import semantic as semantic_step
from barkflow.store.cache import Store
from barkflow.store.keys import content_key

INF = float("inf")


def kept(logits: torch.Tensor) -> set[int]:
    return set(torch.nonzero(torch.isfinite(logits)).flatten().tolist())


# ---------------------------------------------------------------------------------------------- logits


def test_the_repetition_penalty_moves_exactly_the_repeated_tokens_by_log_penalty_times_count():
    logits = torch.randn(10_001, generator=torch.Generator().manual_seed(0))  # vocabulary, then EOS
    counts = torch.zeros(10_000)
    counts[[3, 70, 9_999]] = torch.tensor([1.0, 4.0, 2.0])
    for penalty in (0.5, 1.1, 3.0):
        out = controls.repetition_bias(logits, counts, penalty)
        changed = set(torch.nonzero(out != logits).flatten().tolist())
        assert changed == {3, 70, 9_999}
        for token, count in ((3, 1), (70, 4), (9_999, 2)):
            assert out[token].item() == pytest.approx(logits[token].item() + math.log(penalty) * count, abs=1e-5)
        assert out[-1] == logits[-1]  # EOS is never penalised


def test_a_penalty_of_one_leaves_the_logits_bit_for_bit():
    logits = torch.randn(10_001, generator=torch.Generator().manual_seed(1))
    assert torch.equal(controls.repetition_bias(logits, torch.arange(10_000.0), 1.0), logits)


def test_inverted_top_p_keeps_the_least_likely_tokens_up_to_p():
    logits = torch.log(torch.tensor([0.5, 0.25, 0.15, 0.1]))
    assert kept(controls.inverted_top_p_mask(logits, 0.05)) == {3}
    assert kept(controls.inverted_top_p_mask(logits, 0.2)) == {3, 2}  # 0.1 + 0.15 crosses 0.2: the crossing one stays
    assert kept(controls.inverted_top_p_mask(logits, 0.3)) == {3, 2, 1}
    assert kept(controls.inverted_top_p_mask(logits, 1.0)) == {0, 1, 2, 3}
    # Tokens an earlier filter removed stay removed and take no part.
    assert kept(controls.inverted_top_p_mask(torch.tensor([0.0, -INF, -1.0, -INF]), 0.1)) == {2}


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(-20, 20), min_size=1, max_size=40),
    p=st.floats(0.001, 1.0),
)
def test_inverted_top_p_keeps_a_least_likely_set_that_just_reaches_p(values, p):
    logits = torch.tensor(values)
    probs = F.softmax(logits, dim=-1)
    keep = kept(controls.inverted_top_p_mask(logits, p))
    dropped = set(range(len(values))) - keep
    assert keep, "at least one token survives"
    if dropped:
        assert max(probs[i] for i in keep) <= min(probs[i] for i in dropped)
        assert sum(probs[i] for i in keep) >= p - 1e-6  # it reaches p...
    most_likely_kept = max(keep, key=lambda i: (probs[i], i))
    assert sum(probs[i] for i in keep - {most_likely_kept}) <= p + 1e-6  # ...and stops once it does


def test_bottom_k_keeps_the_k_least_likely_tokens():
    logits = torch.tensor([3.0, 1.0, 2.0, 0.0, -INF, 5.0])
    assert kept(controls.bottom_k_mask(logits, 1)) == {3}
    assert kept(controls.bottom_k_mask(logits, 2)) == {3, 1}
    assert kept(controls.bottom_k_mask(logits, 4)) == {3, 1, 2, 0}
    assert kept(controls.bottom_k_mask(logits, 100)) == {0, 1, 2, 3, 5}  # -inf stays out
    assert kept(controls.bottom_k_mask(torch.tensor([1.0, 0.0, 0.0, 2.0]), 1)) == {1, 2}  # ties with the k-th stay


def test_the_filters_apply_in_order_top_p_inverted_top_p_top_k_bottom_k():
    logits = torch.log(torch.tensor([0.4, 0.3, 0.2, 0.06, 0.04]))
    # top-k 3 keeps {0, 1, 2}; bottom-k 1 of those keeps {2}.
    assert kept(controls.filter_logits(logits, 3, None, None, 1)) == {2}
    # inverted top-p 0.15 keeps {4, 3, 2}; top-k 1 of those keeps {2}.
    assert kept(controls.filter_logits(logits, 1, None, 0.15, None)) == {2}


def fixed_distribution(n: int = 1000) -> torch.Tensor:
    return F.softmax(-torch.log(torch.arange(1.0, n + 1)), dim=-1)  # Zipf: p ∝ 1 / rank


@pytest.mark.parametrize("tau", [3.5, 5.0, 6.5])  # the most likely token alone has 2.9 bits
def test_mirostat_surprise_tracks_tau_on_a_fixed_distribution(tau):
    probs = fixed_distribution()
    state = controls.MirostatState(tau=tau, eta=0.1)
    generator = torch.Generator().manual_seed(0)
    surprises = [state.sample(probs, generator)[2] for _ in range(1500)]
    assert np.mean(surprises[500:]) == pytest.approx(tau, abs=0.25)  # after mu settles


def test_mirostat_keeps_only_tokens_under_mu_and_always_the_most_likely():
    probs = fixed_distribution(8)
    token, kept_probs, surprise = controls.mirostat_v2(probs, mu=2.0, generator=torch.Generator().manual_seed(0))
    assert set(torch.nonzero(kept_probs).flatten().tolist()) == {i for i in range(8) if -math.log2(probs[i]) <= 2.0}
    assert kept_probs.sum().item() == pytest.approx(1.0)
    assert surprise == pytest.approx(-math.log2(probs[token]))
    _, greedy, _ = controls.mirostat_v2(probs, mu=0.0, generator=torch.Generator().manual_seed(0))
    assert torch.nonzero(greedy).flatten().tolist() == [0]


def test_negative_guidance_subtracts_the_scaled_negative_logits():
    generator = torch.Generator().manual_seed(2)
    logits, negative = torch.randn(50, generator=generator), torch.randn(50, generator=generator)
    assert torch.allclose(controls.negative_guidance(logits, negative, 0.7, "constant"), logits - 0.7 * negative)
    assert torch.equal(controls.negative_guidance(logits, negative, 0.0, "constant"), logits)


def test_divergence_weighting_leaves_agreement_alone_and_pushes_where_the_prompts_part():
    logits = torch.randn(50, generator=torch.Generator().manual_seed(3))
    assert torch.equal(controls.negative_guidance(logits, logits.clone(), 2.0, "divergence"), logits)
    apart = torch.full((4,), -INF)
    apart[0] = 0.0
    other = torch.full((4,), -INF)
    other[3] = 0.0
    assert controls.js_divergence_bits(F.softmax(apart, -1), F.softmax(other, -1)) == pytest.approx(1.0)
    negative = torch.randn(50, generator=torch.Generator().manual_seed(4))
    weight = controls.js_divergence_bits(F.softmax(logits, -1), F.softmax(negative, -1))
    assert 0 < weight < 1
    assert torch.allclose(controls.negative_guidance(logits, negative, 2.0, "divergence"), logits - 2.0 * weight * negative)


# ---------------------------------------------------------------------------------------------- options


def test_the_options_check_their_ranges_in_one_line():
    for bad in (dict(repetition_penalty=0.0), dict(repetition_penalty=math.nan), dict(inverted_top_p=0.0),
                dict(bottom_k=0), dict(bottom_k=True), dict(mirostat_tau=-1.0), dict(mirostat_eta=0.0),
                dict(negative_scale=-1.0), dict(negative_weighting="kl")):
        with pytest.raises(BarkflowError, match=f"^[^\n]*{next(iter(bad))}[^\n]*$"):
            apply_overrides(SemanticOptions(), bad, "voice x")
    with pytest.raises(BarkflowError, match="coarse.bottom_k"):
        apply_overrides(CoarseOptions(), {"bottom_k": -3}, "line 3")


def test_the_controls_are_set_per_project_voice_and_line(tmp_path):
    config = demo_config([
        f"paths.output_dir={tmp_path}", "sampling.semantic.repetition_penalty=1.1",
        "sampling.coarse.bottom_k=40", "project.lines.3.sampling.semantic.mirostat_tau=4.0",
    ])
    voice = VoiceConfig(source="v2/en_speaker_1", sampling={"semantic": {"bottom_k": 7, "repetition_penalty": 0.9}})
    options = plan._stage_options(config, voice, config.project.lines[3], "line 3")
    assert (options.semantic.repetition_penalty, options.semantic.bottom_k, options.semantic.mirostat_tau) == (0.9, 7, 4.0)
    assert options.coarse.bottom_k == 40
    with pytest.raises(BarkflowError, match="^invalid configuration: semantic.mirostat_tau must be in .*, got -1.0$"):
        demo_config([f"paths.output_dir={tmp_path}", "sampling.semantic.mirostat_tau=-1"])
    with pytest.raises(BarkflowError, match="^voice v .*semantic.inverted_top_p must be in"):
        plan._stage_options(config, VoiceConfig(source="x", sampling={"semantic": {"inverted_top_p": 2.0}}), None, "voice v")


def plan_with(tmp_path, *overrides):
    config = demo_config([f"paths.output_dir={tmp_path / 'out'}", f"paths.cache_dir={tmp_path / 'cache'}", "device=cpu",
                          *overrides])
    engine = build.make_engine(config)
    engine.identity = lambda stage: f"pinned {stage} model"  # keys about the options alone
    return plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"]), engine


def test_a_negative_prompt_reaches_the_semantic_rows_and_keys_its_anti_speaker_by_content(tmp_path, monkeypatch):
    plain, _ = plan_with(tmp_path)
    negative = "sampling.semantic.negative_text=shouting"
    under_0, engine = plan_with(tmp_path, negative, "sampling.semantic.negative_voice=v2/en_speaker_0")
    under_1, _ = plan_with(tmp_path, negative, "sampling.semantic.negative_voice=v2/en_speaker_1")
    assert all(u.negative_voice.name == "v2/en_speaker_0" for u in under_0.units)
    assert plain.units[0].negative_voice is None
    semantic_keys = {p.units[0].keys["semantic"] for p in (plain, under_0, under_1)}
    assert len(semantic_keys) == 3  # the anti-speaker's prompt is part of the key

    seen = []
    monkeypatch.setattr(engine, "semantic", lambda rows, progress=None: seen.extend(rows) or [
        S.SemanticResult(np.zeros(1, dtype=np.int64), "eos") for _ in rows])
    unit = under_0.units[0]
    semantic_step.run([unit], [unit.voice.prompt], {}, engine)
    assert seen[0].options.negative_text == "shouting"
    assert np.array_equal(seen[0].negative_prompt.semantic, unit.negative_voice.prompt.semantic)

    with pytest.raises(BarkflowError, match="^[^\n]*sampling.semantic.negative_voice: voice 'nobody' not found"):
        plan_with(tmp_path, negative, "sampling.semantic.negative_voice=nobody")


def test_unset_controls_keep_the_cache_keys_of_before():
    # Keys computed before these options existed: every user's cache stays valid.
    assert content_key(SemanticOptions()) == "65812fc8f57aef7c45b7b952dc0b8f26"
    assert content_key(CoarseOptions()) == "43799ff73de94ac8949ac93f7aa619e7"
    assert content_key(SemanticOptions(temp=0.5, top_k=3)) == "e9176c5f32f41031558f95a69dc11d37"
    # Set to its default explicitly, a control is still "off" and keeps the key; set, it changes it.
    assert content_key(SemanticOptions(repetition_penalty=1.0, mirostat_eta=0.1)) == content_key(SemanticOptions())
    changed = [dict(repetition_penalty=1.1), dict(inverted_top_p=0.9), dict(bottom_k=5), dict(mirostat_tau=3.0),
               dict(mirostat_tau=3.0, mirostat_eta=0.2), dict(negative_text="no"),
               dict(negative_text="no", negative_weighting="divergence")]
    keys = {content_key(SemanticOptions(**c)) for c in changed}
    assert len(keys) == len(changed) and content_key(SemanticOptions()) not in keys


# ---------------------------------------------------------------------------------------------- loops


def varied_random_model(input_vocab_size: int, output_vocab_size: int, seed: int):
    """A one-layer random GPT whose weights are wider than the init, so its tokens vary."""
    config = GPTConfig(n_layer=1, n_head=2, n_embd=32, input_vocab_size=input_vocab_size, output_vocab_size=output_vocab_size)
    model = random_model(config, seed)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 2:
                p.normal_(0, 0.5)
    return model


@pytest.fixture(scope="module")
def semantic_model():
    return varied_random_model(129_600, 10_048, 1)


@pytest.fixture(scope="module")
def coarse_model():
    return varied_random_model(12_096, 12_096, 2)


def encode(text: str) -> np.ndarray:
    ids = np.array([10_048 + (ord(c) % 200) for c in text][:256], dtype=np.int64)
    return np.pad(ids, (0, 256 - len(ids)), constant_values=129_595)


SHORT = dict(max_gen_duration_s=0.4, min_eos_p=None)  # about 20 tokens: enough to repeat, quick to run
MIXED_SEMANTIC = [
    SemanticOptions(**SHORT),
    SemanticOptions(**SHORT, repetition_penalty=1.3, top_k=50),
    SemanticOptions(**SHORT, inverted_top_p=0.5),
    SemanticOptions(**SHORT, bottom_k=100),
    SemanticOptions(**SHORT, mirostat_tau=5.0, mirostat_eta=0.3, repetition_penalty=0.5, top_p=0.9),
    SemanticOptions(**SHORT, negative_text="a cold grey voice", negative_scale=0.5),
    SemanticOptions(**SHORT, negative_text="shouting", negative_weighting="divergence", negative_scale=3.0),
]


def random_prompt(n: int, seed: int) -> VoicePrompt:
    rng = np.random.default_rng(seed)
    return VoicePrompt.from_arrays({"semantic_prompt": rng.integers(0, 10_000, n),
                                    "coarse_prompt": rng.integers(0, 1024, (2, int(n * 1.5))),
                                    "fine_prompt": rng.integers(0, 1024, (8, int(n * 1.5)))})


def test_a_semantic_batch_with_mixed_controls_gives_each_row_its_tokens_alone(semantic_model):
    rows = [S.SemanticRow(f"line {i}: hello moon", random_prompt(20 + 30 * (i % 3), i) if i % 2 else None, o,
                          seed=10 + i, negative_prompt=random_prompt(40, 99) if i == 5 else None)
            for i, o in enumerate(MIXED_SEMANTIC)]
    batch = S.generate_semantic(semantic_model, encode, rows)
    for row, together in zip(rows, batch):
        alone = S.generate_semantic(semantic_model, encode, [row])[0]
        assert np.array_equal(together.tokens, alone.tokens) and together.stop_reason == alone.stop_reason
    assert len({r.tokens.tobytes() for r in batch}) == len(rows)


def test_the_repetition_penalty_reaches_the_loop(semantic_model):
    greedy = dict(SHORT, top_k=1)
    row = S.SemanticRow("hello moon", None, SemanticOptions(**greedy), seed=3)

    def tokens(**options):
        return S.generate_semantic(semantic_model, encode, [dataclasses.replace(row, options=SemanticOptions(**greedy, **options))])[0].tokens

    plain = tokens()
    assert np.array_equal(tokens(repetition_penalty=1.0), plain)
    discouraged = tokens(repetition_penalty=0.01)  # each repeat costs 4.6 nats: a greedy loop must move on
    assert not np.array_equal(discouraged, plain)
    assert len(set(discouraged.tolist())) > len(set(plain.tolist()))


def test_the_negative_prompt_reaches_the_loop(semantic_model):
    row = S.SemanticRow("hello moon", None, SemanticOptions(**SHORT), seed=4, negative_prompt=random_prompt(40, 7))

    def tokens(**options):
        return S.generate_semantic(semantic_model, encode, [dataclasses.replace(row, options=SemanticOptions(**SHORT, **options))])[0].tokens

    plain = tokens()
    assert np.array_equal(tokens(negative_text="shouting", negative_scale=0.0), plain)
    assert not np.array_equal(tokens(negative_text="shouting", negative_scale=1.0), plain)


def test_a_coarse_batch_with_mixed_filters_gives_each_row_its_tokens_alone(coarse_model):
    semantic = np.random.default_rng(0).integers(0, 10_000, 24)
    options = [CoarseOptions(), CoarseOptions(inverted_top_p=0.5), CoarseOptions(bottom_k=30, top_k=200)]
    rows = [S.CoarseRow(semantic[: 16 + 4 * i], None, o, seed=i) for i, o in enumerate(options)]  # 48..72 tokens
    batch = S.generate_coarse(coarse_model, rows)
    for row, together in zip(rows, batch):
        assert np.array_equal(together, S.generate_coarse(coarse_model, [row])[0])


# ---------------------------------------------------------------------------------------------- re-voicing


def counting(engine) -> dict:
    """Count the rows each model stage of `engine` is given."""
    rows: dict = {}
    for stage in ("semantic", "coarse", "fine", "decode"):
        def counted(batch, *args, _stage=stage, _run=getattr(engine, stage)):
            rows[_stage] = rows.get(_stage, 0) + len(batch)
            return _run(batch, *args)
        setattr(engine, stage, counted)
    return rows


def test_a_revoiced_line_keeps_its_source_tokens_and_renders_only_three_stages(tmp_path):
    script = write_script(tmp_path, "ALICE: Did you hear that? It is only the wind, she said.\nBOB: It is only the wind.\n")
    source = random_prompt(37, 5)
    save_npz(source, tmp_path / "take3.npz")
    config = project_config(tmp_path, f"project.script={script}", f"project.lines.1.semantic_from={tmp_path / 'take3.npz'}",
                            "split.goal_chars=20", "split.max_chars=150")
    engine = build.make_engine(config)
    rows = counting(engine)
    summary = runner.render(config, [REPO / "conf"], engine=engine)

    the_plan = plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])
    revoiced = [u for u in the_plan.units if u.line.source_line == 1]
    assert len(revoiced) == 1  # the given tokens say the whole line: it is not split
    assert np.array_equal(Store(config.paths.cache_dir).load("semantic", revoiced[0].keys["semantic"])["tokens"], source.semantic)
    others = len(the_plan.units) - 1
    assert rows["semantic"] == others  # the model never ran for the re-voiced line...
    assert rows["coarse"] == rows["fine"] == rows["decode"] == others + 1  # ...but every later stage did
    assert summary.outputs

    # Keyed by the tokens' content: another voice for the line keeps its semantic entry.
    recast = project_config(tmp_path, f"project.script={script}", f"project.lines.1.semantic_from={tmp_path / 'take3.npz'}",
                            "split.goal_chars=20", "split.max_chars=150", "project.lines.1.voice=v2/en_speaker_2")
    again = plan.make_plan(recast, engine, Store(config.paths.cache_dir), [REPO / "conf"])
    moved = next(u for u in again.units if u.line.source_line == 1)
    assert moved.keys["semantic"] == revoiced[0].keys["semantic"] and moved.keys["coarse"] != revoiced[0].keys["coarse"]


def test_a_revoicing_source_without_tokens_is_a_one_line_error(tmp_path):
    script = write_script(tmp_path, "ALICE: Did you hear that?\n")
    with pytest.raises(BarkflowError, match="^[^\\n]*semantic_from: voice 'nobody' not found"):
        plan_with(tmp_path, f"project.script={script}", "project.lines.1.semantic_from=nobody")


def test_a_line_revoiced_from_another_line_shares_its_semantic_tokens_segment_for_segment(tmp_path):
    script = write_script(tmp_path, "ALICE: Did you hear that? It is only the wind, she said.\nBOB: whatever\n")
    options = [f"project.script={script}", "project.lines.2.semantic_from=line:1", "split.goal_chars=20",
               "split.max_chars=150", "project.takes=2"]
    config = project_config(tmp_path, *options)
    engine = build.make_engine(config)
    rows = counting(engine)
    runner.render(config, [REPO / "conf"], engine=engine)

    the_plan = plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])
    alice = sorted((u for u in the_plan.units if u.line.source_line == 1), key=lambda u: (u.part, u.take))
    bob = sorted((u for u in the_plan.units if u.line.source_line == 2), key=lambda u: (u.part, u.take))
    assert len(alice) == len(bob) == 4  # two segments, two takes
    assert [u.text for u in bob] == [u.text for u in alice]  # the same words...
    assert [u.keys["semantic"] for u in bob] == [u.keys["semantic"] for u in alice]  # ...and the very same tokens
    assert all(b.keys["coarse"] != a.keys["coarse"] for a, b in zip(alice, bob))  # in Bob's voice
    assert rows["semantic"] == 4 and rows["coarse"] == rows["fine"] == rows["decode"] == 8

    with pytest.raises(BarkflowError, match="^[^\\n]*semantic_from 'line:2' names no earlier line"):
        plan_with(tmp_path, f"project.script={script}", "project.lines.1.semantic_from=line:2")


def test_a_whole_voice_revoiced_from_another_takes_each_lines_tokens_in_that_voice(tmp_path):
    """Render the demo with BOB in voice 1, then re-voice BOB into voice 2 from voice 1: BOB's
    segments keep voice 1's semantic entries (same keys, no semantic work) and render the rest."""
    in_voice_1 = project_config(tmp_path, "project.cast.BOB=v2/en_speaker_1")
    engine = build.make_engine(in_voice_1)
    runner.render(in_voice_1, [REPO / "conf"], engine=engine)
    store = Store(in_voice_1.paths.cache_dir)
    before = plan.make_plan(in_voice_1, engine, store, [REPO / "conf"])

    revoiced = project_config(tmp_path, "project.voices.bob.source=v2/en_speaker_2",
                              "project.voices.bob.revoice_from=v2/en_speaker_1", "project.cast.BOB=bob")
    rows = counting(engine)
    runner.render(revoiced, [REPO / "conf"], engine=engine)
    after = plan.make_plan(revoiced, engine, store, [REPO / "conf"])

    bob_before = [u for u in before.units if u.line.speaker == "BOB"]
    bob_after = [u for u in after.units if u.line.speaker == "BOB"]
    assert [u.keys["semantic"] for u in bob_after] == [u.keys["semantic"] for u in bob_before]
    assert all(a.keys["coarse"] != b.keys["coarse"] for a, b in zip(bob_after, bob_before))
    assert [u.text for u in bob_after] == [u.text for u in bob_before]
    assert "semantic" not in rows and rows["coarse"] == len(bob_after)  # only BOB's later stages ran


def test_voices_revoiced_from_each_other_are_a_one_line_error(tmp_path):
    with pytest.raises(BarkflowError, match="revoice_from go round in a cycle") as error:
        plan_with(tmp_path, "project.voices.a.source=v2/en_speaker_1", "project.voices.a.revoice_from=b",
                  "project.voices.b.source=v2/en_speaker_2", "project.voices.b.revoice_from=a", "project.cast.BOB=a")
    assert "\n" not in str(error.value)
