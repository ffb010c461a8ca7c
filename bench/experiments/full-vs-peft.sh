#!/usr/bin/env bash
# Issue 15, item 4 (bench/experiments/full-vs-peft-20.json): BadNet victims trained for 20 epochs by full fine-tuning,
# LoRA and P-tuning v2 over three seeds, dev ASR after every epoch (report: figures/asr-by-epoch-*.png). Then
# `psim model diff` of each full victim against its poisoned model says how far every layer travelled.
# Resumable: run it again after a stop; finished steps come from the cache. CONFIG (default full-vs-peft-20.json)
# may name fewer seeds to finish one chain first; the steps it runs are the same steps.
#   bench/experiments/full-vs-peft.sh STUDY_DIR [CONFIG]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?study folder}"
study "${2:-$root/bench/experiments/full-vs-peft-20.json}" || exit $?
for victim in "$runs"/steps/victim-*-full-s*/; do
  victim="${victim%/}"
  seed="${victim##*-s}"; seed="${seed%%-*}"
  poison=$(ls -d "$runs"/steps/poison-*-s"$seed"-* | head -1)
  psim model diff --model "$poison" --other "$victim" | grep '^travel by part' >"$victim.travel.txt"
done
tail -n 1 "$runs"/steps/victim-*-full-*.travel.txt
