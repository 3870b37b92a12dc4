// kiln/features.h — the device features kiln knows how to ask for, detect and enable.
//
// A Context takes lists of required and preferred features (context.h). Required ones that a device
// lacks rule it out (the error says which device lacked what); preferred ones are enabled when present
// and logged once when not. `Context::has(Feature)` tells what was enabled.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace kiln {

enum class Feature : uint32_t {
  DynamicRendering,      // 1.3 core or VK_KHR_dynamic_rendering
  Synchronization2,      // 1.3 core or VK_KHR_synchronization2; without it kiln translates barriers/submits
  TimelineSemaphore,     // 1.2 core or VK_KHR_timeline_semaphore
  DescriptorIndexing,    // 1.2 core: runtime arrays, update-after-bind, partially bound, non-uniform indexing
  BufferDeviceAddress,   // 1.2 core or VK_KHR_buffer_device_address
  ScalarBlockLayout,     // 1.2 core or VK_EXT_scalar_block_layout
  Storage8Bit,           // storageBuffer8BitAccess
  Storage16Bit,          // storageBuffer16BitAccess
  ShaderFloat16,         // shaderFloat16
  ShaderInt64,           // shaderInt64
  HostQueryReset,        // 1.2 core or VK_EXT_host_query_reset
  CalibratedTimestamps,  // VK_EXT_calibrated_timestamps
  MeshShader,            // VK_EXT_mesh_shader (task + mesh)
  RayTracingPipeline,    // VK_KHR_ray_tracing_pipeline (+ acceleration structures)
  RayQuery,              // VK_KHR_ray_query (+ acceleration structures)
  SubgroupSizeControl,   // 1.3 core or VK_EXT_subgroup_size_control
  MemoryBudget,          // VK_EXT_memory_budget
  Count
};

const char* feature_name(Feature feature);
// Parses the name printed by feature_name ("dynamic_rendering"); false when unknown.
bool parse_feature(const std::string& name, Feature* out);

class FeatureSet {
 public:
  FeatureSet() = default;
  FeatureSet(std::initializer_list<Feature> features) {
    for (Feature f : features) set(f);
  }
  bool has(Feature f) const { return (bits_ >> uint32_t(f)) & 1u; }
  void set(Feature f, bool on = true) {
    if (on) bits_ |= uint64_t(1) << uint32_t(f);
    else bits_ &= ~(uint64_t(1) << uint32_t(f));
  }
  bool empty() const { return bits_ == 0; }
  std::vector<Feature> list() const;
  bool operator==(const FeatureSet&) const = default;

 private:
  uint64_t bits_ = 0;
};

// What a context prefers when ContextDesc::preferred is left as it is.
FeatureSet default_preferred_features();

}  // namespace kiln
