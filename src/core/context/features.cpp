#include "kiln/features.h"

namespace kiln {
namespace {
constexpr const char* kNames[] = {
    "dynamic_rendering", "synchronization2", "timeline_semaphore", "descriptor_indexing",
    "buffer_device_address", "scalar_block_layout", "storage_8bit", "storage_16bit",
    "shader_float16", "shader_int64", "host_query_reset", "calibrated_timestamps",
    "mesh_shader", "ray_tracing_pipeline", "ray_query", "subgroup_size_control", "memory_budget",
};
static_assert(std::size(kNames) == size_t(Feature::Count));
}  // namespace

const char* feature_name(Feature feature) {
  return uint32_t(feature) < uint32_t(Feature::Count) ? kNames[uint32_t(feature)] : "unknown";
}

bool parse_feature(const std::string& name, Feature* out) {
  for (uint32_t i = 0; i < uint32_t(Feature::Count); ++i) {
    if (name == kNames[i]) {
      *out = Feature(i);
      return true;
    }
  }
  return false;
}

std::vector<Feature> FeatureSet::list() const {
  std::vector<Feature> out;
  for (uint32_t i = 0; i < uint32_t(Feature::Count); ++i)
    if (has(Feature(i))) out.push_back(Feature(i));
  return out;
}

FeatureSet default_preferred_features() {
  // Everything that costs nothing to have on; mesh shading and ray tracing are asked for explicitly.
  return {Feature::DynamicRendering,    Feature::Synchronization2, Feature::TimelineSemaphore,
          Feature::DescriptorIndexing,  Feature::BufferDeviceAddress, Feature::ScalarBlockLayout,
          Feature::Storage8Bit,         Feature::Storage16Bit,     Feature::ShaderFloat16,
          Feature::ShaderInt64,         Feature::HostQueryReset,   Feature::CalibratedTimestamps,
          Feature::SubgroupSizeControl, Feature::MemoryBudget};
}

}  // namespace kiln
