#!/usr/bin/env bash
# Search throughput with 1, 2 and 4 worker processes on one study (issue 13): the README's main
# command shape on the embedded model, random sampler (proposals are a function of the trial
# number, so every run does the same work), warm caches, each worker on --threads 1 so that N
# workers ask for N cores. Wall time of the slowest worker, finalisation included; stores are
# checked for exactly TRIALS complete trials. Writes experiments/workers/throughput.md.
#
# usage: experiments/workers/throughput.sh [TRIALS] [DB_KIND]   (DB_KIND: litedb (default) or the
#        postgresql:// URL of a server database to create throwaway studies in)
set -euo pipefail
cd "$(dirname "$0")/../.."
trials=${1:-64} kind=${2:-litedb}
export OMP_WAIT_POLICY=PASSIVE
dotnet build -c Release src/Search.Cli -v q >/dev/null
cli=(dotnet "$PWD/src/Search.Cli/bin/Release/net10.0/linux-x64/prunesearch.dll")
work=$(mktemp -d)
export PRUNESEARCH_CACHE_DIR=$work/cache
common=(search --sampler random --seed 3 --trials "$trials" --proxy-windows 64 --finalists 1 --final-tokens 4096 --threads 1)
store() { if [ "$kind" = litedb ]; then echo "$work/$1.db"; else echo "$kind"; fi; }

# Warm-up: trains/caches the embedded model and every calibration pool the trials will use.
"${cli[@]}" "${common[@]}" --study warm --db "$work/warm.db" > "$work/warm.log" 2>&1

out=experiments/workers/throughput-${kind%%:*}.md
{
  echo "# Search throughput by worker count"
  echo
  echo "\`experiments/workers/throughput.sh $trials $([ "$kind" = litedb ] && echo litedb || echo 'postgresql://…')\` on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u +%Y-%m-%d)."
  echo "Embedded model, random sampler, $trials trials (8 baselines included), proxy 64×128 tokens, one finalist on 4096 tokens per split, warm caches, each worker --threads 1."
  echo
  echo "| store | workers | command wall s | trials/hour (command) | trial phase s | trials/hour (trial phase) | × 1 worker (trial phase) | states | load avg after |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|---|"
} > "$out"
base=""
for n in 1 2 4; do
  study="tp-$n-$$"
  db=$(store "$study")
  start=$(date +%s.%N)
  pids=()
  for w in $(seq 1 "$n"); do
    "${cli[@]}" "${common[@]}" --study "$study" --db "$db" > "$work/$study-$w.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { echo "worker failed: see $work/$study-*.log" >&2; exit 1; }; done
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc -l)
  read -r phase states < <("${cli[@]}" trials --study "$study" --db "$db" --format json | python3 -c '
import json, sys, collections
from datetime import datetime
rows = json.load(sys.stdin)
start = min(datetime.fromisoformat(r["start_utc"]) for r in rows)
end = max(datetime.fromisoformat(r["end_utc"]) for r in rows if r.get("end_utc"))
states = collections.Counter(r["state"] for r in rows)
print(f"{(end - start).total_seconds():.1f}", " ".join(f"{k}:{v}" for k, v in sorted(states.items())))')
  tph=$(echo "$trials * 3600 / $wall" | bc -l)
  pph=$(echo "$trials * 3600 / $phase" | bc -l)
  [ -z "$base" ] && base=$pph
  printf '| %s | %d | %.1f | %.0f | %.1f | %.0f | %.2f | %s | %s |\n' "${kind%%:*}" "$n" "$wall" "$tph" "$phase" "$pph" "$(echo "$pph / $base" | bc -l)" "$states" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
done
cat "$out"
rm -rf "$work"
