// A capture in flight: the layer-owned command buffer that replays the program's with copies around
// the selected command, the host-visible buffer the copies land in, the fence that says they are
// done, and what each copy is (a CopyJob). A copy the command only reads may be a cow instead
// (cow/cow.h): no copy now, its bytes come later.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture_data.h"
#include "cow/cow.h"

namespace kiln::layer {

struct Device;

struct CopyJob {
  CapturedResource meta;             // everything but the bytes
  VkBuffer buffer = VK_NULL_HANDLE;  // a buffer range...
  VkImage image = VK_NULL_HANDLE;    // ...or one image subresource
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
  VkImageAspectFlags all_aspects = 0;
  uint64_t bytes = 0;
  uint64_t before_at = UINT64_MAX, after_at = UINT64_MAX;  // offsets in the staging buffer
  bool after_is_before = false;       // read-only: copied once, "after" = "before"
  std::vector<uint8_t> inline_bytes;  // push constants: known on the host
  std::shared_ptr<Cow> cow;           // set: not copied now (before_at/after_at unset)
};

struct PendingCapture {
  Capture capture;                   // metadata; resources filled at read-back
  std::vector<CopyJob> jobs;
  VkCommandBuffer cb = VK_NULL_HANDLE;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  VkBuffer staging = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  uint64_t staging_size = 0;
  std::vector<VkRenderPass> render_passes;  // split passes made for this capture
  // Single-sample images multisampled ones are resolved into before their copy, by CopyJob index.
  struct Resolved {
    // The jobs copied out of it: one colour job, or the depth and the stencil job of one depth/stencil
    // subresource (resolved once for both).
    std::vector<size_t> jobs;
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    // Depth/stencil: the render pass that resolves the source into `image`, on views of both.
    VkImageView views[2] = {VK_NULL_HANDLE, VK_NULL_HANDLE};
    VkRenderPass pass = VK_NULL_HANDLE;
    VkFramebuffer framebuffer = VK_NULL_HANDLE;
  };
  std::vector<Resolved> resolved;
  std::string out_dir;               // where to write it; empty: memory only
};

// Both under dev.mutex. poll_pending reads back every capture whose fence signalled (writing it when
// it has a folder); finish_device waits for all and frees the layer's objects. deliver fills the bytes
// of a completed capture's cows (reading untouched resources now).
void poll_pending(Device& dev);
void deliver(Device& dev, Capture& cap, std::vector<std::pair<size_t, std::shared_ptr<Cow>>>& cows);
void finish_device(Device& dev);
void destroy_pending(Device& dev, PendingCapture& p);

}  // namespace kiln::layer
