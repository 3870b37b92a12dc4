# kiln_embed_shader(target SOURCE var_name): compiles a GLSL file with glslangValidator at build time
# and makes `#include "<var_name>.h"` give `const uint32_t var_name[]`, the SPIR-V words.
# (Until kiln's own shader module lands, examples and tests carry their SPIR-V this way.)
find_program(GLSLANG_VALIDATOR glslangValidator REQUIRED)
function(kiln_embed_shader target source var)
  get_filename_component(src "${source}" ABSOLUTE)
  set(outdir "${CMAKE_CURRENT_BINARY_DIR}/spirv")
  set(out "${outdir}/${var}.h")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${outdir}"
    COMMAND ${GLSLANG_VALIDATOR} -V --target-env vulkan1.1 --quiet --vn ${var} -o "${out}" "${src}"
    DEPENDS "${src}"
    COMMENT "glslangValidator ${source}")
  target_sources(${target} PRIVATE "${out}")
  target_include_directories(${target} PRIVATE "${outdir}")
endfunction()
