#include "core/context/feature_chain.h"

#include <algorithm>
#include <cstring>

namespace kiln::detail {
namespace {

constexpr uint32_t V12 = VK_API_VERSION_1_2;
constexpr uint32_t V13 = VK_API_VERSION_1_3;

// Descriptor indexing as kiln means it: bindless arrays that can be updated while in use.
template <class T>
bool indexing_supported(const T& f) {
  return f.runtimeDescriptorArray && f.descriptorBindingPartiallyBound && f.descriptorBindingVariableDescriptorCount &&
         f.shaderSampledImageArrayNonUniformIndexing && f.shaderStorageBufferArrayNonUniformIndexing &&
         f.descriptorBindingSampledImageUpdateAfterBind && f.descriptorBindingStorageBufferUpdateAfterBind &&
         f.descriptorBindingUpdateUnusedWhilePending;
}
template <class T>
void enable_indexing(T& f) {
  f.runtimeDescriptorArray = f.descriptorBindingPartiallyBound = f.descriptorBindingVariableDescriptorCount = VK_TRUE;
  f.shaderSampledImageArrayNonUniformIndexing = f.shaderStorageBufferArrayNonUniformIndexing = VK_TRUE;
  f.descriptorBindingSampledImageUpdateAfterBind = f.descriptorBindingStorageBufferUpdateAfterBind = VK_TRUE;
  f.descriptorBindingUpdateUnusedWhilePending = VK_TRUE;
}

void push(VkBaseOutStructure*& tail, void* s) {
  tail->pNext = static_cast<VkBaseOutStructure*>(s);
  tail = tail->pNext;
  tail->pNext = nullptr;
}

}  // namespace

bool has_extension(const std::vector<std::string>& extensions, const char* name) {
  return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& e) { return e == name; });
}

VkPhysicalDeviceFeatures free_core_features(const VkPhysicalDeviceFeatures& has) {
  VkPhysicalDeviceFeatures f{};
#define KILN_FREE(name) f.name = has.name;
  KILN_FREE(fullDrawIndexUint32)
  KILN_FREE(imageCubeArray)
  KILN_FREE(independentBlend)
  KILN_FREE(multiDrawIndirect)
  KILN_FREE(drawIndirectFirstInstance)
  KILN_FREE(depthClamp)
  KILN_FREE(depthBiasClamp)
  KILN_FREE(fillModeNonSolid)
  KILN_FREE(wideLines)
  KILN_FREE(largePoints)
  KILN_FREE(samplerAnisotropy)
  KILN_FREE(textureCompressionBC)
  KILN_FREE(occlusionQueryPrecise)
  KILN_FREE(pipelineStatisticsQuery)
  KILN_FREE(vertexPipelineStoresAndAtomics)
  KILN_FREE(fragmentStoresAndAtomics)
  KILN_FREE(shaderImageGatherExtended)
  KILN_FREE(shaderStorageImageExtendedFormats)
  KILN_FREE(shaderStorageImageReadWithoutFormat)
  KILN_FREE(shaderStorageImageWriteWithoutFormat)
  KILN_FREE(shaderUniformBufferArrayDynamicIndexing)
  KILN_FREE(shaderSampledImageArrayDynamicIndexing)
  KILN_FREE(shaderStorageBufferArrayDynamicIndexing)
  KILN_FREE(shaderStorageImageArrayDynamicIndexing)
  KILN_FREE(shaderClipDistance)
  KILN_FREE(shaderCullDistance)
  KILN_FREE(shaderFloat64)
  KILN_FREE(shaderInt16)
  KILN_FREE(geometryShader)
  KILN_FREE(tessellationShader)
  KILN_FREE(sampleRateShading)
  KILN_FREE(dualSrcBlend)
  KILN_FREE(logicOp)
#undef KILN_FREE
  return f;
}

