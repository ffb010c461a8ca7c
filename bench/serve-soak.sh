#!/usr/bin/env bash
# Issue 27's serve soak: `psim serve` (its own process) under CONCURRENCY clients for MINUTES, the server's RSS sampled
# every 30 s (the instant RSS and the peak of each 30 s window); passes when no request failed and the window peaks
# after the first two minutes stay within 10% of each other.
#   bench/serve-soak.sh OUT MODEL DETECTOR [ADAPTER] [MINUTES=30] [CONCURRENCY=32]
# OUT gets lscpu.txt, server.log, samples.jsonl, summary.json, metrics.txt and smaps-top.txt (kB, mapping). Run it alone on the machine.
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
# where the resident memory is at the end: the ten largest mappings by Rss (the C heap, anonymous maps, libraries)
awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6; if (name=="") name="[anon " $1 "]"} /^Rss:/{print $2, name}' "/proc/$server/smaps" | sort -rn | head -10 >"$out/smaps-top.txt"
kill -TERM $server; wait $server; rc=$?
echo "client exit $client, server exit $rc after SIGTERM, ended $(date -u +%FT%TZ)" >>"$out/run.txt"
cat "$out/summary.json"
