"""The `barkflow-voices` command: list, add and clone voices, and train a quantizer.

    barkflow-voices list [--library DIR] [--presets SOURCE]
    barkflow-voices add NAME FILE.npz [--library DIR] [--description TEXT]
    barkflow-voices clone AUDIO --name NAME [--library DIR] [--hubert ID] [--quantizer CKPT] [--codec SOURCE]
    barkflow-voices train-quantizer --data CACHE_OR_DIR --out CKPT [--steps N] [--hubert ID]

User errors (BarkflowError) print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Optional, Sequence

from barkflow.engine.constants import DEFAULT_CODEC_REPO, DEFAULT_HUBERT
from barkflow.errors import BarkflowError
from barkflow.planning.config import PathsConfig

log = logging.getLogger("barkflow")

DEFAULT_LIBRARY = PathsConfig.voices_dir  # the same library a render looks in
DEFAULT_PRESETS = "suno/bark-small"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="barkflow-voices", description="Bark voices: list, add, clone, train a quantizer.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list presets and library voices with language and length")
    p.add_argument("--library", action="append", type=Path, help="library folder (repeatable; default: voices/ and the built-in entries)")
    p.add_argument("--presets", default=DEFAULT_PRESETS, help="model repo/folder whose presets to list, a folder of Suno .npz presets, or '' for none")

    p = sub.add_parser("add", help="add an exported line's .npz to the library")
    p.add_argument("name")
    p.add_argument("file", type=Path)
    p.add_argument("--library", type=Path, default=Path(DEFAULT_LIBRARY))
    p.add_argument("--description", default="")
    p.add_argument("--force", action="store_true", help="replace an entry of that name")

    p = sub.add_parser(
        "clone", help="clone a voice from a recording; writes one .npz per candidate window",
        description=(
            "Clone a voice from a recording: HuBERT features -> quantizer -> semantic tokens, EnCodec -> coarse/fine "
            "tokens; writes one .npz per candidate window. The default models come from the Hugging Face hub (once). "
            "Offline, `--hubert tiny --quantizer tiny --codec tiny` runs with small random-weight models: it checks "
            "the pipeline, not the voice."
        ),
    )
    p.add_argument("audio", type=Path)
    p.add_argument("--name", required=True)
    p.add_argument("--library", type=Path, default=Path(DEFAULT_LIBRARY))
    p.add_argument("--hubert", default=DEFAULT_HUBERT, help="HuBERT hub id or folder, or tiny (random weights, offline)")
    p.add_argument("--quantizer", default="en", help="checkpoint path, owner/repo/file.pth, en | en-large | de | pl | es, or tiny (random weights, offline)")
    p.add_argument("--codec", default=DEFAULT_CODEC_REPO, help="EnCodec source (hub id, folder, or a bundle such as tiny: offline)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--force", action="store_true", help="replace existing files of that name")

    p = sub.add_parser("train-quantizer", help="train a quantizer on audio + semantic tokens barkflow rendered")
    p.add_argument("--data", required=True, type=Path, help="a barkflow cache folder, or a folder of audio files with .npy tokens beside them")
    p.add_argument("--out", required=True, type=Path, help="checkpoint to write (.pth, or .safetensors)")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--hubert", default=DEFAULT_HUBERT)
    p.add_argument("--version", type=int, choices=(0, 1), default=1, help="0: LSTM → 10,000; 1: LSTM → 4,096 → 10,000")
    p.add_argument("--hidden", type=int, default=1024, help="LSTM width (the published models: 1024)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--resume", default=None, help="continue from this checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    return parser


def _fmt_seconds(seconds: Optional[float]) -> str:
    return "?" if seconds is None else f"{seconds:.1f} s"


def cmd_list(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from barkflow.planning.voices import default_library_dirs, list_voices

    dirs = args.library or default_library_dirs(DEFAULT_LIBRARY)
    infos = list_voices(dirs, args.presets)
    table = Table(title=f"{len(infos)} voices")
    for column in ("name", "origin", "language", "length", "description"):
        table.add_column(column)
    for info in infos:
        table.add_row(info.name, info.origin, info.language or "-", _fmt_seconds(info.seconds), info.description)
    Console().print(table)
    return 0


def cmd_add(args) -> int:
    from barkflow.planning.voices import add_voice

    entry = add_voice(args.file, args.name, args.library, args.description, overwrite=args.force)
    print(f"added voice {args.name}: {entry} (name it in a cast as {args.name})")
    return 0


def _load_codec(source: str):
    from barkflow.engine import loading

    codec = loading.load_codec(source, device="cpu")
    return codec, codec.identity


def cmd_clone(args) -> int:
    from barkflow.engine import cloning
    from barkflow.planning.voices import _check_voice_name, _write_entry

    _check_voice_name(args.name)
    ref = cloning.read_reference(args.audio)
    hubert = cloning.HubertFeatures(args.hubert, device=args.device)
    quantizer = cloning.Quantizer.load(args.quantizer, input_size=hubert.hidden_size, device=args.device)
    codec, codec_id = _load_codec(args.codec)
    candidates = cloning.clone_prompt(args.audio, hubert, quantizer, codec, candidate="all", reference=ref)
    library = Path(args.library)
    entry = library / f"{args.name}.yaml"
    targets = {c.name: library / f"{args.name}-{c.name}.npz" for c in candidates}
    if not args.force:
        taken = [p for p in [entry, *targets.values()] if p.exists()]
        if taken:
            raise BarkflowError(f"{taken[0]} already exists: choose another --name, or pass --force")
    meta = {
        "audio": str(args.audio),
        "audio_sha256": ref.sha256,
        "hubert": args.hubert,
        "quantizer": args.quantizer,
        "model_ids": {"hubert": hubert.model_id, "quantizer": quantizer.model_id, "codec": codec_id},
    }
    for c in candidates:
        cloning.write_candidate(c, targets[c.name], meta)
        print(f"{args.name}-{c.name}: {c.start_s:.2f}-{c.end_s:.2f} s, {c.prompt.semantic.size} tokens -> {targets[c.name]}")
    _write_entry(
        entry, source=targets["end"].name,
        description=f"clone of {args.audio.name} (end; other windows: {args.name}-<candidate>)",
    )
    print(f"voice {args.name} = {args.name}-end; audition the others by naming {args.name}-whole, {args.name}-pause-1, ...",
          file=sys.stderr)  # advice; stdout holds the files written
    return 0


def cmd_train(args) -> int:
    from barkflow.engine import cloning
    from barkflow.steps.clone import training_pairs

    pairs = training_pairs(args.data)
    hubert = cloning.HubertFeatures(args.hubert, device=args.device)
    losses = cloning.train_quantizer(
        pairs, args.out, args.steps, hubert=hubert, version=args.version, hidden_size=args.hidden, lr=args.lr,
        resume=args.resume, seed=args.seed, device=args.device,
    )
    print(f"trained on {len(pairs)} pairs for {len(losses)} steps: loss {losses[0]:.3f} -> {losses[-1]:.3f}; wrote {args.out}")
    return 0


COMMANDS = {"list": cmd_list, "add": cmd_add, "clone": cmd_clone, "train-quantizer": cmd_train}


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)  # stdout: data
    try:
        return COMMANDS[args.command](args)
    except BarkflowError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
