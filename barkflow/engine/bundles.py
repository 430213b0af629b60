"""A tiny random-weight Bark in the real on-disk layouts, for tests and CI (docs/bark.md §13, §9, §7).

No hub is reachable in CI, so the loading code is tested on files we write ourselves in exactly
the layouts users download:

    <root>/hf/       the Hugging Face layout, written by transformers itself: config.json,
                     model.safetensors (semantic.*, coarse_acoustics.*, fine_acoustics.*,
                     codec_model.*), generation_config.json with the hub's nested sub-configs,
                     the tokenizer files (+ vocab.txt, as the hub repo has), and
                     speaker_embeddings_path.json + speaker_embeddings/[v2/]<preset>_<key>.npy
    <root>/suno/     the SAME weights as Suno's checkpoints: text_2.pt, coarse_2.pt, fine_2.pt
                     and the small names text.pt, coarse.pt, fine.pt (coarse.pt and fine.pt use
                     the old single `vocab_size` model_arg, to exercise the loader's hack). Like
                     the reference, this layout has no codec or tokenizer: the source "tiny-suno"
                     takes them (and the presets) from <root>/hf.
    <root>/voices/   the presets as Suno .npz files: v2/en_speaker_{0,1,2}.npz, announcer.npz
    <root>/bundle.json

Token layout as the real models (§1, §13: vocabs 129600/12096/1056 in, 10048/12096/1056 out,
block 1024), 2 layers, 2 heads, width 16, no bias; the codec is a small EncodecConfig with its
codebooks filled N(0,1) (HF initialises them to zeros: every code would sound the same).

Weight init (checked by tests/engine/test_loading.py): nanoGPT's N(0, 0.02), except c_attn at
N(0, 1) so attention is sharp and the generated tokens depend on the text and the history (with
0.02 everywhere attention is uniform and the text barely matters), and the semantic EOS row of
lm_head doubled so greedy decoding stops after tens of tokens instead of always running to 768.
Greedy decoding then gives varied tokens, neither one token repeated nor an immediate EOS.

`tiny_bundle_dir()` builds the bundle once under $BARKFLOW_HOME (default ~/.cache/barkflow)
/tiny-v1, atomically and safely across processes, and returns that root.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
import torch

from .constants import (
    BLOCK_SIZE,
    COARSE_VOCAB,
    CODEBOOK_SIZE,
    FINE_VOCAB,
    N_COARSE_CODEBOOKS,
    N_FINE_CODEBOOKS,
    PROMPT_KEYS,
    SEMANTIC_EOS_TOKEN,
    SEMANTIC_INPUT_VOCAB,
    SEMANTIC_OUTPUT_VOCAB,
    SEMANTIC_VOCAB_SIZE,
)
from .home import TINY_NAME, barkflow_home, built_once  # noqa: F401 (re-exported)
from .layouts import HF_CONFIG_FIELDS, HF_CONFIG_KEY, PRESETS_FILE, SUNO_FILES, reference_to_hf_name
from .model import GPT, INIT_STD, FineGPT, FineGPTConfig, GPTConfig, empty_model, init_weights

logger = logging.getLogger(__name__)

TINY_WIDTH = 16
TINY_PRESETS = {"v2/en_speaker_0": 100, "v2/en_speaker_1": 120, "v2/en_speaker_2": 140, "announcer": 110}
EOS_ROW_SCALE = 2.2
ATTN_STD = 1.0

# Enough English for ordinary sentences to tokenize without [UNK]: whole words, then every
# letter, digit and punctuation mark alone and as a "##" continuation, so WordPiece can always
# fall back to characters.
_WORDS = """
the a an and or but if of to in on at by for with from as is are was were be been being have has had
do does did not no yes this that these those it its he she they we you i me him her them us my your our
their his what which who whom whose when where why how all any both each few more most other some such
only own same so than too very can will just should now then there here up down out over under again
once about above after before into through during between against off until while because also
one two three four five six seven eight nine ten hundred thousand first last next new old good bad
great little big small long short high low young early late right left day night time year week hour
minute morning evening today tomorrow yesterday man woman child people world life hand part place case
point company number group problem fact eye head house home room door window water fire light sun moon
star sky sea river tree leaf egg bird dog cat horse fish food bread voice sound music song word story
book name city country road car train ship way work school family friend love heart mind thing story
say said says go goes went gone get got make made know knew think thought take took see saw seen come
came want look use find found give gave tell told ask asked feel felt try leave call keep let begin seem
help show hear heard play run ran move live believe bring happen write sit stand lose pay meet include
continue set learn change lead understand watch follow stop create speak read spend grow open walk win
offer remember consider appear buy wait serve die send build stay fall cut reach kill remain suggest
raise pass sell require report decide pull hello hi hey okay oh ah well please thank thanks sorry
welcome goodbye bye mister miss doctor sir lady king queen lay lie sing sang laugh cry whisper shout
beautiful happy sad quiet loud dark bright warm cold hot soft hard fast slow real true false free full
every never always often sometimes maybe perhaps really still even ever yet already almost enough
""".split()
_SUFFIXES = "s es ed ing ly er est ness ment tion sion able ful less ous ive al ity y ies".split()
_CHARS = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + list(
    ".,;:!?'\"-()[]{}&%$#@*/+=<>_~`^|\\…–—’“”àâäçéèêëîïôöùûüñß"
)


def tiny_vocab() -> list[str]:
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = list(dict.fromkeys(w for word in _WORDS for w in (word, word.capitalize())))
    pieces = [f"##{s}" for s in _SUFFIXES] + [f"##{c}" for c in _CHARS]
    return list(dict.fromkeys(special + words + _CHARS + pieces))


def tiny_configs() -> dict[str, GPTConfig]:
    shape = dict(n_layer=2, n_head=2, n_embd=TINY_WIDTH, block_size=BLOCK_SIZE, bias=False, dropout=0.0)
    return {
        "semantic": GPTConfig(input_vocab_size=SEMANTIC_INPUT_VOCAB, output_vocab_size=SEMANTIC_OUTPUT_VOCAB, **shape),
        "coarse": GPTConfig(input_vocab_size=COARSE_VOCAB, output_vocab_size=COARSE_VOCAB, **shape),
        "fine": FineGPTConfig(
            input_vocab_size=FINE_VOCAB,
            output_vocab_size=FINE_VOCAB,
            n_codes_total=N_FINE_CODEBOOKS,
            n_codes_given=1,
            **shape,
        ),
    }


def tiny_models(seed: int = 0) -> dict[str, GPT | FineGPT]:
    """The bundle's three models, with reference parameter names (see the module docstring for the init)."""
    models = {}
    for offset, (stage, config) in enumerate(tiny_configs().items()):
        gen = torch.Generator().manual_seed(seed * 1000 + offset)
        model = empty_model(config)
        init_weights(model, INIT_STD, attn_std=ATTN_STD, generator=gen)
        with torch.no_grad():
            if stage == "semantic":
                model.lm_head.weight[SEMANTIC_EOS_TOKEN] *= EOS_ROW_SCALE
        models[stage] = model.eval()
    return models


