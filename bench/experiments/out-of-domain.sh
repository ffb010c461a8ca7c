#!/usr/bin/env bash
# Issue 29's out-of-domain check: a PSIM detector calibrated to 1% FRR on SST-2's clean dev rows scans clean text of
# SST-2's test split and of other domains (CR, MR, CoLA, IMDB; untriggered), and reports its flag rate against the
# calibrated FRR (`psim scan`'s summary; a warning when they part). The detectors are a study's (e.g. the attacks
# preset's, one per attack). Each scan's summary line goes to RUNS/ood/DETECTOR--FILE.txt; RUNS/ood/summary.txt has
# them all. Resumable.
#   bench/experiments/out-of-domain.sh RUNS STUDY_DIR [DATA]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:?runs folder}" "${3:-}"
study_steps="${2:?study folder}/steps"
mkdir -p "$runs/ood"
for det in "$study_steps"/detector-*; do
  [ -f "$det/psim.json" ] || continue
  name="$(basename "$det" | sed 's/-[0-9a-f]*$//')"
  for file in sst-2/test cr/test mr/test cola/dev imdb/test; do
    out="$runs/ood/$name--${file//\//-}.txt"
    [ -s "$out" ] && continue
    t0=$SECONDS
    rm -f "$runs/ood/scores.tmp.jsonl"
    psim scan --detector "$det" --input "$data/$file.jsonl" --out "$runs/ood/scores.tmp.jsonl" 2>"$runs/ood/stderr.tmp" \
      || { cat "$runs/ood/stderr.tmp" >&2; exit 1; }
    { grep -a "^scanned" "$runs/ood/stderr.tmp"; echo "wall time: $((SECONDS - t0)) s"; } >"$out"
  done
done
rm -f "$runs/ood/scores.tmp.jsonl" "$runs/ood/stderr.tmp"
for f in "$runs"/ood/*--*.txt; do echo "$(basename "$f" .txt): $(head -n 1 "$f")"; done >"$runs/ood/summary.txt"
cat "$runs/ood/summary.txt"
