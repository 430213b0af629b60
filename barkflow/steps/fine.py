"""Step: codebooks 0, 1 → all 8 codebooks (engine: sampling.generate_fine)."""

from barkflow.engine.rows import FineRow
from barkflow.store.keys import Key

NAME = "fine"
VERSION = 1
NEEDS = ("coarse",)
KEY = Key(NAME, VERSION, ("coarse", "prompt", "options", "seed", "model"))


def cache_key(unit, prompt_key: str, engine) -> str:
    return KEY(coarse=unit.keys["coarse"], prompt=prompt_key, options=unit.options.fine, seed=unit.seeds["fine"],
               model=engine.identity("fine"))


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, progress=None):
    rows = [
        FineRow(inputs["coarse"][i]["codes"], p, u.options.fine, u.seeds["fine"])
        for i, (u, p) in enumerate(zip(units, prompts))
    ]
    return [({"codes": codes}, {}) for codes in engine.fine(rows, progress)]
