#!/usr/bin/env bash
# Issue 15: EP and SOS at 1,500 poisoned rows over seeds 42-44 (bench/experiments/ep-sos-1500-seeds.json), so that
# the claims "PEFT keeps every attack" and "PSIM is competitive" rest on more than one seed for the attacks PSIM
# misses. Resumable: run it again after a stop; finished steps come from the cache. CONFIG may name fewer seeds.
#   bench/experiments/ep-sos-seeds.sh STUDY_DIR [CONFIG]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?study folder}"
study "${2:-$root/bench/experiments/ep-sos-1500-seeds.json}"
