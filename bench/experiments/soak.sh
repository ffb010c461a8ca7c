#!/usr/bin/env bash
# Issue 27's soak: a long study with no restart (STARTS=1) and core dumps on, to show the native crash of long
# runs is gone (docs/findings.md). Run it alone on the machine.
#   bench/experiments/soak.sh RUNS attacks     # the attacks preset, 60 steps
#   bench/experiments/soak.sh RUNS ep-sos      # the EP/SOS study over three seeds, 72 steps
# RUNS/runs.txt has the commit, the CPU and the exit status; RUNS/stderr.txt the study's log; a crash leaves a
# dump in RUNS (DOTNET_DbgEnableMiniDump) and a core where the kernel puts them.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs="${1:?runs folder}"
mkdir -p "$runs"
runs="$(cd "$runs" && pwd)"
ulimit -c unlimited
export DOTNET_DbgEnableMiniDump=1 DOTNET_DbgMiniDumpType=2 DOTNET_DbgMiniDumpName="$runs/dump.%p" STARTS=1
lscpu >"$runs/lscpu.txt"
case "${2:?attacks or ep-sos}" in
  attacks) bash "$here/attack-family.sh" "$runs" ;;
  ep-sos) bash "$here/ep-sos-seeds.sh" "$runs" ;;
  *) echo "soak.sh: the second argument is attacks or ep-sos" >&2; exit 2 ;;
esac
