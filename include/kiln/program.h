// kiln/program.h — a pipeline made from its shaders' reflection, with resources bound by name.
//
//   kiln::Program blur(ctx, compiler, {.sources = {{.path = "shaders/blur.comp"}}, .name = "blur",
//                                      .hot_reload = true});
//   blur.bind("src", input, &linear);          // combined image sampler, by its GLSL name
//   blur.bind("dst", output);                  // storage image
//   blur.set("Params.radius", 4.0f);           // a uniform block member, at its reflected offset
//   blur.push("direction", 1u);                // a push-constant member
//   blur.record(cmd);                          // barriers by use, pipeline, descriptor sets, push constants
//   cmd.dispatch(w / 8, h / 8);
//   ...; ctx.queue().submit(cmd); blur.update();   // frame boundary: hot reload swap, set recycling
//
// A Program merges the reflection (kiln/spirv.h) of one compute shader or of a set of graphics
// stages, checks that the stages agree (same binding declared alike; every fragment input written by
// the stage before), and creates the descriptor set layouts, the pipeline layout and the pipeline
// (graphics: dynamic rendering, vertex input from the vertex shader's inputs, dynamic viewport and
// scissor). Everything is named after ProgramDesc::name ("blur.pipeline", "blur.layout", "blur.set0").
//
// Binding by name: bind() and set() check the kind and size against the reflection and throw
// kiln::Error listing what exists when a name is unknown or the kind is wrong. Uniform blocks never
// bound to a buffer are owned by the program: set() writes them, record() copies them into fresh
// host-visible memory when they changed. record() writes the descriptor sets whose bindings changed
// into fresh sets (never one a command buffer may still use), calls cmd.use() on every bound
// resource with the Use its descriptor type, stages and written flag imply — no hand-written
// barriers — then binds. Graphics programs: call record() (or use_resources()) before
// begin_rendering when the bound resources need barriers, because barriers cannot go inside a pass;
// record() inside the pass is then free of barriers.
//
// Sets retired by record() go back to the program's pools once the GPU finished the work submitted
// before the next update(): call update() once a frame, after submitting. Bound resources are
// referenced, not owned: keep them alive (and in place) while they are bound.
//
// Sharing a set between programs (the "global constants" set 0): b.share_set(0, a) makes b use a's
// descriptor set for set 0 (the layouts must be identical). Pass one BindingState to every record()
// of one recording, and programs whose layouts are compatible up to a set skip rebinding it.
// Set layouts use all stages of the pipeline kind and the push-constant range is at least 128
// bytes for all of them, so that programs declaring the same bindings get compatible layouts.
//
// Not here: runtime-sized descriptor arrays, texel buffers, input attachments, acceleration
// structures, specialisation constants (use raw Vulkan with pipeline()/layout() for those), ray tracing.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "kiln/error.h"
#include "kiln/shader.h"
#include "kiln/spirv.h"

namespace kiln {

class Buffer;
class CommandBuffer;
class Context;
class Image;
class Sampler;
class ShaderCompiler;

struct ShaderModuleDesc {
  ShaderStage stage = ShaderStage::Compute;
  std::vector<uint32_t> spirv;
  std::string entry = "main";
  std::string name;  // for errors ("blur.comp"); default: the stage's name
};

struct ProgramDesc {
  std::vector<CompileDesc> sources;        // compiled with the ShaderCompiler given to Program (or)
  std::vector<ShaderModuleDesc> modules;   // SPIR-V made elsewhere
  // Graphics state (ignored for compute).
  std::vector<VkFormat> color_formats;     // default: {R8G8B8A8_UNORM}
  VkFormat depth_format = VK_FORMAT_UNDEFINED;
  VkPrimitiveTopology topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  VkCullModeFlags cull = VK_CULL_MODE_NONE;
  VkFrontFace front_face = VK_FRONT_FACE_COUNTER_CLOCKWISE;
  bool depth_test = false, depth_write = false;
  VkCompareOp depth_compare = VK_COMPARE_OP_LESS_OR_EQUAL;
  bool alpha_blend = false;                // src alpha, one minus src alpha, on every color attachment
  // Vertex input. Empty: derived from the vertex shader's inputs — one interleaved binding 0, the
  // attributes in location order, tightly packed, formats from reflection.
  std::vector<VkVertexInputBindingDescription> vertex_bindings;
  std::vector<VkVertexInputAttributeDescription> vertex_attributes;
  const char* name = nullptr;
  bool hot_reload = false;                 // watch `sources` and their dependencies (update() swaps)
};

// What one recording has bound, so that consecutive record() calls skip what is already there. One
// per command buffer recording (a local next to the CommandBuffer); reset() after binding or pushing
// anything yourself on that command buffer.
struct BindingState {
  static constexpr uint32_t kMaxSets = 8;
  struct Point {
    VkPipeline pipeline = VK_NULL_HANDLE;
    std::array<VkDescriptorSet, kMaxSets> sets{};
    std::array<uint64_t, kMaxSets> compat{};  // layout compatibility key of sets 0..i (0: none)
    uint32_t count = 0;                       // sets [0, count) may be non-null
  };
  std::array<Point, 2> points{};  // graphics, compute
  // The push constants last sent: with which layout, whose values (a program's id) at which change.
  // Binding a pipeline of another layout forgets them, as it may disturb them.
  VkPipelineLayout push_layout = VK_NULL_HANDLE;
  uint64_t push_source = 0;
  uint64_t push_version = 0;
  void reset() { *this = {}; }
};

// Descriptor-set traffic of a program's sets (a set shared with share_set counts for each sharer).
struct ProgramStats {
  uint64_t sets_written = 0;  // fresh sets written (vkUpdateDescriptorSets): content not seen lately
  uint64_t sets_reused = 0;   // record()s that bound a set written earlier with the same content
  uint64_t pushes_skipped = 0;  // record()s whose push constants the BindingState showed already sent
};

class Program {
 public:
  Program(Context& ctx, ShaderCompiler& compiler, const ProgramDesc& desc);
  Program(Context& ctx, const ProgramDesc& desc);  // modules only
  ~Program();  // pipeline, layouts, pools and uniform memory destroyed once the GPU is done (deferred)
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  VkPipeline pipeline() const;
  VkPipelineLayout layout() const;
  VkPipelineBindPoint bind_point() const;
  VkDescriptorSetLayout set_layout(uint32_t set) const;
  uint32_t set_count() const;
  const Reflection& reflection() const;  // merged over stages
  const std::string& name() const;