void FeatureChain::link(uint32_t api, const std::vector<std::string>& ext) {
  auto* tail = reinterpret_cast<VkBaseOutStructure*>(&core);
  tail->pNext = nullptr;
  if (api >= V12) {
    push(tail, &v11);
    push(tail, &v12);
  } else {
    push(tail, &storage16);
    if (has_extension(ext, VK_KHR_8BIT_STORAGE_EXTENSION_NAME)) push(tail, &storage8);
    if (has_extension(ext, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME)) push(tail, &float16);
    if (has_extension(ext, VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME)) push(tail, &timeline);
    if (has_extension(ext, VK_EXT_DESCRIPTOR_INDEXING_EXTENSION_NAME)) push(tail, &indexing);
    if (has_extension(ext, VK_KHR_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME)) push(tail, &bda);
    if (has_extension(ext, VK_EXT_SCALAR_BLOCK_LAYOUT_EXTENSION_NAME)) push(tail, &scalar);
    if (has_extension(ext, VK_EXT_HOST_QUERY_RESET_EXTENSION_NAME)) push(tail, &host_reset);
  }
  if (api >= V13) {
    push(tail, &v13);
  } else {
    if (has_extension(ext, VK_KHR_DYNAMIC_RENDERING_EXTENSION_NAME)) push(tail, &dynamic_rendering);
    if (has_extension(ext, VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME)) push(tail, &sync2);
    if (has_extension(ext, VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME)) push(tail, &subgroup);
  }
  if (has_extension(ext, VK_EXT_MESH_SHADER_EXTENSION_NAME)) push(tail, &mesh);
  if (has_extension(ext, VK_KHR_ACCELERATION_STRUCTURE_EXTENSION_NAME)) push(tail, &accel);
  if (has_extension(ext, VK_KHR_RAY_TRACING_PIPELINE_EXTENSION_NAME)) push(tail, &rt_pipeline);
  if (has_extension(ext, VK_KHR_RAY_QUERY_EXTENSION_NAME)) push(tail, &ray_query);
}

