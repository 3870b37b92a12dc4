#include "hook/copy_barriers.h"

#include <algorithm>
#include <tuple>

namespace kiln::layer {

VkImageLayout copy_layout(VkImageLayout l) {
  return l == VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL || l == VK_IMAGE_LAYOUT_SHARED_PRESENT_KHR
             ? l
             : VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
}

bool is_single_aspect_layout(VkImageLayout l) {
  return l == VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL || l == VK_IMAGE_LAYOUT_DEPTH_READ_ONLY_OPTIMAL ||
         l == VK_IMAGE_LAYOUT_STENCIL_ATTACHMENT_OPTIMAL || l == VK_IMAGE_LAYOUT_STENCIL_READ_ONLY_OPTIMAL;
}

void copy_layout_barriers(std::vector<CopiedSubresource> subs, std::vector<VkImageMemoryBarrier>& to,
                          std::vector<VkImageMemoryBarrier>& back) {
  auto key = [](const CopiedSubresource& s) { return std::tie(s.image, s.mip, s.layer); };
  auto full = [&](const CopiedSubresource& s) { return std::tie(s.image, s.mip, s.layer, s.aspect); };
  std::stable_sort(subs.begin(), subs.end(), [&](const auto& a, const auto& b) { return full(a) < full(b); });
  subs.erase(std::unique(subs.begin(), subs.end(), [&](const auto& a, const auto& b) { return full(a) == full(b); }),
             subs.end());
  auto barrier = [&](const CopiedSubresource& s, VkImageAspectFlags aspects) {
    if (copy_layout(s.layout) == s.layout) return;
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
    b.dstAccessMask = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT;
    b.oldLayout = s.layout;
    b.newLayout = copy_layout(s.layout);
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = s.image;
    b.subresourceRange = {aspects, s.mip, 1, s.layer, 1};
    to.push_back(b);
    std::swap(b.oldLayout, b.newLayout);
    back.push_back(b);
  };
  for (size_t i = 0; i < subs.size();) {
    size_t end = i + 1;
    bool shared = !is_single_aspect_layout(subs[i].layout);
    while (end < subs.size() && key(subs[end]) == key(subs[i])) {
      shared &= subs[end].layout == subs[i].layout;
      ++end;
    }
    if (shared) {
      barrier(subs[i], subs[i].aspects);
    } else {
      for (size_t k = i; k < end; ++k) barrier(subs[k], subs[k].aspect ? subs[k].aspect : subs[k].aspects);
    }
    i = end;
  }
}

}  // namespace kiln::layer
