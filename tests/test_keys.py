"""Cache keys: every key is a fixed, named list of fields with a version (barkflow/store/keys.py).

Each key kind is checked for the properties that make a cache trustworthy: a missing or unknown
field is an error, changing any field changes the key, two optional fields never stand in for
each other, and the keys that existed before fields had names kept their values.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf
from helpers import project_config, render
from hypothesis import given, settings
from hypothesis import strategies as st

from barkflow import steps
from barkflow.engine.options import CoarseOptions, FineOptions, SemanticOptions
from barkflow.planning import memo, plan
from barkflow.planning.voices import PROMPT_KEY
from barkflow.publishing.publish import RENDER_KEY
from barkflow.steps import clone, verify
from barkflow.store import keys
from barkflow.store.keys import Key, content_key

ALL_KEYS = {
    "semantic": steps.semantic.KEY, "semantic given": steps.semantic.GIVEN_KEY, "coarse": steps.coarse.KEY,
    "fine": steps.fine.KEY, "decode": steps.decode.KEY, "verify": verify.KEY, "clone": clone.KEY,
    "seed": plan.SEED_KEY, "split seed": plan.SPLIT_SEED_KEY, "segment": plan.SEGMENT_KEY, "split": plan.SPLIT_KEY,
    "split memo check": memo.MEMO_CHECK, "voice prompt": PROMPT_KEY, "render": RENDER_KEY,
}
VALUES = st.one_of(st.integers(-3, 3), st.text(max_size=3), st.floats(0, 2, allow_nan=False), st.none(),
                   st.lists(st.integers(0, 3), max_size=3))


@pytest.mark.parametrize("name", ALL_KEYS)
def test_a_key_needs_every_field_and_no_other(name):
    key = ALL_KEYS[name]
    values = {field: 0 for field in key.fields}
    key(**values)
    with pytest.raises(TypeError, match="missing"):
        key(**{field: 0 for field in key.fields[1:]})
    with pytest.raises(TypeError, match="unknown"):
        key(**values, not_a_field=1)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(ALL_KEYS)), data=st.data())
def test_changing_any_field_changes_the_key(name, data):
    key = ALL_KEYS[name]
    names = key.fields + tuple(key.optional)
    values = {field: data.draw(VALUES, label=field) for field in names}
    changed = data.draw(st.sampled_from(names), label="changed")
    new_value = data.draw(VALUES.filter(lambda v: content_key(v) != content_key(values[changed])), label="new")
    assert key(**values) != key(**{**values, changed: new_value})


def test_two_optional_fields_never_stand_in_for_each_other():
    key = Key("probe", 1, ("a",), optional={"before": None, "after": None})
    assert key(a=1, before=1.0) != key(a=1, after=1.0)
    assert key(a=1) == key(a=1, before=None)  # an optional field at its default leaves the key as it was


def test_the_keys_that_existed_before_fields_had_names_kept_their_values():
    """Each kind's key equals the positional formula it replaced, so no cache entry is orphaned."""
    options = SemanticOptions()
    assert steps.semantic.KEY(text="t", prompt="p", options=options, seed=1, model="m", tokenizer="k") == content_key(
        "semantic", 1, "t", "p", options, 1, "m", "k")
    assert steps.semantic.GIVEN_KEY(tokens=np.arange(3)) == content_key("semantic", 1, "given", np.arange(3))
    assert steps.coarse.KEY(semantic="s", prompt="p", options=CoarseOptions(), seed=2, model="m") == content_key(
        "coarse", 1, "s", "p", CoarseOptions(), 2, "m")
    assert steps.fine.KEY(coarse="c", prompt="p", options=FineOptions(), seed=3, model="m") == content_key(
        "fine", 1, "c", "p", FineOptions(), 3, "m")
    assert steps.decode.KEY(fine="f", codec="c") == content_key("decode", 1, "f", "c")
    assert verify.KEY(checks=1, decode="d", language="en", recogniser="r") == content_key("verify", 2, 1, "d", "en", "r")
    assert clone.KEY(audio="a", candidate="end", models={"x": "y"}) == content_key("clone", 1, "a", "end", {"x": "y"})
    assert plan.SEED_KEY(base=0, stage="fine", uid="u", take=1) == content_key("seed", 0, "fine", "u", 1)
    assert plan.SEGMENT_KEY(speaker="s", voice="v", text="t", occurrence=0) == content_key("segment", "s", "v", "t", 0)
    assert PROMPT_KEY(semantic=1, coarse=2, fine=3) == content_key("voice-prompt", 1, 2, 3)


