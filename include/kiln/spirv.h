// kiln/spirv.h — shader stages and SPIR-V reflection (kiln's own reader, no external library).
//
// reflect_spirv() reads a SPIR-V module made by any compiler and reports what a pipeline needs to
// know about it: entry points, descriptor bindings (with block layouts and whether the shader really
// reads/writes them), push constants, specialisation constants, stage inputs/outputs and workgroup
// size. Invalid or hostile input throws kiln::Error ("SPIR-V word N: ..."), never crashes.
// It does not validate semantics (spirv-val does that), compile, or create any Vulkan object.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

enum class ShaderStage : uint32_t {
  Vertex, TessControl, TessEval, Geometry, Fragment, Compute, Task, Mesh,
  RayGen, AnyHit, ClosestHit, Miss, Intersection, Callable, Count
};

// "vertex", "tess_control", "tess_eval", "geometry", "fragment", "compute", "task", "mesh",
// "raygen", "anyhit", "closesthit", "miss", "intersection", "callable".
const char* shader_stage_name(ShaderStage s);
// Accepts the names above and glslang's short ones (vert, tesc, tese, geom, frag, comp, task, mesh,
// rgen, rahit, rchit, rmiss, rint, rcall); case-sensitive. False (out untouched) when unknown.
bool parse_shader_stage(std::string_view name, ShaderStage* out);
VkShaderStageFlagBits shader_stage_bit(ShaderStage s);
// From a file name: .vert .tesc .tese .geom .frag .comp .task .mesh .rgen .rahit .rchit .rmiss .rint
// .rcall, also with a trailing .glsl or .hlsl (e.g. blur.comp.hlsl); nullopt when unknown.
std::optional<ShaderStage> stage_from_path(std::string_view path);

// "uniform_buffer", "combined_image_sampler", ... as in reflection_json (docs/reflection.md).
const char* descriptor_type_name(VkDescriptorType type);

struct BlockMember {
  std::string name;
  std::string type;            // "float", "vec3", "mat4", "uint", "int64_t", "struct Light", ...
  uint32_t offset = 0, size = 0;           // size of one element (whole member when not an array)
  uint32_t array_size = 0;                 // 0: not an array; UINT32_MAX: runtime array
  uint32_t array_stride = 0, matrix_stride = 0;
  bool row_major = false;
  std::vector<BlockMember> members;        // nested struct members
};
struct BlockLayout {
  std::string type_name;
  uint32_t size = 0;           // end of the last member (a runtime array counts as zero elements)
  std::vector<BlockMember> members;
};

struct DescriptorBinding {
  std::string name;            // the variable's name; for blocks with an anonymous instance, the block type name
  uint32_t set = 0, binding = 0;
  VkDescriptorType type = VK_DESCRIPTOR_TYPE_MAX_ENUM;
  uint32_t count = 1;          // array size; 0 = runtime-sized array
  VkShaderStageFlags stages = 0;
  // images (sampled/storage/combined/input attachment)
  uint32_t dim = 0;            // SPIR-V Dim: 0=1D 1=2D 2=3D 3=Cube 5=Buffer 6=SubpassData
  bool arrayed = false, multisampled = false, depth = false;
  VkFormat format = VK_FORMAT_UNDEFINED;   // storage images' declared format
  bool non_writable = false, non_readable = false;   // decorations
  bool written = false;        // the shader really stores/atomically writes through it (reachable from the entry point)
  bool read = false;           // ... really loads from it
  std::optional<BlockLayout> block;        // uniform/storage buffers
};
struct SpecConstant {
  std::string name;
  uint32_t id = 0;
  std::string type;            // "bool", "int", "uint", "float", "double", "int64_t", ...
  uint64_t default_bits = 0;   // the default value's bits (bool: 0/1)
};
struct InterfaceVariable {
  std::string name;
  uint32_t location = 0, component = 0;
  std::string type;
  VkFormat format = VK_FORMAT_UNDEFINED;   // scalar/vector int/uint/float types
};
struct EntryPoint {
  std::string name;
  ShaderStage stage = ShaderStage::Compute;
  std::array<uint32_t, 3> workgroup_size{0, 0, 0};
};
struct Reflection {
  std::vector<EntryPoint> entry_points;
  std::vector<DescriptorBinding> bindings;          // sorted by (set, binding)
  std::optional<BlockLayout> push_constants;
  std::vector<SpecConstant> spec_constants;
  std::vector<InterfaceVariable> inputs, outputs;   // stage inputs (vertex attributes for vertex shaders), outputs (fragment outputs)
  const DescriptorBinding* find(std::string_view name) const;  // by name; null when absent
};

// Reflects the entry point named `entry_point` (empty: the first one). Bindings, push constants and
// interface variables are those the chosen entry point uses; entry_points lists every entry point.
// Throws kiln::Error (never crashes) on invalid/truncated SPIR-V: "SPIR-V word 123: ..." messages.
Reflection reflect_spirv(std::span<const uint32_t> words, std::string_view entry_point = {});
// The JSON of `kiln shader reflect --json`, documented in docs/reflection.md.
std::string reflection_json(const Reflection& r);

}  // namespace kiln
