"""End to end on the tiny model: projects in, cached steps, finished audio out.

Renders are kept short (a fraction of a second of semantic tokens per segment) so the whole file
runs in about a minute; what is asserted is which steps ran, what was reused, and what was written.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import REPO, project_config, render

from barkflow.errors import BarkflowError
from barkflow.planning import build, plan
from barkflow.running import schedule


def copy_script(tmp_path, relative):
    target = tmp_path / Path(relative).name
    shutil.copy(REPO / relative, target)
    return target


def test_demo_renders_then_reruns_without_loading_a_model(tmp_path):
    config = project_config(tmp_path)
    first = render(config)
    n = first.segments
    assert n == 4 and first.rendered == {"semantic": n, "coarse": n, "fine": n, "decode": n}
    assert {"semantic", "coarse", "fine", "codec"} <= set(first.loaded)
    wav = tmp_path / "out" / "demo.wav"
    assert sf.info(wav).frames > 0 and sf.info(wav).samplerate == 24_000

    second = render(config)
    assert second.rendered == {"semantic": 0, "coarse": 0, "fine": 0, "decode": 0}
    assert second.reused == first.rendered
    assert set(second.loaded) <= {"tokenizer"}  # the splitter counts tokens; no model is loaded


def test_editing_one_sentence_rerenders_one_segment(tmp_path):
    script = copy_script(tmp_path, "examples/audiobook/book.md")
    config = project_config(tmp_path, f"project.script={script}", "export=default", project="audiobook")
    render(config)
    script.write_text(script.read_text().replace("Fourteen.", "Fifteen."))
    after = render(config)
    assert after.rendered == {"semantic": 1, "coarse": 1, "fine": 1, "decode": 1}


def test_a_fine_stage_change_reuses_semantic_and_coarse(tmp_path):
    render(project_config(tmp_path))
    for override in ("sampling.fine.temp=0.9", "seeds.fine=7"):
        after = render(project_config(tmp_path, override))
        assert after.rendered["semantic"] == 0 and after.rendered["coarse"] == 0
        assert after.rendered["fine"] == after.segments


def test_chain_mode_rerenders_the_rest_of_the_line(tmp_path):
    script = tmp_path / "chain.txt"
    sentences = [f"Sentence number {w} is here." for w in ("one", "two", "three", "four")]
    script.write_text("A: " + " ".join(sentences) + "\nB: A second line.\n")
    base = [f"project.script={script}", "project.history=chain", "split.goal_chars=20", "split.max_chars=40",
            "+project.cast.A=v2/en_speaker_0", "+project.cast.B=v2/en_speaker_1"]
    first = render(project_config(tmp_path, *base))
    assert first.segments == 5
    script.write_text(script.read_text().replace("number two", "number zwei"))
    after = render(project_config(tmp_path, *base))
    # the edited segment and the two chained after it; the first segment and line B are kept
    assert after.rendered["semantic"] == 3


def test_takes_and_picks_restitch_without_rendering(tmp_path):
    first = render(project_config(tmp_path, "project.takes=2"))
    assert first.rendered["semantic"] == 2 * first.segments
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    segment = manifest["segments"][1]
    assert segment["take"] == 0
    (tmp_path / "out" / "picks.json").write_text(json.dumps({"picks": {segment["uid"]: 1}}))
    second = render(project_config(tmp_path, "project.takes=2"))
    assert sum(second.rendered.values()) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["segments"][1]["take"] == 1 and manifest["segments"][1]["keys"] != segment["keys"]


def test_a_no_op_rerun_opens_no_entry_and_writes_no_manifest(tmp_path, monkeypatch):
    """At book scale a no-op rerun's time went to opening every decode entry for its checksum and
    copying the manifest: the next process stats the entries (their checksums were saved by file
    stamp), and the manifest, unchanged, is left as it was, its takes counted right."""
    import zipfile

    render(project_config(tmp_path, "project.takes=2"))
    manifest = tmp_path / "out" / "manifest.json"
    stamp = manifest.stat().st_mtime_ns
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(a[0]) or real(*a, **k))
    again = render(project_config(tmp_path, "project.takes=2"))
    assert sum(again.rendered.values()) == 0 and opened == []
    assert manifest.stat().st_mtime_ns == stamp
    assert all(segment["takes"] == 2 for segment in json.loads(manifest.read_text())["segments"])
    # the fields each run sets, wrong in the file (edited, or from an older run): written again, right
    kept = json.loads(manifest.read_text())
    edited = json.loads(manifest.read_text())
    edited["segments"][0].update(takes=7, checks=None, review_takes=[])
    manifest.write_text(json.dumps(edited))
    render(project_config(tmp_path, "project.takes=2"))
    assert json.loads(manifest.read_text()) == kept


def test_an_output_deleted_by_hand_is_made_again_by_a_rerun(tmp_path):
    """Outputs count as up to date only while every one exists (one listing per folder): a deleted
    export or segment voice is made again, without rendering."""
    render(project_config(tmp_path))
    outputs = json.loads((tmp_path / "out" / "manifest.json").read_text())["outputs"]
    voice = next(Path(p) for p in outputs if Path(p).parent.name == "voices")
    export = next(Path(p) for p in outputs if Path(p).parent.name != "voices")
    for path in (voice, export):
        made = path.read_bytes()
        path.unlink()
        again = render(project_config(tmp_path))
        assert sum(again.rendered.values()) == 0 and path.read_bytes() == made


def test_all_exist_lists_each_folder_once(tmp_path):
    from barkflow.publishing.publish import _all_exist

    (tmp_path / "a").mkdir()
    files = [tmp_path / "a" / "x.mp3", tmp_path / "a" / "y.npz", tmp_path / "z.srt"]
    for f in files:
        f.write_text("")
    assert _all_exist([str(f) for f in files]) and _all_exist([])
    assert not _all_exist([str(f) for f in files] + [str(tmp_path / "a" / "gone.npz")])
    assert not _all_exist([str(tmp_path / "no-such-folder" / "x.mp3")])


@pytest.mark.parametrize("project", ["demo", "audiobook", "dialogue", "fountain", "audition"])
def test_every_example_project_renders(tmp_path, project):
    summary = render(project_config(tmp_path, project=project))
    assert summary.segments > 0 and summary.audio_seconds > 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert all(Path(p).exists() for p in manifest["outputs"])
    assert {s["speaker"] for s in manifest["segments"]} == set(_cast(project)) & {s["speaker"] for s in manifest["segments"]}


def _cast(project):
    return {"demo": ["narrator", "ALICE", "BOB"], "audiobook": ["narrator"], "dialogue": ["narrator", "SAM", "JO"],
            "fountain": ["narrator", "MAYA", "CALLER"], "audition": ["V0", "V1", "V2", "ANNOUNCER"]}[project]


def test_audition_writes_one_file_per_voice(tmp_path):
    render(project_config(tmp_path, project="audition"))
    files = sorted((tmp_path / "out" / "audition-lines").glob("*.wav"))
    assert len(files) == 4 and all(sf.info(f).frames > 0 for f in files)


def test_subtitles_match_the_manifest(tmp_path):
    render(project_config(tmp_path))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    srt = (tmp_path / "out" / "demo.srt").read_text()
    first = manifest["segments"][0]
    start_ms = round(first["start_sample"] * 1000 / 24_000)
    stamp = f"{start_ms // 3_600_000:02d}:{start_ms // 60_000 % 60:02d}:{start_ms // 1000 % 60:02d},{start_ms % 1000:03d}"
    assert stamp in srt.splitlines()[1]
    total = sf.info(tmp_path / "out" / "demo.wav").frames
    assert max(s["end_sample"] for s in manifest["segments"]) <= total


def test_segment_voices_are_exported_as_bark_npz(tmp_path):
    render(project_config(tmp_path))
    from barkflow.engine.prompts import load_npz

    voices = sorted((tmp_path / "out" / "voices").glob("*.npz"))
    assert voices
    prompt = load_npz(voices[0])
    np.testing.assert_array_equal(prompt.fine[:2], prompt.coarse)


def test_plan_loads_no_model(tmp_path):
    config = project_config(tmp_path)
    engine = build.make_engine(config)
    from barkflow.store.cache import Store

    store = Store(config.paths.cache_dir)
    rows = plan.plan_table(plan.make_plan(config, engine, store, [REPO / "conf"]), store)
    assert rows and all(r["cached"] == [] for r in rows)
    assert set(engine.loads) <= {"tokenizer"}
    # after a render every step is cached; an entry gone is shown gone, on its row only
    render(config)
    the_plan = plan.make_plan(config, engine, store, [REPO / "conf"])
    steps = [s.NAME for s in plan.TOKEN_STEPS]
    assert all(r["cached"] == steps for r in plan.plan_table(the_plan, store))
    store.path("coarse", the_plan.segments()[1].keys["coarse"]).unlink()
    rows = plan.plan_table(the_plan, store)
    assert [r["cached"] for r in rows[:3]] == [steps, [s for s in steps if s != "coarse"], steps]


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["project.script=does/not/exist.txt"], "not found"),
        (["project.script={tmp}/carol.txt"], "'CAROL' is not in project.cast"),
    ],
)
def test_bad_projects_fail_with_one_line(tmp_path, overrides, message):
    (tmp_path / "carol.txt").write_text("ALICE: Hello.\nCAROL: Who are you?\n")
    with pytest.raises(BarkflowError) as error:
        render(project_config(tmp_path, *[o.format(tmp=tmp_path) for o in overrides]))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_empty_script_fails_with_one_line(tmp_path):
    script = tmp_path / "empty.txt"
    script.write_text("\n\n   \n")
    with pytest.raises(BarkflowError, match="empty"):
        render(project_config(tmp_path, f"project.script={script}"))


def test_unwritable_output_folder_keeps_the_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    config = project_config(tmp_path, f"paths.output_dir={blocker / 'out'}")
    with pytest.raises(BarkflowError):
        render(config)
    # the rendered tokens survived: a rerun into a good folder renders nothing
    again = render(project_config(tmp_path))
    assert sum(again.rendered.values()) == 0


def test_a_bad_model_config_stops_the_render_before_any_stage_runs(tmp_path, tiny_bundle):
    """The fine stage's config is the last one loaded; its mistake is still found before semantic runs."""
    model = tmp_path / "model"
    shutil.copytree(tiny_bundle / "hf", model)
    config_json = json.loads((model / "config.json").read_text())
    config_json["fine_acoustics_config"]["num_heads"] = 0
    (model / "config.json").write_text(json.dumps(config_json))
    sources = [f"model.{stage}.source={model}" for stage in ("semantic", "coarse", "fine")]
    with pytest.raises(BarkflowError, match=r"num_heads = 0 in .*config.json \(fine_acoustics_config\)"):
        render(project_config(tmp_path, *sources))
    assert not (tmp_path / "cache" / "semantic").exists()


