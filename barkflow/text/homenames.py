"""Parents a book's narration calls by the word their children use, as a name: 'said Mother',
'Father said, "..."'. In a family story told beside the children (The Railway Children) Mother is a
character with no other name the text uses; the word is a title elsewhere ('Mother Wolf', 'Father
Brown') and a common noun in lower case, so the cast (characters.py) would never find her.

Only where the narration tags a speech with the bare word three times or more: a book that calls
its mother so only inside speech ('Mother said we might', "Yes, Mother") gets no such character.
Mentions are the word's every capitalised use not followed by a name, in speech too ('Oh, Mother!'
is said to her).
"""

from __future__ import annotations

from collections import Counter

import regex

HOME_NAMES = {"Mother": "F", "Mamma": "F", "Mama": "F", "Mummy": "F", "Granny": "F", "Grandma": "F",
              "Grandmother": "F", "Father": "M", "Papa": "M", "Daddy": "M", "Grandpa": "M",
              "Grandfather": "M"}
_WORD = "|".join(HOME_NAMES)
_VERB = r"(?:said|cried|asked|replied|answered|added|whispered|exclaimed|called|went\s+on)"
# '"...," said Mother' (not 'said Mother Wolf'), or 'Mother said, "..."'.
_TAG = regex.compile(rf"[,!?—-][\"”’']\s+{_VERB}\s+({_WORD})\b(?![ \t]*\p{{Lu}})"
                     rf"|(?<![\p{{L}}'’])({_WORD})\s+{_VERB}[,:]?\s*[\"“‘']")
_MENTION = regex.compile(rf"(?<![\p{{L}}'’])({_WORD})(?![\p{{L}}-])(?![ \t]+\p{{Lu}})")
MIN_TAGS = 3


def home_names(text: str) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """Each home name the narration tags speeches with often enough: (word, sex, mention spans)."""
    tags = Counter(m.group(1) or m.group(2) for m in _TAG.finditer(text))
    return [(word, HOME_NAMES[word], [m.span(1) for m in _MENTION.finditer(text) if m.group(1) == word])
            for word, n in sorted(tags.items()) if n >= MIN_TAGS]
