#!/usr/bin/env bash
# An installed barkflow works like a checkout: build the wheel, install it (not editable) into a fresh
# virtual environment, check it holds every module and config of the checkout, import every module,
# and render the demo from an empty folder.
#   scripts/check-wheel.sh [WORK_DIR]      (default: a temporary folder, removed afterwards)
# The venv reuses this Python's packages (--system-site-packages: torch is not installed twice), so
# run it with the Python that has barkflow's dependencies. Exit status 77: it cannot build here.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python}"
if [ $# -gt 0 ]; then work="$1"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
work="$(cd "$work" && pwd)"
rm -rf "$work/src" "$work/dist" "$work/venv" "$work/empty" "$work/cache" "$work/voices"  # ours, from an earlier run
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false

# What pyproject.toml's build-system asks for (setuptools>=68; before 70.1 it needs wheel too), and venv.
if ! lacking="$("$python" - <<'PY'
import importlib.util
from importlib.metadata import PackageNotFoundError, version
def at_least(name, wanted):
    try:
        return tuple(int(p) for p in version(name).split(".")[:2]) >= wanted
    except (PackageNotFoundError, ValueError):
        return False
lacking = [] if at_least("setuptools", (68, 0)) else ["setuptools>=68"]
lacking += [] if at_least("setuptools", (70, 1)) or importlib.util.find_spec("wheel") else ["wheel"]
lacking += [m for m in ("venv", "ensurepip") if importlib.util.find_spec(m) is None]
print(" ".join(lacking))
PY
)" || [ -n "$lacking" ]; then
  echo "check-wheel: cannot build here: $python lacks ${lacking:-what it needs to build}; pip install them" >&2
  exit 77
fi

# The build from a copy of what goes into the wheel (tracked and new files): a checkout's build/,
# egg-info and caches stay out of it.
mkdir -p "$work/src" "$work/dist" "$work/empty"
sources=(barkflow conf pyproject.toml setup.py README.md)
(cd "$repo" && git ls-files -z --cached --others --exclude-standard -- "${sources[@]}" \
  | xargs -0 cp --parents -t "$work/src") 2>/dev/null \
  || (cd "$repo" && cp -r --parents "${sources[@]}" "$work/src")
"$python" -m pip wheel -q --no-deps --no-build-isolation -w "$work/dist" "$work/src" >&2
wheel_file="$(ls "$work"/dist/barkflow-*.whl)"

"$python" -m venv --system-site-packages "$work/venv"
# --no-index: the dependencies are the ones this Python already has.
"$work/venv/bin/python" -m pip install -q --no-index --force-reinstall --no-deps "$wheel_file" >&2

cd "$work/empty"  # no conf/, no barkflow/, no examples/ here
"$work/venv/bin/python" - "$repo" "$wheel_file" <<'PY'
import importlib, pkgutil, sys, zipfile
from pathlib import Path

repo, wheel_file = Path(sys.argv[1]), sys.argv[2]
import barkflow
where = Path(barkflow.__file__).resolve()
assert repo not in where.parents, f"barkflow came from the checkout ({where}), not the wheel"
names = set(zipfile.ZipFile(wheel_file).namelist())
shipped = [p for p in (repo / "barkflow").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
tracked = [p for p in shipped if p.suffix == ".py"]
missing = [str(p.relative_to(repo)) for p in shipped if str(p.relative_to(repo)) not in names]  # data too
missing += [f"conf/{p.relative_to(repo / 'conf')}" for p in (repo / "conf").rglob("*.yaml")
            if f"barkflow/conf/{p.relative_to(repo / 'conf')}" not in names]
assert not missing, f"the wheel lacks {len(missing)} file(s) of the checkout: {', '.join(sorted(missing)[:10])}"
failed = []
for module in pkgutil.walk_packages(barkflow.__path__, "barkflow.", onerror=failed.append):
    try:
        importlib.import_module(module.name)
    except Exception as error:  # every one reported, not only the first
        failed.append(f"{module.name}: {type(error).__name__}: {error}")
assert not failed, "modules that do not import from the wheel:\n" + "\n".join(map(str, failed))
print(f"check-wheel: {len(tracked)} modules in the wheel, all import, from {where.parent}", file=sys.stderr)
PY

# The demo, fast (short segments): its script ships inside the package.
"$work/venv/bin/barkflow" project=demo device=cpu sampling.semantic.max_gen_duration_s=0.3 \
  paths.cache_dir="$work/cache" paths.voices_dir="$work/voices" >"$work/demo.out"
test -s renders/demo/demo.wav
if grep -q '\]\[INFO\]' "$work/demo.out"; then echo "check-wheel: log lines on the demo's stdout" >&2; exit 1; fi
echo "check-wheel: the demo rendered from an empty folder: $work/empty/renders/demo/demo.wav" >&2
