"""Storage every stage uses: atomic file writes (files.py), bounded .npz reading (npz.py), and the
content-keyed, checksummed cache of step outputs (cache.py)."""
