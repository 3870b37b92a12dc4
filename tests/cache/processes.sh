#!/usr/bin/env bash
# Four processes compile the same 24 shaders into one empty cache at once; every entry must then
# validate, and a fifth process must get all 24 from the cache.
set -euo pipefail
helper=$1 src=$2 work=$3
n=24
rm -rf "$work" && mkdir -p "$work"
cache=$work/cache
pids=()
for i in 1 2 3 4; do
  "$helper" compile "$cache" "$src" $n >"$work/run$i.json" 2>"$work/run$i.err" &
  pids+=($!)
done
for i in 0 1 2 3; do
  wait "${pids[$i]}" || { echo "run $((i + 1)) failed:"; cat "$work/run$((i + 1)).err"; exit 1; }
done
cat "$work"/run*.json
verify=$("$helper" verify "$cache")
echo "verify: $verify"
[[ $verify == "{\"valid\":$n,\"invalid\":0,\"temp_files\":0}" ]] || { echo "FAIL: cache not whole"; exit 1; }
fifth=$("$helper" compile "$cache" "$src" $n)
echo "fifth run: $fifth"
[[ $fifth == *"\"from_cache\":$n,\"hits\":$n,\"misses\":0,\"corrupt\":0,\"entries\":$n,"* ]] || { echo "FAIL: fifth run missed"; exit 1; }
if grep -q "corrupt entry" "$work"/run*.err; then echo "FAIL: a process saw a corrupt entry"; cat "$work"/run*.err; exit 1; fi
echo PASS
