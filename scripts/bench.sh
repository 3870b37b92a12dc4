#!/usr/bin/env bash
# Runs every benchmark program in <builddir>/bin/bench_* and prints their JSON lines (one object per
# line); the same lines go to out/bench.json at the repository root. A benchmark that fails is
# reported on stderr and makes the script exit non-zero after the others ran.
#   scripts/bench.sh [builddir]          (default: build)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac

if [ ! -d "$build/bin" ]; then
  echo "bench: no $build/bin; build first (make build)" >&2
  exit 1
fi

out_dir="$root/out"
mkdir -p "$out_dir"
out="$out_dir/bench.json"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

status=0
found=0
for bench in "$build"/bin/bench_*; do
  [ -f "$bench" ] && [ -x "$bench" ] || continue
  found=1
  name="$(basename "$bench")"
  echo "bench: $name" >&2
  if ! "$bench" | tee -a "$tmp" | grep '^{' ; then
    echo "bench: $name failed" >&2
    status=1
  fi
done
if [ "$found" = 0 ]; then
  echo "bench: no benchmarks in $build/bin (configure with -DKILN_BENCH=ON)" >&2
  exit 1
fi
grep '^{' "$tmp" > "$out" || true
echo "bench: wrote $out" >&2
exit $status
