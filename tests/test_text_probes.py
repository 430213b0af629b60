"""Every regex probed at a position of a book's text reads a bounded window of it.

A pattern matched at a position with no end ('PATTERN.match(text, pos)') fails fast in the re
module, but the regex module first looks for the pattern's required words through the rest of the
text: one probe per quotation or mention then costs the whole book each time (a French novel of
60,000 guillemet quotations took 18 s, most of it in one such probe). So each probe on the book's
text names its end (cues.AHEAD past the position, or the span it belongs to).
"""

from __future__ import annotations

import ast
from pathlib import Path

import barkflow.text
from barkflow.text.selfnamed import self_named

TEXT_PACKAGE = Path(barkflow.text.__file__).parent
PROBES = ("match", "search", "fullmatch")


def _on_the_book(arg: ast.expr) -> bool:
    """Whether a probe's string is the book's text: `text`, `self.text`, `ctx.text`."""
    return isinstance(arg, ast.Name) and arg.id == "text" or isinstance(arg, ast.Attribute) and arg.attr == "text"


def unbounded_probes(source: str) -> list[int]:
    """Lines of `source` that probe the book's text at a position without an end."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PROBES \
                and node.args and _on_the_book(node.args[0]) and not node.keywords \
                and len(node.args) == 2 and not isinstance(node.args[1], ast.Starred):
            lines.append(node.lineno)
    return lines


def test_the_checker_finds_an_unbounded_probe():
    assert unbounded_probes("PATTERN.match(text, pos)\nX.search(self.text, 5)\n") == [1, 2]
    assert unbounded_probes("PATTERN.match(text, pos, pos + 40)\nX.search(text, *span)\nregex.match(r'a', word)\n") == []


def test_no_module_probes_the_book_without_an_end():
    found = {path.name: lines for path in sorted(TEXT_PACKAGE.glob("*.py"))
             if (lines := unbounded_probes(path.read_text(encoding="utf-8")))}
    assert found == {}, f"give these probes an end (pos + cues.AHEAD): {found}"


def test_a_bounded_probe_reads_what_an_unbounded_one_does_near_its_position():
    """cues.AHEAD is past anything a probe reads: 'Ben's my name' is still the speaker naming himself."""
    text = "x" * 5 + "\"Ben's my name,\" said he." + " word" * 2000 + " is my name"
    inside = [(6, 9, 0)]  # 'Ben'
    quote = type("Q", (), {"start": 6, "end": 20})()
    assert self_named(text, inside, [quote], asked=False, speakers={0}).speaker == 0
