#!/usr/bin/env bash
# Scale measurements on a random-weight model of a real shape (README "Scale"): dense eval,
# prune --out and a reload of the export, and a search — each step's wall time and peak RSS, the
# search's RSS sampled every 2 s (rss.csv), and the evaluator's GFLOP/s next to the machine's
# GEMM rate (Search.Bench scale). Everything goes to OUT (default experiments/scale/SHAPE-DTYPE).
#
# usage: experiments/scale/run.sh SHAPE DTYPE TRIALS [OUT]
#   e.g. experiments/scale/run.sh tinyllama-1.1b float32 50
#        CALIB=16x128 WINDOWS=8 experiments/scale/run.sh llama2-7b bfloat16 0   (TRIALS 0: no search step)
# DTYPE is both the stored and the compute dtype (bfloat16 GEMMs are ~2x float32's on AMX CPUs).
# CALIB (default 64x128) is the prune step's calibration, WINDOWS (default 16) the evaluation windows
# of 128 tokens; a 7B model on 2 cores needs the smaller ones to finish in under an hour.
# SPACE (default search-spaces/scale.json) is the search's space; SEARCH_ONLY=1 skips the eval,
# prune and reload steps (appending to steps.txt), e.g. for a 7B model on 2 cores:
#   SEARCH_ONLY=1 SPACE=search-spaces/scale-smoke.json WINDOWS=8 experiments/scale/run.sh llama2-7b bfloat16 3
# Models are written once under $PRUNESEARCH_SCALE_MODELS (default /tmp/prunesearch-scale).
set -euo pipefail
cd "$(dirname "$0")/../.."
shape=$1 dtype=$2 trials=$3
calib=${CALIB:-64x128} windows=${WINDOWS:-16} space=${SPACE:-search-spaces/scale.json}
out=${4:-experiments/scale/$shape-$dtype}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export OMP_WAIT_POLICY=PASSIVE
dotnet build -c Release src/Search.Cli -v q >/dev/null
dotnet build -c Release experiments/Search.Bench -v q >/dev/null
cli=(dotnet "$PWD/src/Search.Cli/bin/Release/net10.0/linux-x64/prunesearch.dll")
bench=("$PWD/experiments/Search.Bench/bin/Release/net10.0/linux-x64/Search.Bench")
models=${PRUNESEARCH_SCALE_MODELS:-/tmp/prunesearch-scale}
model=$models/$shape-$dtype
data=$PWD/../shared/data
[ -d "$model" ] || "${cli[@]}" init-model --shape "$shape" --dtype "$dtype" --out "$model" --tokenizer "$PWD/../shared/tokenizers/llama2-32k"

# Runs a command, samples its RSS every 2 s into NAME.rss.csv (seconds,rss_mb), and appends
# "NAME seconds peak_rss_mb exit" to steps.txt.
step() {
  local name=$1; shift
  local start=$SECONDS
  "$@" > "$out/$name.log" 2>&1 &
  local pid=$! peak=0
  echo "seconds,rss_mb" > "$out/$name.rss.csv"
  while kill -0 "$pid" 2>/dev/null; do
    local rss hwm
    rss=$(awk '/^VmRSS:/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || echo 0)
    hwm=$(awk '/^VmHWM:/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
    echo "$((SECONDS - start)),${rss:-0}" >> "$out/$name.rss.csv"
    sleep 2
  done
  local code=0
  wait "$pid" || code=$?
  echo "$name $((SECONDS - start)) $peak $code" >> "$out/steps.txt"
  echo "$name: $((SECONDS - start)) s, peak RSS $peak MB, exit $code ($(cut -d' ' -f1-3 /proc/loadavg) load)"
}

: > "$out/steps.txt.new"
if [ "${SEARCH_ONLY:-0}" = 1 ]; then cat "$out/steps.txt" >> "$out/steps.txt.new" 2>/dev/null || true; fi
mv "$out/steps.txt.new" "$out/steps.txt"
if [ "${SEARCH_ONLY:-0}" != 1 ]; then
step gemm-and-eval "${bench[@]}" scale "$model" "$windows" 128 "$dtype"
step eval "${cli[@]}" eval --model "$model" --dataset wikitext2 --split test --seqlen 128 --max-windows "$windows" --dtype "$dtype" --data-dir "$data" --json
rm -rf "$out/pruned"
step prune "${cli[@]}" prune --model "$model" --ratio 0.2 --structure al-am --calib "wikitext2:valid:$calib:seed0" --dtype "$dtype" \
  --eval "wikitext2:valid:128:$windows" --out "$out/pruned" --data-dir "$data" --json
step reload "${cli[@]}" eval --model "$out/pruned" --dataset wikitext2 --split valid --seqlen 128 --max-windows "$windows" --dtype "$dtype" --data-dir "$data" --json
rm -rf "$out/pruned"
fi
[ "$trials" -gt 0 ] || exit 0
rm -f "$out/study.db"
step search "${cli[@]}" search --model "$model" --space "$space" --study scale --db "$out/study.db" \
  --trials "$trials" --eval-dataset wikitext2 --seqlen 128 --proxy-windows "$windows" --finalists 1 --final-tokens $((windows * 128)) --dtype "$dtype" --data-dir "$data"
"${bench[@]}" scale-summary "$out/study.db" scale | tee "$out/summary.md"
