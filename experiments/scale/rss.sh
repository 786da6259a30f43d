#!/usr/bin/env bash
# Runs a command and samples its memory every second: CSV (seconds,rss_anon_mb,rss_mb) on RSS_CSV
# (default /dev/null), then one line "peak anon MB, peak RSS MB (VmHWM)" on stderr. RssAnon is the
# memory the process owns (heap, tensors); RSS adds the pages of files it maps (memory-mapped weights).
#   usage: RSS_CSV=out.csv experiments/scale/rss.sh COMMAND ARGS...
set -uo pipefail
csv=${RSS_CSV:-/dev/null}
"$@" &
pid=$!
start=$SECONDS peak_anon=0 hwm=0
echo "seconds,rss_anon_mb,rss_mb" > "$csv"
while kill -0 "$pid" 2>/dev/null; do
  read -r anon rss h < <(awk '/^RssAnon:/ {a=int($2/1024)} /^VmRSS:/ {r=int($2/1024)} /^VmHWM:/ {h=int($2/1024)} END {print a+0, r+0, h+0}' "/proc/$pid/status" 2>/dev/null || echo "0 0 0")
  [ "${anon:-0}" -gt "$peak_anon" ] && peak_anon=$anon
  [ "${h:-0}" -gt "$hwm" ] && hwm=$h
  echo "$((SECONDS - start)),${anon:-0},${rss:-0}" >> "$csv"
  sleep 1
done
wait "$pid"; code=$?
echo "rss.sh: peak anon ${peak_anon} MB, peak RSS ${hwm} MB (VmHWM), $((SECONDS - start)) s, exit $code" >&2
exit $code
