#!/usr/bin/python3
"""Compares results_ours.json (PruneSearch) with results_numpy.json (flap_numpy.py); prints a markdown
table of ppl, relative difference and whether the plans are identical (kept KV-group and MLP-channel indices of every layer). Exit 1 if any
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
    same = a["kept"] == b["kept"] and a["kept_groups"] == b["kept_groups"] and a.get("kept_channels") == b.get("kept_channels")
    kept = " ".join(f"{g}/{c}" for g, c in b["kept"])
    print(f"| {name} | {pct}% | {a['ppl']:.6f} | {b['ppl']:.6f} | {r:.2e} | {'yes' if same else 'NO'} | {kept} | {b['achieved']:.4f} |")
variants = [v for v in ("group-then-z", "z-then-mean-sq") if os.path.exists(os.path.join(here, f"results_numpy_{v}.json"))]
if variants:
    print("\n**Other head-score conventions (not part of the pass/fail check).** PruneSearch follows METHODS.md §2 / FLAP: "
          "z-score the layer's H·h channel scores, average them per KV group (z-then-mean). For reference: group-then-z (reduce raw "
          "channel scores per group, then z-score the G group scores; an earlier PruneSearch convention) and z-then-mean-sq "
          "(FLAP's squaring of attention scores). UL-UM is unaffected (a per-layer affine map keeps the order); AL-AM changes:\n")
    print("| method | ratio | PruneSearch ppl | NumPy group-then-z | rel. diff | NumPy z-then-mean-sq | rel. diff | kept (group-then-z) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    var = {v: json.load(open(os.path.join(here, f"results_numpy_{v}.json")))["results"] for v in variants}
    for key in var[variants[0]]:
        a = ours["results"][key]["ppl"]
        cells = []
        for v in ("group-then-z", "z-then-mean-sq"):
            b = var.get(v, {}).get(key)
            cells += [f"{b['ppl']:.6f}", f"{rel(a, b['ppl']):.2e}"] if b else ["–", "–"]
        name, pct = key.split("@")
        kept = " ".join(f"{g}/{c}" for g, c in var[variants[0]][key]["kept"])
        print(f"| {name} | {pct}% | {a:.6f} | {' | '.join(cells)} | {kept} |")
print(f"\nworst relative difference {worst:.2e} (target < {TOL:g}): {'PASS' if worst < TOL else 'FAIL'}")
sys.exit(0 if worst < TOL else 1)
