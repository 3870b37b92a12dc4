#include "core/memory/memory_types.h"

#include <algorithm>

namespace kiln {

const char* memory_intent_name(MemoryIntent intent) {
  switch (intent) {
    case MemoryIntent::DeviceOnly: return "device-only";
    case MemoryIntent::Upload: return "upload";
    case MemoryIntent::Readback: return "readback";
    case MemoryIntent::DeviceWithHostWrites: return "device-with-host-writes";
  }
  return "unknown";
}

namespace detail {

namespace {

// Types kiln never picks on its own: they need features or usage that plain resources do not have.
constexpr VkMemoryPropertyFlags kExcluded = VK_MEMORY_PROPERTY_PROTECTED_BIT |
                                            VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT |
                                            VK_MEMORY_PROPERTY_DEVICE_COHERENT_BIT_AMD |
                                            VK_MEMORY_PROPERTY_DEVICE_UNCACHED_BIT_AMD;

struct Weight {
  VkMemoryPropertyFlags flag;
  int weight;  // positive: preferred, negative: unwanted
};

struct IntentRule {
  VkMemoryPropertyFlags required;
  Weight weights[4];
};

// Required flags are hard; weights rank what remains. Ties keep the driver's order, which the spec
// says lists faster types first.
IntentRule rule_for(MemoryIntent intent) {
  constexpr auto kLocal = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  constexpr auto kVisible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  constexpr auto kCoherent = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  constexpr auto kCached = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  switch (intent) {
    case MemoryIntent::DeviceOnly:
      // Device-local is not "required": a resource whose type bits allow no such type still works.
      return {0, {{kLocal, 16}, {kVisible, -2}, {kCached, -1}, {0, 0}}};
    case MemoryIntent::Upload:
    case MemoryIntent::DeviceWithHostWrites:  // its ReBAR types are ranked ahead separately
      // Write-combined system memory; device-local host-visible memory (a BAR window) only as a last
      // resort, since it is small and shared with DeviceWithHostWrites. Non-coherent works via flush.
      return {kVisible, {{kCoherent, 16}, {kLocal, -4}, {kCached, -2}, {0, 0}}};
    case MemoryIntent::Readback:
      return {kVisible, {{kCached, 16}, {kCoherent, 4}, {kLocal, -1}, {0, 0}}};
  }
  return {};
}

int score(const IntentRule& rule, VkMemoryPropertyFlags flags) {
  int s = 0;
  for (const Weight& w : rule.weights) {
    if (w.flag && (flags & w.flag) == w.flag) s += w.weight;
  }
  return s;
}

}  // namespace

bool is_rebar_type(const VkPhysicalDeviceMemoryProperties& props, uint32_t type) {
  const VkMemoryType& t = props.memoryTypes[type];
  constexpr VkMemoryPropertyFlags kWant = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  return (t.propertyFlags & kWant) == kWant && !(t.propertyFlags & kExcluded) &&
         props.memoryHeaps[t.heapIndex].size > kRebarMinHeap;
}

bool has_rebar(const VkPhysicalDeviceMemoryProperties& props) {
  for (uint32_t i = 0; i < props.memoryTypeCount; ++i) {
    if (is_rebar_type(props, i)) return true;
  }
  return false;
}

std::vector<uint32_t> rank_memory_types(const VkPhysicalDeviceMemoryProperties& props, MemoryIntent intent,
                                        uint32_t type_bits) {
  IntentRule rule = rule_for(intent);
  struct Candidate {
    uint32_t type;
    int score;
  };
  std::vector<Candidate> candidates;
  for (uint32_t i = 0; i < props.memoryTypeCount; ++i) {
    VkMemoryPropertyFlags flags = props.memoryTypes[i].propertyFlags;
    if (!(type_bits & (1u << i)) || (flags & kExcluded) || (flags & rule.required) != rule.required) continue;
    int s = score(rule, flags);
    if (intent == MemoryIntent::DeviceWithHostWrites && is_rebar_type(props, i)) {
      // ReBAR first (coherent ones first among them); Upload memory after, as the fallback.
      s = 1000 + ((flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) ? 16 : 0);
    }
    candidates.push_back({i, s});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  std::vector<uint32_t> types;
  for (const Candidate& c : candidates) types.push_back(c.type);
  return types;
}

VkDeviceSize block_size_for_heap(VkDeviceSize heap_size, VkDeviceSize requested) {
  constexpr VkDeviceSize kMiB = VkDeviceSize(1) << 20;
  VkDeviceSize size = requested;
  if (size == 0) {
    size = 256 * kMiB;
    // Small heaps (integrated GPUs' carve-outs, BAR windows) would hold only a few blocks otherwise.
    if (heap_size < 2048 * kMiB) size = std::max(heap_size / 8 / kMiB * kMiB, kMiB);
  }
  return heap_size > 0 ? std::min(size, heap_size) : size;
}

AtomRange round_to_atom(VkDeviceSize offset, VkDeviceSize size, VkDeviceSize atom, VkDeviceSize memory_size) {
  atom = std::max<VkDeviceSize>(atom, 1);
  VkDeviceSize begin = offset / atom * atom;
  VkDeviceSize end = (offset + size + atom - 1) / atom * atom;
  end = std::min(end, memory_size);
  return {begin, end > begin ? end - begin : 0};
}

}  // namespace detail
}  // namespace kiln