def tiny_presets(seed: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """Random prompts shaped and typed like the shipped ones (§7): announcer is uint16."""
    presets = {}
    for i, (name, n) in enumerate(TINY_PRESETS.items()):
        rng = np.random.default_rng(seed * 1000 + i)
        m = n * 3 // 2  # coarse frames per semantic token = 1.5, as the reference asserts (§4)
        semantic = rng.integers(0, SEMANTIC_VOCAB_SIZE, n, dtype=np.int64)
        fine = rng.integers(0, CODEBOOK_SIZE, (N_FINE_CODEBOOKS, m), dtype=np.int64)
        arrays = {
            "semantic_prompt": semantic,
            "coarse_prompt": fine[:N_COARSE_CODEBOOKS].copy(),
            "fine_prompt": fine.astype(np.int32),
        }
        if name == "announcer":
            arrays = {k: v.astype(np.uint16) for k, v in arrays.items()}
        presets[name] = arrays
    return presets


def _hf_sub_config(config: GPTConfig) -> dict:
    """The config's fields under the names HF's current configs write (the first of each alias list)."""
    return {HF_CONFIG_FIELDS[field.name][0]: getattr(config, field.name) for field in fields(config)}


def fill_codebooks(codec_model, generator: torch.Generator) -> None:
    """Random codebooks: HF initialises them to zeros, so every code would decode to the same audio (§13)."""
    with torch.no_grad():
        for layer in codec_model.quantizer.layers:
            layer.codebook.embed.normal_(generator=generator)
            layer.codebook.embed_avg.copy_(layer.codebook.embed)


def hub_generation_config():
    """generation_config.json as the hub has it: one nested dict per stage (§9b).

    BarkModel.generate needs dicts there, hence the round trip through a plain GenerationConfig (§10).
    """
    from transformers import GenerationConfig
    from transformers.models.bark.generation_configuration_bark import BarkGenerationConfig

    return GenerationConfig.from_dict(
        BarkGenerationConfig(
            semantic_config=dict(do_sample=True, temperature=0.7, top_k=50),
            coarse_acoustics_config=dict(do_sample=True, temperature=0.7, top_k=50),
            fine_acoustics_config=dict(temperature=0.5),
        ).to_dict()
    )


def _write_hf(out: Path, models: dict, presets: dict, seed: int) -> None:
    from transformers import (
        BarkCoarseConfig,
        BarkConfig,
        BarkFineConfig,
        BarkModel,
        BarkProcessor,
        BarkSemanticConfig,
        BertTokenizer,
        EncodecConfig,
    )

    configs = {stage: model.config for stage, model in models.items()}
    codec_config = EncodecConfig(
        target_bandwidths=[6.0], codebook_size=CODEBOOK_SIZE, codebook_dim=16, hidden_size=16, num_filters=4,
        num_lstm_layers=1, upsampling_ratios=[8, 5, 4, 2],
    )  # fmt: skip
    bark_config = BarkConfig(
        semantic_config=BarkSemanticConfig(**_hf_sub_config(configs["semantic"])).to_dict(),
        coarse_acoustics_config=BarkCoarseConfig(**_hf_sub_config(configs["coarse"])).to_dict(),
        fine_acoustics_config=BarkFineConfig(**_hf_sub_config(configs["fine"])).to_dict(),
        codec_config=codec_config.to_dict(),
    )
    with torch.random.fork_rng(devices=[]):  # the codec's init is seeded; the caller's RNG is untouched
        torch.manual_seed(seed)
        bark = BarkModel(bark_config)
    for stage, sub in (("semantic", bark.semantic), ("coarse", bark.coarse_acoustics), ("fine", bark.fine_acoustics)):
        state = {reference_to_hf_name(k): v for k, v in models[stage].state_dict().items()}
        result = sub.load_state_dict(state, strict=False)
        assert not result.unexpected_keys and all(k.endswith(".attn.bias") for k in result.missing_keys), result
    fill_codebooks(bark.codec_model, torch.Generator().manual_seed(seed * 1000 + 99))
    bark.generation_config = hub_generation_config()
    bark.save_pretrained(out, safe_serialization=True)

    with tempfile.TemporaryDirectory() as tmp:
        vocab = Path(tmp) / "vocab.txt"
        vocab.write_text("\n".join(tiny_vocab()) + "\n", encoding="utf-8")
        tokenizer = BertTokenizer(vocab=str(vocab), do_lower_case=False)
        BarkProcessor(tokenizer=tokenizer).save_pretrained(out)
        shutil.copy(vocab, out / "vocab.txt")  # the hub repo ships it next to tokenizer.json

    # speaker_embeddings_path.json + .npy files, as on the hub (§7). "repo_or_path" is the hub's
    # stale value on purpose: loaders must resolve the files against the source itself.
    table: dict[str, object] = {"repo_or_path": "ylacombe/bark-large"}
    for name, arrays in presets.items():
        table[name] = {}
        for key in PROMPT_KEYS:
            rel = f"speaker_embeddings/{name}_{key}.npy"
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            np.save(out / rel, arrays[key], allow_pickle=False)
            table[name][key] = rel
    (out / PRESETS_FILE).write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")


def _write_suno(out: Path, models: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for stage, model in models.items():
        large, small = SUNO_FILES[stage]
        state = {f"_orig_mod.{k}": v for k, v in model.state_dict().items()}  # saved from torch.compile
        args = asdict(model.config)
        torch.save({"model_args": args, "model": state, "best_val_loss": np.float64(1.5)}, out / large)
        if args["input_vocab_size"] == args["output_vocab_size"]:  # the old single-vocab form (§9a)
            args = {k: v for k, v in args.items() if k not in ("input_vocab_size", "output_vocab_size")}
            args["vocab_size"] = model.config.input_vocab_size
        torch.save({"model_args": args, "model": state, "best_val_loss": np.float64(1.5)}, out / small)


def write_tiny_bundle(out_dir: str | os.PathLike, seed: int = 0) -> Path:
    """Write the bundle (see the module docstring) into `out_dir`; returns it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    models = tiny_models(seed)
    presets = tiny_presets(seed)
    _write_hf(out / "hf", models, presets, seed)
    _write_suno(out / "suno", models)
    for name, arrays in presets.items():
        path = out / "voices" / f"{name}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **arrays)
    meta = {"name": TINY_NAME, "seed": seed, "presets": list(presets), "stages": {s: HF_CONFIG_KEY[s] for s in models}}
    (out / "bundle.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


def tiny_bundle_dir() -> Path:
    """The tiny bundle's root (with hf/, suno/, voices/), built on first use."""
    return built_once(TINY_NAME, write_tiny_bundle, "tiny random Bark bundle")
