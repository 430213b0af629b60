"""The spoken text: normalisation per language, the pronunciation lexicon, and pause cues."""

import json
import re

import numpy as np
import pytest
import soundfile as sf
from helpers import REPO, entries, project_config, render, write_script
from hypothesis import given, settings
from hypothesis import strategies as st

from barkflow.cli import _print_plan
from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.planning.outputs import StitchOptions
from barkflow.publishing.stitch import StitchPiece, stitch
from barkflow.store.cache import Store
from barkflow.text.spoken import cut_at_pauses, parse_lexicon, spoken_text

NORMALISED = {
    "en": [
        ("Mr. Smith paid $5.50 for 3 apples.", "Mister Smith paid five dollars, fifty cents for three apples."),
        ("On the 21st of May, 1984, at 10:05 pm.", "On the twenty-first of May, nineteen eighty-four, at ten oh five p.m."),
        ("It rose 12.5%, e.g. in 2,500 towns, etc.", "It rose twelve point five percent, for example in two thousand, five hundred towns, et cetera."),
        ("Dr. Lee of St. Paul's, Baker St. Then home.", "Doctor Lee of Saint Paul's, Baker Street. Then home."),
        ("CHAPTER XII", "CHAPTER twelve"),
        ("IV.", "four."),
        ("[laughs] WOW, 2 of them! ♪ la la ♪ [clears throat]", "[laughs] WOW, two of them! ♪ la la ♪ [clears throat]"),
        ("[MAN] Room 101 [1 2 3]", "[MAN] Room one hundred and one [1 2 3]"),
        ("MP3 and R2D2", "MP3 and R2D2"),
    ],
    "de": [
        ("Dr. Müller kam am 3. Oktober 2024 um 14:30 Uhr.", "Doktor Müller kam am dritten Oktober zweitausendvierundzwanzig um vierzehn Uhr dreißig."),
        ("Es kostet 5,50 €, z.B. 50 % mehr usw.", "Es kostet fünf Euro und fünfzig Cent, zum Beispiel fünfzig Prozent mehr und so weiter."),
        ("Kapitel IV [sighs] 1.234", "Kapitel vier [sighs] eintausendzweihundertvierunddreißig"),
    ],
    "fr": [
        ("M. Dupont a payé 5,50 € le 1er mai à 14:30.", "Monsieur Dupont a payé cinq euros et cinquante centimes le premier mai à quatorze heures trente."),
        ("Mme Curie, 2e édition, 12 % etc.", "Madame Curie, deuxième édition, douze pour cent et cetera."),
        ("Chapitre III ♪ [laughs] 1 234 habitants", "Chapitre trois ♪ [laughs] mille deux cent trente-quatre habitants"),
    ],
    "es": [
        ("El Sr. García pagó 5,50 € el 1º de mayo a las 10:30.", "El señor García pagó cinco euros con cincuenta céntimos el primero de mayo a las diez y treinta."),
        ("La 2ª vez, 25 % más, etc.", "La segunda vez, veinticinco por ciento más, etcétera."),
        ("Capítulo II [laughter] 1.500", "Capítulo dos [laughter] mil quinientos"),
    ],
}


@pytest.mark.parametrize(
    "language,text,expected", [(lang, text, out) for lang, rows in NORMALISED.items() for text, out in rows]
)
def test_normalisation_per_language(language, text, expected):
    assert spoken_text(text, language) == expected


CUES = st.sampled_from(["[laughs]", "[clears throat]", "[MAN]", "♪", "[music]", "[1984]", "WOW"])
WORDS = st.sampled_from(["Mr.", "3", "21st", "$5", "10:30", "e.g.", "Chapter IV", "1,200", "50%", "the", "etc."])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(CUES, WORDS), min_size=1, max_size=12), st.sampled_from(["en", "de", "fr", "es"]))
def test_bark_cues_pass_through_every_rule_untouched(tokens, language):
    lexicon = parse_lexicon({"words": {"laughs": "LAFFS", "music": "mew-zik"}, "regex": [["throat", "THROAT"]]}, "t")
    spoken = spoken_text(" ".join(tokens), language, lexicon=lexicon)
    cues = [t for t in tokens if t.startswith("[") or t == "♪"]
    assert re.findall(r"\[[^\]]*\]|♪", spoken) == cues


