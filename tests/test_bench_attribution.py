"""bench/attribution.py scores against a PDNC-shaped folder written here (PDNC itself is not in CI)."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import REPO

NOVEL = 'Mrs. Pell met Mr. Crane. Mrs. Pell sat.\n\n"It is cold," said Mrs. Pell.\n\n"It is," said Mr. Crane.\n'


def quote_row(qid, text, start, speaker, kind):
    return (f'"{qid}","{text}","[]","[[{start}, {start + len(text)}]]","{speaker}","[]","{kind}","","[]","[]","[]"\n')


def test_the_bench_scores_speakers_that_pdnc_writes_by_an_alias(tmp_path):
    folder = tmp_path / "data" / "TheNovel"
    folder.mkdir(parents=True)
    (folder / "novel_text.txt").write_text(NOVEL, encoding="utf-8")
    (folder / "character_info.csv").write_text(
        "Character ID,Main Name,Aliases,Gender,Category\n"
        "0,Harriet Pell,\"{'Mrs. Pell', 'Harriet Pell'}\",F,major\n"
        "1,Tobias Crane,\"{'Mr. Crane', 'Tobias Crane'}\",M,major\n", encoding="utf-8")
    header = ('"quoteID","quoteText","subQuotationList","quoteByteSpans","speaker","addressees","quoteType",'
              '"referringExpression","mentionTextsList","mentionSpansList","mentionEntitiesList"\n')
    # PDNC names the first speaker by her main name and the second by an alias of his.
    rows = (quote_row("Q0", "It is cold,", NOVEL.index("It is cold"), "Harriet Pell", "Explicit")
            + quote_row("Q1", "It is,", NOVEL.index("It is,"), "Mr. Crane", "Explicit"))
    (folder / "quotation_info.csv").write_text(header + rows, encoding="utf-8")
    out = tmp_path / "scores.json"
    run = subprocess.run([sys.executable, str(REPO / "bench" / "attribution.py"), "--pdnc", str(tmp_path),
                          "--json", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    scores = json.loads(out.read_text())["TheNovel"]
    assert scores["recall"] == 1.0 and scores["counts"]["explicit"] == [2, 2]
    # "answered" is the accuracy of the voices given, "voiced" the share of quotations given one:
    # two names for two figures (the novel's line once printed the share as "answered").
    assert scores["counts"]["answered"] == [2, 2] and scores["voiced"] == 1.0
    assert "answ 100.0%" in run.stdout and "voiced 100%" in run.stdout and "answered 100.0%  voiced 100.0%" in run.stdout


def test_the_bench_maps_a_name_pdnc_misspells_by_two_letters_swapped():
    """PDNC's list writes 'The Nawab Badahur' for the book's 'Nawab Bahadur' (every alias): a long
    name word with the same first letter and the same letters is the same name, or every right
    answer for him counts as wrong."""
    import importlib.util
    from types import SimpleNamespace
    spec = importlib.util.spec_from_file_location("bench_attribution", REPO / "bench" / "attribution.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ours = SimpleNamespace(characters=[SimpleNamespace(id=0, name="Nawab Bahadur", aliases=("Nawab Bahadur",)),
                                       SimpleNamespace(id=1, name="Mary", aliases=("Mary",))])
    chars = {"The Nawab Badahur": {"nawab badahur", "mr zulfiqar"}, "Myra": {"myra"}}
    assert bench._map_characters(ours, chars) == {0: "The Nawab Badahur"}


def test_the_bench_weighs_a_shared_full_name_over_a_shared_first_name():
    """PDNC may list a bare first name ('John') under one of two Johns: our John who is also
    'John Peter' is PDNC's John Peter, not the John Otter whose list has 'John'; a title ('Mr')
    is no evidence."""
    import importlib.util
    from types import SimpleNamespace
    spec = importlib.util.spec_from_file_location("bench_attribution", REPO / "bench" / "attribution.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ours = SimpleNamespace(characters=[SimpleNamespace(id=0, name="John", aliases=("John", "John Peter")),
                                       SimpleNamespace(id=1, name="Ada", aliases=("Ada", "Miss Lowe"))])
    chars = {"John Otter": {"john", "john otter", "otter"}, "John Peter": {"john peter"},
             "Ada": {"ada"}, "Miss Lowe": {"miss lowe"}}
    assert bench._map_characters(ours, chars) == {0: "John Peter", 1: "Ada"}
