#include "cli/info_report.h"

#include <algorithm>
#include <string>
#include <utility>

#include "kiln/features.h"
#include "kiln/log.h"

namespace kiln::cli {
namespace {

using json = nlohmann::ordered_json;

std::string version_text(uint32_t v) {
  return str(VK_API_VERSION_MAJOR(v), ".", VK_API_VERSION_MINOR(v), ".", VK_API_VERSION_PATCH(v));
}

// driverVersion is vendor-defined; these two vendors pack it differently from VK_MAKE_API_VERSION.
std::string driver_version_text(uint32_t vendor, uint32_t v) {
  if (vendor == 0x10DE) return str(v >> 22, ".", (v >> 14) & 0xFF, ".", (v >> 6) & 0xFF, ".", v & 0x3F);
  if (vendor == 0x8086) return str(v >> 14, ".", v & 0x3FFF);
  return version_text(v);
}

const char* vendor_name(uint32_t id) {
  switch (id) {
    case 0x1002: return "AMD";
    case 0x1010: return "ImgTec";
    case 0x10DE: return "NVIDIA";
    case 0x13B5: return "ARM";
    case 0x5143: return "Qualcomm";
    case 0x8086: return "Intel";
    case VK_VENDOR_ID_MESA: return "Mesa";
    default: return "unknown";
  }
}

const char* driver_id_name(VkDriverId id) {
  switch (id) {
    case VK_DRIVER_ID_AMD_PROPRIETARY: return "AMD_PROPRIETARY";
    case VK_DRIVER_ID_AMD_OPEN_SOURCE: return "AMD_OPEN_SOURCE";
    case VK_DRIVER_ID_MESA_RADV: return "MESA_RADV";
    case VK_DRIVER_ID_NVIDIA_PROPRIETARY: return "NVIDIA_PROPRIETARY";
    case VK_DRIVER_ID_INTEL_PROPRIETARY_WINDOWS: return "INTEL_PROPRIETARY_WINDOWS";
    case VK_DRIVER_ID_INTEL_OPEN_SOURCE_MESA: return "INTEL_OPEN_SOURCE_MESA";
    case VK_DRIVER_ID_IMAGINATION_PROPRIETARY: return "IMAGINATION_PROPRIETARY";
    case VK_DRIVER_ID_QUALCOMM_PROPRIETARY: return "QUALCOMM_PROPRIETARY";
    case VK_DRIVER_ID_ARM_PROPRIETARY: return "ARM_PROPRIETARY";
    case VK_DRIVER_ID_GOOGLE_SWIFTSHADER: return "GOOGLE_SWIFTSHADER";
    case VK_DRIVER_ID_MESA_LLVMPIPE: return "MESA_LLVMPIPE";
    case VK_DRIVER_ID_MOLTENVK: return "MOLTENVK";
    case VK_DRIVER_ID_MESA_TURNIP: return "MESA_TURNIP";
    case VK_DRIVER_ID_MESA_V3DV: return "MESA_V3DV";
    case VK_DRIVER_ID_MESA_PANVK: return "MESA_PANVK";
    case VK_DRIVER_ID_MESA_VENUS: return "MESA_VENUS";
    case VK_DRIVER_ID_MESA_DOZEN: return "MESA_DOZEN";
    case VK_DRIVER_ID_MESA_NVK: return "MESA_NVK";
    default: return id == 0 ? "" : "other";
  }
}

template <class Flags>
json flag_words(Flags flags, std::initializer_list<std::pair<Flags, const char*>> names) {
  json words = json::array();
  for (const auto& [bit, name] : names) {
    if (flags & bit) {
      words.push_back(name);
      flags &= ~bit;
    }
  }
  if (flags) words.push_back(str("0x", std::hex, flags));  // bits this build does not know by name
  return words;
}

json queue_flag_words(VkQueueFlags f) {
  return flag_words<VkQueueFlags>(f, {{VK_QUEUE_GRAPHICS_BIT, "graphics"},
                                      {VK_QUEUE_COMPUTE_BIT, "compute"},
                                      {VK_QUEUE_TRANSFER_BIT, "transfer"},
                                      {VK_QUEUE_SPARSE_BINDING_BIT, "sparse_binding"},
                                      {VK_QUEUE_PROTECTED_BIT, "protected"},
                                      {VK_QUEUE_VIDEO_DECODE_BIT_KHR, "video_decode"},
                                      {VK_QUEUE_OPTICAL_FLOW_BIT_NV, "optical_flow"}});
}

json heap_flag_words(VkMemoryHeapFlags f) {
  return flag_words<VkMemoryHeapFlags>(
      f, {{VK_MEMORY_HEAP_DEVICE_LOCAL_BIT, "device_local"}, {VK_MEMORY_HEAP_MULTI_INSTANCE_BIT, "multi_instance"}});
}

json memory_flag_words(VkMemoryPropertyFlags f) {
  return flag_words<VkMemoryPropertyFlags>(f, {{VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, "device_local"},
                                               {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, "host_visible"},
                                               {VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, "host_coherent"},
                                               {VK_MEMORY_PROPERTY_HOST_CACHED_BIT, "host_cached"},
                                               {VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT, "lazily_allocated"},
                                               {VK_MEMORY_PROPERTY_PROTECTED_BIT, "protected"},
                                               {VK_MEMORY_PROPERTY_DEVICE_COHERENT_BIT_AMD, "device_coherent_amd"},
                                               {VK_MEMORY_PROPERTY_DEVICE_UNCACHED_BIT_AMD, "device_uncached_amd"},
                                               {VK_MEMORY_PROPERTY_RDMA_CAPABLE_BIT_NV, "rdma_capable_nv"}});
}

std::string bytes_text(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string words_text(const json& words) {
  std::string out;
  for (const json& w : words) out += (out.empty() ? "" : " ") + w.get<std::string>();
  return out.empty() ? "-" : out;
}

std::string text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_array()) return words_text(v);
  return v.dump();
}

// Rows of cells printed with each column as wide as its widest cell.
void print_table(std::FILE* out, const std::vector<std::vector<std::string>>& rows, int indent) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line(size_t(indent), ' ');
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::fprintf(out, "%s\n", line.c_str());
  }
}

}  // namespace

