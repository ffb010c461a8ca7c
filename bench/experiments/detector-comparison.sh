#!/usr/bin/env bash
# Issue 14's experiment on the quick study's victims: the quick preset (MiniLM poisoned on IMDB with BadNet and
# InSent, SST-2 victims by full fine-tuning, LoRA, P-tuning and P-tuning v2) with the baselines step on every
# victim, so PSIM, ONION, STRIP, RAP and DAN are compared at 1% FRR on clean dev for all eight victims
# (the quick preset compares them on the LoRA victims only). Resumable: run it again after a stop.
# The comparison is report.md's section "Detectors at one operating point"; ROC figures are in figures/.
#   bench/experiments/detector-comparison.sh STUDY_DIR
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
study="${1:?study folder}"
cd "$repo"
dotnet build src/Psim.Cli -c Release -v quiet -nologo >/dev/null || exit 1
mkdir -p "$study"
cat >"$study/detectors.json" <<JSON
{ "baselines": { "strategies": [ "full", "lora", "ptuning", "prefix" ] } }
JSON
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (uncommitted changes)') $(lscpu | grep 'Model name' | sed 's/  */ /g')" >>"$study/runs.txt"
t0=$(date +%s)
dotnet src/Psim.Cli/bin/Release/net10.0/Psim.Cli.dll reproduce --preset quick --config "$study/detectors.json" --out "$study" 2>>"$study/stderr.txt"
echo "rc $? after $(( $(date +%s) - t0 )) s" >>"$study/runs.txt"
tail -n 2 "$study/runs.txt"
