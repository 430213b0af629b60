"""The split memo: split results of earlier runs, and each part's spoken text, so a rerun skips
pysbd, the tokenizer and the normaliser; and the tokenizer's count the split and the memo's check use."""

from __future__ import annotations

import logging
from typing import Callable, Optional

from barkflow.engine.api import Bark
from barkflow.errors import BarkflowError
from barkflow.store.cache import Store
from barkflow.store.files import read_json_object, write_json_atomic
from barkflow.store.keys import Key

log = logging.getLogger(__name__)


class TokenCounter:
    """The model's tokenizer count, loaded on first use; character limits only if it cannot be had."""

    def __init__(self, engine: Bark):
        self.engine = engine
        self.count: Optional[Callable[[str], int]] = None
        self.unavailable = False

    def identity(self) -> str:
        try:
            return self.engine.identity("tokenizer")
        except BarkflowError:
            return "characters only"

    def __call__(self, text: str) -> int:
        if self.count is None and not self.unavailable:
            try:
                self.count = self.engine.tokenizer.count
            except BarkflowError as e:
                log.warning("splitting by characters only: %s", e)
                self.unavailable = True
        return self.count(text) if self.count else 0


# An entry's check: the memo file is not trusted. `spellings` came later (optional: older checks stand).
MEMO_CHECK = Key("split-memo", 0, ("key", "parts"), optional={"spellings": None})

Spelling = tuple[str, str]  # a part's (lexicon's text, spoken text): text/spoken.py Speller


class SplitMemo:
    """Split results of earlier runs, one JSON file in the cache: a rerun skips pysbd, the tokenizer
    and, with each part's spelling kept, the normaliser (most of a memo plan's time).

    Entries are keyed by everything the split and the spelling depend on (the speller's identity
    covers the normaliser's code); concurrent writers merge, and a lost entry only costs a re-split.
    The file is not trusted: an entry is used only if its check (a content key over its key, parts
    and spellings) matches and its parts are non-empty strings that say exactly the line's words,
    so Bark never speaks what an edited or damaged memo says.
    """

    def __init__(self, store: Store):
        self.path = store.root / "split-memo.json"
        self.entries = read_json_object(self.path) or {}
        self.new: dict[str, dict] = {}

    def get(self, key: str, text: str, where: str, fits: Callable[[str], bool],
            learn: Callable[[str, Spelling], None] = lambda part, spelling: None) -> Optional[list[str]]:
        """The memoized parts of `text`, if they say its words and each `fits` the split's limits: a
        check can be recomputed by anyone, so a forged entry must never make a segment Bark would cut.
        Each part's memoized spelling is handed to `learn` first, so `fits` need not normalise it."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        if isinstance(entry, dict) and self._holds(key, entry, text):
            for part, spelling in zip(entry["parts"], entry.get("spellings") or ()):
                learn(part, tuple(spelling))
            if all(map(fits, entry["parts"])):
                return entry["parts"]
        if isinstance(entry, list):  # the format before entries carried a check: quietly replaced
            log.debug("%s: split memo entry in the old format; splitting again", where)
        else:
            log.warning("%s: the split memo's entry is damaged, does not match the line or has a part over the "
                        "split limits; splitting it again", where)
        return None

    def put(self, key: str, text: str, parts: list[str], spellings: Optional[list[Spelling]] = None) -> None:
        """`spellings`: each part's, when the speller changes any text (else they are the parts)."""
        spellings = [list(s) for s in spellings] if spellings else None
        entry = {"parts": parts, "check": self._check(key, parts, spellings)}
        if spellings:
            entry["spellings"] = spellings
        if self._holds(key, entry, text):  # a split that cuts inside a word (an over-long one) is not memoized
            self.entries[key] = self.new[key] = entry

    def has_spellings(self, key: str) -> bool:
        entry = self.entries.get(key)
        return isinstance(entry, dict) and bool(entry.get("spellings"))

    @staticmethod
    def _check(key: str, parts, spellings) -> str:
        return MEMO_CHECK(key=key, parts=parts, spellings=spellings)

    @classmethod
    def _holds(cls, key: str, entry: dict, text: str) -> bool:
        parts, spellings = entry.get("parts"), entry.get("spellings")
        return (
            isinstance(parts, list)
            and all(isinstance(part, str) and part.strip() for part in parts)
            and " ".join(parts).split() == text.split()
            and (spellings is None or (
                isinstance(spellings, list) and len(spellings) == len(parts)
                and all(isinstance(s, list) and len(s) == 2 and all(isinstance(t, str) for t in s) for s in spellings)
            ))
            and entry.get("check") == cls._check(key, parts, spellings)
        )

    def save(self) -> None:
        if self.new:
            try:
                write_json_atomic(self.path, {**(read_json_object(self.path) or {}), **self.new})
            except BarkflowError as e:  # the memo only saves time: never fail a render over it
                log.warning("split memo not saved: %s", e)


# ----------------------------------------------------------------------------------------------
# the history policy: what conditions a unit at each step


# The prompt unit's steps whose tokens make the prompt at each step, the steps whose keys name them
# in this unit's key (a fine key already covers the semantic tokens it was made from), and the tag
# that starts that key part. Coarse's is "from-v2": before it, a coarse prompt taken from another
# unit failed its own dtype check and silently fell back to the voice, so entries under the old
# keys hold voice-conditioned tokens and must not be reused.
