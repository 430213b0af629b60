"""Text in: what a script or book says and who says it. Script formats (script.py), EPUB and HTML
books (book.py), the spoken form of the words (spoken.py: lexicon, numbers, pause cues) and
splitting lines into segments Bark can say in one call (split.py)."""
