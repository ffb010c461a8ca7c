#!/usr/bin/env python3
"""Counts the rows of some shared data files whose reference ids hold a symbol psim's old tokenizer
dropped (` $ + < = > ^ | ~), from ../shared/reference/bert-uncased-ids.jsonl.

    python3 bench/experiments/symbol-rows.py [REFERENCE] [FILE ...]   (default: imdb/train.jsonl imdb/test.jsonl)
"""
import json
import sys

SYMBOL_IDS = {1036, 1002, 1009, 1026, 1027, 1028, 1034, 1064, 1066}  # ` $ + < = > ^ | ~ in the BERT uncased vocabulary

reference = sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/bert-uncased-ids.jsonl"
files = set(sys.argv[2:]) or {"imdb/train.jsonl", "imdb/test.jsonl"}
rows = [json.loads(line) for line in open(reference, encoding="utf-8")]
rows = [r for r in rows if r["file"] in files]
with_symbols = sum(1 for r in rows if any(i in SYMBOL_IDS for i in r["ids"]))
print(f"{with_symbols} of {len(rows)} rows of {', '.join(sorted(files))} hold one of ` $ + < = > ^ | ~")
