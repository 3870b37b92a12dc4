#include "hook/copy_barriers.h"

#include <algorithm>
#include <tuple>

namespace kiln::layer {

VkImageLayout copy_layout(VkImageLayout l) {
  return l == VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL || l == VK_IMAGE_LAYOUT_SHARED_PRESENT_KHR
             ? l
             : VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
}

void copy_layout_barriers(std::vector<CopiedSubresource> subs, std::vector<VkImageMemoryBarrier>& to,
                          std::vector<VkImageMemoryBarrier>& back) {
  auto key = [](const CopiedSubresource& s) { return std::tie(s.image, s.mip, s.layer); };
  std::stable_sort(subs.begin(), subs.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  subs.erase(std::unique(subs.begin(), subs.end(), [&](const auto& a, const auto& b) { return key(a) == key(b); }),
             subs.end());
  for (const CopiedSubresource& s : subs) {
    if (copy_layout(s.layout) == s.layout) continue;
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
    b.dstAccessMask = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT;
    b.oldLayout = s.layout;
    b.newLayout = copy_layout(s.layout);
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = s.image;
    b.subresourceRange = {s.aspects, s.mip, 1, s.layer, 1};
    to.push_back(b);
    std::swap(b.oldLayout, b.newLayout);
    back.push_back(b);
  }
}

}  // namespace kiln::layer
