#!/usr/bin/env python3
"""Table of bench/experiments/full-ft-erosion.sh over one or more runs folders (one per seed): per learning rate,
dev ASR after each epoch, kept epoch, test CA/ASR, and how far each encoder layer and the classifier travelled from
the poisoned model; mean ± sd over the folders that have the learning rate (n shown when > 1). Then poisoning's own
travel (clean MiniLM -> poisoned model) per folder. Usage: erosion-summary.py RUNS [RUNS ...]"""
import glob, json, statistics, sys
from spread import ms

def parts(path):
    line = open(path).read().split(':', 1)[1]
    return {k.strip(): float(v.strip().rstrip('%')) for k, v in (p.rsplit(' ', 1) for p in line.split(','))}

folders = sys.argv[1:]
by_lr = {}
for runs in folders:
    for f in glob.glob(f'{runs}/full-lr*/metrics.json'):
        lr = f.split('full-lr')[1].split('/')[0]
        by_lr.setdefault(lr, []).append((json.load(open(f)), parts(f'{runs}/travel-lr{lr}.txt')))

layers = [f'encoder.layer.{i}' for i in range(6)]
print(f'Over {len(folders)} run folder(s).\n')
print('| learning rate | n | dev ASR after epoch 1 / 2 / 3 | kept epoch | test CA | test ASR | encoder travel, layers 0-5 (mean of the layers) | classifier travel |')
print('|---|---:|---|---:|---:|---:|---:|---:|')
for lr in sorted(by_lr, key=float):
    rows = by_lr[lr]
    n_epochs = min(len(m['epochs']) for m, _ in rows)
    dev = ' / '.join(ms([m['epochs'][e]['dev']['dev_attack_success_rate'] for m, _ in rows], 100) for e in range(n_epochs))
    kept = ', '.join(str(m['best_epoch']) for m, _ in rows)
    enc = ms([statistics.mean(t[l] for l in layers if l in t) for _, t in rows], digits=2, unit='%')
    cls = ms([t['classifier'] for _, t in rows if 'classifier' in t], digits=2, unit='%')
    print(f"| {lr} | {len(rows)} | {dev} | {kept} | {ms([m['clean_accuracy'] for m, _ in rows], 100)} | "
          f"{ms([m['attack_success_rate'] for m, _ in rows], 100)} | {enc} | {cls} |")

print('\nPoisoning itself (clean MiniLM -> poisoned model):\n')
for runs in folders:
    t = parts(f'{runs}/travel-poisoning.txt')
    print(f'- {runs}: encoder layers 0-5 mean {statistics.mean(t[l] for l in layers if l in t):.2f}% (' +
          ', '.join(f'{k} {v:g}%' for k, v in t.items()) + ')')