def test_each_step_key_reads_every_field_from_its_unit():
    """The wiring: a unit differing in anything a step's key names gets another key."""
    engine = SimpleNamespace(identity=lambda part: f"id-{part}")
    base = dict(text="Hello.", options=SimpleNamespace(semantic=SemanticOptions(), coarse=CoarseOptions(), fine=FineOptions()),
                seeds={"semantic": 1, "coarse": 2, "fine": 3}, keys={"semantic": "s", "coarse": "c", "fine": "f"},
                semantic_source=None, semantic_tokens=None, negative_voice=None)
    variants = {
        "text": dict(text="Bye."), "seeds": dict(seeds={"semantic": 9, "coarse": 9, "fine": 9}),
        "keys": dict(keys={"semantic": "s2", "coarse": "c2", "fine": "f2"}),
        "options": dict(options=SimpleNamespace(semantic=SemanticOptions(temp=0.5), coarse=CoarseOptions(temp=0.5),
                                                fine=FineOptions(temp=0.6))),
    }
    for step in plan.TOKEN_STEPS:
        key = step.cache_key(SimpleNamespace(**base), "prompt", engine)
        assert step.cache_key(SimpleNamespace(**base), "other prompt", engine) != key or step is steps.decode
        changed = [name for name, change in variants.items()
                   if step.cache_key(SimpleNamespace(**{**base, **change}), "prompt", engine) != key]
        expected = {steps.semantic: {"text", "seeds", "options"}, steps.coarse: {"keys", "seeds", "options"},
                    steps.fine: {"keys", "seeds", "options"}, steps.decode: {"keys"}}[step]
        assert set(changed) == expected, step.NAME


def test_moving_a_pause_cue_from_before_a_segment_to_after_it_restitches(tmp_path):
    """The render key once hashed the pauses with zeros dropped: (1, 0) and (0, 1) were one key, so
    the book kept its silence at the start after the cue moved to the end."""
    script = tmp_path / "script.txt"
    script.write_text("[pause 1s] Hello there.\n", encoding="utf-8")
    config = project_config(tmp_path, f"project.script={script}", "project.format=prose", "stitch.trim_silence=false",
                            "stitch.loudness_lufs=null")
    render(config)
    first, rate = sf.read(tmp_path / "out" / "demo.wav")
    script.write_text("Hello there. [pause 1s]\n", encoding="utf-8")
    render(config)
    second, _ = sf.read(tmp_path / "out" / "demo.wav")
    assert len(first) == len(second)
    silence = int(0.9 * rate)
    assert np.abs(first[:silence]).max() == 0 and np.abs(second[-silence:]).max() == 0
    assert np.abs(second[:silence]).max() > 0



@dataclasses.dataclass
class _Options:  # fields as the options dataclasses have them: plain, and added later (left out at their default)
    temp: object = 0.7
    top_k: object = None
    penalty: object = dataclasses.field(default=1.0, metadata={"key_omits_default": True})
    window: object = dataclasses.field(default=None, metadata={"key_omits_default": True})
    inner: object = dataclasses.field(default_factory=list, metadata={"key_omits_default": True})


# Values that compare equal across types (1, 1.0, True) and a NaN, which equals nothing, itself included.
OPTION_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(),
                          st.sampled_from([0.7, 1, 1.0, True, "0.7", float("nan")]))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([f.name for f in dataclasses.fields(_Options)]), OPTION_VALUES),
       st.booleans())
def test_a_dataclass_hashes_as_its_class_name_and_a_dict_of_the_fields_it_keeps(values, nested):
    """The dataclass branch is worked out once per class (a plan hashes the same options for every
    segment's every step); its encoding stays "C", the class name, and the dict of the fields kept."""
    options = _Options(**values)
    if nested:
        options.inner = _Options(**values)
    kept = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)
            if not (f.metadata.get("key_omits_default") and getattr(options, f.name) == f.default)}
    inner = kept.get("inner")
    if dataclasses.is_dataclass(inner):  # the nested one's encoding, by the same rule
        inner_kept = {f.name: getattr(inner, f.name) for f in dataclasses.fields(inner)
                      if not (f.metadata.get("key_omits_default") and getattr(inner, f.name) == f.default)}
        kept["inner"] = _Raw(b"C" + keys._encoded(_Options.__qualname__) + keys._encoded(inner_kept))
    expected = hashlib.sha256(keys._KEY_PREFIX + b"L1:C" + keys._encoded(_Options.__qualname__) + _dict_encoding(kept))
    assert content_key(options) == expected.hexdigest()[: keys.KEY_HEX_CHARS]


