"""Text in: what a book or script says and who says it.

This package turns a book's prose into what a renderer needs to voice it: where each quotation
starts and ends (quotes.py), who the book's characters are and by which names they go
(characters.py), and which character speaks each quotation, with a confidence, or nobody (the
narrator reads it) when the text does not say clearly enough (attribution.py). Everything here is
plain Python over the text: offline, deterministic, CPU only, no models to download.
"""
