"""barkflow against bark.cpp (ggml) on the same random weights, same segments, one run.

    python bench/barkcpp.py                         # bark-small shapes, 8 segments of ~1 s
    python bench/barkcpp.py --segments 2 --seconds 0.5 --formats f32 q8_0   # a shorter run
    python bench/barkcpp.py --sdist bark_cpp_python-0.2.0.tar.gz            # a source already here

What it does, all without network beyond the package index:
1. fetches bark-cpp-python's sdist (`pip download --no-deps --no-binary :all:`), which vendors
   bark.cpp, encodec.cpp and ggml, and unpacks it under --work (kept between runs);
2. builds bark.cpp with cmake (Release; the quantize tool too), and a small driver compiled from
   bark.cpp itself (one translation unit) that loads the model once, renders each segment with a
   fixed number of semantic steps (EOS off: min_eos_p above 1) and prints bark.cpp's own per-stage
   timings and token counts;
3. writes random weights in the bark-small shapes (bench/engine.build_weights, the HF layout),
   saves them as the pytorch_model.bin that bark.cpp's vendored convert.py reads (the codec's
   weight-norm parametrisations renamed to the weight_g/weight_v it expects), converts them to
   f32 and f16, and quantizes q8_0 (and others asked for) with bark.cpp's quantize tool;
4. runs bark.cpp (every format) and barkflow (fp32 and int8, batch 1 and batch 8) on the same
   segments, and prints per stage the seconds per audio-second, ms per token, and the ratio
   bark.cpp / barkflow (above 1: barkflow is faster), against bark.cpp's fastest format.

Both sides get the same thread count (--threads, default: torch's). bark.cpp has no batching:
its batch-8 figure is its batch-1 throughput (segments one after another). Segment lengths are
fixed on the barkflow side; bark.cpp's counts come from its own statistics, and the comparison is
per audio-second and per token, so a segment that stops early on bark.cpp does not flatter it.

Not comparable: bark.cpp samples with its own RNG (std::mt19937), so tokens differ; and its text
tokenizer reads the same vocab.txt but is its own WordPiece, so text token ids may differ. Neither
changes the work per token.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from barkflow.engine.api import Bark  # noqa: E402
from barkflow.engine.constants import SEMANTIC_RATE_HZ  # noqa: E402
from bench.engine import build_weights, report, run_barkflow, segment_texts  # noqa: E402
from bench.roofline import measure_floor  # noqa: E402

PACKAGE = "bark-cpp-python"
VERSION = "0.2.0"
STAGES = ("semantic", "coarse", "fine")

DRIVER = r"""
// One translation unit with bark.cpp, so the driver can read the context's statistics.
#include "bark.cpp"
#include <iostream>

static void zero(gpt_model& m) { m.t_sample_us = m.t_predict_us = m.t_main_us = 0; m.n_sample = 0; }

int main(int argc, char** argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s model.bin threads n_semantic < texts\n", argv[0]); return 1; }
    ggml_time_init();
    bark_context_params params = bark_context_default_params();
    params.verbosity = bark_verbosity_level::LOW;
    params.n_steps_text_encoder = atoi(argv[3]);
    params.min_eos_p = 2.0f;  // never stop early: every segment has the same length
    bark_context* ctx = bark_load_model(argv[1], params, 0);
    if (!ctx) { fprintf(stderr, "could not load %s\n", argv[1]); return 1; }
    std::string text;
    int seed = 0;
    while (std::getline(std::cin, text)) {
        ctx->rng = std::mt19937(seed++);
        bark_reset_statistics(ctx);
        zero(ctx->text_model.semantic_model); zero(ctx->text_model.coarse_model); zero(ctx->text_model.fine_model);
        const int64_t start = ggml_time_us();
        if (!bark_generate_audio(ctx, text.c_str(), atoi(argv[2]))) { fprintf(stderr, "generation failed\n"); return 1; }
        const int64_t total = ggml_time_us() - start;
        const bark_statistics& s = ctx->stats;
        printf("BENCH {\"semantic_us\": %lld, \"coarse_us\": %lld, \"fine_us\": %lld, \"total_us\": %lld, "
               "\"semantic_n\": %d, \"coarse_n\": %d, \"fine_n\": %d, \"samples\": %d}\n",
               (long long)s.t_semantic_us, (long long)s.t_coarse_us, (long long)s.t_fine_us, (long long)total,
               s.n_sample_semantic, s.n_sample_coarse, s.n_sample_fine, bark_get_audio_data_size(ctx));
        fflush(stdout);
    }
    bark_free(ctx);
    return 0;
}
"""


def run(cmd, **kwargs):
    print("$", " ".join(map(str, cmd)), flush=True)
    return subprocess.run(cmd, check=True, **kwargs)


def fetch_sdist(work: Path, sdist: Path | None) -> Path:
    """The unpacked sdist's vendored bark.cpp folder."""
    if sdist is None:
        found = sorted(work.glob("bark_cpp_python-*.tar.gz"))
        if not found:
            run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                 f"{PACKAGE}=={VERSION}", "-d", str(work)])
            found = sorted(work.glob("bark_cpp_python-*.tar.gz"))
        sdist = found[-1]
    root = work / sdist.name.removesuffix(".tar.gz")
    if not root.exists():
        with tarfile.open(sdist) as tar:
            tar.extractall(work, filter="data")
    return root / "vendor" / "bark.cpp"


