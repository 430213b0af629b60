"""limit=N previews the first N segments in its own folder, stitched as far as they reach."""

import json
from pathlib import Path

import pytest
import soundfile as sf
from helpers import audiobook_config

from barkflow import runner
from barkflow.errors import BarkflowError

REPO = Path(__file__).resolve().parents[1]


def files(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_preview_reaching_the_second_chapter_renders_into_its_own_folder(tmp_path):
    out = tmp_path / "out"
    config = audiobook_config(tmp_path, "export=default")
    runner.render(config, [REPO / "conf"])
    full = files(out)
    segments = json.loads((out / "manifest.json").read_text())["segments"]
    chapters = [s["chapter"] for s in segments]
    second = chapters.index(sorted(set(chapters))[1])
    assert second > 1 and chapters.count(chapters[second]) > 1

    # one segment of the first chapter; then the first chapter and part of the second
    for limit, reached in ((1, 1), (second + 1, 2)):
        summary = runner.render(audiobook_config(tmp_path, "export=default", f"limit={limit}"), [REPO / "conf"])
        preview = out / f"preview-{limit}"
        manifest = json.loads((preview / "manifest.json").read_text())
        assert summary.segments == limit
        assert [s["uid"] for s in manifest["segments"]] == [s["uid"] for s in segments[:limit]]
        assert len(manifest["chapters"]) == reached == len(list((preview / "master").glob("*.wav")))
        assert sf.info(preview / "audiobook.wav").frames == sum(c["samples"] for c in manifest["chapters"])
        assert (preview / "review.html").exists()
    assert {k: v for k, v in files(out).items() if not k.parts[0].startswith("preview-")} == full  # untouched


def test_a_negative_limit_is_one_line(tmp_path):
    with pytest.raises(BarkflowError) as error:
        runner.render(audiobook_config(tmp_path, "export=default", "limit=-1"), [REPO / "conf"])
    assert "limit" in str(error.value) and "\n" not in str(error.value)
