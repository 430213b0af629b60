"""Where a project's files are found (plan.find_file): user paths from the working directory or a
config folder, and files shipped inside a package (pkg://PACKAGE/PATH) from wherever it is installed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import project_config
from hypothesis import given, settings
from hypothesis import strategies as st

import barkflow
from barkflow.errors import BarkflowError
from barkflow.planning.plan import find_file
from barkflow.text.formats import load_script


def test_the_demo_script_is_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no examples/ or conf/ here, and no config folders
    script = project_config(tmp_path).project.script
    found = find_file(script, [])
    assert found.is_file() and found.is_absolute()
    assert len(load_script(found, "dialogue").lines) == 4


def test_user_paths_keep_their_meaning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("Hello.\n")
    assert find_file("mine.txt", []) == Path("mine.txt")  # from the working directory, as given
    conf = tmp_path / "elsewhere" / "conf"
    (conf / "projects").mkdir(parents=True)
    (conf / "projects" / "s.txt").write_text("Hi.\n")
    (conf.parent / "book.md").write_text("Hi.\n")
    assert find_file("projects/s.txt", [conf]) == conf / "projects/s.txt"  # from a config folder
    assert find_file("book.md", [conf]) == conf.parent / "book.md"  # or the folder above it
    assert find_file("absent.txt", [conf]) == Path("absent.txt")  # the loader reports it missing


@pytest.mark.parametrize("path, words", [
    ("pkg://barkflow_nowhere/script.txt", "no package .barkflow_nowhere."),
    ("pkg://barkflow/no/such/file.txt", "barkflow has no file .no/such/file.txt."),
    ("pkg://barkflow/../setup.py", "outside the package"),
    ("pkg://barkflow", "pkg://PACKAGE/PATH"),
    ("pkg:///script.txt", "pkg://PACKAGE/PATH"),
    ("pkg://barkflow.errors/x.txt", "not a package"),
])
def test_a_bad_package_path_is_one_line_saying_what_and_how(path, words):
    with pytest.raises(BarkflowError, match=words) as error:
        find_file(path, [])
    assert "\n" not in str(error.value) and repr(path) in str(error.value)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30) | st.just("demo/script.txt"))
def test_any_package_path_is_a_file_in_the_package_or_one_error(rest):
    try:
        found = find_file(f"pkg://barkflow/{rest}", [])
    except BarkflowError as error:
        assert "\n" not in str(error)
    else:
        assert found.is_file() and found.resolve().is_relative_to(Path(barkflow.__file__).resolve().parent)
