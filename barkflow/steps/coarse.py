"""Step: semantic tokens → codebooks 0 and 1 (engine: sampling.generate_coarse)."""

from barkflow.engine.rows import CoarseRow
from barkflow.store.keys import Key

NAME = "coarse"
VERSION = 1
NEEDS = ("semantic",)
KEY = Key(NAME, VERSION, ("semantic", "prompt", "options", "seed", "model"))


def cache_key(unit, prompt_key: str, engine) -> str:
    return KEY(semantic=unit.keys["semantic"], prompt=prompt_key, options=unit.options.coarse,
               seed=unit.seeds["coarse"], model=engine.identity("coarse"))


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, progress=None):
    rows = [
        CoarseRow(inputs["semantic"][i]["tokens"], p, u.options.coarse, u.seeds["coarse"])
        for i, (u, p) in enumerate(zip(units, prompts))
    ]
    return [({"codes": codes}, {}) for codes in engine.coarse(rows, progress)]
