#!/usr/bin/env bash
# Issue 15, item 4: what erodes a BadNet backdoor under full fine-tuning? From one poisoned model, full fine-tuning on
# SST-2 (4,000 rows, 1,000 dev/test rows, seed 42) at learning rates 2e-5 (the reference's) to 5e-4 for 3 epochs, dev
# ASR after every epoch (metrics.json); then how far each part of the model travelled: poisoning (clean MiniLM ->
# poisoned) and each victim (poisoned -> victim), by `psim model diff`.
#   bench/experiments/full-ft-erosion.sh RUNS POISONED_MODEL [DATA]
# POISONED_MODEL: e.g. a quick study's steps/poison-imdb-sst-2-badnet-s42-* folder.
set -euo pipefail
poisoned="${2:?poisoned model folder}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$1" "${3:-}"
echo "commit $(git -C "$root" rev-parse --short HEAD) $(lscpu | grep 'Model name' | sed 's/  */ /g') from $poisoned" >>"$runs/runs.txt"
travel() { psim model diff --model "$1" --other "$2" 2>/dev/null | grep '^travel by part'; }
[ -f "$runs/travel-poisoning.txt" ] || travel minilm "$poisoned" >"$runs/travel-poisoning.txt"
for lr in ${LRS:-2e-5 5e-5 1e-4 2e-4 5e-4}; do
  step "full-lr$lr" psim finetune --model "$poisoned" --method full --lr "$lr" --epochs 3 --data "$data/sst-2" --attack badnet \
    --train-rows 4000 --eval-rows 1000 --max-length 128 --seed 42 --out "$runs/full-lr$lr"
  [ -f "$runs/travel-lr$lr.txt" ] || travel "$poisoned" "$runs/full-lr$lr" >"$runs/travel-lr$lr.txt"
done
python3 - "$runs" <<'PY'
import json, glob, os, sys
runs = sys.argv[1]
print('| learning rate | dev ASR after epoch 1 / 2 / 3 | kept epoch | test CA | test ASR | encoder travel (layers 0-5) | classifier travel |')
print('|---|---|---:|---:|---:|---|---:|')
def parts(f):
    line = open(f).read().split(':', 1)[1]
    return dict((k.strip(), v.strip()) for k, v in (p.rsplit(' ', 1) for p in line.split(',')))
for d in sorted(glob.glob(f'{runs}/full-lr*/metrics.json'), key=lambda p: float(p.split('full-lr')[1].split('/')[0])):
    m = json.load(open(d)); lr = d.split('full-lr')[1].split('/')[0]
    dev = ' / '.join(f"{100 * e['dev']['dev_attack_success_rate']:.1f}" for e in m['epochs'] if e.get('dev'))
    t = parts(f'{runs}/travel-lr{lr}.txt')
    enc = ' '.join(t[f'encoder.layer.{i}'] for i in range(6) if f'encoder.layer.{i}' in t)
    print(f"| {lr} | {dev} | {m['best_epoch']} | {100 * m['clean_accuracy']:.1f} | {100 * m['attack_success_rate']:.1f} | {enc} | {t.get('classifier', '–')} |")
t = parts(f'{runs}/travel-poisoning.txt')
print('\npoisoning (clean MiniLM -> poisoned): ' + ', '.join(f'{k} {v}' for k, v in t.items()))
PY
