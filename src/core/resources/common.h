// Pieces the resource types share: queue-family sharing, how errors name an object, flag names.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>

namespace kiln {
class Context;
}

namespace kiln::detail {

struct QueueSharing {
  VkSharingMode mode = VK_SHARING_MODE_EXCLUSIVE;
  uint32_t count = 0;
  uint32_t families[3] = {};
};
// CONCURRENT over the distinct families of the context's graphics/compute/transfer queues when
// `concurrent` is asked for and there is more than one family; EXCLUSIVE otherwise.
QueueSharing queue_sharing(Context& ctx, bool concurrent);

// Core VkPhysicalDeviceFeatures that resources depend on. Context passes only kiln's Feature list to
// vkCreateDevice and enables neither of these yet, so both answer false (and kiln keeps clear of the
// validation errors that using them unenabled would bring); once Context enables them when supported
// and says so, these read its answer. Until then: no anisotropic filtering, and cube arrays get
// 2D_ARRAY default views.
bool sampler_anisotropy_enabled(const Context& ctx);
bool image_cube_array_enabled(const Context& ctx);

// Buffer/Image/Sampler::id(): from 1 up, process-wide.
uint64_t next_resource_id();

// "image 'gbuffer.albedo'", or "image (unnamed)" — for error context.
std::string describe(const char* kind, const std::string& name);

// "SAMPLED|STORAGE", for error messages.
std::string image_usage_names(VkImageUsageFlags usage);
const char* image_type_name(VkImageType type);        // "2D"
const char* image_view_type_name(VkImageViewType t);  // "CUBE_ARRAY"
const char* tiling_name(VkImageTiling tiling);        // "optimal"

}  // namespace kiln::detail
