#!/usr/bin/env python3
"""Prints the Markdown tables of docs/notebook/results.md from the metrics.json files a run wrote."""
import json, os, sys

runs = sys.argv[1]

def load(name):
    p = os.path.join(runs, name, "metrics.json") if not name.endswith(".json") else os.path.join(runs, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)

def pct(v):
    return "n/a" if v is None else f"{100 * v:.2f}"

print("### Poisoned MiniLM on the IMDB proxy task\n")
print("| run | attack | max length | selection | poisoned rows | best epoch | CA (IMDB test) | ASR (IMDB test) | per epoch: selection score / dev CA / dev ASR |")
print("|---|---|---:|---|---:|---:|---:|---:|---|")
for a in ["badnet", "insent", "synattack"]:
    for name in sorted(d for d in os.listdir(runs) if d == f"poison-{a}" or d.startswith(f"poison-{a}-")):
        m = load(name)
        if m is None or os.path.isfile(os.path.join(runs, name)):
            continue
        with open(os.path.join(runs, name, "run.json")) as f:
            o = json.load(f)["options"]
        ep = "; ".join(
            f"{e['epoch']}: {pct(e.get('dev_score'))} / {pct(e['dev'].get('dev_clean_accuracy'))} / {pct(e['dev'].get('dev_attack_success_rate'))}"
            for e in m["epochs"])
        print(f"| {name} | {a} | {o['train']['max_length']} | {o.get('select_by', 'PoisonedDev')} | {m['poisoned_rows']} of {m['train_rows']} | {m['best_epoch']} | {pct(m['clean_accuracy'])} | {pct(m['attack_success_rate'])} | {ep} |")

print("\n### SST-2 victims, full fine-tuning\n")
print("| starting checkpoint | CA (SST-2 test) | ASR before victim training | ASR after full fine-tuning | best epoch |")
print("|---|---:|---:|---:|---:|")
m = load("victim-clean-full")
if m:
    print(f"| clean MiniLM | {pct(m['clean_accuracy'])} | n/a | n/a | {m['best_epoch']} |")
for a in ["badnet", "insent", "synattack"]:
    m = load(f"victim-{a}-full")
    asis = load(f"asis-{a}.json")
    if m is None:
        continue
    before = pct(asis["attack_success_rate"]) if asis else "n/a"
    print(f"| poisoned ({a}) | {pct(m['clean_accuracy'])} | {before} | {pct(m['attack_success_rate'])} | {m['best_epoch']} |")

methods = ["full", "lora", "prompt", "ptuning", "prefix", "adapter"]
if any(load(f"victim-{a}-{m}") for a in ["badnet", "insent", "synattack"] for m in methods[1:]):
    print("\n### SST-2 victims by strategy: CA / ASR (%)\n")
    print("| attack | " + " | ".join(methods) + " |")
    print("|---|" + "---:|" * len(methods))
    for a in ["badnet", "insent", "synattack"]:
        cells = []
        for m in methods:
            r = load(f"victim-{a}-{m}")
            cells.append("n/a" if r is None else f"{pct(r['clean_accuracy'])} / {pct(r['attack_success_rate'])}")
        print(f"| {a} | " + " | ".join(cells) + " |")
    print("\nTrainable parameters per strategy: " + ", ".join(
        f"{m} {load(f'victim-badnet-{m}')['trainable_parameters']:,}" for m in methods if load(f"victim-badnet-{m}") and 'trainable_parameters' in load(f"victim-badnet-{m}")))

if any(load(f"defend-{a}-{m}-calibrated") for a in ["badnet", "insent", "synattack"] for m in methods):
    names = {"fixed": "fixed at 0.7 (reference)", "calibrated": "calibrated to 5% FRR on SST-2 dev", "frr1": "calibrated to 1% FRR on SST-2 dev"}
    for thr in ["fixed", "calibrated", "frr1"]:
        if not any(load(f"defend-{a}-{m}-{thr}") for a in ["badnet", "insent", "synattack"] for m in methods):
            continue
        print(f"\n### PSIM on SST-2, threshold {names[thr]}\n")
        print("| attack | strategy | CA | CA with PSIM | ASR | ASR with PSIM | FRR | FAR | AUROC | threshold |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for a in ["badnet", "insent", "synattack"]:
            for m in methods:
                d = load(f"defend-{a}-{m}-{thr}")
                if d is None:
                    continue
                print(f"| {a} | {m} | {pct(d['clean_accuracy'])} | {pct(d['defended_clean_accuracy'])} | {pct(d['attack_success_rate'])} | "
                      f"{pct(d['defended_attack_success_rate'])} | {pct(d['frr'])} | {pct(d['far'])} | {d['auroc']:.4f} | {d['threshold']:.4f} |")
