#!/usr/bin/env bash
# Issue 3's CA target on IMDB: BadNet and InSent poisoning at the reference's full BERT length
# (MAX_LENGTH, default 512) instead of 256, keeping the epoch with the best mean of clean dev
# accuracy and dev ASR (--select-by balanced; the reference's rule keeps the worst-CA epoch, see
# docs/notebook/results.md). Everything else as weight-poisoning.sh: 1,500 clean-label rows, 3 epochs, lr 2e-5.
# Usage: [MAX_LENGTH=512] [ATTACKS="badnet insent"] bench/experiments/poisoning-long.sh [RUNS_DIR] [DATA_DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
len="${MAX_LENGTH:-512}"
for attack in ${ATTACKS:-badnet insent}; do
  step "poison-$attack-len$len" psim poison --base minilm --attack "$attack" --data "$data/imdb" --out "$runs/poison-$attack-len$len" \
    --epochs 3 --lr 2e-5 --batch-size 32 --max-length "$len" --select-by balanced --seed 42
done
