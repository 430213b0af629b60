"""The history policy (which unit's tokens condition which, at each step) pins the cache keys.

A small plan with every kind of conditioning: a chained voice (each part conditioned on the part
before), a plain voice, a semantic-only voice (no prompt for coarse and fine) and a random voice
(every segment after its first locked to that first one, across lines). The keys below were computed
before the policy was written once for keys and prompts; they change only on purpose. Once so far:
the coarse, fine and decode keys of units conditioned on another unit got the "from-v2" coarse tag
when those units' coarse prompts stopped falling back to the voice (plan._PROMPT_TOKENS).
"""

import dataclasses
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from barkflow.planning import build, plan
from barkflow.planning.config import VoiceConfig, register_configs, to_config
from barkflow.store.cache import Store

REPO = Path(__file__).resolve().parents[1]
SCRIPT = (
    "The harbour was quiet that night, and the lamp swung once before it went out. Nobody moved.\n"
    "ALICE: Did you hear that? It came from the door. Then why is the door open?\n"
    "BOB: It is only the wind. Stay close to me. I am right here.\n"
    "CAROL: Who is there? Answer me now. I can hear you breathing.\n"
    "CAROL: Run.\n"
)


def _both_takes(segment, history, voice, conditioned_on, take_0_keys, take_1_keys):
    """The KEYS entries of a segment's two takes: one conditioning, each take its own keys."""
    return {(segment, take, history, voice, conditioned_on): keys for take, keys in enumerate((take_0_keys, take_1_keys))}


