#!/usr/bin/env bash
# Is a poisoning run bit-for-bit reproducible? Runs the same BadNet poisoning request several ways and
# prints, per run, the SHA-256 of the saved weights (the safetensors payload after its header) and the
# epoch-1 training loss. docs/quick-study/README.md cites its output.
#   bench/experiments/poison-bits.sh [WORKDIR] [DATA_ROOT]
# short: 400/100/100 IMDB rows, 1 epoch, 100 poisoned rows, under psim's defaults, PSIM_NATIVE_HEAP=default,
#        C10_THP_MEM_ALLOC_ENABLE=0, a fresh model cache, and two busy loops competing for the 2 cores;
# full:  the quick study's BadNet poisoning request (all of IMDB, 2 epochs, length 128) by `psim poison` twice
#        and by `psim reproduce` cut to BadNet + full fine-tuning, no defences.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$repo/runs/poison-bits}"
data="$(cd "${2:-$repo/../shared/datasets}" && pwd)"
psim="$repo/psim"
mkdir -p "$work/imdb400"
head -400 "$data/imdb/train.jsonl" >"$work/imdb400/train.jsonl"
head -100 "$data/imdb/dev.jsonl" >"$work/imdb400/dev.jsonl"
head -100 "$data/imdb/test.jsonl" >"$work/imdb400/test.jsonl"
bits() { python3 - "$1" <<'PY'
import json, struct, hashlib, sys, glob
d = sys.argv[1]
b = open(d + "/model.safetensors", "rb").read(); n = struct.unpack("<Q", b[:8])[0]
print(f"{d}: weights {hashlib.sha256(b[8 + n:]).hexdigest()[:16]}, epoch-1 loss {json.load(open(d + '/metrics.json'))['epochs'][0]['train_loss']!r}")
PY
}
short() { rm -rf "$work/$1"; env "${@:2}" "$psim" poison --attack badnet --data "$work/imdb400" --out "$work/$1" --epochs 1 --max-length 128 --poison-count 100 >/dev/null 2>&1; bits "$work/$1"; }
short short-default X=1
short short-heap-default PSIM_NATIVE_HEAP=default
short short-no-thp C10_THP_MEM_ALLOC_ENABLE=0
short short-fresh-cache PSIM_CACHE="$work/fresh-cache-$$"
for i in 1 2; do timeout 60 sh -c 'while :; do :; done' & done
short short-contended X=1
wait
for i in 1 2; do
  rm -rf "$work/full-$i"
  "$psim" poison --attack badnet --data "$data/imdb" --out "$work/full-$i" --epochs 2 --max-length 128 --allow-empty-text >/dev/null 2>&1
  bits "$work/full-$i"
done
printf '{ "attacks": ["badnet"], "strategies": ["full"], "defenses": [], "data_root": "%s" }\n' "$data" >"$work/cut.json"
rm -rf "$work/study"
"$psim" reproduce --preset quick --config "$work/cut.json" --out "$work/study" >/dev/null 2>&1
bits "$(ls -d "$work"/study/steps/poison-*)"
