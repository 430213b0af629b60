"""Every command the README shows runs, in the README's order, in a fresh working folder, offline.

The commands are read from README.md (code blocks, and inline `barkflow…` spans in the text).
Where a command needs what a test cannot have (hub weights, a GPU, a SLURM cluster, a recording),
ADAPTATIONS says how it is run instead and why; a command missing from that table fails the test,
so a new README command is covered the day it is written.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import NamedTuple

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
MODULES = {"barkflow": "barkflow.cli", "barkflow-voices": "barkflow.voices_cli", "barkflow-review": "barkflow.reviewing.review",
           "barkflow-studio": "barkflow.studio.cli"}
INLINE = re.compile(r"`((?:%s) [^`]+)`" % "|".join(map(re.escape, sorted(MODULES, key=len, reverse=True))))


class Adapt(NamedTuple):
    why: str
    replace: dict[str, str] = {}  # argument -> what runs instead
    append: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    serves: bool = False  # a server that runs until stopped: started, asked for its page, stopped


# Every barkflow render below also gets FAST (appended to each `barkflow` command that renders):
# 0.3 s of semantic tokens per segment keeps the tiny model's noise short; the stages, the cache
# and the exports run as they would. Weights become the tiny bundle's (built offline).
FAST = ("sampling.semantic.max_gen_duration_s=0.3",)
TINY = {"model=bark-small": "model=tiny", "model=bark": "model=tiny"}
SHARDS_8 = "shard=0/8,1/8,2/8,3/8,4/8,5/8,6/8,7/8"
ADAPTATIONS: dict[str, Adapt] = {
    "barkflow project=audiobook": Adapt("runs as written"),
    "barkflow project=demo": Adapt("runs as written"),
    "barkflow project=demo verify=sphinx verify.report=true": Adapt(
        "runs as written (nothing verified yet: every segment is listed as not verified)"),
    "barkflow project=audiobook model=bark-small": Adapt("hub weights: the tiny model instead", TINY),
    "barkflow project=audiobook model=bark device=cuda": Adapt(
        "hub weights and a GPU: the tiny model on the CPU", {**TINY, "device=cuda": "device=cpu"}),
    "barkflow project=audiobook model=bark model.coarse.source=suno/bark-small": Adapt(
        "hub weights: the tiny model, with the coarse stage's source set on its own as written",
        {**TINY, "model.coarse.source=suno/bark-small": "model.coarse.source=tiny"}),
    "barkflow project=audiobook plan=true": Adapt("runs as written"),
    "barkflow project=audiobook --cfg job": Adapt("runs as written"),
    "barkflow project=audiobook model=local model.semantic.source=/data/bark": Adapt(
        "a real local folder: the tiny bundle's Hugging Face layout (limit=2: a preview, as the weights are new)",
        {"model.semantic.source=/data/bark": "model.semantic.source={bundle}/hf"}, ("limit=2",)),
    "barkflow project=mybook": Adapt(
        "the README's conf/projects/mybook.yaml, written here; hub weights: the tiny model, whose bundle has no "
        "v2/en_speaker_6, so the narrator is v2/en_speaker_0", {}, ("model=tiny", "project.cast.narrator=v2/en_speaker_0")),
    "barkflow-studio project=demo": Adapt(
        "a server: started on any free port, its page fetched with the token it prints, then stopped",
        {}, ("--port", "0"), serves=True),
    "barkflow-voices list": Adapt("offline: the tiny bundle's presets instead of suno/bark-small's", {}, ("--presets", "tiny")),
    "barkflow-voices add grandpa renders/demo/voices/l0007-s01.npz": Adapt("runs as written (after the demo render)"),
    "barkflow-voices clone me.wav --name me": Adapt(
        "a synthetic me.wav, written here; hub models: the tiny HuBERT, quantizer and codec",
        {}, ("--hubert", "tiny", "--quantizer", "tiny", "--codec", "tiny")),
    "barkflow-voices train-quantizer --data .barkflow-cache --out my.pth": Adapt(
        "hub HuBERT: the tiny one; 2 steps", {}, ("--hubert", "tiny", "--steps", "2")),
    "barkflow -m project=dialogue sampling.semantic.temp=0.5,0.7 seed=1,2": Adapt(
        "time: each of the 4 jobs renders its first segment only (limit=1)", {}, ("limit=1",)),
    "barkflow -m hydra/launcher=parallel project=dialogue seeds.fine=1,2,3": Adapt(
        "time: each of the 3 jobs renders its first segment only (limit=1)", {}, ("limit=1",)),
    "barkflow -m project=audiobook shard=0/2,1/2": Adapt("runs as written"),
    "barkflow -m hydra/launcher=parallel project=audiobook shard=0/2,1/2": Adapt("runs as written"),
    "barkflow -m hydra/launcher=local_jobs project=audiobook shard=0/2,1/2": Adapt("runs as written"),
    f"barkflow -m hydra/launcher=slurm_gpu project=audiobook {SHARDS_8}": Adapt(
        "no SLURM cluster here: the launcher's composed config is printed instead of submitting (--cfg and -m "
        "exclude each other, so one shard)", {SHARDS_8: "shard=0/8"}, ("--cfg", "hydra"), ("-m",)),
}


def readme_commands() -> list[str]:
    """The barkflow commands in README.md, in order: lines of code blocks (comments and `… &&` dropped)
    and inline code spans in the text."""
    commands, fenced = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith("    "):
            for part in re.sub(r"\s#\s.*$", "", line).split("&&"):
                if part.split()[:1] and part.split()[0] in MODULES:
                    commands.append(" ".join(part.split()))
        else:
            commands += [" ".join(span.split()) for span in INLINE.findall(line)]
    return commands


def test_every_readme_command_is_in_the_table():
    """A command added to the README must be added to ADAPTATIONS (and so be run) before this passes."""
    commands = readme_commands()
    assert len(commands) >= 15  # the parser still finds the README's commands
    assert set(commands) == set(ADAPTATIONS)


def adapted(command: str, bundle: Path) -> list[str]:
    adapt = ADAPTATIONS[command]
    args = [adapt.replace.get(arg, arg).format(bundle=bundle) for arg in shlex.split(command)]
    args = [arg for arg in args if arg not in adapt.remove] + list(adapt.append)
    renders = args[0] in ("barkflow", "barkflow-studio") and not {"plan=true", "--cfg"} & set(args)
    if renders:
        args += FAST
    return [sys.executable, "-m", MODULES[args[0]], *args[1:]]


def prepare(folder: Path) -> None:
    """What a README reader has beside the commands: the repository's examples, the README's own project
    file (conf/projects/mybook.yaml) with its book.md, and a recording to clone."""
    shutil.copytree(REPO / "examples", folder / "examples")
    yaml_blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    mybook = next(block for block in yaml_blocks if "# conf/projects/mybook.yaml" in block)
    (folder / "conf" / "projects").mkdir(parents=True)
    (folder / "conf" / "projects" / "mybook.yaml").write_text(mybook, encoding="utf-8")
    shutil.copy(REPO / "examples" / "audiobook" / "book.md", folder / "book.md")
    rate, seconds = 24_000, 4
    t = np.arange(rate * seconds) / rate
    voiced = 0.3 * np.sin(2 * np.pi * 140 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))  # a hum with syllables
    noise = 0.05 * np.random.default_rng(0).standard_normal(t.size)
    sf.write(folder / "me.wav", (voiced + noise).astype(np.float32), rate)


def check_server(command: str, args: list[str], folder: Path, env: dict) -> None:
    """Start a server command, fetch the page at the address it prints, stop it: it must answer."""
    proc = subprocess.Popen(args, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        printed = [proc.stdout.readline()]  # the address, alone on stdout
        address = next((line.strip() for line in printed if line.strip().startswith("http://")), "")
        assert address, f"{command}: printed no address\n{printed}\n{proc.stderr.read()[-3000:] if proc.poll() else ''}"
        with urllib.request.urlopen(address, timeout=60) as response:
            assert response.status == 200 and b"<html" in response.read(), command
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_every_readme_command_runs(tmp_path, tiny_bundle):
    prepare(tmp_path)
    # this checkout's code, wherever barkflow is installed from
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
               PYTHONWARNINGS="ignore")
    for command in readme_commands():
        args = adapted(command, tiny_bundle)
        if ADAPTATIONS[command].serves:
            check_server(command, args, tmp_path, env)
            continue
        result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{command}\n  ran as: {shlex.join(args[2:])}\n{result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr, f"{command}\n{result.stderr[-3000:]}"
    # what the commands promise
    assert (tmp_path / "renders" / "demo" / "demo.wav").is_file()
    assert (tmp_path / "renders" / "audiobook" / "audiobook.m4b").is_file()
    assert (tmp_path / "voices" / "grandpa.yaml").is_file()
    assert (tmp_path / "my.pth").is_file()
    assert len(list((tmp_path / "renders" / "dialogue").glob("sweep-*/*/preview-1/dialogue.wav"))) == 4 + 3  # every job
