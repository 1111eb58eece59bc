#!/usr/bin/env bash
# Train the query-spec LoRA adapter (growthpilot/models/spec_lora) with the project's own
# `growthpilot train`, on (question → spec) pairs from training/spec_data.py, then measure it
# with bench/eval_spec.py. CPU-sized: short sequences, r=8 on q/v, a few hundred steps.
#
#   bash scripts/train_spec_adapter.sh            # data + train + eval (rules, base model, adapter)
#   STEPS=300 EXAMPLES=1200 bash scripts/train_spec_adapter.sh   # longer, where a GPU or a quiet CPU allows
#   SKIP_EVAL=1 bash scripts/train_spec_adapter.sh
# Measured on 2 shared cores (5-6 tokens/s): the checkpoints at steps 20 and 40 of a 60-step run (STEPS=60)
# were no better than the base model (docs/BENCHMARKS.md), so no adapter is shipped; STEPS=20 (the default)
# fits a 20-minute CPU budget. Its output, with metadata and eval.json, goes to growthpilot/models/spec_lora.
# Environment: PYTHON (default .venv/bin/python or python3), STEPS (20), EXAMPLES (400),
# BATCH (2), LR (1e-3), SEED (0), OUT (growthpilot/models/spec_lora), THREADS (torch threads, 1),
# LAYERS (the decoder layers that get LoRA on q/v, "16 23" = the top 8 of the 0.5B model's 24: the
# backward pass then stops at layer 16, about twice as fast on a CPU as LoRA on every layer).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  if [[ -x .venv/bin/python ]]; then PY=.venv/bin/python; else PY=python3; fi
fi
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}" TRANSFORMERS_OFFLINE="${TRANSFORMERS_OFFLINE:-1}" TOKENIZERS_PARALLELISM=false
STEPS="${STEPS:-20}"; EXAMPLES="${EXAMPLES:-400}"; BATCH="${BATCH:-2}"; LR="${LR:-1e-3}"; SEED="${SEED:-0}"
read -r L0 L1 <<<"${LAYERS:-16 23}"
TARGETS=$(for ((i = L0; i <= L1; i++)); do printf '"layers.%d.self_attn.q_proj", "layers.%d.self_attn.v_proj", ' "$i" "$i"; done)
TARGETS="[${TARGETS%, }]"
OUT="${OUT:-growthpilot/models/spec_lora}"
WORK="${WORK:-.growthpilot/spec_adapter}"
mkdir -p "$WORK/adapters"
DATA="$WORK/spec_train.jsonl"

"$PY" -m training.spec_data "$DATA" --n "$EXAMPLES" --seed "$SEED" --catalog growthpilot/demo/data/catalog.csv

# The training config: the project's defaults, with the spec task's LoRA shape and lengths.
CFG="$WORK/train_config.toml"
cat > "$CFG" <<TOML
[model]
name = "embedded"
cache_dir = "$ROOT/.growthpilot/cache/models"
adapters_dir = "$ROOT/$WORK/adapters"
threads = ${THREADS:-1}

[training]
output_dir = "$ROOT/$WORK/adapters"
lora_r = 8
lora_alpha = 16
lora_dropout = 0.05
target_modules = $TARGETS
learning_rate = $LR
max_steps = $STEPS
batch_size = $BATCH
grad_accum = 1
max_length = 160
packing = false
val_fraction = 0.03
eval_every = 1000
save_every = 20
early_stopping_patience = 0
warmup_ratio = 0.05
seed = 42
TOML

"$PY" -m growthpilot.cli train "$DATA" --config "$CFG" --name spec_lora --overwrite --no-progress --json > "$WORK/train_result.json"
cat "$WORK/train_result.json"

rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
for f in adapter_config.json adapter_model.safetensors growthpilot_adapter.json; do cp "$WORK/adapters/spec_lora/$f" "$OUT.tmp/"; done
cp "$WORK/train_result.json" "$OUT.tmp/train_result.json"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "adapter copied to $OUT"

if [[ -z "${SKIP_EVAL:-}" ]]; then
  "$PY" bench/eval_spec.py --adapter "$OUT" --json "$OUT/eval.json"
fi