def build(src: Path) -> tuple[Path, Path]:
    """(the driver, the quantize tool), built once under src/build."""
    out = src / "build"
    quantize = out / "examples" / "quantize" / "quantize"
    driver = out / "barkflow_driver"
    if not quantize.exists():
        run(["cmake", "-S", str(src), "-B", str(out), "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"])
        run(["cmake", "--build", str(out), "-j", str(os.cpu_count() or 1), "--target", "quantize"])
    if not driver.exists():
        (out / "barkflow_driver.cpp").write_text(DRIVER)
        # Compiled exactly as cmake compiled bark.cpp (same defines and include order: ggml's
        # structs must have the layout libggml was built with).
        entries = json.loads((out / "compile_commands.json").read_text())
        command = next(e["command"] for e in entries if e["file"].endswith("/bark.cpp")).split()
        flags = [f for f in command[1:] if f.startswith(("-D", "-I", "-O", "-std", "-m", "-f"))]
        libs = [str(out / "encodec.cpp" / "libencodec.a")] + glob.glob(str(out / "encodec.cpp" / "ggml" / "src" / "libggml.*"))
        run([command[0], *flags, f"-I{src}", "-o", str(driver), str(out / "barkflow_driver.cpp"),
             *libs, f"-Wl,-rpath,{out / 'encodec.cpp' / 'ggml' / 'src'}", "-lpthread"])
    return driver, quantize


def write_checkpoint(folder: Path) -> None:
    """pytorch_model.bin as bark.cpp's convert.py reads it: the codec's weight norm as weight_g/weight_v,
    and the fine heads written out (safetensors stores them once, as the embeddings they are tied
    to; bark.cpp would run with those tensors unset and crash)."""
    from safetensors.torch import load_file

    state = {}
    for file in sorted(folder.glob("*.safetensors")):
        state.update(load_file(file))
    renamed = {}
    for key, value in state.items():
        key = key.replace("parametrizations.weight.original0", "weight_g").replace("parametrizations.weight.original1", "weight_v")
        renamed[key] = value
    heads = [k for k in renamed if re.fullmatch(r"fine_acoustics\.input_embeds_layers\.\d+\.weight", k)]
    for i in range(1, len(heads)):
        renamed.setdefault(f"fine_acoustics.lm_heads.{i - 1}.weight", renamed[f"fine_acoustics.input_embeds_layers.{i}.weight"])
    torch.save(renamed, folder / "pytorch_model.bin")


def convert(src: Path, folder: Path, quantize: Path, formats: list[str]) -> dict[str, Path]:
    """{format: ggml weights file}."""
    files = {}
    for fmt in formats:
        target = folder / f"ggml_{fmt}.bin"
        if fmt in ("f32", "f16"):
            _convert(src, folder, target, use_f16=fmt == "f16")
        else:
            if "f32" not in files:
                files.update(convert(src, folder, quantize, ["f32"]))
            run([str(quantize), str(files["f32"]), str(target), fmt], stdout=subprocess.DEVNULL)
        files[fmt] = target
    return files


def _convert(src: Path, folder: Path, target: Path, use_f16: bool) -> None:
    """bark.cpp's convert.py, run step by step as its __main__ does, except that the codec is
    always written in f16: encodec.cpp's conv_1d has only an f16 kernel (an f32 codec aborts in
    ggml_compute_forward_conv_1d_stage_0), and bark.cpp's own f16 files carry it so."""
    import importlib.util
    import struct

    spec = importlib.util.spec_from_file_location("barkcpp_convert", src / "convert.py")
    conv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conv)
    checkpoint = torch.load(folder / "pytorch_model.bin", map_location="cpu")
    config = json.loads((folder / "config.json").read_text())
    with open(target, "wb") as out:
        out.write(struct.pack("i", 0x67676D6C))
        conv.generate_vocab_file(folder, out)
        for prefix in ["semantic", "coarse_acoustics", "fine_acoustics"]:
            conv.parse_hparams(config, prefix, out, use_f16)
            conv.parse_model_weights(checkpoint, prefix, out, use_f16)
        out.write(struct.pack("i", 0x67676D6C))
        conv.parse_codec_hparams(config["codec_config"], out, True)
        conv.parse_codec_model_weights(checkpoint, out, True)  # closes `out`


