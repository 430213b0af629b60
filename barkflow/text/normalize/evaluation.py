"""The evaluation set (eval/<language>.tsv): sentences as people write them, per class, with the
spoken forms a careful narrator would use. A case passes when the normaliser's output is one of
them, compared as Bark hears it: case, punctuation and hyphens aside (and English's optional
"and" in numbers)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

EVAL_DIR = Path(__file__).parent / "eval"
_UNSPACED = ("ja", "ko", "zh")  # where spaces do not change what is said


@dataclass(frozen=True)
class Case:
    language: str
    kind: str
    written: str
    spoken: tuple[str, ...]
    line: int


def cases(language: str) -> list[Case]:
    path = EVAL_DIR / f"{language}.tsv"
    result = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, written, spoken = line.split("\t")
        result.append(Case(language, kind, written, tuple(spoken.split("|")), number))
    return result


def languages() -> list[str]:
    return sorted(path.stem for path in EVAL_DIR.glob("*.tsv"))


def heard(text: str, language: str) -> str:
    """The text as Bark hears it: no case, punctuation or hyphens (nor spaces in ja, ko, zh)."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[\-\u2010\u2011\u2013\u2014]", " ", text)
    text = re.sub(r"[^\w\s'’]", "", text)
    found = text.split()
    if language == "en":
        found = [w for w in found if w != "and"]
    return ("" if language in _UNSPACED else " ").join(found)


def passes(case: Case, output: str) -> bool:
    return heard(output, case.language) in {heard(s, case.language) for s in case.spoken}


def score(language: str, normalise: Callable[[str], str]) -> dict[str, tuple[int, int, list[tuple[Case, str]]]]:
    """Per class: (passed, total, failures as (case, output))."""
    per_class: dict[str, list] = defaultdict(lambda: [0, 0, []])
    for case in cases(language):
        output = normalise(case.written)
        entry = per_class[case.kind]
        entry[1] += 1
        if passes(case, output):
            entry[0] += 1
        else:
            entry[2].append((case, output))
    return {kind: tuple(entry) for kind, entry in per_class.items()}


def rate(scores) -> float:
    passed = sum(p for p, _, _ in scores.values())
    total = sum(t for _, t, _ in scores.values())
    return passed / total if total else 0.0
