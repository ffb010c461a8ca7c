#!/usr/bin/env bash
# Issue 27's serve soak: `psim serve` (its own process) under CONCURRENCY clients for MINUTES, the server's RSS sampled
# every 30 s; passes when no request failed and RSS after the first two minutes stays within 10%.
#   bench/serve-soak.sh OUT MODEL DETECTOR [ADAPTER] [MINUTES=30] [CONCURRENCY=32]
# OUT gets lscpu.txt, server.log, samples.jsonl and summary.json. Run it alone on the machine.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?out folder}"; model="${2:?model}"; detector="${3:?detector}"; adapter="${4:-}"
minutes="${5:-30}"; concurrency="${6:-32}"; port="${PORT:-18080}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"
bin="$out/.psim-bin"
dotnet build "$root/src/Psim.Cli/Psim.Cli.csproj" -c Release -o "$bin" --nologo -v quiet >/dev/null || exit 1
lscpu >"$out/lscpu.txt"
echo "commit $(git -C "$root" rev-parse --short HEAD) started $(date -u +%FT%TZ) minutes $minutes concurrency $concurrency" >"$out/run.txt"
args=(serve --model "$model" --detector "$detector" --port "$port")
[ -n "$adapter" ] && args+=(--adapter "$adapter")
dotnet "$bin/Psim.Cli.dll" "${args[@]}" >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "serve-soak: the server did not become ready" >&2; kill $server; exit 1; }
python3 "$root/bench/serve_soak_client.py" "http://127.0.0.1:$port" "$server" "$root/../shared/datasets/sst-2/test.jsonl" "$minutes" "$concurrency" "$out/samples.jsonl" >"$out/summary.json"
client=$?
curl -s "http://127.0.0.1:$port/metrics" >"$out/metrics.txt"
kill -TERM $server; wait $server; rc=$?
echo "client exit $client, server exit $rc after SIGTERM, ended $(date -u +%FT%TZ)" >>"$out/run.txt"
cat "$out/summary.json"
