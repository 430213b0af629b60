"""Voice cloning: a reference recording → Bark voice prompts (docs/cloning.md §3.3, §4).

Pipeline (the gitmylo recipe that Bark Infinity, serp-ai and bark-gui all use)::

    audio file --soundfile--> mono float32 --soxr--> 16 kHz --HuBERT base, layer 9--> (N, 768) at 50 Hz
        --Quantizer (LSTM classifier)--> log-probs over 10,000 ids --argmax--> semantic_prompt (N,)
    mono --soxr--> 24 kHz --EnCodec 6 kbps--> fine_prompt (8, T) at 75 Hz; coarse_prompt = fine_prompt[:2]

One module per part: audio.py (read, check, resample the recording), hubert.py (features),
quantizer.py (model, checkpoints, training), candidates.py (windows and the prompts cut from them).
Small models: `tiny_hubert` / `tiny_quantizer` write random weights in the real layouts (the tiny
HuBERT has a 32-d hidden size, the real one 768).

No Hydra here: the cached step is barkflow/steps/clone.py.
"""

from ..constants import DEFAULT_HUBERT, SAMPLE_RATE  # noqa: F401  (SAMPLE_RATE: steps/clone.py reads it here)
from ..sources import sha256_file
from .audio import AUDIO_EXTENSIONS, Reference, check_reference, read_audio, read_reference, resample
from .candidates import (
    PAUSE_WINDOW_TOKENS,
    Candidate,
    align_tokens,
    candidate_windows,
    clone_prompt,
    encode_codes,
    find_pauses,
    frames_for_tokens,
    read_npz_meta,
    write_candidate,
)
from .hubert import HUBERT_FRAME_RATE, TINY_HUBERT_ID, HubertFeatures, hubert_identity, tiny_hubert
from .quantizer import (
    KNOWN_QUANTIZERS,
    TINY_QUANTIZER_ID,
    CustomTokenizer,
    Quantizer,
    align_targets,
    load_quantizer_checkpoint,
    quantizer_identity,
    resolve_quantizer_path,
    save_quantizer,
    tiny_quantizer,
    tiny_quantizer_model,
    train_quantizer,
)

__all__ = [
    "AUDIO_EXTENSIONS", "Candidate", "CustomTokenizer", "DEFAULT_HUBERT", "HubertFeatures", "KNOWN_QUANTIZERS",
    "Quantizer", "Reference", "align_targets", "align_tokens", "candidate_windows", "check_reference", "clone_prompt",
    "encode_codes", "find_pauses", "frames_for_tokens", "hubert_identity", "load_quantizer_checkpoint",
    "quantizer_identity", "read_audio", "read_npz_meta", "read_reference", "resample", "resolve_quantizer_path",
    "save_quantizer", "sha256_file", "tiny_hubert", "tiny_quantizer", "tiny_quantizer_model", "train_quantizer",
    "write_candidate", "HUBERT_FRAME_RATE", "PAUSE_WINDOW_TOKENS", "TINY_HUBERT_ID", "TINY_QUANTIZER_ID",
]
