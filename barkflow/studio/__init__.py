"""The studio: fix a book in the browser, with the engine kept loaded between renders.

    barkflow-studio project=NAME [any override] [--port N]

composes the project exactly as `barkflow` does (same configs, cache and output folder) and serves
one page on 127.0.0.1 at a URL carrying a random token. The page shows every segment with its
takes, players, waveforms and checks (review.py's), and per segment: pick a take, retake it, edit
the text of its script line; per book: re-stitch and export.

Files stay the source of truth, so a later plain `barkflow` run renders nothing and writes the same
outputs: a pick writes the picks file, a retake adds the segment's take count to the picks file's
`takes` (the runner renders those takes too), a text edit rewrites the script file.

- session.py: the Studio: the engine, the one render worker, the file edits;
- app.py: the Starlette app (token check, routes, files served from the output folder only);
- page.py: the page;
- cli.py: the command.
"""
