#!/usr/bin/env bash
# Issue 14's experiment on the quick study's victims: the quick preset (MiniLM poisoned on IMDB with BadNet and
# InSent, SST-2 victims by full fine-tuning, LoRA, P-tuning and P-tuning v2) with the baselines step on every
# victim, so PSIM, ONION, STRIP, RAP and DAN are compared at 1% FRR on clean dev for all eight victims
# (the quick preset compares them on the LoRA victims only). Resumable: run it again after a stop.
# The comparison is report.md's section "Detectors at one operating point"; ROC figures are in figures/.
#   bench/experiments/detector-comparison.sh STUDY_DIR
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?study folder}"
cat >"$runs/detectors.json" <<JSON
{ "baselines": { "strategies": [ "full", "lora", "ptuning", "prefix" ] } }
JSON
study "$runs/detectors.json"
tail -n 2 "$runs/runs.txt"
