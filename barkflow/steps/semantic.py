"""Step: text → semantic tokens (engine: sampling.generate_semantic)."""

from barkflow.engine.rows import SemanticRow
from barkflow.store.keys import Key

NAME = "semantic"
VERSION = 1
NEEDS = ()
# Text, voice history, options, seed and weights (model + tokenizer): all that shapes the tokens;
# the anti-speaker's prompt (by content) where there is one.
KEY = Key(NAME, VERSION, ("text", "prompt", "options", "seed", "model", "tokenizer"), optional={"negative_voice": None})
GIVEN_KEY = Key(NAME, VERSION, ("tokens",), tag="given")  # tokens given by a voice, keyed by their content


def cache_key(unit, prompt_key: str, engine) -> str:
    unit = unit.semantic_source or unit  # re-voicing another line: its key, so its one entry
    if unit.semantic_tokens is not None:  # re-voicing from a voice
        return GIVEN_KEY(tokens=unit.semantic_tokens)
    return KEY(
        text=unit.text, prompt=prompt_key, options=unit.options.semantic, seed=unit.seeds["semantic"],
        model=engine.identity("semantic"), tokenizer=engine.identity("tokenizer"),
        negative_voice=unit.negative_voice.key if unit.negative_voice is not None else None,
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
