#!/usr/bin/env bash
# GPU readiness in one go: the CUDA tests, then the engine bench in the bark (large) shapes, bf16,
# at batch 1 and 32, with and without CUDA graphs. Figures go to OUT (logs and JSON).
#
#   bench/gpu.sh OUT              # on one H100: under 8 minutes
#   bench/gpu.sh OUT --dry-run    # on the CPU, tiny shapes: under a minute (tests/test_gpu_script.py)
#
# PYTHON picks the interpreter (default: python). Stops at the first failure.
set -euo pipefail
OUT=${1:?usage: bench/gpu.sh OUT [--dry-run]}
DRY=${2:-}
PY=${PYTHON:-python}
cd "$(dirname "$0")/.."
mkdir -p "$OUT"

if [ "$DRY" = "--dry-run" ]; then
  DEVICE=cpu; DTYPE=float32; SHAPE="--shape 1 64 2"; SECONDS_PER=0.2; BIG=2
else
  DEVICE=cuda; DTYPE=bfloat16; SHAPE="--large"; SECONDS_PER=2; BIG=32
fi

# The CUDA tests (they skip on a machine without CUDA, so a dry run only checks they collect).
$PY -m pytest -q tests/engine/test_cuda.py -p no:cacheprovider 2>&1 | tee "$OUT/test_cuda.log"

for graphs in "" "--cuda-graphs"; do
  tag=${graphs:+graphs}; tag=${tag:-eager}
  # batch 1: two segments one by one (and batched as two); batch BIG: batched only.
  $PY bench/engine.py $SHAPE --device $DEVICE --dtype $DTYPE --segments 2 --seconds $SECONDS_PER \
      --skip-transformers $graphs --json "$OUT/batch1_$tag.json" 2>&1 | tee "$OUT/batch1_$tag.log"
  $PY bench/engine.py $SHAPE --device $DEVICE --dtype $DTYPE --segments $BIG --seconds $SECONDS_PER \
      --skip-transformers --no-one-by-one $graphs --json "$OUT/batch${BIG}_$tag.json" 2>&1 | tee "$OUT/batch${BIG}_$tag.log"
done
echo "figures in $OUT"