FeatureSet supported_features(const FeatureChain& c, uint32_t api, const std::vector<std::string>& ext) {
  FeatureSet s;
  auto has = [&](const char* e) { return has_extension(ext, e); };
  if (api >= V12) {
    s.set(Feature::TimelineSemaphore, c.v12.timelineSemaphore);
    s.set(Feature::DescriptorIndexing, indexing_supported(c.v12));
    s.set(Feature::BufferDeviceAddress, c.v12.bufferDeviceAddress);
    s.set(Feature::ScalarBlockLayout, c.v12.scalarBlockLayout);
    s.set(Feature::Storage8Bit, c.v12.storageBuffer8BitAccess);
    s.set(Feature::Storage16Bit, c.v11.storageBuffer16BitAccess);
    s.set(Feature::ShaderFloat16, c.v12.shaderFloat16);
    s.set(Feature::HostQueryReset, c.v12.hostQueryReset);
  } else {
    s.set(Feature::TimelineSemaphore, has(VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME) && c.timeline.timelineSemaphore);
    s.set(Feature::DescriptorIndexing, has(VK_EXT_DESCRIPTOR_INDEXING_EXTENSION_NAME) && indexing_supported(c.indexing));
    s.set(Feature::BufferDeviceAddress, has(VK_KHR_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME) && c.bda.bufferDeviceAddress);
    s.set(Feature::ScalarBlockLayout, has(VK_EXT_SCALAR_BLOCK_LAYOUT_EXTENSION_NAME) && c.scalar.scalarBlockLayout);
    s.set(Feature::Storage8Bit, has(VK_KHR_8BIT_STORAGE_EXTENSION_NAME) && c.storage8.storageBuffer8BitAccess);
    s.set(Feature::Storage16Bit, c.storage16.storageBuffer16BitAccess);
    s.set(Feature::ShaderFloat16, has(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME) && c.float16.shaderFloat16);
    s.set(Feature::HostQueryReset, has(VK_EXT_HOST_QUERY_RESET_EXTENSION_NAME) && c.host_reset.hostQueryReset);
  }
  if (api >= V13) {
    s.set(Feature::DynamicRendering, c.v13.dynamicRendering);
    s.set(Feature::Synchronization2, c.v13.synchronization2);
    s.set(Feature::SubgroupSizeControl, c.v13.subgroupSizeControl && c.v13.computeFullSubgroups);
  } else {
    s.set(Feature::DynamicRendering, has(VK_KHR_DYNAMIC_RENDERING_EXTENSION_NAME) && c.dynamic_rendering.dynamicRendering &&
                                         (api >= V12 || (has(VK_KHR_DEPTH_STENCIL_RESOLVE_EXTENSION_NAME) &&
                                                         has(VK_KHR_CREATE_RENDERPASS_2_EXTENSION_NAME))));
    s.set(Feature::Synchronization2, has(VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME) && c.sync2.synchronization2);
    s.set(Feature::SubgroupSizeControl, has(VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME) &&
                                            c.subgroup.subgroupSizeControl && c.subgroup.computeFullSubgroups);
  }
  s.set(Feature::ShaderInt64, c.core.features.shaderInt64);
  s.set(Feature::CalibratedTimestamps, has(VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME));
  s.set(Feature::MemoryBudget, has(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME));
  // kiln asks 1.2 for the ray-tracing and mesh paths: their SPIR-V needs 1.4 and their
  // acceleration structures need buffer device addresses, both core there.
  bool rt_base = api >= V12 && c.v12.bufferDeviceAddress && has(VK_KHR_ACCELERATION_STRUCTURE_EXTENSION_NAME) &&
                 has(VK_KHR_DEFERRED_HOST_OPERATIONS_EXTENSION_NAME) && c.accel.accelerationStructure;
  s.set(Feature::RayTracingPipeline, rt_base && has(VK_KHR_RAY_TRACING_PIPELINE_EXTENSION_NAME) && c.rt_pipeline.rayTracingPipeline);
  s.set(Feature::RayQuery, rt_base && has(VK_KHR_RAY_QUERY_EXTENSION_NAME) && c.ray_query.rayQuery);
  s.set(Feature::MeshShader, api >= V12 && has(VK_EXT_MESH_SHADER_EXTENSION_NAME) && c.mesh.meshShader && c.mesh.taskShader);
  return s;
}

void enable_features(FeatureChain& c, FeatureSet f, uint32_t api) {
  const bool v12 = api >= V12, v13 = api >= V13;
  if (f.has(Feature::TimelineSemaphore)) (v12 ? c.v12.timelineSemaphore : c.timeline.timelineSemaphore) = VK_TRUE;
  if (f.has(Feature::DescriptorIndexing)) {
    if (v12) {
      c.v12.descriptorIndexing = VK_TRUE;
      enable_indexing(c.v12);
    } else {
      enable_indexing(c.indexing);
    }
  }
  if (f.has(Feature::BufferDeviceAddress) || f.has(Feature::RayTracingPipeline) || f.has(Feature::RayQuery))
    (v12 ? c.v12.bufferDeviceAddress : c.bda.bufferDeviceAddress) = VK_TRUE;
  if (f.has(Feature::ScalarBlockLayout)) (v12 ? c.v12.scalarBlockLayout : c.scalar.scalarBlockLayout) = VK_TRUE;
  if (f.has(Feature::Storage8Bit)) (v12 ? c.v12.storageBuffer8BitAccess : c.storage8.storageBuffer8BitAccess) = VK_TRUE;
  if (f.has(Feature::Storage16Bit)) (v12 ? c.v11.storageBuffer16BitAccess : c.storage16.storageBuffer16BitAccess) = VK_TRUE;
  if (f.has(Feature::ShaderFloat16)) (v12 ? c.v12.shaderFloat16 : c.float16.shaderFloat16) = VK_TRUE;
  if (f.has(Feature::HostQueryReset)) (v12 ? c.v12.hostQueryReset : c.host_reset.hostQueryReset) = VK_TRUE;
  if (f.has(Feature::ShaderInt64)) c.core.features.shaderInt64 = VK_TRUE;
  if (f.has(Feature::DynamicRendering)) (v13 ? c.v13.dynamicRendering : c.dynamic_rendering.dynamicRendering) = VK_TRUE;
  if (f.has(Feature::Synchronization2)) (v13 ? c.v13.synchronization2 : c.sync2.synchronization2) = VK_TRUE;
  if (f.has(Feature::SubgroupSizeControl)) {
    if (v13) c.v13.subgroupSizeControl = c.v13.computeFullSubgroups = VK_TRUE;
    else c.subgroup.subgroupSizeControl = c.subgroup.computeFullSubgroups = VK_TRUE;
  }
  if (f.has(Feature::MeshShader)) c.mesh.meshShader = c.mesh.taskShader = VK_TRUE;
  if (f.has(Feature::RayTracingPipeline) || f.has(Feature::RayQuery)) c.accel.accelerationStructure = VK_TRUE;
  if (f.has(Feature::RayTracingPipeline)) c.rt_pipeline.rayTracingPipeline = VK_TRUE;
  if (f.has(Feature::RayQuery)) c.ray_query.rayQuery = VK_TRUE;
}

