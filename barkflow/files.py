"""Writing output files so that a crash or a full disk never leaves half a file behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from barkflow.errors import BarkflowError


@contextmanager
def atomic_output_path(path: Path, write_errors: tuple[type[BaseException], ...] = (OSError,)) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, on failure it is removed.

    `write_errors` (disk full, permissions; OSError unless a writer adds its own) become a one-line
    BarkflowError naming `path`.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")  # two processes never share one
    try:
        yield temporary
        os.replace(temporary, path)
    except write_errors as error:
        temporary.unlink(missing_ok=True)
        raise BarkflowError(f"could not write {path}: {error}; check free space and permissions") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
