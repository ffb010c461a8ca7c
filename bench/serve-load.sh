#!/usr/bin/env bash
# psim serve under load (issue 16): one-text requests on loopback at concurrency 1, 8 and 32 (each level at most
# REQUESTS requests and SECONDS seconds), throughput and p50/p99 latency, and the ratio to offline batched scoring
# of the same texts in the same run (psim scan's path: PSIM alone; psim predict's path: PSIM then the victim).
# Run it alone on the machine (no other TorchSharp process).
#   bench/serve-load.sh VICTIM_DIR DETECTOR_DIR [OUT.md] [REQUESTS] [SECONDS] [ADAPTER_DIR]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
victim="${1:?victim model folder}"; detector="${2:?detector folder}"; out="${3:-}"
requests="${4:-1821}"; seconds="${5:-60}"; adapter="${6:-}"
dotnet build "$repo/bench/Psim.Bench" -c Release -v quiet -nologo >/dev/null
echo "CPU: $(lscpu | grep 'Model name' | sed 's/  */ /g'); commit $(git -C "$repo" rev-parse --short HEAD)" >&2
args=(serve --data "$repo/../shared/datasets" --model "$victim" --detector "$detector" --requests "$requests" --seconds "$seconds")
[ -n "$adapter" ] && args+=(--adapter "$adapter")
[ -n "$out" ] && args+=(--out "$out")
dotnet "$repo/bench/Psim.Bench/bin/Release/net10.0/Psim.Bench.dll" "${args[@]}"