def test_lexicon_whole_words_phrases_case_and_ordered_regexes():
    lexicon = parse_lexicon(
        {"words": {"Hermione": "her-MY-oh-nee", "New York": "noo york"},
         "regex": [[r"(\d+)mg", r"\1 milligrams"], ["milligrams", "milli grams"]]},
        "project.lexicon",
    )
    text = "HERMIONE met hermione's friend in new\nYork, not in Hermiones; 5mg"
    assert spoken_text(text, normalize=False, lexicon=lexicon) == (
        "her-MY-oh-nee met her-MY-oh-nee's friend in noo york, not in Hermiones; 5 milli grams"
    )
    strict = parse_lexicon({"words": {"Hermione": "x"}, "case_sensitive": True}, "t")
    assert spoken_text("hermione Hermione", normalize=False, lexicon=strict) == "hermione x"
    # a respelling is not normalised again; the entry wins over the number rules
    numbers = parse_lexicon({"words": {"007": "double-oh seven"}}, "t")
    assert spoken_text("Agent 007 has 2 cars", lexicon=numbers) == "Agent double-oh seven has two cars"
    # a voice's lexicon over the project's
    merged = parse_lexicon({"words": {"York": "yawk"}}, "v").merged(lexicon)
    assert spoken_text("New York and York", normalize=False, lexicon=merged) == "noo york and yawk"


@pytest.mark.parametrize(
    "value,message",
    [
        ("x", "give a mapping"),
        ({"wrods": {}}, r"project\.lexicon\.wrods is not an option"),
        ({"words": {"a": ""}}, r"project\.lexicon\.words: the entry 'a'"),
        ({"regex": [["(", "x"]]}, r"project\.lexicon\.regex\[0\]"),
        ({"regex": [["a", r"\2"]]}, r"project\.lexicon\.regex\[0\]"),
        ({"case_sensitive": "yes"}, "true or false"),
    ],
)
def test_bad_lexicons_are_one_line_errors(value, message):
    with pytest.raises(BarkflowError, match=message) as error:
        parse_lexicon(value, "project.lexicon")
    assert "\n" not in str(error.value)


def test_pause_cues_cut_the_text_and_text_without_them_is_unchanged():
    text = "  Hello there,  world.  "
    assert cut_at_pauses(text, 1.0).pieces == ((text, 0.0),)
    cut = cut_at_pauses("[pause] One. [PAUSE 1.5s] Two [pause 250ms][pause 2] three.", 0.7)
    assert cut.pause_before == 0.7
    assert cut.pieces == (("One.", 1.5), ("Two", 2.25), ("three.", 0.0))
    assert cut_at_pauses("Wait [pauses]", 1.0).pieces == (("Wait [pauses]", 0.0),)  # another word: not a pause cue
    with pytest.raises(BarkflowError, match=r"book.md:3: \[pause 90s\] is not a pause .* at most 60 s"):
        cut_at_pauses("a [pause 90s]", 1.0, "book.md:3")


def test_stitch_lays_pause_silences_and_cues_stay_on_the_words(tmp_path):
    rate = 1000
    pieces = []
    for index, (boundary, before, after) in enumerate(
        [("sentence", 0.5, 2.0), ("paragraph", None, None), ("end", None, 0.25)]
    ):
        path = tmp_path / f"{index}.npz"
        np.savez(path, audio=np.full(100, 0.1, dtype=np.float32))
        pieces.append(StitchPiece(f"l{index:04d}-s01", path, 0, index, "n", f"words {index}", boundary,
                                  pause_before_s=before, pause_after_s=after))
    options = StitchOptions(trim_silence=False, loudness_lufs=None, pause_paragraph_s=0.3)
    result = stitch(pieces, ["t"], options, tmp_path / "out", sample_rate=rate)
    spans = [(p.book_start, p.book_end) for p in result.pieces]
    # 0.5 s before the first piece; 2 s instead of the sentence pause; the paragraph pause; 0.25 s at the end
    assert spans == [(500, 600), (2600, 2700), (3000, 3100)]
    assert result.total_samples == 3350
    audio, _ = sf.read(result.chapter_files[0])
    assert not audio[:500].any() and not audio[600:2600].any() and not audio[3100:].any()


def _plan(config):
    engine = build.make_engine(config)
    store = Store(config.paths.cache_dir)
    return plan.make_plan(config, engine, store, [REPO / "conf"]), store


SCRIPT = """\
The ferryman had 3 boats and Hermione rowed one.
ALICE: Did Hermione see the 2 herons? [pause 1.5s] No, she did not. [laughs]
BOB: It is only the wind.
ALICE: [pause] Then why is the door open?
"""


