#!/bin/sh
# PruneSearch's numbers for the independent check (JSON): dense + 7 methods x {20%, 50%} on stories260K,
# each under FLAP's published rule and its "-exact" twin. Optional argument: pooled (default) or flap-exact
# statistics; flap-exact writes results_ours_flap-exact.json.
set -e
stats="${1:-pooled}"
suffix=""
[ "$stats" = pooled ] || suffix="_$stats"
cd "$(dirname "$0")/../.."
dotnet run -c Release --project experiments/Search.Bench -- flap-check "$stats" > "experiments/independent-check/results_ours$suffix.json"
echo "wrote experiments/independent-check/results_ours$suffix.json"
