#!/usr/bin/env bash
# The PSIM half of docs/notebook/results.md (spec sections 4 and 5): for each poisoned MiniLM, a PSIM
# detector (P-tuning, 1 epoch, lr 2e-5, random labels on SST-2 train, threshold calibrated to 5%
# FRR on SST-2 dev), then every SST-2 victim evaluated with PSIM at the calibrated threshold and
# at the reference's fixed 0.7.
# Usage: bench/experiments/psim-defense.sh [RUNS_DIR] [DATA_DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

for attack in ${ATTACKS:-badnet insent synattack}; do
  det="$runs/detector-$attack"
  if [ ! -f "$det/psim.json" ]; then
    echo "== detector-$attack"
    psim detector train --model "$runs/poison-$attack" --data "$data/sst-2" --out "$det" --target-frr 0.05 --seed 42 2> "$runs/detector-$attack.log"
  fi
  for method in full lora prompt ptuning prefix adapter; do
    victim="$runs/victim-$attack-$method"
    [ -f "$victim/metrics.json" ] || { echo "== skip $attack/$method: no victim"; continue; }
    if [ "$method" = full ]; then model=(--model "$victim"); else model=(--model "$runs/poison-$attack" --adapter "$victim"); fi
    for thr in calibrated fixed; do
      out="$runs/defend-$attack-$method-$thr"
      [ -f "$out/metrics.json" ] && continue
      extra=(); [ "$thr" = fixed ] && extra=(--threshold 0.7)
      echo "== defend-$attack-$method-$thr"
      psim defend evaluate "${model[@]}" --detector "$det" --data "$data/sst-2" --attack "$attack" --out "$out" "${extra[@]}" 2> "$out.log"
    done
  done
done
psim results "$runs"