def test_every_segment_of_a_sung_line_is_sung(tmp_path):
    """A '(singing)' line long enough to split keeps Bark's ♪ cue on each segment, not only the ends."""
    script = tmp_path / "song.txt"
    lyrics = "Row, row, row your boat, gently down the stream. Merrily, merrily, merrily, merrily, life is but a dream."
    script.write_text(f"SAM (singing): {lyrics}\nJO (singing): La la la.\n", encoding="utf-8")
    config = project_config(
        tmp_path, f"project.script={script}", "split.goal_chars=40", "split.max_chars=60", project="dialogue"
    )
    units = plan.make_plan(config, build.make_engine(config), build.make_store(config), [REPO / "conf"]).segments()
    sam = [u.text for u in units if u.line.speaker == "SAM"]
    assert len(sam) > 1 and all(t.startswith("♪ ") and t.endswith(" ♪") for t in sam)
    assert " ".join(t.removeprefix("♪ ").removesuffix(" ♪") for t in sam).split() == lyrics.split()
    assert [u.text for u in units if u.line.speaker == "JO"] == ["♪ La la la. ♪"]  # one segment: as before


def test_a_chained_segment_is_conditioned_on_the_tokens_of_the_segment_before(tmp_path):
    """With history=chain, coarse reads the previous part's semantic and coarse tokens, not the voice
    (a float fine placeholder once made that prompt fail its check and fall back to the voice)."""
    script = tmp_path / "story.md"
    script.write_text(
        "The harbour was quiet that night. The lamp swung once before it went out. Nobody moved at all.\n",
        encoding="utf-8",
    )
    config = project_config(
        tmp_path, f"project.script={script}", "project.history=chain", "split.goal_chars=30", "split.max_chars=40"
    )
    engine, store = build.make_engine(config), build.make_store(config)
    render(config)
    units = plan.make_plan(config, engine, store, [REPO / "conf"]).segments()
    chained = [u for u in units if u.prompt_from is not None]
    assert chained
    for unit in chained:
        source = unit.prompt_from
        prompt = schedule.prompt(store, unit, "coarse", engine)
        np.testing.assert_array_equal(prompt.semantic, store.load("semantic", source.keys["semantic"])["tokens"])
        np.testing.assert_array_equal(prompt.coarse, store.load("coarse", source.keys["coarse"])["codes"])
