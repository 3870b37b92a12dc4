// The command buffer state the hook tracks while it replays records: what is bound (pipelines,
// descriptor sets with their dynamic offsets, vertex/index buffers, push constant bytes) and which
// render pass or rendering is open. At the selected command it says what the command can reach.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "hook/pending.h"
#include "record/records.h"

namespace kiln::layer {

struct Device;
struct DescriptorSet;
struct Pipeline;

struct BoundSet {
  VkDescriptorSet set = VK_NULL_HANDLE;
  std::vector<uint32_t> dynamic_offsets;
  // Push descriptors (vkCmdPushDescriptorSetKHR) written so far into this set number: a set of the
  // replay's own, since the program has none. Shared between copies of a state until one pushes more.
  std::shared_ptr<DescriptorSet> pushed;
};

struct BindState {
  VkPipeline pipeline = VK_NULL_HANDLE;
  std::vector<BoundSet> sets;
};

struct ReplayState {
  BindState graphics, compute;
  std::array<uint8_t, 256> push{};
  struct VertexBuffer {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceSize offset = 0, size = VK_WHOLE_SIZE;
  };
  std::array<VertexBuffer, 32> vertex{};
  VkBuffer index_buffer = VK_NULL_HANDLE;
  VkDeviceSize index_offset = 0;
  enum class Pass { None, Dynamic, RenderPass } pass = Pass::None;
  const VkRenderingInfo* rendering = nullptr;        // records' copies: stable while the record lives
  const VkRenderPassBeginInfo* render_pass = nullptr;
  uint32_t subpass = 0;

  void track(Device& dev, const Cmd& c);
};

// The descriptors bound as set `set` of `bs`: the program's set, or the pushed ones; null when none
// (or the set is unknown to the layer).
std::shared_ptr<DescriptorSet> bound_descriptors(Device& dev, const BindState& bs, uint32_t set);

// The (set, binding) pairs `p`'s shaders may write; computed once per pipeline.
const std::vector<std::pair<uint32_t, uint32_t>>& written_bindings(Pipeline& p);

// The copies the selected command needs, from the state at it. Notes go to `capture.notes`.
std::vector<CopyJob> collect_jobs(Device& dev, const ReplayState& st, const Cmd& cmd, Capture& capture);

}  // namespace kiln::layer