def run_barkcpp(driver: Path, weights: Path, texts, n_tokens: int, threads: int) -> dict:
    proc = subprocess.run([str(driver), str(weights), str(threads), str(n_tokens)], input="\n".join(texts) + "\n",
                          capture_output=True, text=True, check=True)
    rows = [json.loads(line[6:]) for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    if len(rows) != len(texts):
        raise RuntimeError(f"bark.cpp rendered {len(rows)} of {len(texts)} segments:\n{proc.stderr[-2000:]}")
    times = {s: sum(r[f"{s}_us"] for r in rows) / 1e6 for s in STAGES}
    times["codec"] = sum(r["total_us"] - r["semantic_us"] - r["coarse_us"] - r["fine_us"] for r in rows) / 1e6
    counts = {s: sum(r[f"{s}_n"] for r in rows) for s in STAGES}
    return {"times": times, "audio_s": sum(r["samples"] for r in rows) / 24_000, "counts": counts}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "barkflow-barkcpp")
    parser.add_argument("--sdist", type=Path, help="bark-cpp-python's sdist, if already downloaded")
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=1.0, help="audio per segment")
    parser.add_argument("--layers", type=int, default=12, help="bark-small: 12 (2 for a smoke run)")
    parser.add_argument("--formats", nargs="+", default=["f32", "f16", "q8_0"])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    src = fetch_sdist(args.work, args.sdist)
    driver, quantize = build(src)
    n_tokens = max(2, round(args.seconds * SEMANTIC_RATE_HZ))
    texts = segment_texts(args.segments)
    folder = args.work / f"weights-{args.layers}"
    if not (folder / "pytorch_model.bin").exists():
        build_weights(folder, args.layers, 768, 12)
        write_checkpoint(folder)
    files = convert(src, folder, quantize, [f for f in args.formats if not (folder / f"ggml_{f}.bin").exists()])
    files.update({f: folder / f"ggml_{f}.bin" for f in args.formats})

    floor = measure_floor()
    print(f"threads={args.threads}; {len(texts)} segments of {n_tokens} semantic tokens; floor: fp32 GEMM "
          f"{floor['gflops']:.1f} GFLOP/s, copy {floor['gbps']:.1f} GB/s", flush=True)
    rows = {}
    for fmt in args.formats:
        r = run_barkcpp(driver, files[fmt], texts, n_tokens, args.threads)
        rows[f"bark.cpp {fmt}"] = report(f"bark.cpp {fmt}", r["times"], r["audio_s"], r["counts"])
    for dtype in ("float32", "int8"):
        bark = Bark(str(folder), device="cpu", dtype=dtype, batch_size=len(texts))
        run_barkflow(bark, texts[:1], 4, batch=True)  # warm-up: loads every stage
        for batch in (False, True):
            name = f"barkflow {dtype} batch {len(texts) if batch else 1}"
            rows[name] = report(name, *run_barkflow(bark, texts, n_tokens, batch=batch))
        del bark

    cpp = [r for n, r in rows.items() if n.startswith("bark.cpp")]
    for name, row in rows.items():
        if not name.startswith("barkflow"):
            continue
        ratios = []
        for s in STAGES:
            best = min(c[f"{s}_s_per_audio_s"] for c in cpp)
            ratios.append(f"{s} {best / row[f'{s}_s_per_audio_s']:.2f}x")
        best_tok = {s: min(c[f"{s}_ms_per_token"] for c in cpp) for s in ("semantic", "coarse")}
        per_token = "  ".join(f"{s}/token {best_tok[s] / row[f'{s}_ms_per_token']:.2f}x" for s in best_tok)
        total_cpp = min(sum(c[f"{s}_s_per_audio_s"] for s in (*STAGES, "codec")) for c in cpp)
        total = sum(row[f"{s}_s_per_audio_s"] for s in (*STAGES, "codec"))
        print(f"{name}: vs bark.cpp's fastest format per stage: {'  '.join(ratios)}  {per_token}  "
              f"total {total_cpp / total:.2f}x (above 1: barkflow faster)", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"floor": floor, **rows}, indent=1))


if __name__ == "__main__":
    main()
