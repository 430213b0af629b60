"""Safe readers for checkpoint files: tensors come out, code never runs (docs/bark.md §12).

- safetensors: read by key through `safe_open`, so a caller takes only the tensors it needs.
- torch files (Suno .pt, pytorch_model.bin, quantizer .pth): `torch.load(weights_only=True)`,
  allowing only the globals the caller names (for Suno checkpoints the numpy scalar of their
  `best_val_loss`), so a file naming any other global is refused before anything is executed.
  Zip-format files are memory-mapped: tensors nobody reads stay on disk.
- JSON objects (config.json, index and preset tables).

Every failure is a one-line BarkflowError naming the file and `where` (the setting it came from).
torch's own message for a refused global advises `weights_only=False`, which is exactly what must
not be done, so that advice never reaches the user.
"""

from __future__ import annotations

import json
import pickle
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from safetensors import SafetensorError, safe_open

from barkflow.errors import BarkflowError

if TYPE_CHECKING:
    import torch

REDOWNLOAD = "delete it and download it again"


def one_line(e: BaseException) -> str:
    """The error's text on one line, for a BarkflowError that wraps it."""
    text = " ".join(str(e).split())
    if "weights_only" in text:  # torch's advice to load with weights_only=False: exactly what must not be done
        return type(e).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def few(items: list[str], n: int = 4) -> str:
    """The first `n` items and how many more, for messages about long lists."""
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def read_safetensors(path: Path, where: str, prefix: str = "", *, fix: str = REDOWNLOAD) -> dict[str, torch.Tensor]:
    """The tensors of `path` whose names start with `prefix` (prefix stripped); the others are never read."""
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            return {key[len(prefix) :]: f.get_tensor(key) for key in f.keys() if key.startswith(prefix)}
    except SafetensorError as e:
        raise BarkflowError(f"{path} is truncated or not a safetensors file ({where}): {one_line(e)}; {fix}") from e


def safetensors_metadata(path: Path, where: str, *, fix: str = REDOWNLOAD) -> dict[str, str]:
    """The string metadata of a safetensors header ({} if none)."""
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            return f.metadata() or {}
    except SafetensorError as e:
        raise BarkflowError(f"{path} is truncated or not a safetensors file ({where}): {one_line(e)}; {fix}") from e


def numpy_safe_globals() -> list:
    """The only non-torch globals a Suno checkpoint may name: its numpy-scalar `best_val_loss` (§12)."""
    from numpy._core.multiarray import scalar  # numpy >= 2 location; numpy 1.x files name the old one

    dtypes = [type(np.dtype(name)) for name in ("float64", "float32", "float16", "int64", "int32")]
    return [scalar, (scalar, "numpy.core.multiarray.scalar"), np.dtype, *dtypes]


def read_torch(
    path: Path,
    where: str,
    *,
    allowed: list = (),
    fix: str = REDOWNLOAD,
    refused: str = "use the official checkpoints (suno/bark) or re-save the weights as plain tensors",
):
    """torch.load(weights_only=True) allowing only the `allowed` globals: any other is refused unexecuted.

    fix: what to do about a damaged file; refused: what to do about one that names other globals.
    """
    import torch  # here, not with the module: reading a JSON config needs no torch

    try:
        with torch.serialization.safe_globals(list(allowed)):
            # mmap needs the zip format (every torch.save since 1.6); it keeps unused tensors on disk.
            return torch.load(path, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(path))
    except pickle.UnpicklingError as e:
        # weights_only names the first global it will not import; nothing has been executed.
        if bad := re.search(r"GLOBAL ([\w.]+)", str(e)):
            raise BarkflowError(
                f"refusing to load {path} ({where}): it holds pickled Python objects besides tensors ({bad[1]}), "
                f"and unpickling them could run code; {refused}"
            ) from e
        raise _corrupt(path, where, e, fix) from e
    except Exception as e:  # on a damaged file the unpickler raises anything (RuntimeError, KeyError, EOFError...)
        raise _corrupt(path, where, e, fix) from e


def _corrupt(path: Path, where: str, e: Exception, fix: str) -> BarkflowError:
    detail = one_line(e)
    detail = type(e).__name__ + (f": {detail}" if detail and detail != type(e).__name__ else "")
    return BarkflowError(f"{path} is truncated or not a PyTorch checkpoint ({where}; {detail}); {fix}")


def read_json_object(path: Path, what: str, where: str) -> dict:
    """The JSON object in `path`; `what` names it in the error when it is something else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise BarkflowError(f"{path} is not valid JSON ({where}): {one_line(e)}; download it again") from e
    if not isinstance(data, dict):
        raise BarkflowError(f"{path} is not {what} ({where}); download it again")
    return data