class _Raw(bytes):
    """An encoding already made."""


def _dict_encoding(mapping: dict) -> bytes:
    """The Mapping branch's encoding, items sorted by their encoded keys, with _Raw values as they are."""
    items = sorted((keys._encoded(k), v) for k, v in mapping.items())
    return b"D%d:" % len(items) + b"".join(k + (v if isinstance(v, _Raw) else keys._encoded(v)) for k, v in items)


class _Colour(enum.IntEnum):
    RED = 1


class _Name(str):
    """A str subclass: it takes the general branches, not the exact-type fast path."""


def _reference(value) -> bytes:
    """The typed encoding as content_key's docstring specifies it, written plainly: the spec the
    fast paths for exact built-in types must meet byte for byte (a changed byte orphans every entry)."""
    def atom(tag: bytes, payload: bytes) -> bytes:
        return b"%s%d:" % (tag, len(payload)) + payload

    if value is None:
        return atom(b"N", b"")
    if isinstance(value, enum.Enum):
        return b"E" + _reference(type(value).__qualname__) + _reference(value.name)
    if isinstance(value, bool):
        return atom(b"B", b"1" if value else b"0")
    if isinstance(value, int):
        return atom(b"I", format(int(value), "x").encode())
    if isinstance(value, float):
        return atom(b"F", float.__repr__(value).encode())
    if isinstance(value, str):
        return atom(b"S", value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bytes):
        return atom(b"Y", value)
    if isinstance(value, np.generic):
        return _reference(value.item())
    if isinstance(value, dict):
        items = sorted((_reference(k), _reference(v)) for k, v in value.items())
        return b"D%d:" % len(items) + b"".join(k + v for k, v in items)
    if isinstance(value, (list, tuple)):
        return b"L%d:" % len(value) + b"".join(map(_reference, value))
    if isinstance(value, frozenset):
        members = sorted(map(_reference, value))
        return b"T%d:" % len(members) + b"".join(members)
    raise AssertionError(type(value))


ATOMS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-2**70, 2**70), st.floats(),
                  st.text(max_size=5), st.text(max_size=5).map(_Name), st.binary(max_size=4),
                  st.sampled_from([_Colour.RED, np.int64(3), np.float64(0.5), 1, 1.0, True, "1"]))
NESTED = st.recursive(ATOMS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.one_of(st.text(max_size=3), st.integers(-2, 2), st.text(max_size=3).map(_Name)), inner, max_size=3),
    st.frozensets(st.one_of(st.integers(-5, 5), st.text(max_size=2)), max_size=3)), max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(NESTED)
def test_the_fast_paths_encode_every_value_as_the_spec_does(value):
    assert keys._encoded(value) == _reference(value)
    expected = hashlib.sha256(keys._KEY_PREFIX + _reference([value, value])).hexdigest()[: keys.KEY_HEX_CHARS]
    assert content_key(value, value) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(NESTED, min_size=2, max_size=2), NESTED, st.integers(0, 3), st.sampled_from(["", "given"]))
def test_a_key_is_content_key_over_its_head_and_fields(fields, optional, version, tag):
    """A Key is content_key over its name, version, tag and fields in order, then its optional
    fields set as (name, value) pairs: what the module docstring promises, for any values."""
    key = Key("probe", version, ("a", "b"), optional={"o": None}, tag=tag)
    head = ["probe"] + ([version] if version else []) + ([tag] if tag else [])
    assert key(a=fields[0], b=fields[1]) == content_key(*head, *fields)
    if optional is not None:
        assert key(a=fields[0], b=fields[1], o=optional) == content_key(*head, *fields, ("o", optional))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([f.name for f in dataclasses.fields(_Options)]), OPTION_VALUES), NESTED)
def test_reusing_encodings_gives_the_same_keys(values, other):
    """Inside `reusing_encodings` (a plan's keys) a dataclass is encoded once by identity: the same
    key as outside, for it, a copy with other values, and after the scope (nothing stale kept)."""
    options, changed = _Options(**values), _Options(**{**values, "temp": other})
    outside = [content_key("k", options, other), content_key(changed, 1)]
    with keys.reusing_encodings():
        assert [content_key("k", options, other), content_key(changed, 1)] == outside
        assert content_key("k", options, other) == outside[0]  # the second time, from the memo
    options.temp = other
    assert content_key("k", options, other) == content_key("k", _Options(**{**values, "temp": other}), other)
