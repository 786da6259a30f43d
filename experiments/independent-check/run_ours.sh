#!/bin/sh
# PruneSearch's numbers for the independent check (JSON): dense + 4 methods x {20%, 50%} on stories260K.
set -e
cd "$(dirname "$0")/../.."
dotnet run -c Release --project experiments/Search.Bench -- flap-check > experiments/independent-check/results_ours.json
echo "wrote experiments/independent-check/results_ours.json"