def test_with_nothing_set_the_plan_is_what_it_was(tmp_path):
    """A lexicon that matches nothing and no pause cue: the same segments, texts and keys as none."""
    script = write_script(tmp_path, SCRIPT.replace(" [pause 1.5s]", "").replace("[pause] ", ""))
    off = "project.normalize=false"  # on by default: "3 boats" is read "three boats"
    base, _ = _plan(project_config(tmp_path, f"project.script={script}", off))
    lexicon = "{words: {Zanzibar: zan-zi-bar}}"
    other, _ = _plan(project_config(tmp_path, f"project.script={script}", off, f"project.lexicon={lexicon}"))
    assert [(u.segment_id, u.uid, u.text, u.keys) for u in other.units] == [
        (u.segment_id, u.uid, u.text, u.keys) for u in base.units
    ]
    assert all(u.shown == u.text and not u.pause_after and not u.pause_before for u in base.units)


def test_spoken_text_is_what_bark_reads_and_the_book_is_what_is_shown(tmp_path, capsys):
    script = write_script(tmp_path, SCRIPT)
    config = project_config(
        tmp_path, f"project.script={script}", "project.normalize=true",
        "project.lexicon={words: {Hermione: her-MY-oh-nee}}",
    )
    the_plan, store = _plan(config)
    units = the_plan.segments()
    first = units[0]
    assert first.shown == "The ferryman had 3 boats and Hermione rowed one."
    assert first.text == "The ferryman had three boats and her-MY-oh-nee rowed one."
    # the pause inside ALICE's line cuts it there; the one before her last line follows BOB's
    alice = [u for u in units if u.line.source_line == 2]
    assert [u.shown for u in alice] == ["Did Hermione see the 2 herons?", "No, she did not. [laughs]"]
    assert [u.pause_after for u in alice] == [1.5, 0.0]
    assert [u.segment_id for u in alice] == ["l0002-s01", "l0002-s02"]
    assert units[3].pause_after == 1.0 and "[pause" not in " ".join(u.text for u in units)

    rows = plan.plan_table(the_plan, store)
    assert rows[0]["text"] == first.shown and rows[0]["spoken"] == first.text and rows[3]["spoken"] == ""

    class Console:
        is_terminal = False
        file = __import__("io").StringIO()

    _print_plan(rows, Console)
    printed = Console.file.getvalue().splitlines()
    assert printed[1].endswith("\ttext\tspoken")
    assert printed[2].endswith(f"\t{first.shown}\t{first.text}")


def test_a_lexicon_edit_re_renders_exactly_the_segments_with_the_word(tmp_path):
    script = write_script(tmp_path, SCRIPT)
    cache = tmp_path / "cache"

    def run(respelling: str, out: str):
        render(project_config(
            tmp_path, f"project.script={script}", f"project.lexicon={{words: {{Hermione: {respelling}}}}}", out=out,
        ))
        return entries(cache, "semantic"), tmp_path / out

    before, _ = run("her-MY-oh-nee", "one")
    after, out = run("her-my-OH-nee", "two")
    assert len(after - before) == 2  # the two segments with "Hermione", and only those
    srt = (out / "crash.srt" if (out / "crash.srt").exists() else next(out.glob("*.srt"))).read_text()
    assert "Hermione" in srt and "her-my" not in srt and "[pause" not in srt
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["spoken"] for s in manifest["segments"] if "spoken" in s] == [
        "The ferryman had three boats and her-my-OH-nee rowed one.", "Did her-my-OH-nee see the two herons?",
    ]  # normalisation is on by default
    page = (out / "review.html").read_text()
    assert "Did Hermione see the 2 herons?" in page and "her-my-OH-nee" not in page


def test_long_amounts_and_decimals_are_read_whole():
    """A number too long for num2words is read digit by digit; a long fraction is not rounded."""
    amount = spoken_text("$" + "1" * 300 + ".5", "en")
    assert amount.split().count("one") == 300 and amount.endswith("one dollars, fifty cents")
    pi = "3.14159265358979323846264338327950288"
    assert spoken_text(pi, "en").split()[2:] == [spoken_text(d, "en") for d in pi[2:]]
    assert spoken_text("3,1415926535897932384626", "de").endswith("sechs zwei sechs")


TEXT = st.text(alphabet=st.sampled_from("0123456789.,:/%-$€£¥¢ +aAeMmhst°ºª\u00a0"), max_size=400)


@settings(max_examples=150, deadline=None)
@given(TEXT, st.sampled_from(["en", "de", "fr", "es", "it", "pl", "pt", "ru", "tr", "ja", "ko"]))
def test_any_text_through_the_normaliser_is_text_in_bounded_time(text, language):
    import time

    start = time.perf_counter()
    spoken = spoken_text(text, language)
    assert isinstance(spoken, str)
    assert time.perf_counter() - start < 2.0
