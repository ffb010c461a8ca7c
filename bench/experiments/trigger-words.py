#!/usr/bin/env python3
"""How many rows of a JSON Lines data file carry 0, 1, 2, ... of the given words (whitespace tokens of the `sentence`
field, else `text`): how often clean rows hold a multi-word trigger's words (docs/guard/README.md).
Usage: bench/experiments/trigger-words.py FILE WORD [WORD ...]"""
import json
import sys

path, words = sys.argv[1], set(sys.argv[2:])
counts = [0] * (len(words) + 1)
with open(path, encoding="utf-8") as f:
    for line in f:
        if line.strip():
            row = json.loads(line)
            counts[len(set(row.get("sentence", row.get("text", "")).split()) & words)] += 1
print(f"{path}: " + ", ".join(f"{k} of the words: {n}" for k, n in enumerate(counts)))
