#!/usr/bin/env python3
"""Tables of bench/experiments/full-vs-peft.sh: dev ASR after chosen epochs per strategy (mean ± sd over the seeds
present, n shown), the lowest dev ASR any epoch reached, the kept epoch, test CA/ASR; then how far each part of
every full and LoRA victim travelled from its poisoned model, by part and over its changed encoder tensors (the *.diff.txt
files, `psim model diff` output). Usage: full-vs-peft-summary.py STUDY (the RUNS/study folder that full-vs-peft.sh RUNS writes)"""
import glob, json, os, re, sys
from spread import ms

study = sys.argv[1]
names = {'full': 'full', 'lora': 'LoRA', 'prefix': 'P-tuning v2', 'ptuning': 'P-tuning', 'prompt': 'prompt tuning'}  # also the order of the rows

def pct(values): return ms(values, 100)

victims = {}
for f in sorted(glob.glob(f'{study}/steps/victim-*/metrics.json')):
    step = os.path.basename(os.path.dirname(f))
    strategy, seed = re.search(r'-(\w+)-s(\d+)-[0-9a-f]+$', step).groups()
    victims.setdefault(strategy, {})[int(seed)] = (json.load(open(f)), os.path.dirname(f))

epochs = max(len(m['epochs']) for runs in victims.values() for m, _ in runs.values())
shown = sorted({1, 2, 5, 10, 15, epochs} & set(range(1, epochs + 1)))
print('| strategy | seeds | ' + ' | '.join(f'dev ASR, epoch {e}' for e in shown) + ' | lowest dev ASR (any epoch) | kept epoch | test CA | test ASR |')
print('|---|---|' + '---:|' * (len(shown) + 4))
for strategy in names:
    runs = victims.get(strategy)
    if not runs: continue
    ms_ = [m for m, _ in runs.values()]
    dev = lambda e: [m['epochs'][e - 1]['dev']['dev_attack_success_rate'] for m in ms_ if len(m['epochs']) >= e]
    lowest = [min(x['dev']['dev_attack_success_rate'] for x in m['epochs']) for m in ms_]
    kept = ', '.join(str(m['best_epoch']) for m in ms_)
    print(f"| {names[strategy]} | {', '.join(map(str, sorted(runs)))} | " + ' | '.join(pct(dev(e)) for e in shown) +
          f" | {pct(lowest)} | {kept} | {pct([m['clean_accuracy'] for m in ms_])} | {pct([m['attack_success_rate'] for m in ms_])} |")

diffs = sorted(glob.glob(f'{study}/steps/victim-*-s*.diff.txt'))
if diffs:
    print('\nHow far each part of the victims travelled from the poisoned model (`psim model diff`, relative L2 change;'
          ' LoRA victims merged into their weights first), and the range over the encoder tensors that changed:\n')
    for d in diffs:
        strategy, seed = re.search(r'-(\w+)-s(\d+)-[0-9a-f]+\.diff\.txt$', os.path.basename(d)).groups()
        lines = open(d).read().splitlines()
        travel = next(l for l in lines if l.startswith('travel by part')).split(':', 1)[1].strip()
        moved = [float(m.group(1)) for l in lines if l.startswith('changed') and '.encoder.' in l
                 for m in [re.search(r'moved ([0-9.eE+-]+)% of its norm', l)] if m]
        span = f'; {len(moved)} encoder tensors changed, each by {min(moved):.3g}-{max(moved):.3g}%' if moved else ''
        print(f'- {names[strategy]}, seed {seed}: {travel}{span}')

print('\nLowest dev ASR per seed (epoch reached):\n')
for strategy in names:
    runs = victims.get(strategy)
    if not runs: continue
    cells = []
    for seed in sorted(runs):
        m = runs[seed][0]
        asr = [x['dev']['dev_attack_success_rate'] for x in m['epochs']]
        low = min(range(len(asr)), key=lambda i: asr[i])
        cells.append(f'seed {seed} {100 * asr[low]:.1f} (epoch {low + 1}; last {100 * asr[-1]:.1f})')
    print(f"- {names[strategy]}: " + '; '.join(cells))
