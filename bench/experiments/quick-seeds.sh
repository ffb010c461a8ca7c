#!/usr/bin/env bash
# Issue 15: the quick study over seeds 42-44 (bench/experiments/quick-3-seeds.json). Every step of a seed's chain
# (poisoning, victims, detector, baselines) is seeded by that seed; the report's cells are mean ± sd over seeds.
# Resumable: run it again after a stop; finished steps come from the cache (a quick study's folder of an
# earlier run with seed 42 can be copied to STUDY_DIR first to reuse its steps).
#   bench/experiments/quick-seeds.sh STUDY_DIR
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?study folder}"
study "$root/bench/experiments/quick-3-seeds.json"
