"""Who speaks each quotation, as BookNLP (github.com/booknlp/booknlp) found it: its output for a book
read as an attribution.Attribution, so the cast file, voices and studio work on it unchanged.

BookNLP writes, for a book id X, into one folder (booknlp/english/english_booknlp.py):

- X.tokens: TSV, a header then a token a line: paragraph_ID, sentence_ID, token_ID_within_sentence,
  token_ID_within_document, word, lemma, byte_onset, byte_offset, POS_tag, fine_POS_tag,
  dependency_relation, syntactic_head_ID, event. Despite their names, byte_onset and byte_offset
  are character offsets (spaCy's token.idx, and idx + len(word)) into the text as Python read it
  (UTF-8, universal newlines); the word has its spaces, newlines and tabs written S, N and T.
- X.quotes: TSV: quote_start, quote_end (token ids, both inclusive, the quote marks among them),
  mention_start, mention_end, mention_phrase, char_id (the speaker's coreference id, "None" when
  no speaker was found), quote.
- X.entities: TSV: COREF, start_token, end_token, prop (PROP, NOM, PRON), cat (PER, LOC...), text.
- X.book: JSON {"characters": [{"id", "count", "g": {"argmax": "he/him/his", "max": 0.9, ...} or
  null, "mentions": {"proper": [{"n": name, "c": count}], "common": [...], "pronoun": [...]}}]};
  id 0 is the first-person narrator ("I" outside quotations).

.tokens and .quotes are needed; .book (names, genders) and .entities (names of speakers .book
leaves out) are used where present. Offsets are into the text BookNLP was given, so it must be
given the text barkflow reads: fullcast.book_text of the script (castfile.py writes it out as
booknlp.txt in the output folder). A quotation whose first or last token is not where .tokens says
in that text does not line up; those are returned for the caller to report, never dropped unseen.

Every file is bounded before it is read, and anything malformed is one BarkflowError naming the
file, the line and what to do.
"""

from __future__ import annotations

import bisect
import json
from array import array
from collections import Counter
from pathlib import Path

from barkflow.errors import BarkflowError
from barkflow.store.files import TooLarge, read_bounded
from barkflow.text.attribution import Attribution, Quotation
from barkflow.text.characters import Character
from barkflow.text.fullcast import PARAGRAPH_GAP

SUFFIXES = (".tokens", ".quotes", ".entities", ".book")
MAX_TABLE_BYTES = 256 << 20  # a long novel's .tokens is tens of MiB (a million tokens, ~60 bytes each)
MAX_BOOK_BYTES = 64 << 20  # .book: Emma's is under 1 MiB; it is parsed whole
MAX_LINE_BYTES = 1 << 20  # one row; a quote a whole chapter long is still far under
MAX_NAME = 80
NARRATOR_ID = 0  # booknlp/english/name_coref.py: cluster_narrator
NO_SPEAKER = {"none", "", "-1", "null", "nan"}
TYPE = "booknlp"
_MARKS = "\"'“”„‘’«»‹›—―–- \t\n"  # stripped from a quotation's ends: ours run inside the marks
_WS = str.maketrans({" ": "S", "\n": "N", "\r": "N", "\t": "T"})  # how BookNLP writes a token's whitespace
_GENDERS = {"he": "M", "him": "M", "his": "M", "she": "F", "her": "F"}
FIX = "run BookNLP on booknlp.txt, the text barkflow writes in the output folder, or fix project.booknlp"


def book_files(source: Path) -> tuple[Path, str]:
    """The folder and book id that project.booknlp names: the output folder (holding one book's
    files) or any one of its files (X.quotes, X.tokens...)."""
    source = Path(source)
    if source.is_dir():
        ids = sorted({p.name[:-len(".quotes")] for p in source.glob("*.quotes")})
        if len(ids) != 1:
            found = f"{len(ids)} books ({', '.join(ids[:3])})" if ids else "no .quotes file"
            raise BarkflowError(f"BookNLP output {source}: {found}; set project.booknlp to the book's .quotes file")
        return source, ids[0]
    for suffix in SUFFIXES:
        if source.name.endswith(suffix) and len(source.name) > len(suffix):
            return source.parent, source.name[:-len(suffix)]
    raise BarkflowError(f"BookNLP output {source}: not found; set project.booknlp to BookNLP's output folder "
                        "or its .quotes file (run BookNLP on booknlp.txt in the output folder first)")


