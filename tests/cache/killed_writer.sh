#!/usr/bin/env bash
# A process killed halfway through writing an entry leaves only stray temporary files: no
# visible entry is corrupt, and the next process compiles everything fine (and removes the stray).
set -euo pipefail
helper=$1 src=$2 work=$3
n=6
rm -rf "$work" && mkdir -p "$work"
cache=$work/cache
set +e
KILN_SHADER_CACHE_TEST_ABORT_MIDWRITE=1 "$helper" compile "$cache" "$src" $n
code=$?
set -e
[[ $code == 9 ]] || { echo "FAIL: the writer should have died with exit code 9, got $code"; exit 1; }
after_kill=$("$helper" verify "$cache")
echo "after the kill: $after_kill"
# Its compile threads may each have started a temporary file before one of them died: one or more.
[[ $after_kill =~ ^\{\"valid\":0,\"invalid\":0,\"temp_files\":[1-9][0-9]*\}$ ]] ||
  { echo "FAIL: expected stray temporary files only"; exit 1; }
next=$("$helper" compile "$cache" "$src" $n 2>"$work/next.err")
echo "next run: $next"
[[ $next == *"\"from_cache\":0,\"hits\":0,\"misses\":$n,\"corrupt\":0,\"entries\":$n,"* ]] || { echo "FAIL: next run"; cat "$work/next.err"; exit 1; }
final=$("$helper" verify "$cache")
echo "final: $final"
[[ $final == "{\"valid\":$n,\"invalid\":0,\"temp_files\":0}" ]] || { echo "FAIL: the stray temporary files should be gone"; exit 1; }
echo PASS
