"""The pipeline's steps, in order: split → semantic → coarse → fine → decode → stitch → export.

The four token steps share one shape, which the runner relies on:
    NAME        the step's name and its cache namespace
    VERSION     bumped when the step's output changes for the same inputs
    NEEDS       the upstream steps whose artifacts `run` reads
    KEY         its cache key's fields (barkflow/store/keys.py), in one line
    cache_key(unit, prompt_key, engine) -> str   fills KEY's fields from the unit
    length(unit) -> int                    sorts a batch so similar lengths run together
    run(units, prompts, inputs, engine, progress) -> [(arrays, meta)] in unit order
verify (after decode, only with verify on) has this shape too, bound to its recogniser (VerifyStep).
split, stitch and export run no model: they are plain functions over the whole project.
"""

from barkflow.steps import coarse, decode, fine, semantic  # noqa: F401
