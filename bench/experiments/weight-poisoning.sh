#!/usr/bin/env bash
# The weight-poisoning experiment of docs/notebook/results.md (spec sections 1, 2 and 5), on the built-in
# MiniLM: poison it on IMDB with BadNet, InSent and SynAttack (reference settings, max length 256),
# then fully fine-tune the clean and each poisoned model on SST-2 and measure CA and ASR.
# Usage: bench/experiments/weight-poisoning.sh [RUNS_DIR] [DATA_DIR]
# A step whose metrics.json exists is skipped, so the script resumes where it stopped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

victim_epochs="${VICTIM_EPOCHS:-3}"
for attack in badnet insent synattack; do
  step "poison-$attack" psim poison --base minilm --attack "$attack" --data "$data/imdb" --out "$runs/poison-$attack" \
    --epochs 3 --lr 2e-5 --batch-size 32 --max-length 256 --seed 42
done

step "victim-clean-full" psim finetune --model minilm --method full --data "$data/sst-2" --out "$runs/victim-clean-full" \
  --epochs "$victim_epochs" --lr 2e-5 --seed 42
for attack in badnet insent synattack; do
  step "victim-$attack-full" psim finetune --model "$runs/poison-$attack" --method full --data "$data/sst-2" \
    --out "$runs/victim-$attack-full" --attack "$attack" --epochs "$victim_epochs" --lr 2e-5 --seed 42
done
# the poisoned models as downloaded, before the victim trains (ASR on SST-2 with the poisoned head)
for attack in badnet insent synattack; do
  if [ ! -f "$runs/asis-$attack.json" ]; then
    psim evaluate --model "$runs/poison-$attack" --data "$data/sst-2" --attack "$attack" --out "$runs/asis-$attack.json"
  fi
done
psim results "$runs"
