#!/usr/bin/env bash
# Search throughput at a real shape (issue 18): runs `search` on a random-weight model of SHAPE with a
# stories.json-like joint space (calibration source/size/seqlen/seed searched, least squares allowed)
# for a fixed wall time, then reports trials/hour (baselines and every dense pass included), the
# share of the wall time in dense passes (statistics), scoring, refits (least squares), surgery and
# evaluation, and the peak anonymous and total RSS with their course over time.
#
# usage: experiments/scale/throughput.sh SHAPE DTYPE MINUTES [OUT]
#   e.g. experiments/scale/throughput.sh tinyllama-1.1b float32 60
#        LAYERS=4 experiments/scale/throughput.sh tinyllama-1.1b float32 10   (a 4-layer cut: a quick check)
# env: SPACE (search-spaces/stories.json), POOL (--pool-size, 128), PROXY (--proxy-windows of 128
#      tokens, 16 = 2,048 proxy tokens), SAMPLER (gp), COST_AWARE (1: --cost-aware), NICE (10),
#      THREADS (--threads, all cores), LAYERS (init-model --layers; unset: the whole shape).
# Writes OUT (default experiments/scale/throughput-SHAPE-DTYPE): search.log, rss.csv, trials.json, summary.md.
# Models are written once under $PRUNESEARCH_SCALE_MODELS (default /tmp/prunesearch-scale). The
# study starts empty; calibration statistics already in the cache ($PRUNESEARCH_CACHE_DIR) are reused,
# so set PRUNESEARCH_CACHE_DIR to an empty folder to count every dense pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
shape=$1 dtype=$2 minutes=$3
out=${4:-experiments/scale/throughput-$shape-$dtype}
space=${SPACE:-search-spaces/stories.json} pool=${POOL:-128} proxy=${PROXY:-16} sampler=${SAMPLER:-gp}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export OMP_WAIT_POLICY=PASSIVE
dotnet build -c Release src/Search.Cli -v q >/dev/null
cli=(dotnet "$PWD/src/Search.Cli/bin/Release/net10.0/linux-x64/prunesearch.dll")
models=${PRUNESEARCH_SCALE_MODELS:-/tmp/prunesearch-scale}
model=$models/$shape-$dtype${LAYERS:+-l$LAYERS}
[ -d "$model" ] || "${cli[@]}" init-model --shape "$shape" --dtype "$dtype" --out "$model" ${LAYERS:+--layers "$LAYERS"} \
  --tokenizer "$PWD/../shared/tokenizers/llama2-32k"
rm -f "$out/study.db"
extra=()
[ "${COST_AWARE:-1}" = 1 ] && extra+=(--cost-aware)
[ -n "${THREADS:-}" ] && extra+=(--threads "$THREADS")
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores" > "$out/summary.md.head"
start=$(date +%s)
# The search is stopped at the wall limit (SIGTERM; a stopped study resumes from its store).
RSS_CSV="$out/rss.csv" experiments/scale/rss.sh timeout "${minutes}m" nice -n "${NICE:-10}" "${cli[@]}" search \
  --model "$model" --space "$space" --study throughput --db "$out/study.db" --trials 100000 --sampler "$sampler" \
  --ratio 0.2 --eval-dataset wikitext2 --seqlen 128 --proxy-windows "$proxy" --pool-size "$pool" --finalists 1 \
  --dtype "$dtype" --data-dir "$PWD/../shared/data" "${extra[@]}" > "$out/search.log" 2> "$out/rss.txt" || true
wall=$(( $(date +%s) - start ))
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/summary.md.head"
"${cli[@]}" trials --study throughput --db "$out/study.db" --format json > "$out/trials.json"
python3 - "$out" "$wall" "$model" "$shape" "$dtype" "$minutes" <<'PY'
import csv, json, os, sys
out, wall, model, shape, dtype, minutes = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
trials = json.load(open(f"{out}/trials.json"))
done = [t for t in trials if t.get("state") in ("Complete", "Failed")]
complete = [t for t in trials if t.get("state") == "Complete"]
stages = ["statistics", "scoring", "reconstruction", "surgery", "eval"]
sums = {s: sum(float(t.get(f"time.{s}") or 0) for t in done) for s in stages}
weights = sum(os.path.getsize(os.path.join(model, f)) for f in os.listdir(model) if f.endswith(".safetensors"))
rows = [list(map(int, r)) for r in list(csv.reader(open(f"{out}/rss.csv")))[1:] if r]
peak_anon = max((r[1] for r in rows), default=0)
peak_rss = max((r[2] for r in rows), default=0)
head = open(f"{out}/summary.md.head").read().strip().splitlines()
lines = [f"# search throughput: {shape} {dtype} ({model}), {minutes} min wall limit", "",
         f"- machine: {os.cpu_count()} cores; {'; '.join(head)}",
         f"- wall {wall:.0f} s; trials finished {len(done)} ({len(complete)} Complete, "
         f"{sum(1 for t in done if t.get('baseline'))} of them baselines): **{len(done) / wall * 3600:.1f} trials/hour**",
         f"- weights {weights / 2**30:.2f} GiB; peak anonymous {peak_anon} MiB ({peak_anon * 2**20 / weights:.2f}x weights), "
         f"peak RSS {peak_rss} MiB ({peak_rss * 2**20 / weights:.2f}x)", "",
         "| stage | seconds | share of wall |", "|---|---:|---:|"]
names = {"statistics": "dense passes (statistics)", "scoring": "scoring + allocation", "reconstruction": "refits (least squares)",
         "surgery": "surgery", "eval": "evaluation"}
for s in stages:
    lines.append(f"| {names[s]} | {sums[s]:.0f} | {sums[s] / wall:.1%} |")
other = wall - sum(sums.values())
lines.append(f"| other (model load, teacher, sampler, store, unfinished trial) | {other:.0f} | {other / wall:.1%} |")
lines += ["", "RSS over time (MiB; rss.csv has every second):", "", "| t (s) | anonymous | total |", "|---:|---:|---:|"]
for i in range(0, len(rows), max(1, len(rows) // 10)):
    lines.append(f"| {rows[i][0]} | {rows[i][1]} | {rows[i][2]} |")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
rm -f "$out/summary.md.head"
