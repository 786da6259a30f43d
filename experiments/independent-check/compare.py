#!/usr/bin/python3
"""Compares results_ours.json (PruneSearch) with results_numpy.json (flap_numpy.py); prints a markdown
table of ppl, relative difference and whether the kept-unit plans are identical. Exit 1 if any
relative difference is >= 1e-3."""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
ours = json.load(open(os.path.join(here, "results_ours.json")))
ref = json.load(open(os.path.join(here, "results_numpy.json")))
TOL = 1e-3
rows, worst = [], 0.0


def rel(a, b):
    return abs(a - b) / abs(b)


for k in ("calibration", "evaluation"):
    a, b = ours["protocol"][k], ref["protocol"][k]
    for f in b:
        if a.get(f) != b[f]:
            print(f"PROTOCOL MISMATCH {k}.{f}: ours {a.get(f)} numpy {b[f]}")
print("| method | ratio | PruneSearch ppl | NumPy ppl | rel. diff | same plan | kept groups/channels per layer | achieved |")
print("|---|---:|---:|---:|---:|:---:|---|---:|")
r = rel(ours["dense"], ref["dense"])
worst = max(worst, r)
print(f"| dense | 0% | {ours['dense']:.6f} | {ref['dense']:.6f} | {r:.2e} | – | – | 0 |")
for key, b in ref["results"].items():
    a = ours["results"][key]
    name, pct = key.split("@")
    r = rel(a["ppl"], b["ppl"])
    worst = max(worst, r)
    same = a["kept"] == b["kept"] and a["kept_groups"] == b["kept_groups"]
    kept = " ".join(f"{g}/{c}" for g, c in b["kept"])
    print(f"| {name} | {pct}% | {a['ppl']:.6f} | {b['ppl']:.6f} | {r:.2e} | {'yes' if same else 'NO'} | {kept} | {b['achieved']:.4f} |")
print(f"\nworst relative difference {worst:.2e} (target < {TOL:g}): {'PASS' if worst < TOL else 'FAIL'}")
sys.exit(0 if worst < TOL else 1)
