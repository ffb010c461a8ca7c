#!/usr/bin/env bash
# PSIM at a lower false-rejection target: each detector of psim-defense.sh, copied and recalibrated
# on SST-2 dev to TARGET_FRR (default 0.01) without retraining, then every victim evaluated again.
# Usage: [ATTACKS="badnet insent"] [METHODS="full lora ..."] bench/experiments/psim-defense-low-frr.sh [RUNS_DIR] [DATA_DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
target="${TARGET_FRR:-0.01}"

for attack in ${ATTACKS:-badnet insent synattack}; do
  det="$runs/detector-$attack-frr1"
  if [ ! -f "$det/calibrated" ]; then
    rm -rf "$det"; cp -r "$runs/detector-$attack" "$det"; rm -f "$det/run.json"
    psim detector calibrate --detector "$det" --data "$data/sst-2" --target-frr "$target" 2> "$det.log"
    touch "$det/calibrated"
  fi
  for method in ${METHODS:-full lora prompt ptuning prefix adapter}; do
    victim="$runs/victim-$attack-$method"
    [ -f "$victim/metrics.json" ] || continue
    out="$runs/defend-$attack-$method-frr1"
    [ -f "$out/metrics.json" ] && continue
    if [ "$method" = full ]; then model=(--model "$victim"); else model=(--model "$runs/poison-$attack" --adapter "$victim"); fi
    echo "== defend-$attack-$method-frr1"
    psim defend evaluate "${model[@]}" --detector "$det" --data "$data/sst-2" --attack "$attack" --out "$out" 2> "$out.log"
  done
done
psim results "$runs"
