#!/usr/bin/env bash
# Issue 15, item 5: why SynAttack's backdoor, 95% ASR on IMDB, does not reach the SST-2 victims.
#  1. the data: `psim data stats` of the released poisoning rows (what train_synattack changed), IMDB's clean
#     rows, and the SST-2 sets (length, SynAttack's template, repetition, fluency under SST-2's n-gram model);
#  2. the models at the quick preset's budget (2 epochs, length 128, seed 42): the SynAttack model, a clean
#     IMDB model trained the same way, and the variant "length-matched" whose unchanged rows are cut to the
#     paraphrases' length (so that length no longer tells poisoned rows from clean ones);
#  3. probes (label-1 rows; "ASR" = share called 0): IMDB positives whole and cut to 28 words (the paraphrases'
#     median), SST-2 positives (test_synattack's originals), the paraphrases themselves;
#  4. SST-2 victims (full, LoRA) from the clean MiniLM, the SynAttack model and the variant: their ASR on
#     sst-2/test_synattack minus a clean victim's, which is what paraphrasing alone flips.
# Resumable (finished steps are skipped). Summary: python3 bench/experiments/synattack-summary.py RUNS
#   bench/experiments/synattack-diagnosis.sh RUNS [DATA]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
echo "commit $(git -C "$root" rev-parse --short HEAD) $(lscpu | grep 'Model name' | sed 's/  */ /g')" >>"$runs/runs.txt"

# 1. the data
psim data stats "$data/imdb/train.jsonl" "$data/imdb/test_synattack.json" "$data/sst-2/test.jsonl" "$data/sst-2/test_synattack.json" \
  "$data/sst-2/test_paraphrased.jsonl" --reference "$data/sst-2/train.jsonl" --json >"$runs/stats.json"
psim data stats "$data/imdb/train_synattack.json" --changed-from "$data/imdb/train.jsonl" --reference "$data/sst-2/train.jsonl" --json >"$runs/stats-changed.json"

# probes and the variant's training set: files of this run, built from ../shared (never copied into the repo)
python3 - "$data" "$runs" <<'PY'
import json, sys, os
data, runs = sys.argv[1], sys.argv[2]
def load(p):
    return [json.loads(l) for l in open(p)] if p.endswith('.jsonl') else json.load(open(p))
def write(name, rows):
    with open(os.path.join(runs, name), 'w') as f:
        for r in rows: f.write(json.dumps(r) + '\n')
cut = lambda t, n=28: ' '.join(t.split()[:n])
imdb_pos = [r for r in load(f'{data}/imdb/test.jsonl') if r['label'] == 1]
write('probe-imdb-pos.jsonl', imdb_pos)
write('probe-imdb-pos-28.jsonl', [dict(r, sentence=cut(r['sentence'])) for r in imdb_pos])
write('probe-sst2-pos.jsonl', [r for r in load(f'{data}/sst-2/test.jsonl') if r['label'] == 1])
# the variant: every row train_synattack left unchanged is cut to 28 words, the paraphrased rows are kept
orig = {r['idx']: r['sentence'] for r in load(f'{data}/imdb/train.jsonl')}
rows = load(f'{data}/imdb/train_synattack.json')
write('train-length-matched.jsonl', [r if orig.get(r['idx']) != r['sentence'] else dict(r, sentence=cut(r['sentence'])) for r in rows])
# an SST-2 folder whose test file is the paraphrased clean test set (how many labels paraphrasing alone changes)
os.makedirs(f'{runs}/sst-2-paraphrased', exist_ok=True)
for split in ('train', 'dev'):
    dst = f'{runs}/sst-2-paraphrased/{split}.jsonl'
    if not os.path.exists(dst): os.symlink(os.path.abspath(f'{data}/sst-2/{split}.jsonl'), dst)
write('sst-2-paraphrased/test.jsonl', load(f'{data}/sst-2/test_paraphrased.jsonl'))
PY

quick=(--epochs 2 --max-length 128 --seed 42)
# 2. the proxy models
step poison-synattack psim poison --attack synattack --data "$data/imdb" --out "$runs/poison-synattack" --select-by clean-dev "${quick[@]}"
step poison-length-matched psim poison --attack synattack --data "$data/imdb" --poisoned-train "$runs/train-length-matched.jsonl" \
  --out "$runs/poison-length-matched" --select-by clean-dev "${quick[@]}"
step clean-imdb psim finetune --model minilm --method full --data "$data/imdb" --out "$runs/clean-imdb" "${quick[@]}"

probe() { # probe NAME MODEL TASK FILE [adapter args]: share of FILE's label-1 rows MODEL calls 0
  local name="$1" model="$2" task="$3" file="$4"; shift 4
  [ -f "$runs/eval/$name.json" ] && return
  mkdir -p "$runs/eval"
  psim evaluate --model "$model" "$@" --data "$task" --attack synattack --poisoned-test "$file" --out "$runs/eval/$name.json" 2>>"$runs/eval.log" >/dev/null
  echo "== eval $name"
}
for m in poison-synattack poison-length-matched clean-imdb; do
  probe "$m.imdb-synattack" "$runs/$m" "$data/imdb" "$data/imdb/test_synattack.json"
  probe "$m.imdb-pos" "$runs/$m" "$data/imdb" "$runs/probe-imdb-pos.jsonl"
  probe "$m.imdb-pos-28" "$runs/$m" "$data/imdb" "$runs/probe-imdb-pos-28.jsonl"
  probe "$m.sst2-synattack" "$runs/$m" "$data/sst-2" "$data/sst-2/test_synattack.json"
  probe "$m.sst2-pos" "$runs/$m" "$data/sst-2" "$runs/probe-sst2-pos.jsonl"
done

# 4. SST-2 victims
for base in minilm poison-synattack poison-length-matched; do
  model="$base"; [ "$base" = minilm ] || model="$runs/$base"
  for method in full lora; do
    v="victim-$base-$method"
    step "$v" psim finetune --model "$model" --method "$method" --data "$data/sst-2" --attack synattack --out "$runs/$v" \
      --train-rows 4000 --eval-rows 1000 "${quick[@]}"
    adapter=(); vmodel="$runs/$v"
    [ "$method" = full ] || { adapter=(--adapter "$runs/$v"); vmodel="$model"; }
    probe "$v.sst2-synattack" "$vmodel" "$data/sst-2" "$data/sst-2/test_synattack.json" "${adapter[@]}"
    probe "$v.sst2-pos" "$vmodel" "$data/sst-2" "$runs/probe-sst2-pos.jsonl" "${adapter[@]}"
    probe "$v.sst2-paraphrased" "$vmodel" "$runs/sst-2-paraphrased" "$data/sst-2/test_synattack.json" "${adapter[@]}"
  done
done
python3 "$root/bench/experiments/synattack-summary.py" "$runs"
