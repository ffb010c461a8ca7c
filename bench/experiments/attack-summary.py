#!/usr/bin/env python3
"""Markdown tables of a (possibly unfinished) attack-family study, from its plan.json and the metrics.json of
every finished step: the poisoned models, the victims (CA / ASR), PSIM at its calibrated threshold (AUROC,
FRR, ASR before -> after) and at 0.7, and every detector of the baselines steps at one clean-dev FRR (AUROC, FRR,
FAR, CA and ASR with it, cost). A step not finished is "-". A poisoning two task pairs share is planned once.
   usage: attack-summary.py STUDY_DIR"""
import json, os, sys

study = sys.argv[1]
plan = json.load(open(os.path.join(study, "plan.json")))
def metrics(step):
    d = os.path.join(study, "steps", os.path.basename(step["dir"]))  # the folder may have moved since it was planned
    p = os.path.join(d, "metrics.json")
    return json.load(open(p)) if os.path.exists(os.path.join(d, "step.json")) and os.path.exists(p) else None
steps = {}
for s in plan["steps"]:
    steps[(s["kind"], s["pair"]["victim"], s["attack"], s.get("strategy"))] = metrics(s)
pairs = list(dict.fromkeys(s["pair"]["victim"] for s in plan["steps"]))
attacks = list(dict.fromkeys(s["attack"] for s in plan["steps"]))
strategies = list(dict.fromkeys(s["strategy"] for s in plan["steps"] if s.get("strategy")))
pc = lambda x: "-" if x is None else f"{100 * x:.1f}"

print("| victim task | attack | poisoned model CA / ASR | " + " | ".join(f"{s} CA / ASR" for s in strategies) + " |")
print("|---|---|---:|" + "---:|" * len(strategies))
for v in pairs:
    for a in attacks:
        p = steps.get(("poison", v, a, None)) or next((m for (k, _, a2, _), m in steps.items() if k == "poison" and a2 == a and m), None)
        poisoned = "-" if p is None else (f"{pc(p.get('clean_accuracy'))} / {pc(p.get('attack_success_rate'))}" if p.get("clean_accuracy") is not None
                                          else f"(encoder; {pc(p['representation']['trigger_hit_rate'])}% of triggered dev rows nearest their vector)")
        cells = []
        for s in strategies:
            m = steps.get(("victim", v, a, s))
            cells.append("-" if m is None else f"{pc(m['clean_accuracy'])} / {pc(m['attack_success_rate'])}")
        print(f"| {v} | {a} | {poisoned} | " + " | ".join(cells) + " |")
print()
print("| victim task | attack | strategy | PSIM AUROC | calibrated τ, FRR | ASR → with PSIM (calibrated) | CA → with PSIM (calibrated) | FRR, ASR → at τ = 0.7 |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for v in pairs:
    for a in attacks:
        for s in strategies:
            c, f = steps.get(("psim-calibrated", v, a, s)), steps.get(("psim-fixed", v, a, s))
            if c is None and f is None: continue
            cal = "-" if c is None else f"{c['threshold']:.4f}, {pc(c['frr'])}"
            asr = "-" if c is None else f"{pc(c['attack_success_rate'])} → {pc(c['defended_attack_success_rate'])}"
            ca = "-" if c is None else f"{pc(c['clean_accuracy'])} → {pc(c['defended_clean_accuracy'])}"
            fixed = "-" if f is None else f"{pc(f['frr'])}, {pc(f['attack_success_rate'])} → {pc(f['defended_attack_success_rate'])}"
            print(f"| {v} | {a} | {s} | {'-' if c is None else format(c['auroc'], '.3f')} | {cal} | {asr} | {ca} | {fixed} |")
print()
print("| victim task | attack | victim | detector | AUROC | FRR | FAR | CA | ASR | s/1000 | victim passes |")
print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
for v in pairs:
    for a in attacks:
        for s in strategies:
            b = steps.get(("baselines", v, a, s))
            if b is None: continue
            none = next(x for x in b if x["defense"] == "none")
            print(f"| {v} | {a} | {s} | none | | | | {pc(none['clean_accuracy'])} | {pc(none['attack_success_rate'])} | | 1 |")
            for x in b:
                if x.get("target_frr") is None: continue
                print(f"| | | | {x['defense']} | {x['auroc']:.3f} | {pc(x['frr'])} | {pc(x['far'])} | {pc(x['clean_accuracy'])} | {pc(x['attack_success_rate'])} | "
                      f"{x['seconds_per1000']:.1f} | {x['cost']['victim_passes']} |")
print()
done = [json.load(open(os.path.join(study, "steps", os.path.basename(s["dir"]), "step.json"))) for s in plan["steps"]
        if os.path.exists(os.path.join(study, "steps", os.path.basename(s["dir"]), "step.json"))]
print(f"{len(done)} of {len(plan['steps'])} steps finished, {sum(d['seconds'] for d in done) / 60:.1f} minutes summed over their step.json; " +
      ", ".join(f"{d['step']['name']} {d['seconds']:.0f} s" for d in done if d["step"]["kind"] == "poison"))
