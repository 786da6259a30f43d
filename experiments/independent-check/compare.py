#!/usr/bin/python3
"""Compares results_ours.json (PruneSearch) with results_numpy.json (flap_numpy.py), or the _flap-exact pair with
--stats flap-exact. Prints a markdown table of ppl, relative difference and whether the plans are identical
(kept KV-group and MLP-channel indices of every layer), then PruneSearch's exact-budget twins next to the
published rules. Exit 1 if any relative difference is >= 1e-6, any plan differs or the protocols differ."""
import argparse
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--stats", default="pooled", choices=["pooled", "flap-exact"])
a = ap.parse_args()
suffix = "" if a.stats == "pooled" else "_" + a.stats
ours = json.load(open(os.path.join(here, f"results_ours{suffix}.json")))
ref = json.load(open(os.path.join(here, f"results_numpy{suffix}.json")))
TOL = 1e-6
worst, failures = 0.0, []


def rel(x, y):
    return abs(x - y) / abs(y)


for k in ("calibration", "evaluation"):
    x, y = ours["protocol"][k], ref["protocol"][k]
    for f in y:
        if x.get(f) != y[f]:
            failures.append(f"protocol {k}.{f}: ours {x.get(f)} numpy {y[f]}")
if ours.get("stats") != ref.get("stats"):
    failures.append(f"statistics mode: ours {ours.get('stats')} numpy {ref.get('stats')}")

print(f"Statistics: {a.stats}\n")
print("| method | ratio | PruneSearch ppl | NumPy ppl | rel. diff | same plan | kept groups/channels per layer | achieved |")
print("|---|---:|---:|---:|---:|:---:|---|---:|")
r = rel(ours["dense"], ref["dense"])
worst = max(worst, r)
print(f"| dense | 0% | {ours['dense']:.6f} | {ref['dense']:.6f} | {r:.2e} | – | – | 0 |")
for key, b in ref["results"].items():
    x = ours["results"][key]
    name, pct = key.split("@")
    r = rel(x["ppl"], b["ppl"])
    worst = max(worst, r)
    same = x["kept_groups"] == b["kept_groups"] and x["kept_channels"] == b["kept_channels"]
    if not same:
        failures.append(f"{key}: plans differ")
    kept = " ".join(f"{g}/{c}" for g, c in b["kept"]) + (" (guard)" if b.get("guard") else "")
    print(f"| {name} | {pct}% | {x['ppl']:.6f} | {b['ppl']:.6f} | {r:.2e} | {'yes' if same else 'NO'} | {kept} | {b['achieved']:.4f} |")

print("\nPublished rule vs exact-budget twin (PruneSearch only; achieved = removed / prunable parameters):\n")
print("| method | ratio | published ppl | achieved | kept | -exact ppl | achieved | kept |")
print("|---|---:|---:|---:|---|---:|---:|---|")
for key, x in ours["results"].items():
    name, pct = key.split("@")
    if name.endswith("-exact"):
        continue
    t = ours["results"][f"{name}-exact@{pct}"]
    row = lambda v: [f"{v['ppl']:.4f}", f"{v['achieved']:.4f}", " ".join(f"{g}/{c}" for g, c in v["kept"])]
    print(f"| {name} | {pct}% | {' | '.join(row(x))} | {' | '.join(row(t))} |")

for f in failures:
    print(f"FAIL {f}")
ok = worst < TOL and not failures
print(f"\nworst relative difference {worst:.2e} (target < {TOL:g}), plans identical: "
      f"{'yes' if not any('plans' in f for f in failures) else 'NO'}: {'PASS' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