def read_booknlp(source: Path, text: str) -> tuple[Attribution, list[str]]:
    """BookNLP's quotations in `text` with their speakers, and a description of each quotation that
    does not line up with `text` (not in the Attribution)."""
    folder, book = book_files(source)
    paths = {suffix: folder / f"{book}{suffix}" for suffix in SUFFIXES}
    for suffix in (".tokens", ".quotes"):
        if not paths[suffix].is_file():
            raise BarkflowError(f"BookNLP output {paths[suffix]}: not found; {FIX} (the quote pipeline writes it)")
    spans = _tokens(paths[".tokens"])
    raw = _quotes(paths[".quotes"], len(spans[0]))
    names, genders = (_book(paths[".book"]) if paths[".book"].is_file() else ({}, {}))
    speakers = {speaker for *_, speaker, _ in raw if speaker is not None}
    if paths[".entities"].is_file() and (speakers - {c for c, n in names.items() if n[0]}):
        _entities(paths[".entities"], names)

    paragraph_starts = _paragraph_starts(text)
    quotations, unmatched, lines = [], [], Counter()
    for number, (line, first, last, speaker, shown) in enumerate(raw):
        onsets, offsets, words = spans
        start, end = onsets[first], offsets[last]
        if not (_at(text, onsets[first], offsets[first], words[first])
                and _at(text, onsets[last], offsets[last], words[last])):
            unmatched.append(f"{paths['.quotes'].name} line {line}: tokens {first}-{last} "
                             f"({' '.join(shown.split())[:40]!r}) are not at characters {start}-{end} of the text")
            continue
        pieces = _pieces(text, start, end, paragraph_starts)
        for s, e, paragraph in pieces:
            quotations.append(Quotation(s, e, speaker, 1.0 if speaker is not None else 0.0, TYPE, paragraph, number))
        if speaker is not None:
            lines[speaker] += len(pieces)
    if raw and not quotations and unmatched:
        raise BarkflowError(f"BookNLP output {paths['.quotes']}: none of its {len(raw)} quotations lines up with "
                            f"the book's text (first: {unmatched[0]}); {FIX}")
    characters = [_character(cid, names.get(cid), genders.get(cid), lines[cid])
                  for cid in sorted(set(names) | set(lines))]
    return Attribution(characters, quotations), unmatched


# ------------------------------------------------------------------------------------------ the files

def _rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()):
    """(line number, {column: value}) for each row of a BookNLP TSV, the `required` and `optional`
    columns found by the header's names (so a version with other columns reads the same); bounded
    in size and line length."""
    what = f"BookNLP file {path}"
    try:
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            raise BarkflowError(f"{what} is over {MAX_TABLE_BYTES >> 20} MiB; is it the right file? {FIX}")
        with open(path, "rb") as file:
            columns = None
            for number, raw in enumerate(iter(lambda: file.readline(MAX_LINE_BYTES + 1), b""), 1):
                if len(raw) > MAX_LINE_BYTES:
                    raise BarkflowError(f"{what} line {number} is over {MAX_LINE_BYTES >> 20} MiB; {FIX}")
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    raise BarkflowError(f"{what} line {number} is not UTF-8; {FIX}") from None
                if "\r" in line:  # read as one line, its rows would be lost without a word
                    raise BarkflowError(f"{what} line {number} holds a carriage return: its lines end in CR "
                                        "alone; save it with LF (or CRLF) line ends")
                fields = line.split("\t")
                if columns is None:
                    columns = {name.strip(): i for i, name in enumerate(fields)}
                    missing = [c for c in required if c not in columns]
                    wanted = [(c, columns[c]) for c in required + optional if c in columns]
                    if missing:
                        raise BarkflowError(f"{what} line 1: no {', '.join(missing)} column in the header; "
                                            f"is it BookNLP's {path.suffix} file? {FIX}")
                    continue
                if fields == [""]:
                    continue  # a blank line (an edited file's last)
                if len(fields) < len(columns) - 1:  # the last (text) column may be empty and cut
                    raise BarkflowError(f"{what} line {number}: {len(fields)} columns where the header has "
                                        f"{len(columns)}; {FIX}")
                yield number, {c: fields[i] if i < len(fields) else "" for c, i in wanted}
            if columns is None:
                raise BarkflowError(f"{what} is empty; {FIX}")
    except OSError as e:
        raise BarkflowError(f"{what} cannot be read ({e.strerror or e}); {FIX}") from None


