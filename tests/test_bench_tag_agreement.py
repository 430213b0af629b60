"""bench/tag_agreement.py counts how often the speakers agree with a book's plain name tags."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from helpers import REPO

from barkflow.text.attribution import Attribution, Quotation
from barkflow.text.characters import Character

_spec = importlib.util.spec_from_file_location("tag_agreement", REPO / "bench" / "tag_agreement.py")
tag_agreement = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tag_agreement)

BOOK = ('Mrs. Pell met Mr. Crane.\n\n"It is cold," said Mrs. Pell.\n\n"It is," Crane replied.\n\n'
        'Mrs. Pell said, "Then shut the door."\n\n"Who is there?" said someone.\n')


def quotation(text: str, start: int, speaker: int | None) -> Quotation:
    return Quotation(start, start + len(text), speaker, 0.9, "explicit", 0, 0)


def test_each_plain_tag_names_the_speaker_it_is_checked_against():
    pell, crane = Character(0, "Mrs. Pell", ("Mrs. Pell",)), Character(1, "Mr. Crane", ("Mr. Crane",))
    spans = [(s, BOOK.index(s)) for s in ("It is cold,", "It is,", "Then shut the door.", "Who is there?")]
    # Right, wrong (Crane said it), unvoiced; 'said someone' names no one and is not counted.
    given = [0, 0, None, 1]
    result = Attribution([pell, crane], [quotation(s, start, who) for (s, start), who in zip(spans, given)])
    counts, shown = tag_agreement.agreement(BOOK, result, show=5)
    assert counts == {"tags": 3, "agree": 1, "other": 1, "none": 1}
    assert len(shown) == 1 and "tag 'Crane'" in shown[0] and "given 'Mrs. Pell'" in shown[0]


def test_the_command_scores_the_attribution_and_refuses_a_missing_book_in_one_line(tmp_path):
    book = tmp_path / "book.txt"
    book.write_text(BOOK, encoding="utf-8")
    run = subprocess.run([sys.executable, str(REPO / "bench" / "tag_agreement.py"), str(book)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "tags 3  agree 3 (100.0%)  other 0  none 0" in run.stdout.splitlines()[-1]
    run = subprocess.run([sys.executable, str(REPO / "bench" / "tag_agreement.py"), str(tmp_path / "nothing.txt")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "no such file" in run.stderr and run.stderr.count("\n") == 1