json instance_report(const Instance& instance) {
  json layers = json::array();
  for (const VkLayerProperties& l : instance.available_layers()) {
    layers.push_back({{"name", l.layerName},
                      {"spec_version", version_text(l.specVersion)},
                      {"implementation_version", l.implementationVersion},
                      {"description", l.description}});
  }
  return {{"loader_version", version_text(instance.loader_version())},
          {"api_version", version_text(instance.api_version())},
          {"validation", validation_name(instance.validation())},
          {"debug_utils", instance.has_debug_utils()},
          {"layers", layers}};
}

json device_report(const DeviceInfo& d) {
  const VkPhysicalDeviceProperties& p = d.properties;
  json queues = json::array();
  for (uint32_t i = 0; i < d.queue_families.size(); ++i) {
    const VkQueueFamilyProperties& q = d.queue_families[i];
    const VkExtent3D& g = q.minImageTransferGranularity;
    queues.push_back({{"index", i},
                      {"flags", queue_flag_words(q.queueFlags)},
                      {"count", q.queueCount},
                      {"timestamp_valid_bits", q.timestampValidBits},
                      {"min_image_transfer_granularity", {g.width, g.height, g.depth}}});
  }
  json heaps = json::array();
  for (uint32_t i = 0; i < d.memory.memoryHeapCount; ++i) {
    heaps.push_back({{"index", i}, {"size", d.memory.memoryHeaps[i].size},
                     {"flags", heap_flag_words(d.memory.memoryHeaps[i].flags)}});
  }
  json types = json::array();
  for (uint32_t i = 0; i < d.memory.memoryTypeCount; ++i) {
    types.push_back({{"index", i}, {"heap", d.memory.memoryTypes[i].heapIndex},
                     {"flags", memory_flag_words(d.memory.memoryTypes[i].propertyFlags)}});
  }
  json features = json::object();
  for (uint32_t f = 0; f < uint32_t(Feature::Count); ++f) {
    features[feature_name(Feature(f))] = d.features.has(Feature(f));
  }
  const VkConformanceVersion& c = d.driver.conformanceVersion;
  const VkPhysicalDeviceLimits& l = p.limits;
  return {
      {"index", d.index},
      {"name", p.deviceName},
      {"type", d.type_name()},
      {"vendor_id", p.vendorID},
      {"vendor", vendor_name(p.vendorID)},
      {"device_id", p.deviceID},
      {"api_version", version_text(p.apiVersion)},
      {"driver_version", p.driverVersion},
      {"driver_version_text", driver_version_text(p.vendorID, p.driverVersion)},
      {"driver",
       {{"id", driver_id_name(d.driver.driverID)},
        {"name", d.driver.driverName},
        {"info", d.driver.driverInfo},
        {"conformance_version", str(int(c.major), ".", int(c.minor), ".", int(c.subminor), ".", int(c.patch))}}},
      {"queue_families", queues},
      {"memory", {{"heaps", heaps}, {"types", types}}},
      {"features", features},
      {"limits",
       {{"max_image_dimension_2d", l.maxImageDimension2D},
        {"max_compute_work_group_invocations", l.maxComputeWorkGroupInvocations},
        {"max_compute_shared_memory_size", l.maxComputeSharedMemorySize},
        {"max_push_constants_size", l.maxPushConstantsSize},
        {"max_memory_allocation_count", l.maxMemoryAllocationCount},
        {"max_bound_descriptor_sets", l.maxBoundDescriptorSets},
        {"timestamp_period_ns", l.timestampPeriod},
        {"non_coherent_atom_size", l.nonCoherentAtomSize},
        {"min_uniform_buffer_offset_alignment", l.minUniformBufferOffsetAlignment},
        {"min_storage_buffer_offset_alignment", l.minStorageBufferOffsetAlignment}}},
      {"extensions", d.extensions},
  };
}

