#!/usr/bin/env bash
# The PEFT half of docs/notebook/results.md (spec section 3): starting from each poisoned MiniLM that
# weight-poisoning.sh built, SST-2 victims with LoRA, prompt tuning, P-tuning, P-tuning v2 (prefix)
# and bottleneck adapters, each at psim's reference settings; CA and ASR per attack and method.
# Usage: bench/experiments/peft-victims.sh [RUNS_DIR] [DATA_DIR]   (VICTIM_EPOCHS=3 by default)
# A step whose metrics.json exists is skipped, so the script resumes where it stopped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
victim_epochs="${VICTIM_EPOCHS:-3}"

for attack in ${ATTACKS:-badnet insent synattack}; do
  for method in lora prompt ptuning prefix adapter; do
    step "victim-$attack-$method" psim finetune --model "$runs/poison-$attack" --method "$method" --data "$data/sst-2" \
      --out "$runs/victim-$attack-$method" --attack "$attack" --epochs "$victim_epochs" --seed 42
  done
done
psim results "$runs"
