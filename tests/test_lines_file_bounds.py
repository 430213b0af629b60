"""A lines file (lines.yaml, per-line overrides) is read in bounded time and memory: over
MAX_LINES_FILE_BYTES it is a one-line error saying the limit and why, and under it loading is
linear (libyaml's loader; entries of plain values are checked without OmegaConf's per-entry merge)."""

import time
import tracemalloc

import pytest

from barkflow.errors import BarkflowError
from barkflow.planning.config import LineConfig
from barkflow.planning.overrides import MAX_LINES_FILE_BYTES, read_lines_file

ENTRY = "{n}: {{voice: v{m}, prefix: '[laughs]', seed: {n}, sampling: {{semantic: {{temp: 0.7}}, coarse: {{top_k: 50}}}}}}\n"


def _lines(count: int) -> str:
    return "".join(ENTRY.format(n=n, m=n % 7) for n in range(1, count + 1))


def test_a_lines_file_over_the_limit_is_a_one_line_error_before_it_is_parsed(tmp_path):
    path = tmp_path / "lines.yaml"
    path.write_text("#" * MAX_LINES_FILE_BYTES + "\n")
    start = time.perf_counter()
    with pytest.raises(BarkflowError, match="^[^\n]*$") as error:
        read_lines_file(path, required=True)
    assert time.perf_counter() - start < 0.5
    message = str(error.value)
    assert str(path) in message and f"{MAX_LINES_FILE_BYTES >> 20} MiB" in message and "per-line overrides" in message


def test_a_lines_file_at_the_limit_loads_in_bounded_time_and_memory(tmp_path):
    text = _lines(MAX_LINES_FILE_BYTES // len(ENTRY.format(n=99999, m=1)))
    assert MAX_LINES_FILE_BYTES * 0.9 < len(text) <= MAX_LINES_FILE_BYTES
    path = tmp_path / "lines.yaml"
    path.write_text(text)
    start = time.perf_counter()
    entries = read_lines_file(path, required=True)
    assert time.perf_counter() - start < 15  # 12.9 MB took over 2 minutes, and 1 MiB about 2 minutes too
    assert entries[12] == {"voice": "v5", "prefix": "[laughs]", "seed": 12,
                           "sampling": {"semantic": {"temp": 0.7}, "coarse": {"top_k": 50}}}
    tenth = tmp_path / "tenth.yaml"
    tenth.write_text(text[: text.index("\n", len(text) // 10) + 1])
    tracemalloc.start()  # (it slows Python down several times: on a tenth of the file)
    read_lines_file(tenth, required=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 150 * tenth.stat().st_size, peak  # YAML's node tree: ~85 bytes per byte of file, so <100 MB at the limit


@pytest.mark.parametrize("entry", [
    "{voice: 12}",  # a number where text goes: OmegaConf makes it "12", as in project.lines
    "{seed: '7'}",
    "{sampling: {semantic: {temp: 1}}}",
    "{prefix: null}",
    "{}",
    "",
])
def test_an_entry_reads_as_project_lines_reads_it(tmp_path, entry):
    """The fast path for plain values and OmegaConf's merge agree on every entry both accept."""
    from barkflow.planning.config import _entry

    path = tmp_path / "lines.yaml"
    path.write_text(f"3: {entry}\n")
    import yaml

    value = yaml.safe_load(f"v: {entry}")["v"]
    try:
        expected = _entry("x", LineConfig, "a line", value)
    except BarkflowError:
        with pytest.raises(BarkflowError):
            read_lines_file(path, required=True)
        return
    fields = read_lines_file(path, required=True)[3]
    assert all(fields[name] == getattr(expected, name) for name in fields)
