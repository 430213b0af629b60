"""The split memo in the cache only saves time: whatever it holds, Bark reads the script's words."""

import dataclasses
import json
import logging
from pathlib import Path

import pytest
from helpers import ANY_JSON, project_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barkflow.planning import build, plan
from barkflow.store.cache import Store
from barkflow.store.keys import content_key

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The demo's units planned with no memo, and the memo that plan wrote."""
    folder = tmp_path_factory.mktemp("memo")
    config = project_config(folder, "split.goal_chars=20", "split.max_chars=40")
    engine = build.make_engine(config)
    the_plan = plan.make_plan(config, engine, Store(config.paths.cache_dir), [REPO / "conf"])
    memo = json.loads((folder / "cache" / "split-memo.json").read_text())
    assert memo and len(the_plan.units) > len(memo)  # some lines split in several parts
    return {"config": config, "engine": engine, "texts": [u.text for u in the_plan.units], "memo": memo}


def texts(reference):
    config = reference["config"]
    the_plan = plan.make_plan(config, reference["engine"], Store(config.paths.cache_dir), [REPO / "conf"])
    return [u.text for u in the_plan.units]


def memo_path(reference) -> Path:
    return Path(reference["config"].paths.cache_dir) / "split-memo.json"


@pytest.mark.parametrize(
    "edit",
    [
        lambda parts: ["Something else entirely"] + parts[1:],  # an edited text
        lambda parts: " ".join(parts),  # a string where the list belongs
        lambda parts: parts[:1],  # the rest of the line dropped
        lambda parts: parts + [""],
    ],
)
def test_an_edited_memo_entry_is_split_again(reference, caplog, edit):
    key, entry = next((k, e) for k, e in reference["memo"].items() if len(e["parts"]) > 1)
    damaged = {**reference["memo"], key: {**entry, "parts": edit(entry["parts"])}}
    memo_path(reference).write_text(json.dumps(damaged))
    with caplog.at_level(logging.WARNING, logger="barkflow.runner"):
        assert texts(reference) == reference["texts"]
    assert any("split memo" in r.getMessage() for r in caplog.records)


def words_changed(parts):
    return [p + " extra" for p in parts] if parts else ["extra"]




@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_whatever_the_memo_holds_the_units_say_the_script(reference, data):
    kind = data.draw(st.sampled_from(["bytes", "json", "entries"]))
    if kind == "bytes":
        content = data.draw(st.binary(max_size=200))
    elif kind == "json":
        content = json.dumps(data.draw(ANY_JSON)).encode()
    else:
        memo = {}
        for key, entry in reference["memo"].items():
            parts = data.draw(
                st.sampled_from(["json", "parts", "forged"]).flatmap(
                    lambda how: ANY_JSON.map(lambda v: (how, v)) if how == "json" else st.just((how, None))
                )
            )
            how, value = parts
            if how == "json":
                memo[key] = data.draw(st.sampled_from([value, {"parts": value, "check": entry["check"]}]))
            elif how == "parts":  # plausible parts with the real check: the check no longer matches
                memo[key] = {"parts": data.draw(st.lists(st.text(min_size=1, max_size=10), max_size=4)),
                             "check": entry["check"]}
            else:  # a check that matches (someone computed it) over words the line does not have
                changed = words_changed(entry["parts"])
                memo[key] = {"parts": changed, "check": content_key("split-memo", key, changed)}
        content = json.dumps(memo).encode()
    memo_path(reference).write_bytes(content)
    assert texts(reference) == reference["texts"]


def forged_regroupings(parts: list[str]):
    """The line's own words regrouped into other parts (at least one joined), each with its check
    recomputed: self-consistent entries a split at these limits never makes."""
    cuts = st.sets(st.integers(1, len(parts) - 1), max_size=len(parts) - 2)
    return cuts.map(lambda kept: [" ".join(parts[a:b]) for a, b in zip([0, *sorted(kept)], [*sorted(kept), len(parts)])])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_forged_memo_never_makes_a_segment_over_the_limits(reference, caplog, data):
    """A memo entry that says the line's words and carries its own recomputed check is used only if
    each part is within split.max_chars / max_tokens, else split again: no segment ever exceeds the limit."""
    memo = dict(reference["memo"])
    for key, entry in reference["memo"].items():
        if len(entry["parts"]) > 1:
            regrouped = data.draw(forged_regroupings(entry["parts"]))
            memo[key] = {"parts": regrouped, "check": content_key("split-memo", key, regrouped)}
    memo_path(reference).write_text(json.dumps(memo))
    split, count = reference["config"].split, reference["engine"].tokenizer.count
    with caplog.at_level(logging.WARNING):
        units = texts(reference)
    assert " ".join(units).split() == " ".join(reference["texts"]).split()
    assert all(len(text) <= split.max_chars and count(text) <= split.max_tokens for text in units)
    over = any(len(part) > split.max_chars for entry in memo.values() for part in entry["parts"])
    assert ("split memo" in caplog.text) == over  # refused and split again exactly when over the limits


def normalized(reference):
    """The reference config with normalisation on, and no memo left by the tests before (some leave
    forged regroupings that are within the limits, so a plan may rightly use them)."""
    memo_path(reference).unlink(missing_ok=True)
    config = reference["config"]
    return dataclasses.replace(config, project=dataclasses.replace(config.project, normalize=True))


