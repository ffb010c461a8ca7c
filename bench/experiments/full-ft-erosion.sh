#!/usr/bin/env bash
# Issue 15, item 4: what erodes a BadNet backdoor under full fine-tuning? From one poisoned model, full fine-tuning on
# SST-2 (4,000 rows, 1,000 dev/test rows, seed $SEED, default 42) at learning rates 2e-5 (the reference's) to 5e-4 for 3 epochs, dev
# ASR after every epoch (metrics.json); then how far each part of the model travelled: poisoning (clean MiniLM ->
# poisoned) and each victim (poisoned -> victim), by `psim model diff`.
#   [SEED=42] [LRS="2e-5 ..."] bench/experiments/full-ft-erosion.sh RUNS POISONED_MODEL [DATA]
# POISONED_MODEL: e.g. a quick study's steps/poison-imdb-sst-2-badnet-s42-* folder (take the one of the same seed).
set -euo pipefail
seed="${SEED:-42}"
poisoned="${2:?poisoned model folder}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$1" "${3:-}"
echo "commit $(git -C "$root" rev-parse --short HEAD) $(lscpu | grep 'Model name' | sed 's/  */ /g') seed $seed from $poisoned" >>"$runs/runs.txt"
travel() { psim model diff --model "$1" --other "$2" 2>/dev/null | grep '^travel by part'; }
[ -f "$runs/travel-poisoning.txt" ] || travel minilm "$poisoned" >"$runs/travel-poisoning.txt"
for lr in ${LRS:-2e-5 5e-5 1e-4 2e-4 5e-4}; do
  step "full-lr$lr" psim finetune --model "$poisoned" --method full --lr "$lr" --epochs 3 --data "$data/sst-2" --attack badnet \
    --train-rows 4000 --eval-rows 1000 --max-length 128 --seed "$seed" --out "$runs/full-lr$lr"
  [ -f "$runs/travel-lr$lr.txt" ] || travel "$poisoned" "$runs/full-lr$lr" >"$runs/travel-lr$lr.txt"
done
python3 "$root/bench/experiments/erosion-summary.py" "$runs"   # several seeds: erosion-summary.py RUNS_42 RUNS_43 ...
