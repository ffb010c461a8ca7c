#!/usr/bin/env bash
# Issue 29's reference-free audit, measured: `psim audit --texts SST-2 dev` (every vocabulary token tried as a trigger
# in clean SST-2 sentences, no reference) on MiniLM, on a clean SST-2 fine-tune and any other clean control audit.sh trained in RUNS, on
# a BadNet model poisoned here (audit.sh's: quick preset settings, seed 42), and on every full fine-tuned victim and
# poisoned model of a study. Each audit's JSON goes to RUNS/sweep/NAME.json and
# psim's summary to NAME.txt (with its wall time); RUNS/sweep/summary.txt has them all. Resumable.
#   bench/experiments/audit-sweep.sh RUNS STUDY_DIR [DATA]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?runs folder}" "${3:-}"
study_steps="${2:?study folder}/steps"
mkdir -p "$runs/sweep"
texts="$data/sst-2/dev.jsonl"
sweep() { # sweep NAME MODEL
  [ -f "$runs/sweep/$1.json" ] && return
  local t0=$SECONDS
  psim audit --model "$2" --texts "$texts" --out "$runs/sweep/$1.json" >"$runs/sweep/$1.txt" 2>>"$runs/sweep/stderr.txt" \
    || { echo "sweep $1 failed" >&2; return 1; }
  echo "wall time: $((SECONDS - t0)) s" >>"$runs/sweep/$1.txt"
}
# the clean SST-2 control and the BadNet model exactly as audit.sh builds them (the same step names: either script reuses the other's)
step clean-sst-2 psim finetune --model minilm --data "$data/sst-2" --method full --epochs 2 --lr 2e-5 --max-length 128 \
  --train-rows 4000 --eval-rows 1000 --seed 42 --out "$runs/clean-sst-2"
step poison-badnet-s42 psim poison --base minilm --data "$data/imdb" --attack badnet --epochs 2 --lr 2e-5 --max-length 128 --seed 42 \
  --out "$runs/poison-badnet-s42"
sweep minilm minilm
for name in clean-sst-2 clean-imdb clean-sst-2-lr10x clean-sst-2-lora-merged clean-imdb-lora-merged poison-badnet-s42; do
  [ -f "$runs/$name/model.safetensors" ] && sweep "$name" "$runs/$name"
done
for dir in "$study_steps"/victim-*-full-* "$study_steps"/poison-*; do
  [ -f "$dir/model.safetensors" ] && sweep "$(basename "$dir" | sed 's/-[0-9a-f]*$//')" "$dir"
done
for f in "$runs"/sweep/*.json; do echo "== $(basename "$f" .json)"; head -n 8 "${f%.json}.txt"; grep wall "${f%.json}.txt"; done >"$runs/sweep/summary.txt"
cat "$runs/sweep/summary.txt"