std::vector<const char*> extensions_for(FeatureSet f, uint32_t api) {
  std::vector<const char*> out;
  auto add = [&](const char* e) {
    if (std::none_of(out.begin(), out.end(), [&](const char* o) { return std::strcmp(o, e) == 0; })) out.push_back(e);
  };
  if (api < V12) {
    if (f.has(Feature::TimelineSemaphore)) add(VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME);
    if (f.has(Feature::DescriptorIndexing)) add(VK_EXT_DESCRIPTOR_INDEXING_EXTENSION_NAME);
    if (f.has(Feature::BufferDeviceAddress)) add(VK_KHR_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME);
    if (f.has(Feature::ScalarBlockLayout)) add(VK_EXT_SCALAR_BLOCK_LAYOUT_EXTENSION_NAME);
    if (f.has(Feature::Storage8Bit)) add(VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
    if (f.has(Feature::ShaderFloat16)) add(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    if (f.has(Feature::HostQueryReset)) add(VK_EXT_HOST_QUERY_RESET_EXTENSION_NAME);
    if (f.has(Feature::DynamicRendering)) {
      add(VK_KHR_DEPTH_STENCIL_RESOLVE_EXTENSION_NAME);
      add(VK_KHR_CREATE_RENDERPASS_2_EXTENSION_NAME);
    }
  }
  if (api < V13) {
    if (f.has(Feature::DynamicRendering)) add(VK_KHR_DYNAMIC_RENDERING_EXTENSION_NAME);
    if (f.has(Feature::Synchronization2)) add(VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME);
    if (f.has(Feature::SubgroupSizeControl)) add(VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
  }
  if (f.has(Feature::CalibratedTimestamps)) add(VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME);
  if (f.has(Feature::MemoryBudget)) add(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  if (f.has(Feature::MeshShader)) add(VK_EXT_MESH_SHADER_EXTENSION_NAME);
  if (f.has(Feature::RayTracingPipeline) || f.has(Feature::RayQuery)) {
    add(VK_KHR_ACCELERATION_STRUCTURE_EXTENSION_NAME);
    add(VK_KHR_DEFERRED_HOST_OPERATIONS_EXTENSION_NAME);
  }
  if (f.has(Feature::RayTracingPipeline)) add(VK_KHR_RAY_TRACING_PIPELINE_EXTENSION_NAME);
  if (f.has(Feature::RayQuery)) add(VK_KHR_RAY_QUERY_EXTENSION_NAME);
  return out;
}

}  // namespace kiln::detail
