"""Step: text → semantic tokens (engine: sampling.generate_semantic)."""

from barkflow.store.cache import content_key
from barkflow.engine.sampling import SemanticRow

NAME = "semantic"
VERSION = 1
NEEDS = ()


def cache_key(unit, prompt_key: str, engine) -> str:
    """Text, voice history, options, seed and weights (model + tokenizer): all that shapes the tokens."""
    unit = unit.semantic_source or unit  # re-voicing another line: its key, so its one entry
    if unit.semantic_tokens is not None:  # re-voicing from a voice: the tokens are given, keyed by their content
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
    """Generate the tokens of every unit that makes its own; a re-voiced unit's come from its source."""
    makers = [u.semantic_source or u for u in units]
    rows = {  # unit index -> its row, for the units whose tokens are not given
        i: SemanticRow(m.text, prompts[i], m.options.semantic, m.seeds["semantic"],
                       m.negative_voice.prompt if m.negative_voice else None)
        for i, m in enumerate(makers) if m.semantic_tokens is None
    }
    generated = dict(zip(rows, engine.semantic(list(rows.values()), progress))) if rows else {}
    return [
        ({"tokens": generated[i].tokens}, {"stop_reason": generated[i].stop_reason, "text": m.text}) if i in generated
        else ({"tokens": m.semantic_tokens}, {"stop_reason": "given", "text": m.text})
        for i, m in enumerate(makers)
    ]
