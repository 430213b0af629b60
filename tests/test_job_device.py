"""One device per sweep job on one machine: with device=auto, job N of a multirun takes visible GPU N
modulo their count (Hydra's parallel launchers would leave every job on GPU 0), or the CPU where none
is visible. The GPUs are faked in-process (torch.cuda.device_count); the CPU fallback runs for real
through the joblib (`parallel`) and submitit (`local_jobs`) launchers, each job saying in its log
which device it took."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import torch
from helpers import REPO, project_config
from hydra.conf import HydraConf
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from barkflow.planning import build


@pytest.fixture
def hydra_job(monkeypatch):
    """Makes this process look like a Hydra job: hydra_job(mode, number); the real state comes back after."""
    monkeypatch.setattr(HydraConfig.instance(), "cfg", HydraConfig.instance().cfg)

    def become(mode: RunMode, number: int) -> None:
        cfg = OmegaConf.create({"hydra": OmegaConf.structured(HydraConf)})
        cfg.hydra.mode, cfg.hydra.job.num = mode, number
        HydraConfig.instance().set_config(cfg)

    return become


# each example sets the job and the GPU count it reads, so sharing the fixtures between examples is safe
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.integers(0, 200), gpus=st.integers(0, 8))
def test_each_sweep_job_takes_its_own_gpu_or_the_cpu(monkeypatch, hydra_job, number, gpus):
    hydra_job(RunMode.MULTIRUN, number)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: gpus)
    chosen = build.job_device("auto")
    assert chosen == (f"cuda:{number % gpus}" if gpus else "cpu")
    assert build.job_device("cpu") == "cpu" and build.job_device("cuda:3") == "cuda:3"  # a set device stays


def test_the_engine_of_a_sweep_job_is_on_its_gpu(tmp_path, monkeypatch, hydra_job):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 3)
    config = project_config(tmp_path, "device=auto")
    assert config.device.device == "auto"
    for number, expected in [(0, "cuda:0"), (1, "cuda:1"), (2, "cuda:2"), (4, "cuda:1")]:
        hydra_job(RunMode.MULTIRUN, number)
        assert str(build.make_engine(config).device) == expected  # nothing is loaded: no GPU needed


def test_the_recogniser_of_a_sweep_job_is_on_its_gpu(tmp_path, monkeypatch, hydra_job):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    config = project_config(tmp_path, "verify=whisper", "verify.source=tiny-whisper", "verify.device=auto")
    hydra_job(RunMode.MULTIRUN, 3)
    assert build.make_recogniser(config.verify)._model("en").device == "cuda:1"  # nothing is loaded: no GPU needed


def test_a_plain_run_keeps_auto(monkeypatch, hydra_job):
    hydra_job(RunMode.RUN, 0)
    assert build.job_device("auto") == "auto"
    monkeypatch.setattr(HydraConfig.instance(), "cfg", None)  # the library, outside Hydra
    assert build.job_device("auto") == "auto"


@pytest.mark.parametrize("launcher", ["parallel", "local_jobs"])
def test_each_job_of_a_local_sweep_logs_the_device_it_took(tmp_path, launcher):
    sweep = tmp_path / "sweep"
    command = [
        sys.executable, "-m", "barkflow.cli", "-m", f"hydra/launcher={launcher}", "project=demo", "plan=true",
        "device=auto", "seed=1,2,3", f"paths.cache_dir={tmp_path / 'cache'}", f"paths.voices_dir={tmp_path / 'voices'}",
        f"hydra.sweep.dir={sweep}",
    ]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
               PYTHONWARNINGS="ignore")
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    gpus = torch.cuda.device_count()  # the jobs see this machine's GPUs
    for number in range(3):
        log = (sweep / str(number) / "cli.log").read_text(encoding="utf-8")
        chosen = re.findall(r"sweep job (\d+): device (\S+) \((\d+) GPU", log)
        assert chosen == [(str(number), f"cuda:{number % gpus}" if gpus else "cpu", str(gpus))], log