void print_report(std::FILE* out, const json& report) {
  const json& inst = report["instance"];
  std::fprintf(out, "Vulkan instance\n");
  print_table(out,
              {{"loader version", text(inst["loader_version"])},
               {"instance API", text(inst["api_version"])},
               {"validation", text(inst["validation"])},
               {"debug utils", text(inst["debug_utils"])}},
              2);
  std::fprintf(out, "  layers (%zu)\n", inst["layers"].size());
  std::vector<std::vector<std::string>> rows;
  for (const json& l : inst["layers"]) {
    rows.push_back({text(l["name"]), text(l["spec_version"]), text(l["description"])});
  }
  print_table(out, rows, 4);

  for (const json& d : report["devices"]) {
    std::fprintf(out, "\nDevice %s: %s\n", text(d["index"]).c_str(), text(d["name"]).c_str());
    const json& drv = d["driver"];
    print_table(out,
                {{"type", text(d["type"])},
                 {"vendor", str(text(d["vendor"]), " (vendor id 0x", std::hex, d["vendor_id"].get<uint32_t>(),
                                ", device id 0x", d["device_id"].get<uint32_t>(), ")")},
                 {"API version", text(d["api_version"])},
                 {"driver", str(text(drv["name"]), " (", text(drv["id"]), ")")},
                 {"driver info", text(drv["info"])},
                 {"driver version", str(text(d["driver_version_text"]), " (raw ", text(d["driver_version"]), ")")},
                 {"conformance", text(drv["conformance_version"])},
                 {"extensions", str(d["extensions"].size())}},
                2);

    std::fprintf(out, "  queue families\n");
    rows = {{"#", "flags", "count", "timestamp bits"}};
    for (const json& q : d["queue_families"]) {
      rows.push_back({text(q["index"]), text(q["flags"]), text(q["count"]), text(q["timestamp_valid_bits"])});
    }
    print_table(out, rows, 4);

    std::fprintf(out, "  memory heaps\n");
    rows = {{"#", "size", "flags"}};
    for (const json& h : d["memory"]["heaps"]) {
      rows.push_back({text(h["index"]), bytes_text(h["size"].get<uint64_t>()), text(h["flags"])});
    }
    print_table(out, rows, 4);

    std::fprintf(out, "  memory types\n");
    rows = {{"#", "heap", "flags"}};
    for (const json& t : d["memory"]["types"]) {
      rows.push_back({text(t["index"]), text(t["heap"]), text(t["flags"])});
    }
    print_table(out, rows, 4);

    std::fprintf(out, "  limits\n");
    rows.clear();
    for (const auto& [key, value] : d["limits"].items()) rows.push_back({key, text(value)});
    print_table(out, rows, 4);

    std::fprintf(out, "  kiln features\n");
    rows.clear();
    for (const auto& [key, value] : d["features"].items()) rows.push_back({key, text(value)});
    print_table(out, rows, 4);
  }
}

}  // namespace kiln::cli
