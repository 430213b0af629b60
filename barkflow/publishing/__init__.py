"""Publishing: picks, stitching, export (audio, m4b, subtitles), the review clips, and the manifest
that everything after reads (publish.py is its one writer)."""
