#!/usr/bin/env bash
# The PEFT half of docs/results.md (spec section 3): starting from each poisoned MiniLM that
# weight-poisoning.sh built, SST-2 victims with LoRA, prompt tuning, P-tuning, P-tuning v2 (prefix)
# and bottleneck adapters, each at psim's reference settings; CA and ASR per attack and method.
# Usage: bench/experiments/peft-victims.sh [RUNS_DIR] [DATA_DIR]   (VICTIM_EPOCHS=3 by default)
# A step whose metrics.json exists is skipped, so the script resumes where it stopped.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-$root/runs}"
data="${2:-$root/../shared/datasets}"
victim_epochs="${VICTIM_EPOCHS:-3}"
bin="$runs/.psim-bin"
dotnet build "$root/src/Psim.Cli/Psim.Cli.csproj" -c Release -o "$bin" --nologo -v quiet >/dev/null
psim() { dotnet "$bin/Psim.Cli.dll" "$@"; }

step() { # step NAME COMMAND...
  local name="$1"; shift
  if [ -f "$runs/$name/metrics.json" ]; then echo "== $name: done, skipped"; return; fi
  echo "== $name: $*"
  local t0=$SECONDS
  "$@" 2> >(tee "$runs/$name.log" >&2)
  echo "== $name: $((SECONDS - t0)) s"
}

for attack in ${ATTACKS:-badnet insent synattack}; do
  for method in lora prompt ptuning prefix adapter; do
    step "victim-$attack-$method" psim finetune --model "$runs/poison-$attack" --method "$method" --data "$data/sst-2" \
      --out "$runs/victim-$attack-$method" --attack "$attack" --epochs "$victim_epochs" --seed 42
  done
done
python3 "$root/bench/experiments/summarize.py" "$runs"
