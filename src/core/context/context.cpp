// Context: the logical device with the features kiln could enable, its queues, its allocator and
// the deferred destruction of objects the GPU may still be using.
#include "kiln/context.h"

#include <algorithm>
#include <cstring>

#include "core/context/feature_chain.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {
namespace {

struct QueueChoice {
  uint32_t family = UINT32_MAX;
};

// The first family with all of `want` and none of `avoid`.
uint32_t find_family(const DeviceInfo& d, VkQueueFlags want, VkQueueFlags avoid) {
  for (uint32_t i = 0; i < d.queue_families.size(); ++i) {
    VkQueueFlags f = d.queue_families[i].queueFlags;
    if ((f & want) == want && !(f & avoid) && d.queue_families[i].queueCount > 0) return i;
  }
  return UINT32_MAX;
}

template <class PFN>
PFN device_fn(VkDevice device, const char* core, const char* ext = nullptr) {
  PFN f = reinterpret_cast<PFN>(vkGetDeviceProcAddr(device, core));
  if (!f && ext) f = reinterpret_cast<PFN>(vkGetDeviceProcAddr(device, ext));
  return f;
}

}  // namespace

Context::Context(const ContextDesc& desc) {
  instance_ = std::make_unique<Instance>(desc);
  std::vector<DeviceInfo> devices = instance_->devices();
  info_ = choose_device(devices, desc);
  api_version_ = std::min(instance_->api_version(), info_.properties.apiVersion);
  const std::string device_name = info_.properties.deviceName;

  // Features: required ones are guaranteed by choose_device; preferred ones where present.
  FeatureSet disabled;
  for (Feature f : desc.disabled) disabled.set(f);
  FeatureSet wanted = desc.preferred;
  for (Feature f : desc.required) wanted.set(f);
  for (Feature f : wanted.list()) {
    if (disabled.has(f)) continue;
    if (info_.features.has(f)) {
      enabled_.set(f);
    } else {
      log_once(LogLevel::Info, str("missing-feature:", device_name, ":", feature_name(f)),
               str("preferred feature ", feature_name(f), " is not available on ", device_name, "; kiln falls back"));
    }
  }

  std::vector<const char*> extensions = detail::extensions_for(enabled_, api_version_);
  for (const char* e : desc.device_extensions) extensions.push_back(e);
  if (desc.presentation) extensions.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);
  std::sort(extensions.begin(), extensions.end(), [](const char* a, const char* b) { return std::strcmp(a, b) < 0; });
  extensions.erase(std::unique(extensions.begin(), extensions.end(),
                               [](const char* a, const char* b) { return std::strcmp(a, b) == 0; }),
                   extensions.end());
  for (const char* e : extensions) extensions_.emplace_back(e);

  // Queues: graphics (with compute), async compute, dedicated transfer; one queue of each family.
  uint32_t graphics = find_family(info_, VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT, 0);
  if (graphics == UINT32_MAX) graphics = find_family(info_, VK_QUEUE_GRAPHICS_BIT, 0);
  uint32_t compute = find_family(info_, VK_QUEUE_COMPUTE_BIT, VK_QUEUE_GRAPHICS_BIT);
  uint32_t transfer = find_family(info_, VK_QUEUE_TRANSFER_BIT, VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT);
  std::vector<uint32_t> families = {graphics};
  for (uint32_t f : {compute, transfer})
    if (f != UINT32_MAX) families.push_back(f);
  float priority = 1.0f;
  std::vector<VkDeviceQueueCreateInfo> queue_infos;
  for (uint32_t f : families) {
    VkDeviceQueueCreateInfo q{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    q.queueFamilyIndex = f;
    q.queueCount = 1;
    q.pQueuePriorities = &priority;
    queue_infos.push_back(q);
  }

  detail::FeatureChain chain;
  chain.link(api_version_, info_.extensions);
  detail::enable_features(chain, enabled_, api_version_);
  core_features_ = detail::free_core_features(info_.core_features);
  core_features_.shaderInt64 = chain.core.features.shaderInt64;
  chain.core.features = core_features_;

  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = &chain.core;
  info.queueCreateInfoCount = uint32_t(queue_infos.size());
  info.pQueueCreateInfos = queue_infos.data();
  info.enabledExtensionCount = uint32_t(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  with_context(str("creating the device on ", device_name), [&] {
    check(vkCreateDevice(info_.handle, &info, nullptr, &device_), "vkCreateDevice");
  });

  fn_.cmd_bind_pipeline = device_fn<PFN_vkCmdBindPipeline>(device_, "vkCmdBindPipeline");
  fn_.cmd_bind_descriptor_sets = device_fn<PFN_vkCmdBindDescriptorSets>(device_, "vkCmdBindDescriptorSets");
  fn_.cmd_push_constants = device_fn<PFN_vkCmdPushConstants>(device_, "vkCmdPushConstants");
  fn_.cmd_bind_vertex_buffers = device_fn<PFN_vkCmdBindVertexBuffers>(device_, "vkCmdBindVertexBuffers");
  fn_.cmd_bind_index_buffer = device_fn<PFN_vkCmdBindIndexBuffer>(device_, "vkCmdBindIndexBuffer");
  fn_.cmd_draw = device_fn<PFN_vkCmdDraw>(device_, "vkCmdDraw");
  fn_.cmd_draw_indexed = device_fn<PFN_vkCmdDrawIndexed>(device_, "vkCmdDrawIndexed");
  fn_.cmd_dispatch = device_fn<PFN_vkCmdDispatch>(device_, "vkCmdDispatch");

  const bool v12 = api_version_ >= VK_API_VERSION_1_2, v13 = api_version_ >= VK_API_VERSION_1_3;
  auto pick = [&](const char* core, const char* ext, bool is_core) { return is_core ? core : ext; };
  if (has(Feature::Synchronization2)) {
    fn_.cmd_pipeline_barrier2 = device_fn<PFN_vkCmdPipelineBarrier2>(device_, pick("vkCmdPipelineBarrier2", "vkCmdPipelineBarrier2KHR", v13));
    fn_.queue_submit2 = device_fn<PFN_vkQueueSubmit2>(device_, pick("vkQueueSubmit2", "vkQueueSubmit2KHR", v13));
    fn_.cmd_write_timestamp2 = device_fn<PFN_vkCmdWriteTimestamp2>(device_, pick("vkCmdWriteTimestamp2", "vkCmdWriteTimestamp2KHR", v13));
  }
  if (has(Feature::DynamicRendering)) {
    fn_.cmd_begin_rendering = device_fn<PFN_vkCmdBeginRendering>(device_, pick("vkCmdBeginRendering", "vkCmdBeginRenderingKHR", v13));
    fn_.cmd_end_rendering = device_fn<PFN_vkCmdEndRendering>(device_, pick("vkCmdEndRendering", "vkCmdEndRenderingKHR", v13));
  }
  if (has(Feature::HostQueryReset))
    fn_.reset_query_pool = device_fn<PFN_vkResetQueryPool>(device_, pick("vkResetQueryPool", "vkResetQueryPoolEXT", v12));
  if (has(Feature::TimelineSemaphore)) {
    fn_.get_semaphore_counter_value = device_fn<PFN_vkGetSemaphoreCounterValue>(device_, pick("vkGetSemaphoreCounterValue", "vkGetSemaphoreCounterValueKHR", v12));
    fn_.wait_semaphores = device_fn<PFN_vkWaitSemaphores>(device_, pick("vkWaitSemaphores", "vkWaitSemaphoresKHR", v12));
    fn_.signal_semaphore = device_fn<PFN_vkSignalSemaphore>(device_, pick("vkSignalSemaphore", "vkSignalSemaphoreKHR", v12));
  }
  if (has(Feature::BufferDeviceAddress))
    fn_.get_buffer_device_address = device_fn<PFN_vkGetBufferDeviceAddress>(device_, pick("vkGetBufferDeviceAddress", "vkGetBufferDeviceAddressKHR", v12));
  if (has(Feature::CalibratedTimestamps))
    fn_.get_calibrated_timestamps = device_fn<PFN_vkGetCalibratedTimestampsEXT>(device_, "vkGetCalibratedTimestampsEXT");
  if (has(Feature::MeshShader))
    fn_.cmd_draw_mesh_tasks = device_fn<PFN_vkCmdDrawMeshTasksEXT>(device_, "vkCmdDrawMeshTasksEXT");
  if (instance_->has_debug_utils()) {
    VkInstance inst = instance_->handle();
    fn_.set_debug_utils_object_name = reinterpret_cast<PFN_vkSetDebugUtilsObjectNameEXT>(vkGetInstanceProcAddr(inst, "vkSetDebugUtilsObjectNameEXT"));
    fn_.cmd_begin_debug_utils_label = reinterpret_cast<PFN_vkCmdBeginDebugUtilsLabelEXT>(vkGetInstanceProcAddr(inst, "vkCmdBeginDebugUtilsLabelEXT"));
    fn_.cmd_end_debug_utils_label = reinterpret_cast<PFN_vkCmdEndDebugUtilsLabelEXT>(vkGetInstanceProcAddr(inst, "vkCmdEndDebugUtilsLabelEXT"));
    fn_.cmd_insert_debug_utils_label = reinterpret_cast<PFN_vkCmdInsertDebugUtilsLabelEXT>(vkGetInstanceProcAddr(inst, "vkCmdInsertDebugUtilsLabelEXT"));
  }

  const QueueKind kinds[] = {QueueKind::Graphics, QueueKind::Compute, QueueKind::Transfer};
  for (size_t i = 0; i < families.size(); ++i) {
    VkQueue q = VK_NULL_HANDLE;
    vkGetDeviceQueue(device_, families[i], 0, &q);
    QueueKind kind = i == 0 ? QueueKind::Graphics : (families[i] == compute ? QueueKind::Compute : QueueKind::Transfer);
    queues_.push_back(std::make_unique<Queue>(*this, q, families[i], 0, kind));
    set_name(q, str("kiln.queue.", queue_kind_name(kind)));
  }
  for (QueueKind k : kinds) {
    by_kind_[uint32_t(k)] = queues_[0].get();
    for (auto& q : queues_)
      if (q->kind() == k) by_kind_[uint32_t(k)] = q.get();
  }

  allocator_ = std::make_unique<Allocator>(device_, info_, desc.allocator, has(Feature::MemoryBudget),
                                           has(Feature::BufferDeviceAddress));
  log(LogLevel::Debug, str("kiln: context on ", device_name, " (Vulkan ", VK_API_VERSION_MAJOR(api_version_), ".",
                           VK_API_VERSION_MINOR(api_version_), ", validation ", validation_name(validation()), ")"));
}

Context::~Context() {
  if (!device_) return;
  try {
    wait_idle();
  } catch (const Error& e) {
    log(LogLevel::Error, str("destroying the context: ", e.what()));
    vkDeviceWaitIdle(device_);
    std::lock_guard lock(retire_mutex_);
    for (Retired& r : retired_) r.destroy();
    retired_.clear();
  }
  queues_.clear();
  allocator_.reset();
  vkDestroyDevice(device_, nullptr);
}

bool Context::has_extension(std::string_view name) const {
  return std::find(extensions_.begin(), extensions_.end(), name) != extensions_.end();
}

Queue& Context::queue(QueueKind kind) { return *by_kind_[uint32_t(kind)]; }

bool Context::has_dedicated(QueueKind kind) const {
  return kind == QueueKind::Graphics || by_kind_[uint32_t(kind)] != by_kind_[uint32_t(QueueKind::Graphics)];
}

void Context::set_name(VkObjectType type, uint64_t handle, std::string_view name) const {
  if (!fn_.set_debug_utils_object_name || name.empty() || !handle) return;
  std::string owned(name);  // null terminated
  VkDebugUtilsObjectNameInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT};
  info.objectType = type;
  info.objectHandle = handle;
  info.pObjectName = owned.c_str();
  fn_.set_debug_utils_object_name(device_, &info);
}

