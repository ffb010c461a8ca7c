#!/usr/bin/env bash
# Issue 15, item 4 (bench/experiments/full-vs-peft-20.json): BadNet victims trained for 20 epochs by full fine-tuning,
# LoRA and P-tuning v2 over three seeds, dev ASR after every epoch (report: figures/asr-by-epoch-*.png). Then
# `psim model diff` of each full victim, and of each LoRA victim merged into its weights (`psim merge`), against its
# poisoned model says how far every tensor and layer travelled (STUDY/study/steps/victim-*.diff.txt).
# Resumable: run it again after a stop; finished steps come from the cache. CONFIG (default full-vs-peft-20.json)
# may name fewer seeds to finish one chain first; the steps it runs are the same steps.
#   bench/experiments/full-vs-peft.sh STUDY_DIR [CONFIG]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?study folder}"
study "${2:-$root/bench/experiments/full-vs-peft-20.json}" || exit $?
for victim in "$study_dir"/steps/victim-*-full-s*/ "$study_dir"/steps/victim-*-lora-s*/; do
  victim="${victim%/}"
  [ -d "$victim" ] && [ ! -f "$victim.diff.txt" ] || continue
  seed="${victim##*-s}"; seed="${seed%%-*}"
  poison=$(ls -d "$study_dir"/steps/poison-*-s"$seed"-* | head -1)
  other="$victim"
  if [ -f "$victim/adapter_config.json" ]; then # a LoRA victim: folded into its poisoned model first (psim merge)
    other="$runs/.merged"; rm -rf "$other"
    psim merge --model "$poison" --adapter "$victim" --out "$other" >/dev/null || exit 1
  fi
  psim model diff --model "$poison" --other "$other" >"$victim.diff.txt" || exit 1 # every tensor; the summary reads it
done
rm -rf "$runs/.merged"
grep -h '^travel by part' "$study_dir"/steps/victim-*.diff.txt