  // Names are the GLSL variable names (for blocks with no instance name, the block's type name);
  // "lights[2]" selects an array element. Buffers: uniform or storage; `range` WHOLE_SIZE: to the end.
  void bind(std::string_view name, Buffer& buffer, VkDeviceSize offset = 0, VkDeviceSize range = VK_WHOLE_SIZE);
  // Sampled, storage or combined image (the sampler only, and required, for combined ones).
  void bind(std::string_view name, Image& image, const Sampler* sampler = nullptr, uint32_t array_index = 0);
  void bind(std::string_view name, const Sampler& sampler);

  // "Params.exposure" (block name or instance name, then members; nested structs and "[i]" too):
  // writes `value` at the member's reflected offset. The size must match the member's (an array
  // member takes its whole array when the value is that big); plain scalars must match the type.
  template <class T>
  void set(std::string_view member_path, const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "set() copies bytes: pass a trivially copyable value");
    set_bytes(member_path, &value, sizeof(T), scalar_name<T>());
  }
  void set_bytes(std::string_view member_path, const void* data, size_t size, const char* scalar = nullptr);
  // Push-constant members by name ("color", or "Push.color"); sent by record().
  template <class T>
  void push(std::string_view member_path, const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "push() copies bytes: pass a trivially copyable value");
    push_bytes(member_path, &value, sizeof(T), scalar_name<T>());
  }
  void push_bytes(std::string_view member_path, const void* data, size_t size, const char* scalar = nullptr);

  // Makes this program use `owner`'s descriptor set `set` (identical layouts, else Error): binds on
  // either program to names of that set reach the same set.
  void share_set(uint32_t set, Program& owner);

  // cmd.use() for every bound resource (what record() starts with): before a rendering pass.
  void use_resources(CommandBuffer& cmd);
  // use_resources, then binds the pipeline, the descriptor sets and the push constants (with a
  // BindingState: only what differs from what it holds, push constants included). A set whose
  // bindings changed is looked up by content among the sets written before (resources, ranges,
  // layouts; up to 256 per set) and written fresh only when not found, so cycling through a few
  // buffers or textures writes each combination once. Throws Error when a binding has nothing
  // bound (names it).
  void record(CommandBuffer& cmd, BindingState* state = nullptr);
  ProgramStats stats() const;

  // Frame boundary: swaps in a finished background recompile (hot reload; true when it did) and
  // hands descriptor sets and uniform memory retired since the last call to deferred recycling.
  bool update();
  // Errors of the last failed background recompile ("" after a success); for tools and tests.
  std::string reload_error() const;
  // Completed reload attempts (successful or not) since creation.
  uint64_t reload_attempts() const;

  struct Impl;

 private:
  template <class T>
  static constexpr const char* scalar_name() {
    if constexpr (std::is_same_v<T, float>) return "float";
    else if constexpr (std::is_same_v<T, double>) return "double";
    else if constexpr (std::is_same_v<T, int32_t>) return "int";
    else if constexpr (std::is_same_v<T, uint32_t>) return "uint";
    else if constexpr (std::is_same_v<T, bool>) return "bool";
    else return nullptr;
  }
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
