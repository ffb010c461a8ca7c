#!/usr/bin/env bash
# Issue 29's fused guard, measured: `psim reproduce --preset PRESET --config bench/experiments/guard-PRESET.jsonc` into
# RUNS/study (resumable; with a study folder of the same preset there, only the new steps run: for the attacks soak's
# folder, the baselines steps), then psim's tables of its steps (`psim results`) into RUNS/guard-results.md.
# One start: a crash is a defect. PRESET: attacks (EP, SOS, LWP, RIPPLe, RIPPLES; default) or quick (BadNet, InSent).
#   bench/experiments/guard.sh RUNS [PRESET]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?runs folder}"
preset="${2:-attacks}"
lscpu >"$runs/lscpu.txt"
PRESET="$preset" STARTS=1 study "$root/bench/experiments/guard-$preset.jsonc"
psim results "$study_dir" >"$runs/guard-results.md"
