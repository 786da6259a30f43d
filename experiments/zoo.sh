#!/usr/bin/env bash
# Trains every zoo model (once: a model already in the cache is reused) and writes results/zoo/README.md
# from their training.json files. Needs ../shared (corpora and stories260K's tokenizer).
#
#   experiments/zoo.sh                 # cache: $PRUNESEARCH_CACHE_DIR, else ~/.cache/prunesearch
#   PRUNESEARCH_CACHE_DIR=/work/zoo-cache experiments/zoo.sh
#
# Models land in $PRUNESEARCH_CACHE_DIR/zoo/NAME-vV-HASH/ (HF folder + tokenizer.model + training.json +
# recipe.json); use them anywhere as --model zoo:NAME with the same cache. Whole zoo: about an hour of
# CPU time (results/zoo/README.md states each model's); trainings run at nice 10 on a shared machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dotnet build -c Release src/Search.Cli >/dev/null
cli=(dotnet "src/Search.Cli/bin/Release/net10.0/linux-x64/prunesearch.dll")
nice -n 10 "${cli[@]}" zoo train all
mkdir -p results/zoo
"${cli[@]}" zoo report --out results/zoo/README.md
echo "wrote results/zoo/README.md"
