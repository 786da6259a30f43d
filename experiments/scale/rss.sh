#!/usr/bin/env bash
# Runs a command and samples its memory every second: CSV (seconds,rss_anon_mb,rss_mb) on RSS_CSV
# (default /dev/null), then one line "peak anon MB, peak RSS MB (VmHWM)" on stderr. RssAnon is the
# memory the process owns (heap, tensors); RSS adds the pages of files it maps (memory-mapped weights).
# Summed over the command's process tree (so `rss.sh timeout 10m CMD` measures CMD).
#   usage: RSS_CSV=out.csv experiments/scale/rss.sh COMMAND ARGS...
set -uo pipefail
csv=${RSS_CSV:-/dev/null}
"$@" &
pid=$!
start=$SECONDS peak_anon=0 hwm=0
echo "seconds,rss_anon_mb,rss_mb" > "$csv"
while kill -0 "$pid" 2>/dev/null; do
  tree=$pid frontier=$pid
  while [ -n "$frontier" ]; do
    frontier=$(for p in $frontier; do cat "/proc/$p/task/$p/children" 2>/dev/null; done | xargs echo)
    tree="$tree $frontier"
  done
  files=$(for p in $tree; do echo "/proc/$p/status"; done)
  # shellcheck disable=SC2086
  read -r anon rss h < <(cat $files 2>/dev/null | awk '/^RssAnon:/ {a+=int($2/1024)} /^VmRSS:/ {r+=int($2/1024)} /^VmHWM:/ {h+=int($2/1024)} END {print a+0, r+0, h+0}')
  [ "${anon:-0}" -gt "$peak_anon" ] && peak_anon=$anon
  [ "${h:-0}" -gt "$hwm" ] && hwm=$h
  echo "$((SECONDS - start)),${anon:-0},${rss:-0}" >> "$csv"
  sleep 1
done
wait "$pid"; code=$?
echo "rss.sh: peak anon ${peak_anon} MB, peak RSS ${hwm} MB (VmHWM), $((SECONDS - start)) s, exit $code" >&2
exit $code
