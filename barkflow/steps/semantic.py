"""Step: text → semantic tokens (engine: sampling.generate_semantic)."""

from barkflow.cache import content_key
from barkflow.engine.sampling import SemanticRow

NAME = "semantic"
VERSION = 1
NEEDS = ()


def cache_key(unit, prompt_key: str, engine) -> str:
    """Text, voice history, options, seed and weights (model + tokenizer): all that shapes the tokens."""
    if unit.semantic_tokens is not None:  # re-voicing: the tokens are given, keyed by their content
        return content_key(NAME, VERSION, "given", unit.semantic_tokens)
    # The anti-speaker's prompt by content, only when there is one: other keys stay as they were.
    negative = [unit.negative_voice.key] if unit.negative_voice is not None else []
    return content_key(
        NAME, VERSION, unit.text, prompt_key, unit.options.semantic, unit.seeds["semantic"],
        engine.identity("semantic"), engine.identity("tokenizer"), *negative,
    )


def length(unit) -> int:
    return len(unit.text)


def run(units, prompts, inputs, engine, progress=None):
    """Generate the tokens of every unit whose tokens are not given (re-voiced units copy theirs)."""
    generating = [i for i, u in enumerate(units) if u.semantic_tokens is None]
    rows = [
        SemanticRow(u.text, p, u.options.semantic, u.seeds["semantic"], u.negative_voice.prompt if u.negative_voice else None)
        for u, p in ((units[i], prompts[i]) for i in generating)
    ]
    generated = dict(zip(generating, engine.semantic(rows, progress) if rows else []))
    out = []
    for i, unit in enumerate(units):
        if i in generated:
            out.append(({"tokens": generated[i].tokens}, {"stop_reason": generated[i].stop_reason, "text": unit.text}))
        else:
            out.append(({"tokens": unit.semantic_tokens}, {"stop_reason": "given", "text": unit.text}))
    return out
