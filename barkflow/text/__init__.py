"""Text in: what a script or book says and who says it.

- script.py: plain scripts (prose, dialogue, Fountain) and the Script every reader builds;
- book.py: EPUB and HTML books;
- spoken.py: the spoken form of the words (lexicon, pause cues), normalised by normalize/;
- normalize/: numbers, money, dates, abbreviations... as words, a back end per language, and
  the evaluation set they are measured on; chunks.py: cues protected from every rewrite;
- split.py: a line cut into segments Bark can say in one call;
- quotes.py, characters.py, attribution.py: in a novel's prose, where each quotation is, who the
  characters are (names, aliases, gender) and who speaks each quotation, with a confidence (or
  nobody, and the narrator reads it). Offline, deterministic, CPU only. booknlp.py reads the same
  from BookNLP's output, for those who have it (project.booknlp).
"""