def _int(value: str, path: Path, line: int, column: str, low: int = 0, high: int = 1 << 62) -> int:
    try:
        n = int(value)
    except ValueError:
        n = None
    if n is None or not low <= n <= high:
        raise BarkflowError(f"BookNLP file {path} line {line}: {column} is {value[:20]!r}, "
                            f"not a whole number from {low}{f' to {high}' if high < 1 << 62 else ' up'}; {FIX}")
    return n


def _tokens(path: Path) -> tuple[array, array, list[str]]:
    """Each token's [onset, offset) in the text and its word, by token id (0, 1, 2... in order)."""
    onsets, offsets, words = array("q"), array("q"), []  # arrays: 16 bytes a token, not 72
    for line, row in _rows(path, ("token_ID_within_document", "word", "byte_onset", "byte_offset")):
        tid = _int(row["token_ID_within_document"], path, line, "token_ID_within_document")
        if tid != len(onsets):
            raise BarkflowError(f"BookNLP file {path} line {line}: token {tid} where {len(onsets)} comes next; {FIX}")
        onset = _int(row["byte_onset"], path, line, "byte_onset")
        offsets.append(_int(row["byte_offset"], path, line, "byte_offset", onset))
        onsets.append(onset)
        words.append(row["word"])
    return onsets, offsets, words


def _quotes(path: Path, tokens: int) -> list[tuple[int, int, int, int | None, str]]:
    """(line, first token, last token, speaker id or None, the quote as BookNLP shows it) per row."""
    if not tokens:
        raise BarkflowError(f"BookNLP file {path.with_suffix('.tokens')} has no tokens; {FIX}")
    out = []
    for line, row in _rows(path, ("quote_start", "quote_end", "char_id"), ("quote",)):
        first = _int(row["quote_start"], path, line, "quote_start", 0, tokens - 1)
        last = _int(row["quote_end"], path, line, "quote_end", first, tokens - 1)
        who = row["char_id"].strip()
        speaker = None if who.lower() in NO_SPEAKER else _int(who, path, line, "char_id", -(1 << 62))
        out.append((line, first, last, speaker if speaker is None or speaker >= 0 else None, row.get("quote", "")))
    return out


def _book(path: Path) -> tuple[dict[int, tuple[Counter, Counter, int]], dict[int, str]]:
    """From .book: each character's (proper names, common names, mention count), and gender."""
    what = f"BookNLP file {path}"
    try:
        data = json.loads(read_bounded(path, MAX_BOOK_BYTES).decode("utf-8"))
    except TooLarge:
        raise BarkflowError(f"{what} is over {MAX_BOOK_BYTES >> 20} MiB; is it the right file? {FIX}") from None
    except OSError as e:
        raise BarkflowError(f"{what} cannot be read ({e.strerror or e}); {FIX}") from None
    except UnicodeDecodeError:
        raise BarkflowError(f"{what} is not UTF-8; {FIX}") from None
    except (ValueError, RecursionError) as e:
        where = f" line {e.lineno}" if isinstance(e, json.JSONDecodeError) else ""
        raise BarkflowError(f"{what}{where} is not JSON ({str(e).splitlines()[0][:80]}); {FIX}") from None
    people = data.get("characters") if isinstance(data, dict) else None
    if not isinstance(people, list):
        raise BarkflowError(f"{what}: expected {{\"characters\": [...]}}; {FIX}")
    names, genders = {}, {}
    for n, person in enumerate(people):
        cid = person.get("id") if isinstance(person, dict) else None
        if not isinstance(cid, int) or isinstance(cid, bool):
            raise BarkflowError(f"{what}: character {n} has no whole-number id; {FIX}")
        mentions = person.get("mentions") if isinstance(person.get("mentions"), dict) else {}
        count = person.get("count")
        names[cid] = (_named(mentions.get("proper")), _named(mentions.get("common")),
                      count if isinstance(count, int) and not isinstance(count, bool) else 0)
        genders[cid] = _gender(person.get("g"))
    return names, genders


