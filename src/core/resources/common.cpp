#include "core/resources/common.h"

#include <atomic>
#include <cstdio>

#include "kiln/context.h"

namespace kiln::detail {

QueueSharing queue_sharing(Context& ctx, bool concurrent) {
  QueueSharing sharing;
  if (!concurrent) return sharing;
  for (QueueKind kind : {QueueKind::Graphics, QueueKind::Compute, QueueKind::Transfer}) {
    const uint32_t family = ctx.queue(kind).family();
    bool seen = false;
    for (uint32_t i = 0; i < sharing.count; ++i) seen = seen || sharing.families[i] == family;
    if (!seen) sharing.families[sharing.count++] = family;
  }
  // One family: CONCURRENT with a single family is invalid, and EXCLUSIVE means the same thing.
  if (sharing.count > 1) sharing.mode = VK_SHARING_MODE_CONCURRENT;
  else sharing.count = 0;
  return sharing;
}

bool sampler_anisotropy_enabled(const Context& ctx) { return ctx.core_features().samplerAnisotropy; }
bool image_cube_array_enabled(const Context& ctx) { return ctx.core_features().imageCubeArray; }

uint64_t next_resource_id() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::string describe(const char* kind, const std::string& name) {
  if (name.empty()) return std::string(kind) + " (unnamed)";
  return std::string(kind) + " '" + name + "'";
}

std::string image_usage_names(VkImageUsageFlags usage) {
  static constexpr struct {
    VkImageUsageFlags bit;
    const char* name;
  } kNames[] = {
      {VK_IMAGE_USAGE_TRANSFER_SRC_BIT, "TRANSFER_SRC"},
      {VK_IMAGE_USAGE_TRANSFER_DST_BIT, "TRANSFER_DST"},
      {VK_IMAGE_USAGE_SAMPLED_BIT, "SAMPLED"},
      {VK_IMAGE_USAGE_STORAGE_BIT, "STORAGE"},
      {VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, "COLOR_ATTACHMENT"},
      {VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, "DEPTH_STENCIL_ATTACHMENT"},
      {VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT, "TRANSIENT_ATTACHMENT"},
      {VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT, "INPUT_ATTACHMENT"},
  };
  std::string out;
  VkImageUsageFlags rest = usage;
  for (const auto& n : kNames) {
    if (!(usage & n.bit)) continue;
    if (!out.empty()) out += '|';
    out += n.name;
    rest &= ~n.bit;
  }
  if (rest) {
    if (!out.empty()) out += '|';
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%x", rest);
    out += hex;
  }
  return out.empty() ? "0" : out;
}

const char* image_type_name(VkImageType type) {
  switch (type) {
    case VK_IMAGE_TYPE_1D: return "1D";
    case VK_IMAGE_TYPE_2D: return "2D";
    case VK_IMAGE_TYPE_3D: return "3D";
    default: return "?";
  }
}

const char* image_view_type_name(VkImageViewType t) {
  switch (t) {
    case VK_IMAGE_VIEW_TYPE_1D: return "1D";
    case VK_IMAGE_VIEW_TYPE_2D: return "2D";
    case VK_IMAGE_VIEW_TYPE_3D: return "3D";
    case VK_IMAGE_VIEW_TYPE_CUBE: return "CUBE";
    case VK_IMAGE_VIEW_TYPE_1D_ARRAY: return "1D_ARRAY";
    case VK_IMAGE_VIEW_TYPE_2D_ARRAY: return "2D_ARRAY";
    case VK_IMAGE_VIEW_TYPE_CUBE_ARRAY: return "CUBE_ARRAY";
    default: return "?";
  }
}

const char* tiling_name(VkImageTiling tiling) {
  switch (tiling) {
    case VK_IMAGE_TILING_OPTIMAL: return "optimal";
    case VK_IMAGE_TILING_LINEAR: return "linear";
    default: return "other";
  }
}

}  // namespace kiln::detail