void Context::defer(std::function<void()> destroy) {
  Retired r;
  r.serials.reserve(queues_.size());
  bool all_done = true;
  for (auto& q : queues_) {
    uint64_t s = q->last_submitted();
    r.serials.push_back(s);
    all_done = all_done && q->last_finished() >= s;
  }
  if (all_done) {
    // Nothing submitted since could use it; skip the queue (and keep destruction order simple).
    std::unique_lock lock(retire_mutex_);
    if (retired_.empty()) {
      lock.unlock();
      destroy();
      return;
    }
  }
  r.destroy = std::move(destroy);
  std::lock_guard lock(retire_mutex_);
  retired_.push_back(std::move(r));
}

void Context::collect() {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(retire_mutex_);
    if (retired_.empty()) return;
    std::vector<uint64_t> finished;
    for (auto& q : queues_) finished.push_back(q->last_finished());
    // Serials only grow along the deque, so the finished ones are a prefix.
    while (!retired_.empty()) {
      const Retired& r = retired_.front();
      bool done = true;
      for (size_t i = 0; i < finished.size(); ++i) done = done && finished[i] >= r.serials[i];
      if (!done) break;
      ready.push_back(std::move(retired_.front().destroy));
      retired_.pop_front();
    }
  }
  for (auto& d : ready) d();
}

void Context::wait_idle() {
  for (auto& q : queues_) q->wait_idle();
  std::deque<Retired> all;
  {
    std::lock_guard lock(retire_mutex_);
    all.swap(retired_);
  }
  for (Retired& r : all) r.destroy();
}

}  // namespace kiln
