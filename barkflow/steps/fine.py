"""Step: codebooks 0, 1 → all 8 codebooks (engine: sampling.generate_fine)."""

from barkflow.store.cache import content_key
from barkflow.engine.sampling import FineRow

NAME = "fine"
VERSION = 1
NEEDS = ("coarse",)


def cache_key(unit, prompt_key: str, engine) -> str:
    return content_key(
        NAME, VERSION, unit.keys["coarse"], prompt_key, unit.options.fine, unit.seeds["fine"], engine.identity("fine"),
    )


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, progress=None):
    rows = [
        FineRow(inputs["coarse"][i]["codes"], p, u.options.fine, u.seeds["fine"])
        for i, (u, p) in enumerate(zip(units, prompts))
    ]
    return [({"codes": codes}, {}) for codes in engine.fine(rows, progress)]
