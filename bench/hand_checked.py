"""Speaker accuracy on quotations whose speakers were read from the books, in novels outside PDNC.

    python bench/hand_checked.py --texts DIR [--table bench/hand_checked.tsv] [--threshold 0.5] [--fetch]

Three tables, each naming its texts (GITenberg's repository, file and commit) and their SHA-256,
then one row per quotation: the text file, the quotation's start offset, and who speaks it. DIR
holds the text files under those names; a file whose hash differs is another edition, whose
offsets would not line up, and is refused. --fetch first downloads the texts DIR lacks, each from
the commit its table names (raw.githubusercontent.com, or --source), and keeps only a file whose
SHA-256 is the table's.
- hand_checked.tsv: 400 quotations in four novels (two told in the first person), checked by hand.
- hand_checked_dev.tsv: 2,375 in sixteen novels written like PDNC's held-out ones, labelled by
  the team's helper agents reading the books alone. The rules' development has looked at every
  row of both, so their figures flatter the rules.
- hand_checked_held.tsv: 1,175 in eight more, labelled the same way; development saw only its
  totals. Its figure and PDNC's held-out one are the honest ones.

Scored like bench/attribution.py: "all" = quotations whose voice is the right person's (a second
cast entry of the same person, such as 'Long John' beside 'Silver', is wrong: the product would
give him two voices); "answered" = the same over quotations given a voice. A speaker the book never
names is wrong with any voice, and counted apart ("unnamed") when left to the narrator.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import urllib.request
from collections import Counter, defaultdict

from barkflow.errors import BarkflowError
from barkflow.text.attribution import attribute
from barkflow.text.titles import TITLES

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hand_checked.tsv")
SOURCE = "https://raw.githubusercontent.com"
MAX_TEXT = 8 * 1024 * 1024
UNNAMED = "<unnamed>"


def read_table(path: str) -> tuple[dict[str, str], dict[str, list[tuple[int, str]]]]:
    """({file: sha256}, {file: [(offset, speaker)]}) from the table."""
    hashes, rows = {}, defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("# text:"):
                name, *_, sha = _source(line)
                hashes[name] = sha
            elif line.strip() and not line.startswith(("#", "file\t")):
                try:
                    name, offset, speaker = line.rstrip("\n").split("\t")
                    rows[name].append((int(offset), speaker))
                except ValueError:
                    raise BarkflowError(f"{path}:{n}: expected file<TAB>offset<TAB>speaker, got {line.strip()!r}") from None
    return hashes, rows


def _source(line: str) -> tuple[str, ...]:
    """A '# text:' line's fields: text file, GITenberg repository, file there, commit, SHA-256."""
    return tuple(line.split()[2:])


def sources(path: str) -> list[tuple[str, ...]]:
    """The fields of each text the table names (_source), where the line gives all five."""
    with open(path, encoding="utf-8") as f:
        return [fields for line in f if line.startswith("# text:") and len(fields := _source(line)) == 5]


def fetch(path: str, folder: str, source: str = SOURCE) -> int:
    """Downloads into `folder` each text of the table it lacks (or holds in another edition), from
    <source>/GITenberg/<repository>/<commit>/<file>; returns how many it fetched. A download over
    MAX_TEXT bytes, or whose SHA-256 is not the table's, is refused before anything is written."""
    os.makedirs(folder, exist_ok=True)
    fetched = 0
    for name, repo, file, commit, sha in sources(path):
        target = os.path.join(folder, name)
        if os.path.isfile(target) and os.path.getsize(target) <= MAX_TEXT:
            with open(target, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() == sha:
                    continue
        url = f"{source.rstrip('/')}/GITenberg/{repo}/{commit}/{file}"
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read(MAX_TEXT + 1)
        except OSError as e:
            raise BarkflowError(f"{url}: could not download it ({e}); fetch it by hand into {folder}") from None
        if len(data) > MAX_TEXT:
            raise BarkflowError(f"{url} is over {MAX_TEXT:,} bytes: not one of the novels")
        if (got := hashlib.sha256(data).hexdigest()) != sha:
            raise BarkflowError(f"{url} has SHA-256 {got[:12]}..., the table's is {sha[:12]}...: another edition")
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temp, target)  # a reader never sees half a text
        except BaseException:
            os.unlink(temp)
            raise
        fetched += 1
    return fetched


def read_text(folder: str, name: str, sha: str) -> str:
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        raise BarkflowError(f"{path} is missing: put the texts hand_checked.tsv names in --texts")
    if os.path.getsize(path) > MAX_TEXT:
        raise BarkflowError(f"{path} is over {MAX_TEXT:,} bytes: not one of the novels")
    data = open(path, "rb").read()
    if hashlib.sha256(data).hexdigest() != sha:
        raise BarkflowError(f"{path} is another edition than the table's (its SHA-256 differs): fetch the commit "
                            "hand_checked.tsv names")
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def score(text: str, rows: list[tuple[int, str]], threshold: float = 0.5) -> Counter:
    result = attribute(text, threshold=threshold)
    by_start = {q.start: q for q in result.quotations}
    out = Counter()
    for offset, speaker in rows:
        q = by_start.get(offset)
        if q is None:
            verdict = "missed"
        elif q.speaker is None:
            verdict = "unnamed" if speaker == UNNAMED else "none"
        else:
            verdict = "right" if _names(result.characters[q.speaker], speaker) else "wrong"
        out[verdict] += 1
    return out


def _names(character, speaker: str) -> bool:
    """Whether the table's speaker is one of the character's names, or one with its title left out
    ('Sandeford' for the cast's 'Mr. Sandeford'; 'Mrs. Fitzhugh' for 'Mrs. Ogden Fitzhugh')."""
    names = {character.name, *character.aliases}
    short = {" ".join(w for w in a.split() if w.rstrip(".") not in TITLES) for a in names}
    shorter = {f"{a.split()[0]} {a.split()[-1]}" for a in names if len(a.split()) > 2}
    return speaker in names or speaker in short or speaker in shorter


def line(name: str, c: Counter) -> str:
    total, answered = sum(c.values()), c["right"] + c["wrong"]
    return (f"{name:40s} all {c['right']}/{total} = {c['right'] / max(1, total):.1%}  answered {c['right']}/{answered}"
            f" = {c['right'] / max(1, answered):.1%}  to the narrator {c['none']} (+{c['unnamed']} unnamed)"
            f"  missed {c['missed']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", required=True, help="the folder holding the table's text files")
    parser.add_argument("--table", default=TABLE)
    parser.add_argument("--threshold", type=float, default=0.5, help="confidence below which the speaker is None")
    parser.add_argument("--fetch", action="store_true", help="first download the texts --texts lacks")
    parser.add_argument("--source", default=SOURCE, help="where GITenberg/<repository>/<commit>/<file> is read from")
    args = parser.parse_args(argv)
    try:
        if args.fetch:
            print(f"fetched {fetch(args.table, args.texts, args.source)} texts into {args.texts}", flush=True)
        hashes, rows = read_table(args.table)
        total = Counter()
        for name, checked in rows.items():
            if name not in hashes:
                raise BarkflowError(f"{args.table}: {name} has rows but no '# text:' line giving its hash")
            c = score(read_text(args.texts, name, hashes[name]), checked, args.threshold)
            total.update(c)
            print(line(name, c), flush=True)
        print(line("all", total))
    except BarkflowError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
