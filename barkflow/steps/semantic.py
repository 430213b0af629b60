"""Step: text → semantic tokens (engine: sampling.generate_semantic)."""

from barkflow.cache import content_key
from barkflow.engine.sampling import SemanticRow

NAME = "semantic"
VERSION = 1
NEEDS = ()


def cache_key(unit, prompt_key: str, engine) -> str:
    """Text, voice history, options, seed and weights (model + tokenizer): all that shapes the tokens."""
    # The anti-speaker's prompt by content, only when there is one: other keys stay as they were.
    negative = [unit.negative_voice.key] if unit.negative_voice is not None else []
    return content_key(
        NAME, VERSION, unit.text, prompt_key, unit.options.semantic, unit.seeds["semantic"],
        engine.identity("semantic"), engine.identity("tokenizer"), *negative,
    )


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, progress=None):
    rows = [
        SemanticRow(u.text, p, u.options.semantic, u.seeds["semantic"], u.negative_voice.prompt if u.negative_voice else None)
        for u, p in zip(units, prompts)
    ]
    return [
        ({"tokens": r.tokens}, {"stop_reason": r.stop_reason, "text": u.text})
        for u, r in zip(units, engine.semantic(rows, progress))
    ]