def test_a_memo_plan_spells_nothing(reference, monkeypatch):
    """Normalising is most of a memo plan's time: a memo hit brings each part's spoken text, checked
    with the entry, so a rerun normalises nothing. The texts are the same either way."""
    from barkflow.text.spoken import Speller

    config = normalized(reference)
    first = plan.make_plan(config, reference["engine"], Store(config.paths.cache_dir), [REPO / "conf"])  # fills the memo
    calls = []
    real = Speller._spell  # the spelling itself, under the speller's memo
    monkeypatch.setattr(Speller, "_spell", lambda self, text: calls.append(text) or real(self, text))
    again = plan.make_plan(config, reference["engine"], Store(config.paths.cache_dir), [REPO / "conf"])
    assert [u.text for u in again.units] == [u.text for u in first.units]
    assert all(e.get("spellings") for e in json.loads(memo_path(reference).read_text()).values())
    assert calls == []
    assert again.words == first.words  # the words' fates, kept beside the spellings


def test_an_edited_spelling_is_spelled_again(reference, caplog):
    """A memo's spoken text edited by hand (its check not recomputed) is never spoken: the entry is
    refused and the line split and spelled again."""
    config = normalized(reference)
    first = plan.make_plan(config, reference["engine"], Store(config.paths.cache_dir), [REPO / "conf"])
    memo = json.loads(memo_path(reference).read_text())
    spelled = {k: e for k, e in memo.items() if e.get("spellings")}
    assert spelled
    for entry in spelled.values():
        entry["spellings"] = [[s[0], "something else entirely", *s[2:]] for s in entry["spellings"]]
    memo_path(reference).write_text(json.dumps(memo))
    with caplog.at_level(logging.WARNING):
        again = plan.make_plan(config, reference["engine"], Store(config.paths.cache_dir), [REPO / "conf"])
    assert [u.text for u in again.units] == [u.text for u in first.units]
    assert "split memo" in caplog.text
    assert json.loads(memo_path(reference).read_text()) != memo  # mended: written again with true spellings


def test_an_older_memo_gains_spellings(reference):
    """Entries written before spellings were kept are used, and given their spellings on the way."""
    config = normalized(reference)
    first = plan.make_plan(config, reference["engine"], Store(config.paths.cache_dir), [REPO / "conf"])
    memo = json.loads(memo_path(reference).read_text())
    older = {k: {"parts": e["parts"], "check": content_key("split-memo", k, e["parts"])} for k, e in memo.items()}
    memo_path(reference).write_text(json.dumps(older))
    again = plan.make_plan(config, reference["engine"], Store(config.paths.cache_dir), [REPO / "conf"])
    assert [u.text for u in again.units] == [u.text for u in first.units]
    assert json.loads(memo_path(reference).read_text()) == memo


def test_the_spelling_code_is_part_of_the_speller_identity(tmp_path, monkeypatch):
    """A memoized spoken text is reused only by the code that made it: editing a normaliser module
    changes the identity (so the memo's key) even where NORMALIZE_VERSION was not bumped."""
    import shutil

    from barkflow.text import normalize, spoken

    spoken._spelling_code.cache_clear()
    before = spoken.Speller("en", True).identity()
    copy = tmp_path / "normalize"
    shutil.copytree(Path(normalize.__file__).parent, copy)
    (copy / "rules.py").write_text((copy / "rules.py").read_text() + "\n# a change\n")
    monkeypatch.setattr(normalize, "__file__", str(copy / "__init__.py"))
    spoken._spelling_code.cache_clear()
    try:
        assert spoken.Speller("en", True).identity() != before
    finally:
        spoken._spelling_code.cache_clear()


def test_a_save_keeps_what_the_run_used_and_what_is_recent(tmp_path, monkeypatch):
    """A new barkflow or a changed option keys every line anew: the memo keeps the entries a run used
    and those made within KEEP_DAYS (another project's in a shared cache), not every older one."""
    from barkflow.planning import memo as memo_module

    day = [20_000]
    monkeypatch.setattr(memo_module, "_today", lambda: day[0])
    path = tmp_path / "cache" / "split-memo.json"
    path.parent.mkdir()
    foreign = {"parts": ["x"], "check": "c"}
    path.write_text(json.dumps({"old": {**foreign, "seen": 19_000}, "recent": {**foreign, "seen": 19_990},
                                "undated": foreign, "old format": ["x"]}))

    def planned(*options) -> set:
        config = project_config(tmp_path, "split.goal_chars=20", "split.max_chars=40", *options)
        plan.make_plan(config, build.make_engine(config), Store(config.paths.cache_dir), [REPO / "conf"])
        return set(json.loads(path.read_text()))

    first = planned()
    assert {"recent"} < first and not first & {"old", "undated", "old format"}
    day[0] += 31  # a month on, another option: the first plan's entries are neither used nor recent
    second = planned("split.goal_chars=30")
    assert not second & first and second
    assert planned("split.goal_chars=30") == second  # a memo plan writes nothing
    third = planned()  # the first plan's options again, split anew: the second's entries are recent
    assert second < third


def test_an_entry_a_saving_run_used_is_seen_again(tmp_path, monkeypatch):
    from barkflow.planning import memo as memo_module

    day = [20_000]
    monkeypatch.setattr(memo_module, "_today", lambda: day[0])
    store = Store(tmp_path / "cache")
    first = memo_module.SplitMemo(store)
    first.put("a", "One two.", ["One two."])
    first.put("b", "Three four.", ["Three four."])
    first.save()
    day[0] += 25
    second = memo_module.SplitMemo(store)
    assert second.get("a", "One two.", "here", fits=lambda part: True) == ["One two."]
    second.put("c", "Five six.", ["Five six."])
    second.save()  # 'a' used: seen today; 'b' kept, seen 25 days ago
    day[0] += 10
    third = memo_module.SplitMemo(store)
    third.put("d", "Seven.", ["Seven."])
    third.save()
    assert set(json.loads((tmp_path / "cache" / "split-memo.json").read_text())) == {"a", "c", "d"}
