"""Running: each step over the units the cache lacks, in waves and batches, with claims so processes
sharing a cache never render a key twice (schedule.py), and rounds of retakes for takes that fail
their checks (retakes.py)."""
