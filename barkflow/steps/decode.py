"""Step: 8 codebooks → a 24 kHz waveform (engine: the EnCodec decoder)."""

from barkflow.store.keys import Key

NAME = "decode"
VERSION = 1
NEEDS = ("fine",)
KEY = Key(NAME, VERSION, ("fine", "codec"))


def cache_key(unit, prompt_key: str, engine) -> str:
    return KEY(fine=unit.keys["fine"], codec=engine.identity("codec"))


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, progress=None):
    waves = engine.decode([inputs["fine"][i]["codes"] for i in range(len(units))])
    # The semantic key lets quantizer training pair this audio with its semantic tokens.
    return [({"audio": wave}, {"semantic_key": u.keys["semantic"]}) for u, wave in zip(units, waves)]
