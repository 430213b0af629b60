"""barkflow: a declarative batch renderer for long audio with Suno's Bark.

The package reads in the order data flows through a render:

    text/        text in: script formats, e-books, spoken text, splitting into segments
    planning/    the config's schema, voices, and the plan: every segment x take with its cache keys
    steps/       what each step computes from what (semantic, coarse, fine, decode, verify, clone)
    running/     running the steps over what the cache lacks (schedule), and retakes
    publishing/  the picked takes stitched and exported, the review clips, the manifest
    reviewing/   the review page, from the manifest
    runner.py    render(): plan -> run each step -> publish -> review page, top to bottom
    cli.py, voices_cli.py, studio/   the commands people run

Beneath them all: engine/ (Bark itself, no Hydra), store/ (the checked cache, atomic files,
bounded .npz reading) and errors.py. A module imports only from its own stage and those listed
before it (engine and store first); tests/test_layout.py keeps it so.
"""
