// What one capture holds, in memory: the command, its pipeline and every resource it used, with the
// bytes before and/or after it. Produced by the hook (src/layer/hook/), written to a folder by the
// dump (src/layer/dump/), handed to programs through the C API (include/kiln/capture.h).
// Plain data, no Vulkan objects owned: a capture outlives the device it came from.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::layer {

// Why the command used the resource.
enum class ResourceRole : uint32_t {
  Descriptor,        // set/binding/array_element say which
  ColorAttachment,   // attachment = index
  DepthAttachment,
  StencilAttachment,
  ResolveAttachment,
  VertexBuffer,      // attachment = binding
  IndexBuffer,
  IndirectBuffer,
  PushConstants,     // bytes only (before == after)
  TransferSource,    // copy commands
  TransferDestination,
  DeviceAddress,     // a buffer a push-constant value points into (attachment = that value's offset)
  BufferAddress,     // a buffer an address stored in another captured buffer points into (binding = that
                     // buffer's index among the capture's resources, attachment = the address's offset in it)
};
const char* resource_role_name(ResourceRole role);

struct MemberLayout {  // a uniform/storage/push-constant block member, from SPIR-V reflection
  std::string name;
  uint32_t offset = 0, size = 0;
  std::string type;  // "vec4", "mat4", "float[16]", "struct Light"...
};

struct CapturedResource {
  ResourceRole role = ResourceRole::Descriptor;
  uint32_t set = 0, binding = 0, array_element = 0;  // Descriptor
  uint32_t attachment = 0;                           // attachments, vertex binding
  std::string shader_name;       // the binding's name in the shader (SPIR-V OpName), if known
  std::string debug_name;        // vkSetDebugUtilsObjectNameEXT of the buffer/image, if any
  std::string descriptor_type;   // "storage_buffer", "combined_image_sampler"... (Descriptor only)
  uint64_t handle = 0;           // the VkBuffer/VkImage, for matching with the program's own objects
  bool written = false;          // the command may write it (by descriptor type, SPIR-V analysis, role)
  // Copy-on-write: "" copied when the command ran; "untouched" read from the resource, unchanged since;
  // otherwise the cause that made the layer copy it before a change ("transfer", "host_write"...).
  std::string copy;

  bool is_image = false;
  // Images: one subresource per CapturedResource (mip, layer), bytes tightly packed in `format`.
  VkFormat format = VK_FORMAT_UNDEFINED;
  VkExtent3D extent{};
  uint32_t mip = 0, layer = 0;
  uint32_t samples = 1;  // >1: a multisampled image, captured resolved
  VkImageAspectFlags aspect = 0;
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;  // the layout the command saw
  // Buffers: the range captured.
  uint64_t offset = 0, size = 0;
  std::vector<MemberLayout> members;  // block layout, when reflection knows it

  bool has_before = false, has_after = false;
  std::vector<uint8_t> before, after;
  // Read-only resources captured both ways hold their bytes once, in `before`; `after` stays empty.
  bool after_is_before = false;
  const std::vector<uint8_t>& after_bytes() const { return after_is_before ? before : after; }
};

struct Capture {
  std::string spec;             // what selected it: "draw:12", "label:Shadows/draw:2", "next:dispatch"
  uint64_t frame = 0;           // counted by presents, or by submissions without presents
  uint32_t command_index = 0;   // in the frame, among all vkCmd* recorded (from 1)
  std::string command;          // "vkCmdDrawIndexed(indexCount=36, instanceCount=1, ...)"
  // One draw of a multi-draw (vkCmdDrawMulti*EXT): which, from 1, and of how many; 0 and 0 otherwise.
  // `multi_draw_whole`: the whole multi-draw was captured instead (its pipeline reads gl_DrawID).
  uint32_t multi_draw_index = 0, multi_draw_count = 0;
  bool multi_draw_whole = false;
  std::string label_path;       // "Frame/Shadows": the debug-label regions around it
  std::string pipeline_name;    // debug name, or "pipeline 0x..."
  VkPipelineBindPoint bind_point = VK_PIPELINE_BIND_POINT_GRAPHICS;
  struct Stage {
    VkShaderStageFlagBits stage = VK_SHADER_STAGE_VERTEX_BIT;
    std::string entry;
    std::string module_name;
  };
  std::vector<Stage> stages;
  std::string when;             // "before", "after", "both"
  std::vector<CapturedResource> resources;
  std::vector<std::string> notes;  // what was skipped and why
  uint64_t bytes_copied = 0;    // what the GPU copied for it (a resource the command only reads: once)
  uint64_t bytes_deferred = 0;  // of resources given a cow instead: copied only if something changed them
};

}  // namespace kiln::layer
