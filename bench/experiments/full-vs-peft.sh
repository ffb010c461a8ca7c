#!/usr/bin/env bash
# Issue 15, item 4 (bench/experiments/full-vs-peft-20.json): BadNet victims trained for 20 epochs by full fine-tuning,
# LoRA and P-tuning v2 over three seeds, dev ASR after every epoch (report: figures/asr-by-epoch-*.png). Then
# `psim model diff` of each full victim against its poisoned model says how far every layer travelled.
# Resumable: run it again after a stop; finished steps come from the cache.
#   bench/experiments/full-vs-peft.sh STUDY_DIR
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
study="${1:?study folder}"
cd "$repo"
dotnet build src/Psim.Cli -c Release -v quiet -nologo >/dev/null || exit 1
mkdir -p "$study"
psim() { dotnet src/Psim.Cli/bin/Release/net10.0/Psim.Cli.dll "$@"; }
echo "commit $(git rev-parse --short HEAD) $(lscpu | grep 'Model name' | sed 's/  */ /g')" >>"$study/runs.txt"
psim reproduce --preset quick --config bench/experiments/full-vs-peft-20.json --out "$study" 2>>"$study/stderr.txt" || exit $?
for victim in "$study"/steps/victim-*-full-s*/; do
  victim="${victim%/}"
  seed="${victim##*-s}"; seed="${seed%%-*}"
  poison=$(ls -d "$study"/steps/poison-*-s"$seed"-* | head -1)
  psim model diff --model "$poison" --other "$victim" | tail -2 >"$victim.travel.txt"
done
tail -n 1 "$study"/steps/victim-*-full-*.travel.txt