# (segment id, take, history, voice, the segment it is conditioned on): (semantic, coarse, fine, decode key)
KEYS = {
    **_both_takes("l0001-s01", "chain", "teller", None,
        ("09c45376771fb4e29f153ea7de22f25f", "1e5a6caec818a70cd035a6896702c4b4", "256d27af02e5e18a433053018d2ee047", "1b7ee483fbee5712020a93184f606226"),
        ("867f8456fcc120a08f7d21b2570d8b55", "d72d24814e2ea2ce1365adae93b7e7dd", "2f02a4b998504bebda6a8bf9af912258", "da907a63851ef932fa65f496cfca7cad")),
    **_both_takes("l0001-s02", "chain", "teller", "l0001-s01",
        ("177db63c2e063884dd3989dbd1c4e91c", "9a81d1f4edd8067faa5fa1a9fdcef509", "470f58e0be62527bcc3ac7575a6ea5a5", "e083b9942f91cadfbd4dfee6df31feb9"),
        ("56aac1804b5c56dce699c547f637d78d", "9241f50162d905e3309930ea3fa4ec10", "d781919aec1ddd4a0b10c31e1e1b9656", "c570754c8844cbc57a31d2ef16dda7aa")),
    **_both_takes("l0001-s03", "chain", "teller", "l0001-s02",
        ("51859f4bb45f74d82681f84a75235a99", "27afa31316f7e2b03b56605e2cbeb08e", "e0b54a08ad22ecc90f57e85e014fcff9", "25d11763713f8dd91ec015b9bb7862c7"),
        ("06889d4a881393e013a93ff08c540f1b", "4813f90d5e65e48f8cf2e97976c17807", "0419350cebe7a1a93ea6ab43c4241c70", "29f7028e2b31eb8cbac90c320355a6b5")),
    **_both_takes("l0002-s01", "voice", "plain", None,
        ("ef2b12633d160c8f8b2b8dcbc88500db", "862413398a68e7d72dd6f094c3b8d1b1", "2380f0f6145f9ed048037c3d65d2706f", "532e109e9451f0e81acf4087d7f26395"),
        ("d0ccb85f08ccc61561fe9a3e2f0525ab", "8fa29508645e395aba9b9998dbe3ac97", "55947bfee147d7297e2fdf7c2e152845", "a8319cfed6bfe0ec3bb095af37cd2bc6")),
    **_both_takes("l0002-s02", "voice", "plain", None,
        ("5e20038ad5bcb92f13b86afd34eb1e30", "eff8dcc58f654f747977ee3cac9232c0", "7bb66937ca40f6c7fb9270248ce5413c", "ee205402f1a07867b0a60895371525e5"),
        ("042ad56f7dcf63da5e9c0a7b15865f51", "1de172eb06800e975bd446e920f5316c", "6b64b1bae3c0ebd84727f053e2cb7de2", "d959191a4f6ec3190fe600ba5332604b")),
    **_both_takes("l0002-s03", "voice", "plain", None,
        ("be9832d4bd88bf7575647bb5f9bcfde7", "8924969c9d4ba571cc0a4cccdf500149", "8181fa593318994eb6f9bc92d45684d1", "bf127fa5b73bdf71b5f22cde88e7d896"),
        ("9a6f5ecf7e8b7654764db47d15bcbe74", "f7a17b70447595ee134d01d077685f0a", "45aba7af4efccadd0670e744b0e443f4", "222d4fd5199184cf3ae63ec461992631")),
    **_both_takes("l0003-s01", "semantic-only", "flat", None,
        ("5f2c455484e92d6c535a93b036cedb97", "819a6a3e549324a3f7e19b1e1e4063f3", "e668fff94776f071924dbc64a18eae34", "516a69c1722488940bfef354c66a48ee"),
        ("eff09be82c7526c96c48e10d6ec1cd1c", "f2d0eb3ea7f9b2bc638695847db78e7d", "a30595b74835e5e9ac6711174aff8fdb", "9dc753248b24576e4f7dd4b6d5118f78")),
    **_both_takes("l0003-s02", "semantic-only", "flat", None,
        ("2020b0a453b91068f8dc8b092e059d77", "b1a779f759699587272e5b2e29080bb9", "1df0473f24f4aa59d8191520970e92e2", "a3cd4fc4911082d122e1cc6f1629cf03"),
        ("dac8c7e9c18dc9355c29183c456eb028", "37cd0fec0d3f64c020058ff8aa1c63f2", "484cef33a6862295e072f6a9644ed0e9", "a25a7d9092a8ff02198e2dcf4df52eaf")),
    **_both_takes("l0004-s01", "voice", "random", None,
        ("8895e276b109c393c49869385710ef89", "7d31257f341f4bd334f8f26a37b1935d", "31c1855786777a3442c0bbb4a95ad215", "edfe215aa3daa717a29a769a10a559fb"),
        ("4a6cdcd4b0daf8c070c55f37eeb22c61", "27ca9b5b505bd3b8c3179785acb2569f", "3dc1a56c7fb24290d5959f61fe97fea8", "d9d985d379d9f93dc58a54d12645925e")),
    **_both_takes("l0004-s02", "voice", "random", "l0004-s01",
        ("d1c7bd662999db8da328ef0bc9dac4c1", "13dc4cff4ad7a7aa455243f8f69719d5", "ac824455096c00aef1c4505f39e5e024", "9695d008e67a6ef1848fe2ca5c226277"),
        ("b35d07823c17ce13604725379b95e751", "bf438ff62b5ca78272451bf91ff3dc71", "689af40b152742f54c68c85d3383b41d", "5df434235e9e8b21beac6a5df02e06e6")),
    **_both_takes("l0005-s01", "voice", "random", "l0004-s01",
        ("5c3a2e0f169d4cb43e30cc02333132ed", "ecc5510344066738f1b167ab92fafe6f", "d36abbe62efb6dffa77df90b872ae18c", "62f404df056b20474aa636b98c144e10"),
        ("bef70473569edea0c98da543554380c8", "a05fd702fbfaf82a3a1b4c43c50397bf", "fdd0e6390df44f2442fd65d5e19a7727", "d61168d6b062332c3120c934ea78ba61")),
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
    engine = build.make_engine(config)
    # The tiny bundle is built afresh for each test run and its weights' identity changes with it:
    # fixed model identities keep these keys about the policy alone.
    engine.identity = lambda stage: f"pinned {stage} model"
    return plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])


def test_the_keys_of_every_kind_of_conditioning_are_unchanged(planned):
    found = {
        (u.segment_id, u.take, u.history, u.voice.name, u.prompt_from.segment_id if u.prompt_from else None):
        tuple(u.keys[step] for step in ("semantic", "coarse", "fine", "decode"))
        for u in planned.units
    }
    assert found == KEYS
