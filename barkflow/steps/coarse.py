"""Step: semantic tokens → codebooks 0 and 1 (engine: sampling.generate_coarse)."""

from barkflow.store.cache import content_key
from barkflow.engine.sampling import CoarseRow

NAME = "coarse"
VERSION = 1
NEEDS = ("semantic",)


def cache_key(unit, prompt_key: str, engine) -> str:
    return content_key(
        NAME, VERSION, unit.keys["semantic"], prompt_key, unit.options.coarse, unit.seeds["coarse"],
        engine.identity("coarse"),
    )


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, progress=None):
    rows = [
        CoarseRow(inputs["semantic"][i]["tokens"], p, u.options.coarse, u.seeds["coarse"])
        for i, (u, p) in enumerate(zip(units, prompts))
    ]
    return [({"codes": codes}, {}) for codes in engine.coarse(rows, progress)]
