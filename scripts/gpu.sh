#!/usr/bin/env bash
# Running kiln on the NVIDIA machine (docs/gpu.md).
#   scripts/gpu.sh bundle [BUILD]   here: gather kiln's programs, their libraries, the Vulkan loader
#                                   and the validation layer into .gl/ (ignored by git)
#   scripts/gpu.sh run [OUTDIR]     there: kiln info, the Vulkan tests with sync validation, the
#                                   examples, the capture layer's programs and the benchmarks; logs
#                                   and JSON into OUTDIR
#   scripts/gpu.sh layer [OUTDIR]   there: only the capture layer's programs and benchmarks
set -uo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-}
case "$cmd" in
  bundle)
    build=${2:-build}
    bins=("$build"/bin/kiln "$build"/bin/kiln_gpu_tests "$build"/bin/kiln_stream_tests "$build"/bin/bench_*
          "$build"/bin/compute_headless "$build"/bin/triangle_headless "$build"/bin/sequence_stream_headless
          "$build"/bin/upload_stream "$build"/bin/layer_cow "$build"/bin/layer_compute "$build"/bin/layer_draw "$build"/bin/layer_msaa
          "$build"/bin/layer_multiview "$build"/bin/layer_suspend "$build"/bin/layer_blocks "$build"/bin/layer_stencil "$build"/bin/layer_address "$build"/bin/layer_multi_draw
          /usr/bin/glslangValidator)
    ../shared/tools/gpu-bundle.sh "${bins[@]}"
    cp examples/*/*.comp examples/*/*.vert examples/*/*.frag .gl/bin/  # the examples look beside themselves
    mkdir -p .gl/layers
    cp /usr/lib/x86_64-linux-gnu/libVkLayer_khronos_validation.so .gl/layers/
    # The capture layer (its manifest names the library relatively already).
    if [ -f "$build/layers/libVkLayer_kiln_capture.so" ]; then
      cp "$build/layers/libVkLayer_kiln_capture.so" "$build/layers/VkLayer_kiln_capture.json" .gl/layers/
      strip .gl/layers/libVkLayer_kiln_capture.so
    fi
    strip .gl/layers/libVkLayer_khronos_validation.so
    # The manifest names the library bare (found through the system's library path); point it here.
    sed 's|"library_path": "libVkLayer|"library_path": "./libVkLayer|' \
      /usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json > .gl/layers/VkLayer_khronos_validation.json
    # glslang makes every program ~8 MB: packed, the bundle stays under the 64 MiB a run carries.
    tar -C .gl -cJf .gl/bin.tar.xz bin layers && rm -rf .gl/bin .gl/layers
    du -sh .gl
    ;;
  run|layer)
    out=${2:-${OUT:-out/gpu}}
    mkdir -p "$out"
    [ -f .gl/bin.tar.xz ] && tar -C .gl -xJf .gl/bin.tar.xz
    source .gl/env.sh
    export VK_ADD_LAYER_PATH="$PWD/.gl/layers"
    export KILN_BENCH_SHADERS="$PWD/bench/shaders" XDG_CACHE_HOME="$PWD/.gl/cache"
    # The capture layer's copy-on-write cases, validation (sync) below the layer; the timeline cases
    # need several queues in one family, which lavapipe lacks.
    for c in static static_off transfer transfer_copy transfer_image clear_image storage storage_image storage_push host \
             host_mapped destroy timeline1 timeline2 timeline2_only timeline3 timeline_behind alias attachment render_pass \
             layout draw_static; do
      VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation \
        VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT timeout 60 layer_cow --case $c --without-layer >/dev/null 2>&1
      rc=$?  # 77: skipped (the case needs what this device lacks)
      [ $rc = 0 ] || [ $rc = 77 ] || echo "cow $c without the layer: FAILED (exit $rc)"
      VK_INSTANCE_LAYERS=VK_LAYER_KILN_capture:VK_LAYER_KHRONOS_validation KILN_CAPTURE_OUT= \
        VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT timeout 60 layer_cow --case $c 2>&1 | tail -3
    done | tee "$out/layer-cow.log"
    # Draws: render passes split (one and two subpasses, both create-info versions), dynamic rendering,
    # secondaries, multisampled attachments. Real drivers discard DONT_CARE stores; lavapipe keeps them.
    for c in "layer_draw --dynamic draw:1" "layer_draw --push-descriptor draw:1" "layer_draw --push-template draw:1" \
             "layer_draw --multi-draw draw:1" \
             "layer_draw --multi-draw-indexed draw:1" \
             "layer_draw --dynamic --multiview draw:1" "layer_draw --renderpass draw:1" "layer_draw --renderpass2 draw:1" \
             "layer_draw --secondary draw:1" "layer_draw --depth draw:1" "layer_draw --subpasses draw:1" \
             "layer_draw --subpasses draw:2" "layer_draw --subpasses2 draw:2" "layer_draw --renderpass2 --chained draw:1" \
             "layer_draw --subpasses --chained draw:2" "layer_draw --subpasses2 --chained draw:2" \
             "layer_msaa --api -" "layer_msaa --depth --api -" "layer_compute --inline-uniform --api -" \
             "layer_multiview --dynamic --expect-all-views draw:1" \
             "layer_multiview --renderpass --expect-all-views draw:1" \
             "layer_multiview --renderpass2 --expect-all-views draw:1" \
             "layer_suspend draw:1" "layer_suspend draw:2" "layer_suspend draw:3" "layer_blocks dispatch:1" \
             "layer_stencil --dynamic draw:2" "layer_stencil --dynamic-separate draw:2" \
             "layer_stencil --renderpass2 draw:2" "layer_stencil --renderpass2-separate draw:2" \
             "layer_stencil --dynamic-separate --msaa draw:2" "layer_stencil --renderpass2-separate --msaa draw:2" \
             "layer_address dispatch:1" "layer_address --chain dispatch:1" "layer_multi_draw --plain draw:2" "layer_multi_draw --indexed draw:3" \
             "layer_multi_draw --draw-id draw:2"; do
      set -- $c
      prog=$1; shift; spec=${@: -1}; args=("${@:1:$#-1}")
      envs=(VK_INSTANCE_LAYERS=VK_LAYER_KILN_capture:VK_LAYER_KHRONOS_validation
            VK_LAYER_ENABLES=VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT
            "KILN_CAPTURE_OUT=$out/draw-$prog$(IFS=; echo "${args[*]}")")
      [ "$spec" != - ] && envs+=(KILN_CAPTURE_COMMAND=$spec KILN_CAPTURE_FRAME=2)
      log=$(timeout 60 env "${envs[@]}" $prog "${args[@]}" 2>&1); rc=$?
      if [ $rc = 0 ] && ! grep -qE "FAILED|VALIDATION:|[Vv]alidation [Ee]rror|passed through" <<<"$log"; then echo "$c: ok"
      else echo "$c: FAILED (exit $rc)"; tail -5 <<<"$log"; fi
    done | tee "$out/layer-draw.log"
    if [ "$cmd" = layer ]; then
      # bench_layer pinned to one core: recording is single-threaded CPU work, and a thread that
      # migrates between cores made single recordings vary by 2x (docs/performance.md).
      { bench_cow; taskset -c 5 bench_layer; } 2>>"$out/bench.err" | tee "$out/bench-layer.json"
      exit 0
    fi
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/nvidia-smi.txt"
    kiln info | tee "$out/info.txt"
    kiln info --json > "$out/info.json"
    KILN_TEST_VALIDATION=sync kiln_gpu_tests --gtest_brief=1 2>&1 | tee "$out/gpu-tests.log" | tail -30
    KILN_TEST_VALIDATION=sync KILN_TEST_OUT="$out/test-out" kiln_stream_tests --gtest_brief=1 2>&1 | tee "$out/stream-tests.log" | tail -30
    (cd "$out" && for e in compute_headless triangle_headless sequence_stream_headless upload_stream; do
       KILN_VALIDATION=sync $e; done) 2>&1 | tail -8
    for b in .gl/bin/bench_*; do case "$b" in *bench_layer) taskset -c 5 "$b" ;; *) "$b" ;; esac 2>>"$out/bench.err"; done | tee "$out/bench.json"
    # Upload: chunk size x CPU threads, to see what feeds the copy engine.
    for t in 1 2 4 8 12; do for c in 4 8 32; do bench_upload 256 4 $c $t; done; done 2>>"$out/bench.err" > "$out/upload-sweep.json"
    ;;
  *)
    echo "usage: scripts/gpu.sh bundle [BUILD] | run [OUTDIR]" >&2
    exit 2
    ;;
esac
