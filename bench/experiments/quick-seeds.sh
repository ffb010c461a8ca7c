#!/usr/bin/env bash
# Issue 15: the quick study over seeds 42-44 (bench/experiments/quick-3-seeds.json). Every step of a seed's chain
# (poisoning, victims, detector, baselines) is seeded by that seed; the report's cells are mean ± sd over seeds.
# Resumable: run it again after a stop; finished steps come from the cache (a quick study's folder of an
# earlier run with seed 42 can be copied to STUDY_DIR first to reuse its steps).
#   bench/experiments/quick-seeds.sh STUDY_DIR
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
study="${1:?study folder}"
cd "$repo"
dotnet build src/Psim.Cli -c Release -v quiet -nologo >/dev/null || exit 1
mkdir -p "$study"
echo "commit $(git rev-parse --short HEAD) $(lscpu | grep 'Model name' | sed 's/  */ /g')" >>"$study/runs.txt"
dotnet src/Psim.Cli/bin/Release/net10.0/Psim.Cli.dll reproduce --preset quick --config bench/experiments/quick-3-seeds.json \
  --out "$study" 2>>"$study/stderr.txt"
