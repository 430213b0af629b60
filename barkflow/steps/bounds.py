"""What a cache entry of each step may hold: the most that step can produce, from Bark's constants.

The cache (barkflow/store/cache.py, given these by planning/build.py) checks every member's `.npy`
header against these bounds before it reads a byte of the member's data, so an entry that declares
more (a forged or damaged file, even one whose checksum was recomputed) is refused in a few
milliseconds and recomputed like any other damaged entry, instead of costing gigabytes.

The longest segment a step ever sees is the longer of a generated one (MAX_SEMANTIC_STEPS semantic
tokens, about 15 s) and a re-voiced one, whose semantic tokens are given by a voice prompt (at most
MAX_PROMPT_SECONDS); every other bound follows from that many seconds at the step's rate.
"""

from __future__ import annotations

import math

from barkflow.engine.constants import (
    COARSE_RATE_HZ,
    MAX_SEMANTIC_STEPS,
    N_COARSE_CODEBOOKS,
    N_FINE_CODEBOOKS,
    SAMPLES_PER_FRAME,
    SEMANTIC_RATE_HZ,
)
from barkflow.engine.prompts import MAX_PROMPT_ELEMENTS, MAX_PROMPT_SECONDS, MAX_TOKEN_BYTES
from barkflow.steps.checks import MEASURES
from barkflow.store.npz import MemberBound

MAX_SEGMENT_SECONDS = max(MAX_SEMANTIC_STEPS / SEMANTIC_RATE_HZ, MAX_PROMPT_SECONDS)
MAX_SEMANTIC_TOKENS = math.ceil(MAX_SEGMENT_SECONDS * SEMANTIC_RATE_HZ)
MAX_FRAMES = math.ceil(MAX_SEGMENT_SECONDS * COARSE_RATE_HZ)  # coarse/fine frames: 75 per second
MAX_SAMPLES = MAX_FRAMES * SAMPLES_PER_FRAME  # the codec decodes 320 samples per frame
MAX_SAMPLE_BYTES = 8  # float64 at most (decode writes float32)
# A recogniser's transcript: speech is about 15 characters a second; a hallucinating one repeats
# itself up to its token budget (448 tokens per 30 s window for Whisper), well under 200 a second.
MAX_TRANSCRIPT_CHARS = math.ceil(MAX_SEGMENT_SECONDS * 200)
UNICODE_CHAR_BYTES = 4  # numpy stores str as UCS-4

_TOKENS = "iu"
_NUMBER = MemberBound("iufb", 8)  # one scalar measure
ENTRY_BOUNDS: dict[str, dict[str, MemberBound]] = {
    "semantic": {"tokens": MemberBound(_TOKENS, MAX_SEMANTIC_TOKENS * MAX_TOKEN_BYTES)},
    "coarse": {"codes": MemberBound(_TOKENS, N_COARSE_CODEBOOKS * MAX_FRAMES * MAX_TOKEN_BYTES)},
    "fine": {"codes": MemberBound(_TOKENS, N_FINE_CODEBOOKS * MAX_FRAMES * MAX_TOKEN_BYTES)},
    "decode": {"audio": MemberBound("f", MAX_SAMPLES * MAX_SAMPLE_BYTES)},
    "verify": {
        "transcript": MemberBound("U", MAX_TRANSCRIPT_CHARS * UNICODE_CHAR_BYTES),
        **{name: _NUMBER for name in MEASURES},
    },
    "clone": {name: MemberBound(_TOKENS, count * MAX_TOKEN_BYTES) for name, count in MAX_PROMPT_ELEMENTS.items()},
}
