"""Planning: the config's schema and checks (config.py, outputs.py), voices (voices.py), config ->
objects (build.py), and the plan (plan.py): every take of every segment, with its seeds, options,
conditioning and cache keys, made without loading a model."""
