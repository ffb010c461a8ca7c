# Shared by the experiment scripts: paths, a build of psim of their own, and resumable steps.
# Sourced as: source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-$root/runs}"
data="${2:-$root/../shared/datasets}"
mkdir -p "$runs"
# a build of its own, so that editing the sources while an experiment runs cannot swap its binaries
bin="$runs/.psim-bin"
dotnet build "$root/src/Psim.Cli/Psim.Cli.csproj" -c Release -o "$bin" --nologo -v quiet >/dev/null || exit 1
psim() { dotnet "$bin/Psim.Cli.dll" "$@"; }

step() { # step NAME COMMAND...: skipped when NAME/metrics.json exists
  local name="$1"; shift
  if [ -f "$runs/$name/metrics.json" ]; then echo "== $name: done, skipped"; return; fi
  echo "== $name: $*"
  local t0=$SECONDS
  "$@" 2> >(tee "$runs/$name.log" >&2)
  echo "== $name: $((SECONDS - t0)) s"
}

# the study folder psim writes (psim writes only into a folder of its own, never into one holding this script's files)
study_dir="$runs/study"

study() { # study [CONFIG]: `psim reproduce --preset ${PRESET:-quick} [--config CONFIG]` into $runs/study (resumable: cached steps are kept)
  # restarted up to $STARTS times (default 3) if the process dies, the cache keeping every finished step; a native
  # crash in LibTorch was seen at the start of a step before the finalizer gate (docs/findings.md), so a restart is
  # logged in runs.txt as the defect it is. STARTS=1 for a soak run.
  local preset="${PRESET:-quick}" config=()
  [ -n "${1:-}" ] && config=(--config "$1")
  echo "commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (uncommitted changes)') $(lscpu | grep 'Model name' | sed 's/  */ /g') preset $preset config ${1:-none} started $(date -u +%FT%TZ)" >>"$runs/runs.txt"
  local t0 rc i
  for ((i = 1; i <= ${STARTS:-3}; i++)); do
    t0=$SECONDS rc=0
    psim reproduce --preset "$preset" "${config[@]}" --out "$study_dir" 2>>"$runs/stderr.txt" || rc=$?
    echo "rc $rc after $((SECONDS - t0)) s" >>"$runs/runs.txt"
    [ $rc -eq 0 ] || [ $rc -eq 130 ] || [ $rc -lt 128 ] && break # done, Ctrl-C, or an error psim reported: not a crash
  done
  return $rc
}
