#!/usr/bin/env bash
# Issue 29's repair, measured: `psim repair --reference minilm` (E-PUR: the audit's suspect word-embedding rows reset to
# MiniLM's) on every poisoned model of a study (the attacks preset: EP, SOS, LWP, RIPPLe, RIPPLES on IMDB) and on the
# BadNet model audit.sh builds (the same step), then SST-2 victims (full fine-tuning and LoRA) of each repaired model at
# the study's victim settings (2 epochs, lr 2e-5 full / 2e-3 LoRA, max length 128, 4,000 train rows, 1,000 eval rows,
# seed 42), next to victims of the unrepaired BadNet model (the study has the others) and of clean MiniLM (the CA a
# repaired model's victims are held to). Then Fine-mixing on the BadNet model: `--repair-reset-share 0.5` and `0.9`
# (MIX_SHARES="50 90": a random half, or 90%, of every encoder weight reset to MiniLM's), with its victims.
# RUNS/repair/results.md has psim's tables (`psim results`), NAME.txt each repair's summary.
#   bench/experiments/repair.sh RUNS STUDY_DIR [DATA]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?runs folder}" "${3:-}"
study_steps="${2:?study folder}/steps"
mkdir -p "$runs/repair"
rows=(--data "$data/sst-2" --max-length 128 --train-rows 4000 --eval-rows 1000 --seed 42)
victim() { # victim NAME MODEL METHOD ATTACK
  local lr=2e-5
  [ "$3" = full ] || lr=2e-3
  step "$1" psim finetune --model "$2" --method "$3" --attack "$4" --epochs 2 --lr "$lr" "${rows[@]}" --out "$runs/$1"
}
repair() { # repair NAME POISONED [FLAGS...]
  local name="$1" model="$2"
  shift 2
  [ -f "$runs/repaired-$name/repair.json" ] && return
  local t0=$SECONDS
  psim repair --model "$model" --reference minilm --out "$runs/repaired-$name" "$@" >"$runs/repair/$name.txt" 2>>"$runs/repair/stderr.txt" \
    || { echo "repair $name failed" >&2; return 1; }
  echo "wall time: $((SECONDS - t0)) s" >>"$runs/repair/$name.txt"
}
step poison-badnet-s42 psim poison --base minilm --data "$data/imdb" --attack badnet --epochs 2 --lr 2e-5 --max-length 128 --seed 42 \
  --out "$runs/poison-badnet-s42"
declare -A poisoned=([badnet]="$runs/poison-badnet-s42")
for a in ep sos lwp ripple ripples; do
  for dir in "$study_steps"/poison-*-"$a"-s42-*; do [ -f "$dir/model.safetensors" ] && poisoned[$a]="$dir"; done
done
for m in full lora; do
  victim "clean-victim-$m" minilm "$m" badnet
  victim "victim-badnet-$m" "${poisoned[badnet]}" "$m" badnet
done
for a in "${!poisoned[@]}"; do
  repair "$a" "${poisoned[$a]}" || continue
  for m in full lora; do victim "repaired-victim-$a-$m" "$runs/repaired-$a" "$m" "$a"; done
done
# Fine-mixing for the backdoor no row holds (BadNet by full fine-tuning): a random share of every encoder weight reset to MiniLM's
for share in ${MIX_SHARES:-50 90}; do
  repair "badnet-mix$share" "${poisoned[badnet]}" --repair-reset-share "0.$share" || continue
  for m in full lora; do victim "repaired-victim-badnet-mix$share-$m" "$runs/repaired-badnet-mix$share" "$m" badnet; done
done
psim results "$runs" >"$runs/repair/results.md"
cat "$runs/repair/results.md"
