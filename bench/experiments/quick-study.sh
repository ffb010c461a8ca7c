#!/usr/bin/env bash
# The README's main command from a clean clone, timed, killed once part-way and started again to show
# that the study resumes without redoing finished steps. WORKDIR/timing.txt: totals, then each part's step log.
#   bench/experiments/quick-study.sh [WORKDIR] [KILL_AFTER_SECONDS]
# WORKDIR gets a clean clone of this repository's HEAD (next to ../shared, so the default data_root
# resolves) and a fresh model cache; the study folder is WORKDIR/clone/quick-study.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$repo/../quick-study-run}"
kill_after="${2:-1200}"
rm -rf "$work"; mkdir -p "$work"
git clone -q "$repo" "$work/clone"
# the clone must sit where ../shared/datasets resolves
if [ ! -d "$work/shared" ] && [ ! -d "$work/clone/../shared" ]; then ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"; fi
export PSIM_CACHE="$work/cache"
cd "$work/clone"
log="$work/timing.txt"
echo "commit $(git rev-parse HEAD)" >"$log"
t0=$(date +%s)
set +e
./psim reproduce --preset quick --out quick-study 2>"$work/part1.log" >"$work/part1.out" &
pid=$!
# kill the .NET process itself (not a clean Ctrl-C) once KILL_AFTER seconds have passed
for ((i = 0; i < kill_after; i++)); do sleep 1; kill -0 "$pid" 2>/dev/null || break; done
if kill -0 "$pid" 2>/dev/null; then
  pkill -KILL -f "Psim.Cli.dll reproduce" ; wait "$pid"
  echo "part 1: killed (SIGKILL) after $(( $(date +%s) - t0 )) s" >>"$log"
else
  wait "$pid"; echo "part 1: finished (rc $?) in $(( $(date +%s) - t0 )) s, before the kill" >>"$log"
fi
t1=$(date +%s)
./psim reproduce --preset quick --out quick-study 2>"$work/part2.log" >"$work/part2.out"
echo "part 2: rc $? in $(( $(date +%s) - t1 )) s" >>"$log"
echo "total wall: $(( $(date +%s) - t0 )) s" >>"$log"
grep -c ": cached" "$work/part2.log" | sed 's/^/part 2 steps from the cache: /' >>"$log"
grep -c ": done in" "$work/part2.log" | sed 's/^/part 2 steps run: /' >>"$log"
# the step log of both parts: each step's wall time ("done in N s") or its cache hit
steps='^\[[0-9]+/[0-9]+\]'
{ echo; echo "# part 1"; grep -E "$steps" "$work/part1.log"; echo; echo "# part 2"; grep -E "$steps" "$work/part2.log"; } >>"$log"
cat "$log"
