#!/usr/bin/env bash
# psim vs PyTorch on this machine, same model (MiniLM), same token ids and batches, in one go.
#   bench/side-by-side.sh [DATA_DIR] [OUT_DIR] [REPEATS]
# DATA_DIR (default ../shared/datasets) holds sst-2/{train,test}.jsonl; OUT_DIR (default runs/side-by-side)
# receives machine.txt, ids.json, psim.jsonl, torch.jsonl and summary.md. PyTorch is Debian's python3-torch
# with OpenBLAS (pthreads), at its best setting here: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset, 1 torch
# thread (OpenBLAS uses every core inside each GEMM). The two sides alternate, one at a time; the last
# line is the medians' ratios: "ratios: full=X lora=Y inference=Z matmul=W" (psim / PyTorch).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$(cd "${1:-$root/../shared/datasets}" && pwd)"
out="${2:-$root/runs/side-by-side}"
repeats="${3:-3}"
torch_bert="${TORCH_BERT:-$root/../shared/bench/torch_bert.py}"
workloads="${WORKLOADS:-matmul,infer_sorted,infer_file,train_lora,train_full,fixed_full:32,fixed_full:64,fixed_full:128,fixed_full:256,matmul}"
fixed="--fixed-warmup 4 --fixed-steps 4" # both sides: the fixed-length steps after 4 warm-up steps (psim's heap grows over the first few)
mkdir -p "$out"

# PyTorch: Debian's packages (OpenBLAS, not the reference BLAS, behind numpy and torch)
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || ! ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "side-by-side: needs python3-torch, python3-numpy and libopenblas0-pthread (run as root to install them)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread >/dev/null
fi
[ -f "$torch_bert" ] || { echo "side-by-side: $torch_bert not found (set TORCH_BERT)" >&2; exit 1; }

# psim: a build of its own in OUT_DIR, so editing the sources meanwhile changes nothing
bin="$out/.bin"
dotnet build "$root/bench/Psim.Bench/Psim.Bench.csproj" -c Release -o "$bin/bench" --nologo -v quiet >/dev/null
dotnet build "$root/src/Psim.Cli/Psim.Cli.csproj" -c Release -o "$bin/cli" --nologo -v quiet >/dev/null
pkill -f Psim.Bench.dll 2>/dev/null || true # a leftover benchmark would halve every figure

{ echo "date: $(date -u +%FT%TZ)"; echo "psim commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket|Vendor ID|CPU family|Model:|L[123])' ; echo "flags: $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2)"
  echo "torch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"; echo "blas: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
} > "$out/machine.txt"
head -3 "$out/machine.txt"

[ -d "$out/minilm" ] || dotnet "$bin/cli/Psim.Cli.dll" model export --model minilm --out "$out/minilm" >/dev/null
[ -f "$out/ids.json" ] || dotnet "$bin/bench/Psim.Bench.dll" ids --data "$data" --out "$out/ids.json"
/usr/bin/python3 "$torch_bert" --model "$out/minilm" --ids "$out/ids.json" --check

rm -f "$out/psim.jsonl" "$out/torch.jsonl"
psim_side() { dotnet "$bin/bench/Psim.Bench.dll" side --ids "$out/ids.json" --out "$out/psim.jsonl" --tag "psim-$1" --workloads "$workloads" $fixed >/dev/null; }
torch_side() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$torch_bert" --model "$out/minilm" --ids "$out/ids.json" \
  --out "$out/torch.jsonl" --tag "torch-$1" --threads 1 --workloads "$workloads" $fixed >/dev/null; }
for r in $(seq 1 "$repeats"); do
  if [ $((r % 2)) = 1 ]; then first=psim_side; second=torch_side; else first=torch_side; second=psim_side; fi
  t0=$SECONDS; $first "$r"; $second "$r"
  echo "repeat $r/$repeats: $((SECONDS - t0)) s" >&2
done
# the attention core alone at the fixed lengths, to separate it from the rest of a training step
lengths=$(tr ',' '\n' <<<"$workloads" | sed -n 's/^fixed_full://p' | paste -sd, -)
rm -f "$out/attention.jsonl"
[ -z "$lengths" ] || dotnet "$bin/bench/Psim.Bench.dll" attention --lengths "$lengths" --out "$out/attention.jsonl" >/dev/null
/usr/bin/python3 "$root/bench/side_by_side_summary.py" "$out" | tee "$out/summary.md"
