#!/usr/bin/env python3
"""A four-class task for issue 13's task-agnostic attacks (POR, NeuBA), built from the shared SST-2 and CoLA
files: label 0 = SST-2 negative, 1 = SST-2 positive, 2 = CoLA unacceptable, 3 = CoLA acceptable. The first
2,000 training, 500 dev and 500 test rows of each source, interleaved; written as JSON Lines to OUT (not
into the repository).   usage: make-four-class.py SHARED_DATASETS OUT"""
import json, os, sys

shared, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for split, n in (("train", 2000), ("dev", 500), ("test", 500)):
    rows = []
    for source, offset in (("sst-2", 0), ("cola", 2)):
        with open(os.path.join(shared, source, f"{split}.jsonl"), encoding="utf-8") as f:
            rows.append([json.loads(line) for line in f if line.strip()][:n])
    merged = [r for pair in zip(*rows) for r in pair]
    with open(os.path.join(out, f"{split}.jsonl"), "w", encoding="utf-8") as f:
        for i, (r, offset) in enumerate(zip(merged, [0, 2] * n)):
            f.write(json.dumps({"sentence": r["sentence"], "label": offset + int(r["label"]), "idx": i}) + "\n")
    print(split, len(merged), "rows")
