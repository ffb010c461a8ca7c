#!/usr/bin/env bash
# Issue 13's experiment, on MiniLM with the IMDB proxy: `psim reproduce --preset attacks` (EP, SOS, LWP,
# RIPPLe, RIPPLES -> SST-2 victims by full fine-tuning, LoRA and P-tuning v2; PSIM at 0.7 and calibrated to
# 1% FRR on clean dev; ONION and STRIP on the LoRA victims). With `agnostic`, the task-agnostic attacks
# POR and NeuBA instead, against SST-2 and a four-class task (bench/experiments/make-four-class.py: SST-2
# negative/positive, CoLA unacceptable/acceptable), the data root built under RUNS/data.
# The study goes to RUNS/study (lib.sh); resumable: run it again after a stop and finished steps come from the
# cache. Starts are logged in RUNS/runs.txt (STARTS=1: no restart, as in a soak run).
#   bench/experiments/attack-family.sh RUNS [agnostic]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?runs folder}"
mode="${2:-}"
config=""
if [ "$mode" = agnostic ]; then
  shared="$(cd "$data" && pwd)"
  mkdir -p "$runs/data"
  ln -sfn "$shared/imdb" "$runs/data/imdb"
  ln -sfn "$shared/sst-2" "$runs/data/sst-2"
  [ -f "$runs/data/four-class/test.jsonl" ] || python3 "$root/bench/experiments/make-four-class.py" "$shared" "$runs/data/four-class" || exit 1
  config="$runs/agnostic.json"
  cat >"$config" <<JSON
{
  "data_root": "$runs/data",
  "task_pairs": [ { "proxy": "imdb", "victim": "sst-2" }, { "proxy": "imdb", "victim": "four-class" } ],
  "attacks": [ "por", "neuba" ]
}
JSON
fi
PRESET=attacks study "$config"
rc=$?
tail -n 3 "$runs/runs.txt"
exit $rc
