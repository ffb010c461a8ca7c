#!/usr/bin/env bash
# Issue 13's experiment: the weight-poisoning attacks (EP, SOS, LWP, RIPPLe, RIPPLES) on MiniLM, IMDB proxy
# -> SST-2 victims by full fine-tuning, LoRA and P-tuning v2, PSIM (0.7 and calibrated to 1% FRR on clean
# dev), ONION and STRIP on the LoRA victims: `psim reproduce --preset attacks`. Resumable: run it again
# after a stop and finished steps come from the cache. The study process is restarted if it dies
# (a native crash was seen once in a smoke run, see docs/results.md); every restart is logged.
#   bench/experiments/attack-family.sh [STUDY_DIR] [MAX_STARTS]
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
study="${1:-$repo/../attack-study}"
starts="${2:-5}"
cd "$repo"
dotnet build src/Psim.Cli -c Release -v quiet -nologo >/dev/null || exit 1
mkdir -p "$study"
log="$study/runs.txt"
echo "commit $(git rev-parse HEAD) $(lscpu | grep 'Model name' | sed 's/  */ /g')" >>"$log"
for ((i = 1; i <= starts; i++)); do
  t0=$(date +%s)
  dotnet src/Psim.Cli/bin/Release/net10.0/Psim.Cli.dll reproduce --preset attacks --out "$study" 2>>"$study/stderr.txt"
  rc=$?
  echo "start $i: rc $rc after $(( $(date +%s) - t0 )) s" >>"$log"
  [ $rc -eq 0 ] && break
  [ $rc -eq 130 ] && break   # stopped by Ctrl-C: leave it
done
tail -n 3 "$log"
