# `cmake --install` into PREFIX, then the compute program under the installed layer (found through the
# installed manifest, whose library path is relative to it).
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD}" --prefix "${PREFIX}" --component capture_layer
  RESULT_VARIABLE r OUTPUT_QUIET)
if(NOT r EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${r}")
endif()
set(ENV{VK_LAYER_PATH} "${PREFIX}/share/vulkan/explicit_layer.d")
set(ENV{VK_INSTANCE_LAYERS} "VK_LAYER_KILN_capture")
set(ENV{KILN_CAPTURE_COMMAND} "dispatch:2")
execute_process(COMMAND "${PROGRAM}" RESULT_VARIABLE r OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT r EQUAL 0 OR NOT out MATCHES "capture: dispatch:2  vkCmdDispatch")
  message(FATAL_ERROR "the installed layer did not capture (exit ${r})")
endif()
