"""The history policy (which unit's tokens condition which, at each step) pins the cache keys.

A small plan with every kind of conditioning: a chained voice (each part conditioned on the part
before), a plain voice, a semantic-only voice (no prompt for coarse and fine) and a random voice
(every segment after its first locked to that first one, across lines). The keys below were computed
before the policy was written once for keys and prompts; they must never change.
"""

import dataclasses
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from barkflow import runner
from barkflow.cache import Store
from barkflow.config import VoiceConfig, register_configs, to_config

REPO = Path(__file__).resolve().parents[1]
SCRIPT = (
    "The harbour was quiet that night, and the lamp swung once before it went out. Nobody moved.\n"
    "ALICE: Did you hear that? It came from the door. Then why is the door open?\n"
    "BOB: It is only the wind. Stay close to me. I am right here.\n"
    "CAROL: Who is there? Answer me now. I can hear you breathing.\n"
    "CAROL: Run.\n"
)
# (segment id, take, history, voice, the segment it is conditioned on): (semantic, coarse, fine, decode key)
KEYS = {
    ("l0001-s01", 0, "chain", "teller", None): (
        "dab065217cf95da7707e9ff334198a87", "fc615fb06068918cec6fe667caede1c2", "6d01cd5353138bed4d49172e661a9291", "ff9b886dc01a2cb1e836081e392a0bc8",
    ),
    ("l0001-s01", 1, "chain", "teller", None): (
        "def8ea5d04fe6e027c562dff2a24ce11", "c110896c57d67b37f6244f204d5a2acf", "62a340cc666e4af65abca2e42f939446", "638ceb28f7fa53d606d2c07b4c694733",
    ),
    ("l0001-s02", 0, "chain", "teller", "l0001-s01"): (
        "a51b5d0681d2e5b57e3634e0f079dca1", "7f829cd0980e59a0ed5b8bd9a53acbca", "1a7e60bc0c1703728bf6c875eadcc1fd", "0626d0b60999859bad8270f82cccb637",
    ),
    ("l0001-s02", 1, "chain", "teller", "l0001-s01"): (
        "3c055cc1f8e720cbecb10564af1c1c18", "50ee3944e4089044cc5bc03b730c8de1", "272b479622665be5577606d8e613e1b2", "e0c843f6c0daa11604276bfa6f9972ef",
    ),
    ("l0001-s03", 0, "chain", "teller", "l0001-s02"): (
        "49438a9c845fd66b44518528dfea2642", "c32395349751575459cb5e9b2c7d4182", "f23491df34f4f80a74825bfa7a43bb26", "3460721e9ccf0382afa87be48a1f7344",
    ),
    ("l0001-s03", 1, "chain", "teller", "l0001-s02"): (
        "0408c566cceb80a72222ce1bd61e3f70", "270ed1b8ebde170e7a3eb63775955cba", "0f2f82d63739e1d858f10867acc8b792", "36c9307da8caa53593b57ca7b4083a44",
    ),
    ("l0002-s01", 0, "voice", "plain", None): (
        "6b0a162e075251c652c42ccfae9fe5df", "d2411a5142bdd544fb35da1b6cc7edf4", "9ef456de6f7baadd42db1362ea8b9cb5", "b32c0ce25408caffc47f63bc1bb97aaa",
    ),
    ("l0002-s01", 1, "voice", "plain", None): (
        "b32bef6ade2ecbf9e3788570c9568815", "708ba11e5989a53787f4fd8b6b12fbad", "8b0f046fa9ff364b848e2db04231e779", "c55cff76557e6084a05f29045a0c6e67",
    ),
    ("l0002-s02", 0, "voice", "plain", None): (
        "223003d1a3dc780860d2872909d710ed", "66d31d52f026786cf6a7b3fb76fe1e21", "d3edc2a5dc330f1b62fd6ab8dbdd392d", "1d2bb396c86603028a8c0f2878f6a1be",
    ),
    ("l0002-s02", 1, "voice", "plain", None): (
        "e87cfcae60868f636cc47b317d211406", "7c27c1d1a4a740e7ca99964eb3635399", "c15c40b05592cbda0af77390729c1264", "41b36a6652789de380c01990aef66adf",
    ),
    ("l0002-s03", 0, "voice", "plain", None): (
        "13ebf0b2319b3942d95b3d724436170e", "4574df74f280a81ab25e16fd35be8151", "51661a84fa5068ff2e133cbc564dd303", "5d6796f9ee3deb8dcd8c5d8b6d483670",
    ),
    ("l0002-s03", 1, "voice", "plain", None): (
        "c8590695899889dfd6667703ee1e72e7", "582eab3efe61772515eefb5e2e996ecf", "87e8104487afe02113bee91ff30b83f5", "e60a992b8a3d496980f22380237f9464",
    ),
    ("l0003-s01", 0, "semantic-only", "flat", None): (
        "c439a366341b213e1ea750f06ef8e3a8", "f20a55e86e6bfabe728dce52011b16e6", "55e37e3d293711337f88fb22d9b14730", "990f446a022080afc02168bb0df2ffad",
    ),
    ("l0003-s01", 1, "semantic-only", "flat", None): (
        "b07c940469370988cea407941b1f19a5", "dd7a0933645feb90ed6ec6d7261d8a5a", "4befa80ce209383dc7ce63801979b919", "b19d1a375cc75b9b116f2cae23cfec04",
    ),
    ("l0003-s02", 0, "semantic-only", "flat", None): (
        "615cbc74ea6b57e23f6cfbfcbdcd57a5", "fbc50c378e4a6f580d952cc4487a7c40", "0e8012d7ea78aa37aba4d70bfdd6f3da", "ef79be6cd79aebc0cb389313ce5af747",
    ),
    ("l0003-s02", 1, "semantic-only", "flat", None): (
        "446a8c7a8ee683d0c3f1d1f8e69ca924", "d58c76a38d8405ef6579adfbfb3fcf9f", "08811deb2e3d2c47b1371a6845c34f62", "c0a4be28269986c3ac16d2bb6e40918e",
    ),
    ("l0004-s01", 0, "voice", "random", None): (
        "ab3ae7087ebb4af235ceda0fbc41a851", "83ae83b6d83a25a8681ac25beaa92ff3", "0b9d5ec6371055ddbd84a3f42853294f", "dbf4e3a343844956516339db946fee56",
    ),
    ("l0004-s01", 1, "voice", "random", None): (
        "9119493f42ab85bca1c1dd48d3f13602", "d169228a0ff1697e15e1be70e39a1e50", "b6050d36307be9e1bde1c6961f8e8247", "905d964b1e77ec1eda1bd75843186eee",
    ),
    ("l0004-s02", 0, "voice", "random", "l0004-s01"): (
        "c09b83920f5703d7bf7789bdedbb5091", "e241459deef6baa5a0fdbfc5e64833b7", "435a2a82a6ed412d2e12acb509989a43", "54602f86f2a6536ac07ba44e0e41b5fd",
    ),
    ("l0004-s02", 1, "voice", "random", "l0004-s01"): (
        "50d77eb14b81d806dcc8ec9bb713c841", "bdf35a347a66a1b7613c9d203805693d", "b6ee678a2af93ef13db0eabc52fff6f4", "40ece9ea1d815892428bec02c35da5c1",
    ),
    ("l0005-s01", 0, "voice", "random", "l0004-s01"): (
        "cda87c4caa5ee482ca755caf462e5dbe", "3e6cc86b1394bfc0fd0f4252d09adba2", "a27b5b5d4153c598939f3b5da58c1fc3", "68e0648f1fb05ef0a15e91ac2c1e96f0",
    ),
    ("l0005-s01", 1, "voice", "random", "l0004-s01"): (
        "e4dd24a7ceaf90b4a20e599252bd5f1d", "2bce203f176caa82a47fb12a9ae6decb", "8e0839bba5183fc3f99f54c867693cbc", "23ce357a36167219d0c135ce858a2322",
    ),
}


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("conditioning")
    script = folder / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    register_configs()
    with initialize_config_module(config_module="barkflow.conf", version_base="1.3"):
        config = to_config(compose(config_name="config", overrides=[
            "projects=demo", f"project.script={script}", f"paths.cache_dir={folder / 'cache'}",
            f"paths.output_dir={folder / 'out'}", f"paths.voices_dir={folder / 'voices'}", "device=cpu",
            "split.goal_chars=30", "split.max_chars=60", "project.takes=2",
        ]))
    config = dataclasses.replace(config, project=dataclasses.replace(
        config.project, history="voice",
        voices={
            "teller": VoiceConfig(source="v2/en_speaker_0", history="chain"),
            "flat": VoiceConfig(source="v2/en_speaker_2", history="semantic-only"),
            "plain": VoiceConfig(source="v2/en_speaker_1", history="voice"),
        },
        cast={"narrator": "teller", "ALICE": "plain", "BOB": "flat", "CAROL": "random"},
    ))
    engine = runner.make_engine(config)
    return runner.plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])


def test_the_keys_of_every_kind_of_conditioning_are_unchanged(planned):
    found = {
        (u.segment_id, u.take, u.history, u.voice.name, u.prompt_from.segment_id if u.prompt_from else None):
        tuple(u.keys[step] for step in ("semantic", "coarse", "fine", "decode"))
        for u in planned.units
    }
    assert found == KEYS
