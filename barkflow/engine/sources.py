"""Where weights come from: source strings, local folders, hub repos, and their identities (docs/bark.md §9).

Sources are strings:

    "suno/bark", "suno/bark-small@<rev>"   hub repo in the Hugging Face layout (§9b)
    "/models/bark-small"                   local folder in the HF layout (it has config.json) ...
    "/models/suno"                         ... or a local folder of Suno .pt files (§9a)
    "/models/suno/text_2.pt"               one Suno checkpoint
    "suno/bark/text_2.pt", "suno/bark@<rev>/text.pt"   one Suno checkpoint on the hub
    "tiny", "tiny-suno"                    the tiny random bundle of bundles.py, HF or Suno layout

A local path wins over a hub id of the same spelling; a folder with config.json is read as the
HF layout even if it also holds .pt files (name the .pt file to use it). Hub files go through
huggingface_hub and its cache only (HF_HUB_OFFLINE=1 is respected); a branch or tag is resolved
to a commit once per process, and every later file, load and identity uses that commit.

Identity: "<kind>|" + where the weights come from, and changes whenever they do. Hub:
"hf:<repo>@<commit>[:<file>]" (a commit pins every file). Local: "<path>:<size>:<mtime_ns>" of
each file that is read. Hashing multi-GB checkpoints would cost seconds per load, so a copy of the
same weights elsewhere gets another identity (a cache miss, never a wrong hit unless a file is
rewritten with the same size and mtime). Small files (HuBERT folders, quantizers, recordings) are
hashed instead: `file_sha256`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from barkflow.errors import BarkflowError, user_path

from .checkpoints import one_line
from .home import TINY_NAME, barkflow_home, is_built
from .layouts import HF_WEIGHT_FILES, SUNO_FILES

logger = logging.getLogger(__name__)

TINY_SOURCES = ("tiny", "tiny-suno")


# --------------------------------------------------------------------------------------------
# A folder of files: local or a hub repo
# --------------------------------------------------------------------------------------------


class Repo:
    """A folder of files, local or on the hub. `file()` returns a local path or None."""

    label: str
    unavailable: list[str]  # hub files that could not be checked (offline/unreachable)

    def file(self, name: str, *, required: bool = True, where: str = "") -> Path | None:
        raise NotImplementedError

    def missing(self, name: str, where: str) -> BarkflowError:
        raise NotImplementedError


class LocalRepo(Repo):
    def __init__(self, root: Path):
        self.root = root
        self.label = str(root)
        self.unavailable: list[str] = []  # never: local files are there or not

    def file(self, name, *, required=True, where=""):
        path = self.root / name
        if path.is_file():
            return path
        if required:
            raise self.missing(name, where)
        return None

    def identity(self, path: Path) -> str:
        stat = path.stat()
        return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"

    def missing(self, name, where):
        return BarkflowError(
            f"{name} is missing from {self.root} ({where or 'model source'}); "
            f"copy it there, or point the source at a folder that has it"
        )


class HubRepo(Repo):
    # huggingface_hub is imported by the methods that use it: it (with httpx) is a tenth of a second
    # of every command's start, and a render of local weights, or a no-op rerun, never needs it.

    def __init__(self, repo_id: str, revision: str | None, download: str | None = None):
        from huggingface_hub import constants as hf_constants

        self.repo_id = repo_id
        self.revision = revision
        self.download = download  # what to pass `hf download` in messages (None: the missing file)
        self.label = repo_id + (f"@{revision}" if revision else "")
        self.unavailable: list[str] = []  # files we could not check: offline or hub unreachable
        # A process resolves a branch once: every later file, load and identity uses that commit.
        self._key = (hf_constants.HF_HUB_CACHE, repo_id, revision)
        self.commit: str | None = revision if revision and _COMMIT.fullmatch(revision) else _PINNED.get(self._key)

    def _pin(self, commit: str) -> None:
        self.commit = _PINNED[self._key] = commit

    def file(self, name, *, required=True, where=""):
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError

        try:
            path = Path(hf_hub_download(self.repo_id, name, revision=self.commit or self.revision))
        except LocalEntryNotFoundError as e:  # not cached, and offline or unreachable (checked first: subclass)
            self.unavailable.append(name)
            if required:
                raise self.missing(name, where) from e
            return None
        except EntryNotFoundError as e:  # the repo has no such file
            if required:
                raise self._error(e, name, where) from e
            return None
        except Exception as e:
            raise self._error(e, name, where) from e
        if self.commit is None:  # pin the revision: the next files come from the same commit
            snapshot = path.parents[len(PurePosixPath(name).parts) - 1]
            if _COMMIT.fullmatch(snapshot.name):
                self._pin(snapshot.name)
        return path

    def cached(self, name: str) -> Path | None:
        """`name` if the local cache already holds it at this revision; never downloads."""
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(self.repo_id, name, revision=self.commit or self.revision)
        return Path(found) if isinstance(found, str) else None

    def commit_for(self, name: str, where: str) -> str:
        """The commit `name` resolves to, without downloading it: one HEAD request, or offline
        the cache's refs/<revision> (what hf_hub_download itself would use)."""
        from huggingface_hub import constants as hf_constants
        from huggingface_hub import get_hf_file_metadata, hf_hub_url
        from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

        if self.commit is None and not hf_constants.HF_HUB_OFFLINE:
            try:
                url = hf_hub_url(self.repo_id, name, revision=self.revision)
                if commit := get_hf_file_metadata(url).commit_hash:
                    self._pin(commit)
            except (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError) as e:
                raise self._error(e, name, where) from e
            except Exception:  # unreachable: fall back to the cache, as downloads do
                logger.debug("could not reach the hub for %s; using the cached revision", self.label)
        if self.commit is None:
            ref = Path(hf_constants.HF_HUB_CACHE) / f"models--{self.repo_id.replace('/', '--')}" / "refs"
            ref = ref / (self.revision or "main")
            if not ref.is_file():
                raise self.missing(name, where)
            self._pin(ref.read_text().strip())
        return self.commit

    def _error(self, e: Exception, name: str, where: str) -> BarkflowError:
        from huggingface_hub.errors import (
            EntryNotFoundError,
            GatedRepoError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        where = where or "model source"
        if isinstance(e, (RepositoryNotFoundError, GatedRepoError)):
            return BarkflowError(
                f"hub repo {self.repo_id} was not found or is gated ({where}); check the name (there is no "
                f"local folder of that name either), or log in with `hf auth login`"
            )
        if isinstance(e, RevisionNotFoundError):
            return BarkflowError(
                f"revision {self.revision!r} does not exist in hub repo {self.repo_id} ({where}); "
                f"use a branch, tag or commit hash of that repo"
            )
        if isinstance(e, EntryNotFoundError):
            return BarkflowError(
                f"hub repo {self.label} has no file {name} ({where}); "
                f"check the file name, or point the source at a repo or folder that has it"
            )
        return BarkflowError(
            f"could not download {name} from hub repo {self.label} ({where}): {one_line(e)}; "
            f"retry, or point the source at a local folder"
        )

    def missing(self, name, where):
        from huggingface_hub import constants as hf_constants

        why = "the hub is offline (HF_HUB_OFFLINE=1)" if hf_constants.HF_HUB_OFFLINE else "the hub could not be reached"
        args = " ".join(filter(None, [self.repo_id, name if self.download is None else self.download]))
        if self.revision:
            args += f" --revision {self.revision}"
        return BarkflowError(
            f"{name} of hub repo {self.label} was not found in the local Hugging Face cache and {why} "
            f"({where or 'model source'}); download it on a machine with internet with "
            f"`hf download {args}` and copy the cache (HF_HOME), or point the source at a local folder"
        )


_COMMIT = re.compile(r"[0-9a-f]{40}")
_PINNED: dict[tuple, str] = {}  # (hub cache, repo id, revision) -> commit, for this process


@dataclass
class Source:
    """A parsed source string."""

    layout: str  # "hf" or "suno"
    repo: Repo
    file: str | None = None  # a Suno checkpoint named explicitly
    companions: Repo | None = None  # where codec, tokenizer and presets come from, if not `repo`


_HUB_REPO = re.compile(r"([\w.-]+/[\w.-]+)(?:@(.+))?")
_HUB_FILE = re.compile(r"([\w.-]+/[\w.-]+)(?:@([\w.-]+))?/(.+)")
SUNO_SUFFIXES = (".pt", ".pth")


def _is_local_path(text: str) -> bool:
    """Spelled as a local path, so never a hub id."""
    return text.startswith(("/", ".", "~")) or "\\" in text


def parse_hub_file(text: str, suffixes: tuple[str, ...]) -> tuple[str, str | None, str] | None:
    """"owner/repo[@rev]/path/file.ext" -> (repo id, revision or None, file), if it has one of `suffixes`."""
    if _is_local_path(text):
        return None
    m = _HUB_FILE.fullmatch(text)
    if m is None or not m[3].endswith(suffixes):
        return None
    return m[1], m[2], m[3]


def parse_hub_repo(text: str) -> tuple[str, str | None] | None:
    """"owner/repo[@rev]" -> (repo id, revision or None); None for anything that is not a hub id."""
    if _is_local_path(text):
        return None
    m = _HUB_REPO.fullmatch(text)
    return (m[1], m[2]) if m else None


def _tiny_bundle_dir() -> Path:
    """The tiny bundle's root, built on first use; finding it built needs no torch (building does)."""
    root = barkflow_home() / TINY_NAME
    if is_built(root):
        return root
    from .bundles import tiny_bundle_dir

    return tiny_bundle_dir()


def resolve_source(source: str | os.PathLike, where: str, *, any_folder: bool = False) -> Source:
    """Parse a source string. any_folder: a local folder without config.json or .pt files is a
    plain folder of HF-style files (a tokenizer folder), not an error."""
    text = os.fspath(source).strip()
    if not text:  # Path("") is the current folder: never what was meant
        raise BarkflowError(f"no source given ({where}); give a hub id such as suno/bark, a folder or a .pt file")
    if text in TINY_SOURCES:
        root = _tiny_bundle_dir()
        hf = LocalRepo(root / "hf")
        if text == "tiny":
            return Source("hf", hf)
        return Source("suno", LocalRepo(root / "suno"), companions=hf)

    path = user_path(text)
    if path.is_dir():
        path = path.resolve()
        if (path / "config.json").is_file():
            return Source("hf", LocalRepo(path))
        if any((path / name).is_file() for pair in SUNO_FILES.values() for name in pair):
            return Source("suno", LocalRepo(path))
        if any_folder:
            return Source("hf", LocalRepo(path))
        raise BarkflowError(
            f"{path} has neither config.json (Hugging Face layout) nor Suno .pt files ({where}); "
            f"point it at a folder downloaded from suno/bark or suno/bark-small"
        )
    if path.is_file():
        path = path.resolve()
        if path.suffix in SUNO_SUFFIXES:
            return Source("suno", LocalRepo(path.parent), file=path.name)
        if path.name in ("config.json", *HF_WEIGHT_FILES):
            return Source("hf", LocalRepo(path.parent))
        raise BarkflowError(
            f"{path} is not a Bark checkpoint ({where}); give a Suno .pt file or a folder in the Hugging Face layout"
        )

    if hub_file := parse_hub_file(text, SUNO_SUFFIXES):
        repo_id, revision, name = hub_file
        return Source("suno", HubRepo(repo_id, revision), file=name)
    if hub_repo := parse_hub_repo(text):  # the whole HF layout, without suno/bark's .pt copies
        return Source("hf", HubRepo(*hub_repo, download="--exclude '*.pt'"))
    raise BarkflowError(f"no such file or folder: {path} ({where}); check the path, or give a hub id such as suno/bark")


def companions(src: Source) -> Repo:
    """Where the codec, tokenizer and presets of `src` come from."""
    return src.companions or src.repo


# --------------------------------------------------------------------------------------------
# Identity: the same string before loading (source_identity) and after (.identity)
# --------------------------------------------------------------------------------------------


def repo_identity(kind: str, repo: Repo, files: list[Path], name: str | None, where: str) -> str:
    """Hub: the commit pins every file, so "<kind>|hf:<repo>@<commit>[:<checkpoint>]". Local: each
    file read as "<path>:<size>:<mtime_ns>" (see the module docstring)."""
    if isinstance(repo, HubRepo):
        commit = repo.commit_for(name or "config.json", where)
        return f"{kind}|hf:{repo.repo_id}@{commit}" + (f":{name}" if name else "")
    return f"{kind}|" + "+".join(repo.identity(path) for path in files)


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_FILE_SHA256: dict[tuple, str] = {}


def file_sha256(path: Path) -> str:
    """sha256 of a file, hashed once per process while its path, size and mtime stay the same."""
    st = path.stat()
    memo = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if memo not in _FILE_SHA256:
        _FILE_SHA256[memo] = sha256_file(path)
    return _FILE_SHA256[memo]
