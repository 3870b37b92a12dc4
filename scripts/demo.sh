#!/bin/sh
# scripts/demo.sh BUILD_DIR — runs the headless examples (built by `make build`) and says where their
# PNGs went. `make demo` calls it. The images land in out/ at the repository root.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in
  /*) ;;
  *) build="$(pwd)/$build" ;;
esac
if [ ! -d "$build/bin" ]; then
  echo "demo: no build in $build (run 'make build' first)" >&2
  exit 1
fi

out="$root/out"
mkdir -p "$out"
echo "Running kiln's headless examples (validation: ${KILN_VALIDATION:-off}; set KILN_VALIDATION=sync to check them)"
for example in compute_headless triangle_headless sequence_stream_headless; do
  exe="$build/bin/$example"
  if [ ! -x "$exe" ]; then
    echo "demo: $exe is missing (was the build made with -DKILN_EXAMPLES=OFF?)" >&2
    exit 1
  fi
  # Each example prints one line: where it wrote its PNG and what is in it.
  if ! "$exe" "$out/$example.png"; then
    echo "demo: $example failed" >&2
    exit 1
  fi
done

echo
echo "The PNGs:"
for example in compute_headless triangle_headless sequence_stream_headless; do
  echo "  $out/$example.png"
done
echo "Sources: $root/examples/ (docs/examples.md walks through them)"
