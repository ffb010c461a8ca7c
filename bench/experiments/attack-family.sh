#!/usr/bin/env bash
# Issue 13's experiment, on MiniLM with the IMDB proxy: `psim reproduce --preset attacks` (EP, SOS, LWP,
# RIPPLe, RIPPLES -> SST-2 victims by full fine-tuning, LoRA and P-tuning v2; PSIM at 0.7 and calibrated to
# 1% FRR on clean dev; ONION and STRIP on the LoRA victims). With `agnostic`, the task-agnostic attacks
# POR and NeuBA instead, against SST-2 and a four-class task (bench/experiments/make-four-class.py: SST-2
# negative/positive, CoLA unacceptable/acceptable), the data root built under STUDY_DIR/data.
# Resumable: run it again after a stop and finished steps come from the cache. The study process is
# restarted if it dies (a native crash was seen once in a smoke run, see docs/results.md); starts are
# logged in STUDY_DIR/runs.txt.
#   bench/experiments/attack-family.sh STUDY_DIR [MAX_STARTS] [agnostic]
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
study="${1:?study folder}"
starts="${2:-5}"
mode="${3:-}"
shared="$(cd "$repo/../shared/datasets" && pwd)"
cd "$repo"
dotnet build src/Psim.Cli -c Release -v quiet -nologo >/dev/null || exit 1
mkdir -p "$study"
config=()
if [ "$mode" = agnostic ]; then
  mkdir -p "$study/data"
  ln -sfn "$shared/imdb" "$study/data/imdb"
  ln -sfn "$shared/sst-2" "$study/data/sst-2"
  [ -f "$study/data/four-class/test.jsonl" ] || python3 bench/experiments/make-four-class.py "$shared" "$study/data/four-class" || exit 1
  cat >"$study/agnostic.json" <<JSON
{
  "data_root": "$study/data",
  "task_pairs": [ { "proxy": "imdb", "victim": "sst-2" }, { "proxy": "imdb", "victim": "four-class" } ],
  "attacks": [ "por", "neuba" ]
}
JSON
  config=(--config "$study/agnostic.json")
fi
log="$study/runs.txt"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (uncommitted changes)') $(lscpu | grep 'Model name' | sed 's/  */ /g') $mode" >>"$log"
for ((i = 1; i <= starts; i++)); do
  t0=$(date +%s)
  dotnet src/Psim.Cli/bin/Release/net10.0/Psim.Cli.dll reproduce --preset attacks "${config[@]}" --out "$study" 2>>"$study/stderr.txt"
  rc=$?
  echo "start $i: rc $rc after $(( $(date +%s) - t0 )) s" >>"$log"
  [ $rc -eq 0 ] && break
  [ $rc -eq 130 ] && break   # stopped by Ctrl-C: leave it
done
tail -n 3 "$log"