def _named(entries) -> Counter:
    """[{"n": name, "c": count}] as a Counter; entries of any other shape are passed over."""
    out: Counter = Counter()
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("n"), str) and type(entry.get("c")) is int:
            name = " ".join(entry["n"].split())[:MAX_NAME]
            if name:
                out[name] += max(0, entry["c"])
    return out


def _gender(g) -> str:
    """BookNLP's referential gender ({"argmax": "she/her", "max": 0.93}) as "F", "M" or "?"."""
    if not isinstance(g, dict) or not isinstance(g.get("argmax"), str):
        return "?"
    sure = g.get("max")
    if isinstance(sure, (int, float)) and not isinstance(sure, bool) and sure < 0.5:
        return "?"  # three or more categories: an argmax under half is a guess
    return _GENDERS.get(g["argmax"].split("/")[0].strip().lower(), "?")


def _entities(path: Path, names: dict) -> None:
    """Names from .entities for the characters .book gives none (it leaves out those seen once)."""
    proper: dict[int, Counter] = {}
    common: dict[int, Counter] = {}
    for line, row in _rows(path, ("COREF", "prop", "cat", "text")):
        if row["cat"].strip() != "PER":
            continue
        cid = _int(row["COREF"], path, line, "COREF", -(1 << 62))
        name = " ".join(row["text"].split())[:MAX_NAME]
        kind = row["prop"].strip()
        if cid >= 0 and name and kind in ("PROP", "NOM"):
            (proper if kind == "PROP" else common).setdefault(cid, Counter())[name] += 1
    for cid in set(proper) | set(common):
        have = names.get(cid)
        if have is None or not have[0]:
            count = sum(proper.get(cid, Counter()).values()) + sum(common.get(cid, Counter()).values())
            names[cid] = (proper.get(cid, Counter()), common.get(cid, Counter()) or (have[1] if have else Counter()),
                          have[2] if have else count)


# ------------------------------------------------------------------------------------- the attribution

def _at(text: str, onset: int, offset: int, word: str) -> bool:
    """Whether the token is at [onset, offset) of the text (its whitespace as BookNLP writes it)."""
    return offset <= len(text) and text[onset:offset].translate(_WS) == word and offset > onset


def _paragraph_starts(text: str) -> list[int]:
    starts, at = [], 0
    for paragraph in text.split(PARAGRAPH_GAP):
        starts.append(at)
        at += len(paragraph) + len(PARAGRAPH_GAP)
    return starts


def _pieces(text: str, start: int, end: int, starts: list[int]) -> list[tuple[int, int, int]]:
    """The quotation [start, end) cut at paragraph gaps (one quotation running over paragraphs),
    each piece without its marks: (start, end, paragraph)."""
    out = []
    p = bisect.bisect_right(starts, start) - 1
    while p < len(starts) and starts[p] < end:
        s = max(start, starts[p])
        e = min(end, starts[p + 1] - len(PARAGRAPH_GAP) if p + 1 < len(starts) else len(text))
        while s < e and text[s] in _MARKS:
            s += 1
        while e > s and text[e - 1] in _MARKS:
            e -= 1
        if e > s:
            out.append((s, e, p))
        p += 1
    return out


def _character(cid: int, named, gender: str | None, lines: int) -> Character:
    """A character: named by its most frequent proper name, else its most frequent description
    ('her father'), else 'speaker N'."""
    proper, common, count = named or (Counter(), Counter(), 0)
    pick = proper or common
    # most frequent; a tie goes to the fuller name, then the first in order
    name = max(pick, key=lambda n: (pick[n], len(n))) if pick else ("I" if cid == NARRATOR_ID else f"speaker {cid}")
    return Character(cid, name, tuple(sorted(set(proper) | {name})), gender or "?", lines,
                     count or sum(pick.values()), "pronouns" if gender in ("F", "M") else "",
                     narrator=cid == NARRATOR_ID)


__all__ = ["MAX_BOOK_BYTES", "MAX_TABLE_BYTES", "book_files", "read_booknlp"]
