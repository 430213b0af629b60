"""Every Bark number, named once (docs/bark.md §1).

The rest of the engine imports these names; no Bark constant appears as a bare literal
elsewhere. Derived values are computed here from the ones they depend on.
"""

import math

# --- rates and audio (§1, §6) ---
SAMPLE_RATE = 24_000  # output waveform, Hz
SEMANTIC_RATE_HZ = 49.9  # semantic tokens per second of audio
COARSE_RATE_HZ = 75  # EnCodec frames per second (24 kHz / hop 320)
SAMPLES_PER_FRAME = SAMPLE_RATE // COARSE_RATE_HZ  # 320

# --- vocabularies (§1 token layouts) ---
SEMANTIC_VOCAB_SIZE = 10_000  # semantic ids are 0..9999
CODEBOOK_SIZE = 1024  # EnCodec codes per codebook
N_COARSE_CODEBOOKS = 2  # codebooks 0, 1 come from the coarse model
N_FINE_CODEBOOKS = 8  # all codebooks
TEXT_ENCODING_OFFSET = 10_048  # semantic-model text id = BERT id + this
SEMANTIC_PAD_TOKEN = 10_000  # pads the semantic history; also the semantic EOS
SEMANTIC_EOS_TOKEN = SEMANTIC_PAD_TOKEN
TEXT_PAD_TOKEN = 129_595  # right-pads the encoded text
SEMANTIC_INFER_TOKEN = 129_599  # separates the merged prefix from the generated tokens
COARSE_SEMANTIC_PAD_TOKEN = 12_048  # pads the semantic window given to the coarse model
COARSE_INFER_TOKEN = 12_050  # separates the semantic window from the coarse tokens
FINE_PAD_TOKEN = CODEBOOK_SIZE  # "not predicted yet" in the fine model's input

# --- semantic stage (§3) ---
TEXT_CONTEXT = 256  # encoded text positions (truncated / padded to this)
SEMANTIC_HISTORY = 256  # voice-history positions, summed onto the text positions
SEMANTIC_PREFIX_LEN = TEXT_CONTEXT + 1  # merged prefix + the infer token
MAX_SEMANTIC_STEPS = 768  # hard-coded n_tot_steps: at most 768 tokens per call

# --- coarse stage (§4) ---
SEMANTIC_TO_COARSE_RATIO = COARSE_RATE_HZ / SEMANTIC_RATE_HZ * N_COARSE_CODEBOOKS  # 3.006...
COARSE_SEMANTIC_WINDOW = 256  # semantic tokens shown per coarse window
DEFAULT_MAX_COARSE_HISTORY = 630  # coarse tokens of history per window
MIN_MAX_COARSE_HISTORY = 60  # the reference asserts 60 <= max_coarse_history <= 630
MAX_MAX_COARSE_HISTORY = 630
DEFAULT_SLIDING_WINDOW_LEN = 60  # coarse tokens generated per window (fresh KV cache each)
MAX_COARSE_HISTORY_PLUS_WINDOW = 1024 - COARSE_SEMANTIC_WINDOW  # 768: reference assert


def max_semantic_history(max_coarse_history: int) -> int:
    """Semantic tokens of history that go with `max_coarse_history` coarse tokens (209 at 630)."""
    return math.floor(max_coarse_history / SEMANTIC_TO_COARSE_RATIO)


# --- fine stage (§5) ---
FINE_WINDOW = 1024  # frames per non-causal pass
FINE_HOP = 512  # window hop; also the most history frames used
FINE_HISTORY = FINE_HOP

# --- models (§8) ---
BLOCK_SIZE = 1024  # positions every Bark GPT can attend over
SEMANTIC_INPUT_VOCAB = 129_600
SEMANTIC_OUTPUT_VOCAB = 10_048
COARSE_VOCAB = 12_096
FINE_VOCAB = 1056


# --- companions and defaults (§2, §6, §7; docs/cloning.md §4) ---
DEFAULT_CODEC_REPO = "facebook/encodec_24khz"  # the codec of a Suno layout, as in the reference
DEFAULT_TOKENIZER_REPO = "google-bert/bert-base-multilingual-cased"
DEFAULT_HUBERT = "facebook/hubert-base-ls960"  # the HuBERT every published quantizer was trained on
PROMPT_KEYS = ("semantic_prompt", "coarse_prompt", "fine_prompt")  # a voice prompt's arrays, in .npz order
CLIP_LEVEL = 0.999  # |sample| at or over this counts as clipped

# --- engine settings (api.py; checked by the config schema without importing torch) ---
INT8 = "int8"  # loaded in fp32, then its Linear layers quantized for the CPU (quantize.py; opt-in, not exact)
DTYPE_NAMES = ("float32", "bfloat16", "float16", INT8)
OFFLOAD = ("none", "cpu", "unload")
