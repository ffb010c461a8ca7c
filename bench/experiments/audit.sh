#!/usr/bin/env bash
# Issue 29's audit, measured: `psim audit --reference minilm` on every poisoned model and full fine-tuned victim of a
# study, and on clean controls fine-tuned here from MiniLM (the quick preset's victim settings: 4,000 rows, 2 epochs,
# max length 128): SST-2 and IMDB at the reference learning rate 2e-5, SST-2 at 10x (2e-4), SST-2 and IMDB by LoRA
# (2e-3) merged into MiniLM (`psim merge`); MiniLM itself; and a BadNet
# model poisoned here (quick preset settings, seed 42), an attack whose trigger is not an implanted row.
# Each audit's JSON goes to RUNS/audit/NAME.json and psim's summary to NAME.txt (with its wall time); RUNS/audit/summary.txt
# has them all, RUNS/audit/results.md the CA and ASR of the models trained here (psim results).
# Resumable (finished runs are kept).
#   bench/experiments/audit.sh RUNS STUDY_DIR [DATA]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?runs folder}" "${3:-}"
study_steps="${2:?study folder}/steps"
mkdir -p "$runs/audit"
clean() { # clean NAME DATA LR
  step "clean-$1" psim finetune --model minilm --data "$data/$2" --method full --epochs 2 --lr "$3" --max-length 128 \
    --train-rows 4000 --eval-rows 1000 --seed 42 --out "$runs/clean-$1"
}
clean sst-2 sst-2 2e-5
clean imdb imdb 2e-5
clean sst-2-lr10x sst-2 2e-4
lora_merged() { # lora_merged NAME DATA: a LoRA fine-tune at the study's PEFT rate, merged into MiniLM (what a LoRA-merged upload is)
  step "clean-$1-lora" psim finetune --model minilm --data "$data/$2" --method lora --epochs 2 --lr 2e-3 --max-length 128 \
    --train-rows 4000 --eval-rows 1000 --seed 42 --out "$runs/clean-$1-lora"
  [ -f "$runs/clean-$1-lora-merged/model.safetensors" ] \
    || psim merge --model minilm --adapter "$runs/clean-$1-lora" --out "$runs/clean-$1-lora-merged" 2>>"$runs/audit/stderr.txt"
}
lora_merged sst-2 sst-2
lora_merged imdb imdb
step poison-badnet-s42 psim poison --base minilm --data "$data/imdb" --attack badnet --epochs 2 --lr 2e-5 --max-length 128 --seed 42 \
  --out "$runs/poison-badnet-s42"
audit() { # audit NAME MODEL
  [ -f "$runs/audit/$1.json" ] && return
  local t0=$SECONDS
  psim audit --model "$2" --reference minilm --out "$runs/audit/$1.json" >"$runs/audit/$1.txt" 2>>"$runs/audit/stderr.txt" \
    || { echo "audit $1 failed" >&2; return 1; }
  echo "wall time: $((SECONDS - t0)) s" >>"$runs/audit/$1.txt"
}
audit minilm minilm
for name in sst-2 imdb sst-2-lr10x sst-2-lora-merged imdb-lora-merged; do audit "clean-$name" "$runs/clean-$name"; done
audit poison-badnet-s42 "$runs/poison-badnet-s42"
for dir in "$study_steps"/poison-* "$study_steps"/victim-*-full-*; do
  [ -f "$dir/model.safetensors" ] && audit "$(basename "$dir" | sed 's/-[0-9a-f]*$//')" "$dir"
done
for f in "$runs"/audit/*.json; do echo "== $(basename "$f" .json)"; head -n 7 "${f%.json}.txt"; grep wall "${f%.json}.txt"; done >"$runs/audit/summary.txt"
psim results "$runs" >"$runs/audit/results.md"
cat "$runs/audit/summary.txt"
