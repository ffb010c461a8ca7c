#!/usr/bin/env python3
"""Tables of bench/experiments/synattack-diagnosis.sh: the data profiles, the proxy models' probes, the SST-2 victims' ASR
above the clean victims' (what paraphrasing alone flips). Usage: synattack-summary.py RUNS"""
import json, os, sys

runs = sys.argv[1]
def load(p):
    p = os.path.join(runs, p)
    return json.load(open(p)) if os.path.exists(p) else None
pct = lambda v: '–' if v is None else f'{100 * v:.1f}'

print('### The data (`psim data stats`, fluency under a 3-gram model of SST-2 train)\n')
print('| set | rows | words mean / median / p90 | over 128 tokens | SBAR-comma opening | back-to-back repetition | perplexity | unknown words |')
print('|---|---:|---|---:|---:|---:|---:|---:|')
for p in (load('stats-changed.json') or []) + (load('stats.json') or []):
    name = p['name'].split('datasets/')[-1]
    if p in (load('stats-changed.json') or []): name += ' (the rows it changed)'
    print(f"| {name} | {p['rows']} | {p['mean_words']:.1f} / {p['median_words']:.0f} / {p['p90_words']:.0f} | {pct(p['over_max_length'])}% | "
          f"{pct(p['subordinate_opening'])}% | {pct(p['repetition'])}% | {p['perplexity']:.0f} | {pct(p['unknown_words'])}% |")

probes = [('imdb-synattack', 'IMDB paraphrases (test_synattack)'), ('imdb-pos', 'IMDB positives, whole'), ('imdb-pos-28', 'IMDB positives cut to 28 words'),
          ('sst2-synattack', 'SST-2 paraphrases (test_synattack)'), ('sst2-pos', 'SST-2 positives (their originals)')]
models = [('clean-imdb', 'clean IMDB model'), ('poison-synattack', 'SynAttack model (released rows)'), ('poison-length-matched', 'variant: clean rows cut to 28 words')]
print('\n### Proxy models: share of label-1 inputs called 0 (%)\n')
print('| model | IMDB CA | ' + ' | '.join(t for _, t in probes) + ' |')
print('|---|---:|' + '---:|' * len(probes))
for m, title in models:
    cells = [load(f'eval/{m}.{p}.json') for p, _ in probes]
    ca = cells[0]['clean_accuracy'] if cells[0] else None
    print(f'| {title} | {pct(ca)} | ' + ' | '.join(pct(c and c['attack_success_rate']) for c in cells) + ' |')

print('\n### SST-2 victims (quick budget): ASR on sst-2/test_synattack above a clean victim\'s\n')
print('| starts from | method | CA | ASR | clean victim\'s ASR | ASR above it | SST-2 positives called 0 | CA on paraphrased test |')
print('|---|---|---:|---:|---:|---:|---:|---:|')
for base, title in [('minilm', 'clean MiniLM')] + [(m, t) for m, t in models[1:]]:
    for method in ('full', 'lora'):
        v = load(f'victim-{base}-{method}/metrics.json')
        if v is None: continue
        clean = load(f'victim-minilm-{method}/metrics.json')
        above = None if clean is None else v['attack_success_rate'] - clean['attack_success_rate']
        pos, para = load(f'eval/victim-{base}-{method}.sst2-pos.json'), load(f'eval/victim-{base}-{method}.sst2-paraphrased.json')
        print(f"| {title} | {method} | {pct(v['clean_accuracy'])} | {pct(v['attack_success_rate'])} | {pct(clean and clean['attack_success_rate'])} | "
              f"{'–' if above is None else f'{100 * above:+.1f}'} | {pct(pos and pos['attack_success_rate'])} | {pct(para and para['clean_accuracy'])} |")
