"""Every file under conf/ composes: each option of each config group, each project, each voice entry.

The groups and their options are read from the folders, so a new file is tested the day it is added.
"""

from __future__ import annotations

import importlib
import re
import typing
from pathlib import Path

import barkflow.conf
import pytest
import yaml
from hydra import compose, initialize_config_module
from omegaconf import OmegaConf, open_dict

from barkflow.errors import BarkflowError
from barkflow.planning.config import BarkflowConfig, load_voice_file, register_configs, to_config
from barkflow.planning.plan import find_file
from barkflow.text.formats import load_script

CONF = Path(barkflow.conf.__file__).resolve().parent
REPO = CONF.parent  # project scripts are named relative to the repository (examples/...)
NOT_GROUPS = {"voices"}  # the voice library: entries are loaded one by one (load_voice_file), not composed
# ${required:KEY,EXAMPLE}: a value the user must give with this option (see conf/model/local.yaml).
REQUIRED = re.compile(r"\$\{required:([\w.]+),([^}]*)\}")


def group_options() -> list[tuple[str, str]]:
    """(group, option) for every YAML file in a group folder, e.g. ("hydra/launcher", "parallel")."""
    options = []
    for path in sorted(CONF.rglob("*.yaml")):
        group = path.parent.relative_to(CONF).as_posix()
        if group != "." and group.split("/")[0] not in NOT_GROUPS:
            options.append((group, path.stem))
    return options


def required_overrides(path: Path) -> list[str]:
    """The file's required values, each set to the example the file gives."""
    return [f"{key}={example}" for key, example in REQUIRED.findall(path.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def compose_with(tmp_path_factory):
    register_configs()
    output_dir = tmp_path_factory.mktemp("out")  # the default, ${hydra:runtime.output_dir}, needs a running app

    def compose_overrides(*overrides: str):
        return compose(
            config_name="config", overrides=[*overrides, f"paths.output_dir={output_dir}"], return_hydra_config=True,
        )

    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        yield compose_overrides


def to_dataclasses(cfg):
    with open_dict(cfg):
        del cfg["hydra"]  # Hydra's own node is not part of barkflow's schema
    return to_config(cfg)


def test_the_walk_finds_every_group():
    groups = {group for group, _ in group_options()}
    assert {"model", "device", "sampling", "split", "stitch", "export", "paths", "projects",
            "hydra/launcher", "hydra/callbacks"} <= groups


@pytest.mark.parametrize("group, option", [pytest.param(*o, id="=".join(o)) for o in group_options()])
def test_every_option_of_every_group_composes_into_dataclasses(compose_with, monkeypatch, group, option):
    import torch

    # device=cuda is checked against this machine's torch (tests/test_config.py); here only the file is
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    path = CONF / group / f"{option}.yaml"
    cfg = compose_with(f"{group}={option}", *required_overrides(path))
    assert cfg.hydra.runtime.choices[group] == option
    if group.endswith("_logging"):  # logs on stderr: stdout holds the command's data
        assert cfg.hydra[group.split("/")[1]].handlers.console.stream == "ext://sys.stderr"
    elif group.startswith("hydra/"):  # a launcher or callback preset: its class must import (the plugin is installed)
        node = cfg.hydra[group.split("/")[1]]
        targets = [node["_target_"]] if "_target_" in node else [entry["_target_"] for entry in node.values()]
        for target in targets:
            module, _, name = target.rpartition(".")
            assert hasattr(importlib.import_module(module), name), target
    config = to_dataclasses(cfg)
    if group == "projects":  # the project's script is in the repository and parses
        script = load_script(find_file(config.project.script, [CONF]), config.project.format,
                             narrator=config.project.narrator, fountain_action=config.project.fountain_action)
        assert script.lines


def test_no_group_file_marks_a_value_required_with_question_marks():
    """`???` in a group file is ignored: merged onto the schema's default, Hydra keeps the default
    (model=local ran the tiny model). A required value is written ${required:KEY,EXAMPLE}."""
    offenders = [
        str(path.relative_to(CONF)) for path in CONF.rglob("*.yaml")
        if path.parent.name not in NOT_GROUPS and "???" in re.sub(r"#.*", "", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_required_value_left_out_is_a_one_line_error_naming_it(compose_with):
    with pytest.raises(BarkflowError, match=r"^model\.semantic\.source is required[^\n]*model\.semantic\.source=/data/"):
        to_dataclasses(compose_with("model=local"))


def test_model_local_uses_the_given_folder_for_every_stage(compose_with):
    config = to_dataclasses(compose_with("model=local", "model.semantic.source=/weights/bark"))
    assert [config.model.semantic.source, config.model.coarse.source, config.model.fine.source] == ["/weights/bark"] * 3


@pytest.mark.parametrize("path", sorted((CONF / "voices").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_voice_entry_loads(path):
    voice = load_voice_file(path, path.stem)
    assert voice.source or voice.clone is not None
    assert voice.description


def leaves(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@pytest.mark.parametrize("group", ["model", "device", "sampling", "split", "stitch", "export", "paths"])
def test_no_group_file_restates_a_default_of_its_schema(group):
    """A default lives in its dataclass only; a group file sets what it changes (comments may tell the rest)."""
    schema = typing.get_type_hints(BarkflowConfig)[group]
    defaults = dict(leaves(OmegaConf.to_container(OmegaConf.structured(schema))))
    restated = [
        f"{path.name}: {key}={value!r}"
        for path in sorted((CONF / group).glob("*.yaml"))
        for key, value in leaves({k: v for k, v in yaml.safe_load(path.read_text(encoding="utf-8")).items() if k != "defaults"})
        if key in defaults and defaults[key] == value
    ]
    assert restated == []
