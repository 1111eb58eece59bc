#!/usr/bin/env bash
# The main job on embedded defaults: sets up ./.venv, builds the knowledge base from
# the bundled demo data, and answers a few questions with the offline model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec .venv/bin/growthpilot demo "$@"
