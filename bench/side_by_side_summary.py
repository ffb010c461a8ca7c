#!/usr/bin/python3
"""Medians of psim.jsonl and torch.jsonl (written by bench/side-by-side.sh) as a Markdown table; last line: the ratios."""
import json, statistics, sys
from pathlib import Path

out = Path(sys.argv[1])
rows = {fw: [json.loads(l) for l in (out / f"{fw}.jsonl").read_text().splitlines() if l.strip()] for fw in ("psim", "torch")}


def values(fw, workload, key):
    return [r[key] for r in rows[fw] if r["workload"] == workload and key in r]


def matmul_per_repeat(fw):  # the better of the matmul before and after the workloads, per repeat
    by_tag = {}
    for r in rows[fw]:
        if r["workload"].startswith("matmul"):
            by_tag[r["tag"]] = max(by_tag.get(r["tag"], 0), r["gflops"])
    return list(by_tag.values())


def med(xs):
    return statistics.median(xs) if xs else float("nan")


workloads = [w for w in dict.fromkeys(r["workload"] for r in rows["psim"]) if not w.startswith("matmul")]
print(f"Machine: {(out / 'machine.txt').read_text().splitlines()[2:5]}")
print()
print("| workload | unit | psim (median) | PyTorch (median) | psim / PyTorch | psim runs | PyTorch runs |")
print("|---|---|---:|---:|---:|---|---|")
ratio = {}
for w in workloads:
    p, t = values("psim", w, "per_s"), values("torch", w, "per_s")
    ratio[w] = med(p) / med(t) if p and t else float("nan")
    unit = "sentences/s" if w.startswith("infer") else "samples/s"
    print(f"| {w} | {unit} | {med(p):.1f} | {med(t):.1f} | {ratio[w]:.2f}x | {', '.join(f'{x:.1f}' for x in p)} | {', '.join(f'{x:.1f}' for x in t)} |")
pm, tm = matmul_per_repeat("psim"), matmul_per_repeat("torch")
best_any = max(pm + tm)
print(f"| fp32 matmul 2048² | GFLOP/s | {med(pm):.1f} | {med(tm):.1f} | {med(pm) / med(tm):.2f}x | {', '.join(f'{x:.0f}' for x in pm)} | {', '.join(f'{x:.0f}' for x in tm)} |")
print()
print(f"psim's median matmul is {med(pm) / best_any:.2f}x the best matmul any library reached in this run ({best_any:.0f} GFLOP/s).")

fixed = sorted((int(w.split(":")[1]), w) for w in workloads if w.startswith("fixed_full:"))
attention_file = out / "attention.jsonl"
attention = {}  # L -> seconds per layer of psim's attention core (forward + backward, training dropout)
if attention_file.exists():
    for line in attention_file.read_text().splitlines():
        r = json.loads(line)
        if r["variant"] == "psim":
            attention[int(r["workload"].split(":")[1])] = r["s_per_layer"]
if len(fixed) >= 2:
    print()
    print("Full fine-tuning on a fixed [32, L] batch: time per token relative to the shortest length; the same without psim's attention core "
          "(6 layers × its forward + backward time, measured alone in this run, `attention.jsonl`); and what the work per token predicts (dense + attention FLOPs).")
    print()
    print("| L | psim s/step | psim s/token vs first | psim s/token without attention, vs first | FLOP/token vs first | PyTorch s/step | PyTorch s/token vs first | psim minor faults/step | psim kernel share |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    config = json.loads((out / "minilm" / "config.json").read_text())  # the model both sides ran
    h, i, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    def flop_per_token(L):
        return layers * (2 * (4 * h * h + 2 * h * i) + 4 * L * h)
    (l0, w0) = fixed[0]
    p0, t0 = med(values("psim", w0, "s_per_step")) / l0, med(values("torch", w0, "s_per_step")) / l0
    rest_per_token = {}
    rest0 = (med(values("psim", w0, "s_per_step")) - layers * attention[l0]) / l0 if l0 in attention else float("nan")
    for L, w in fixed:
        ps, ts = med(values("psim", w, "s_per_step")), med(values("torch", w, "s_per_step"))
        rest = (ps - layers * attention[L]) / L / rest0 if L in attention else float("nan")
        steps = med(values("psim", w, "steps"))
        faults = med(values("psim", w, "timed_minor_faults")) / steps if steps else float("nan")
        rest_per_token[L] = (ps - layers * attention[L]) / L if L in attention else float("nan")
        print(f"| {L} | {ps:.3f} | {ps / L / p0:.2f} | {rest:.2f} | {flop_per_token(L) / flop_per_token(l0):.2f} | {ts:.3f} | {ts / L / t0:.2f} | {faults:,.0f} | {med(values('psim', w, 'timed_kernel_share')):.1%} |")
if 128 in dict(fixed) and 256 in dict(fixed):
    print()
    print(f"psim, full fine-tuning at length 256 against 128, time per token: {med(values('psim', 'fixed_full:256', 's_per_step')) / med(values('psim', 'fixed_full:128', 's_per_step')) / 2:.2f}x; "
          f"without the attention core: {rest_per_token[256] / rest_per_token[128]:.2f}x (PyTorch: {med(values('torch', 'fixed_full:256', 's_per_step')) / med(values('torch', 'fixed_full:128', 's_per_step')) / 2:.2f}x with attention).")
print()
print(f"ratios: full={ratio.get('train_full', float('nan')):.2f} lora={ratio.get('train_lora', float('nan')):.2f} "
      f"inference={ratio.get('infer_sorted', float('nan')):.2f} matmul={med(pm) / best_any:.2f}")
