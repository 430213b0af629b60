"""`shard=i/W` is checked when the config is composed, like every other option: a one-line error
for a shard that does not exist or a count past the stated maximum, with plan=true too."""

import pytest
from hydra import compose, initialize_config_module

from barkflow.errors import BarkflowError
from barkflow.planning.config import MAX_SHARDS, register_configs, to_config


@pytest.fixture(scope="module")
def compose_with(tmp_path_factory):
    register_configs()
    out = tmp_path_factory.mktemp("out")

    def composed(*overrides):
        with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
            return compose(config_name="config", overrides=["projects=demo", f"paths.output_dir={out}", *overrides])

    return composed


@pytest.mark.parametrize("shard", [
    "1/0", "0/0", "3/3", "-1/4", "0/1000000000", f"0/{MAX_SHARDS + 1}", "1", "a/b", "0/4/1", " 0/4", "0/٤", "0/1_0", "+0/4",
])
def test_a_bad_shard_is_a_one_line_error_at_compose(compose_with, shard):
    with pytest.raises(BarkflowError, match="^[^\n]*$") as error:
        to_config(compose_with("plan=true", f"shard='{shard}'"))
    message = str(error.value)
    assert message.startswith(f"shard={shard!r}:") and f"1 <= W <= {MAX_SHARDS}" in message


@pytest.mark.parametrize("shard,expected", [("", ""), ("0/1", "0/1"), ("3/4", "3/4"), (f"0/{MAX_SHARDS}", f"0/{MAX_SHARDS}")])
def test_a_good_shard_composes(compose_with, shard, expected):
    assert to_config(compose_with("plan=true", f"shard='{shard}'")).shard == expected
