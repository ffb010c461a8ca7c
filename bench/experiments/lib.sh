# Shared by the experiment scripts: paths, a build of psim of their own, and resumable steps.
# Sourced as: source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-$root/runs}"
data="${2:-$root/../shared/datasets}"
mkdir -p "$runs"
# a build of its own, so that editing the sources while an experiment runs cannot swap its binaries
bin="$runs/.psim-bin"
dotnet build "$root/src/Psim.Cli/Psim.Cli.csproj" -c Release -o "$bin" --nologo -v quiet >/dev/null
psim() { dotnet "$bin/Psim.Cli.dll" "$@"; }

step() { # step NAME COMMAND...: skipped when NAME/metrics.json exists
  local name="$1"; shift
  if [ -f "$runs/$name/metrics.json" ]; then echo "== $name: done, skipped"; return; fi
  echo "== $name: $*"
  local t0=$SECONDS
  "$@" 2> >(tee "$runs/$name.log" >&2)
  echo "== $name: $((SECONDS - t0)) s"
}
