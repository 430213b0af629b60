"""bench/hand_checked.py scores a table of hand-checked speakers against texts it checks by hash."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from helpers import REPO

TEXT = ('Mrs. Pell met Mr. Crane. Mrs. Pell sat.\r\n\r\n"It is cold," said Mrs. Pell.\r\n\r\n'
        '"It is," said Mr. Crane.\r\n\r\n"Who is there?" called someone from the hall.\r\n')


def run_bench(tmp_path, text: bytes, rows: str):
    (tmp_path / "texts").mkdir(exist_ok=True)
    (tmp_path / "texts" / "book.txt").write_bytes(text)
    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    table = tmp_path / "table.tsv"
    table.write_text(f"# text: book.txt Some-Repo_1 1.txt {'0' * 40} {sha}\nfile\toffset\tspeaker\n{rows}", encoding="utf-8")
    return subprocess.run([sys.executable, str(REPO / "bench" / "hand_checked.py"), "--texts", str(tmp_path / "texts"),
                           "--table", str(table)], capture_output=True, text=True, timeout=120)


def test_the_bench_scores_each_checked_quotation_at_its_offset(tmp_path):
    # Offsets count the text with its line ends as \n: the first quotation's words start at 43.
    plain = TEXT.replace("\r\n", "\n")
    cold, it_is, who = (plain.index(s) for s in ("It is cold", "It is,", "Who is"))
    rows = f"book.txt\t{cold}\tMrs. Pell\nbook.txt\t{it_is}\tMrs. Pell\nbook.txt\t{who}\t<unnamed>\n"
    run = run_bench(tmp_path, TEXT.encode(), rows)
    assert run.returncode == 0, run.stderr
    # One right; one wrong voice (Mr. Crane said it); the unnamed caller is wrong with a voice too.
    assert "all 1/3 = 33.3%  answered 1/3 = 33.3%  to the narrator 0 (+0 unnamed)  missed 0" in run.stdout
    # The table may write the name with its title left out: 'Pell' is the cast's Mrs. Pell.
    run = run_bench(tmp_path, TEXT.encode(), f"book.txt\t{cold}\tPell\n")
    assert "all 1/1 = 100.0%" in run.stdout
    # A row whose offset starts no quotation found is counted as missed, not dropped.
    run = run_bench(tmp_path, TEXT.encode(), f"book.txt\t{cold + 1}\tMrs. Pell\n")
    assert "all 0/1 = 0.0%" in run.stdout and "missed 1" in run.stdout


def test_another_edition_of_a_text_is_refused_in_one_line(tmp_path):
    run = run_bench(tmp_path, TEXT.replace("cold", "warm").encode(), "book.txt\t43\tMrs. Pell\n")
    assert run.returncode == 2 and "another edition" in run.stderr and run.stderr.count("\n") == 1


def test_the_committed_tables_name_every_text_once_and_each_quotation_once():
    """Each table the bench ships gives every text its source and SHA-256, and one speaker per
    quotation start; the held-out table shares no text with the ones development looked at."""
    sys.path.insert(0, str(REPO / "bench"))
    import hand_checked

    texts = {}
    for name in ("hand_checked.tsv", "hand_checked_dev.tsv", "hand_checked_held.tsv"):
        path = REPO / "bench" / name
        hashes, rows = hand_checked.read_table(str(path))
        sources = [line.split()[2:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# text:")]
        assert all(len(s) == 5 and len(s[3]) == 40 and len(s[4]) == 64 for s in sources), name
        assert set(rows) == set(hashes), name  # no text without rows, no rows without a text
        for book, checked in rows.items():
            offsets = [o for o, _ in checked]
            assert len(offsets) == len(set(offsets)) and all(s.strip() for _, s in checked), book
        texts[name] = set(hashes)
    assert not texts["hand_checked_held.tsv"] & (texts["hand_checked.tsv"] | texts["hand_checked_dev.tsv"])


def test_fetch_downloads_each_missing_text_and_refuses_another_edition(tmp_path):
    """--fetch reads <source>/GITenberg/<repository>/<commit>/<file> (here a folder, by file://),
    keeps a download only where its SHA-256 is the table's, and leaves a text already there alone;
    a download of another edition is refused in one line and writes nothing."""
    commit = "a" * 40
    mirror = tmp_path / "mirror" / "GITenberg" / "Some-Repo_1" / commit
    mirror.mkdir(parents=True)
    (mirror / "1.txt").write_bytes(TEXT.encode())
    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    plain = TEXT.replace("\r\n", "\n")
    table = tmp_path / "table.tsv"
    table.write_text(f"# text: book.txt Some-Repo_1 1.txt {commit} {sha}\nfile\toffset\tspeaker\n"
                     f"book.txt\t{plain.index('It is cold')}\tMrs. Pell\n", encoding="utf-8")

    def bench():
        return subprocess.run([sys.executable, str(REPO / "bench" / "hand_checked.py"), "--texts", str(tmp_path / "texts"),
                               "--table", str(table), "--fetch", "--source", (tmp_path / "mirror").as_uri()],
                              capture_output=True, text=True, timeout=120)

    run = bench()
    assert run.returncode == 0, run.stderr
    assert "fetched 1 texts" in run.stdout and "all 1/1 = 100.0%" in run.stdout
    assert (tmp_path / "texts" / "book.txt").read_bytes() == TEXT.encode()
    assert "fetched 0 texts" in bench().stdout  # already there, whole
    (tmp_path / "texts" / "book.txt").unlink()
    (mirror / "1.txt").write_bytes(TEXT.replace("cold", "warm").encode())
    run = bench()
    assert run.returncode == 2 and "another edition" in run.stderr and run.stderr.count("\n") == 1
    assert list((tmp_path / "texts").iterdir()) == []
