#include "state.h"

#include <cstdio>
#include <shared_mutex>

#include "hook/pending.h"

namespace kiln::layer {

namespace {

struct Globals {
  std::shared_mutex mutex;  // instances, devices, queues: created rarely, looked up at submit
  std::unordered_map<void*, std::unique_ptr<Instance>> instances;
  std::unordered_map<void*, std::unique_ptr<Device>> devices;
  std::unordered_map<VkQueue, Queue*> queues;
  Device* only_device = nullptr;  // the common case of one device: no lock to find it
  std::unordered_map<VkPhysicalDevice, Instance*> physical;
};
Globals& globals() {
  static Globals* g = new Globals;  // never destroyed: programs call Vulkan from atexit handlers
  return *g;
}

// Command buffers by handle: sharded; a thread-local cache in front makes the vkCmd* path lock-free
// while one thread records one command buffer. The epoch invalidates caches when any is freed.
struct CbShard {
  std::shared_mutex mutex;
  std::unordered_map<VkCommandBuffer, std::unique_ptr<CommandBuffer>> map;
};
constexpr size_t kCbShards = 32;
CbShard* cb_shards() {
  static CbShard* s = new CbShard[kCbShards];
  return s;
}
CbShard& cb_shard(VkCommandBuffer cb) {
  auto k = reinterpret_cast<uintptr_t>(cb);
  return cb_shards()[((k >> 4) ^ (k >> 11)) % kCbShards];
}
}  // namespace

Instance* instance_of(const void* dispatchable) {
  Globals& g = globals();
  std::shared_lock lock(g.mutex);
  auto it = g.instances.find(dispatch_key(dispatchable));
  return it == g.instances.end() ? nullptr : it->second.get();
}

Device* device_of(const void* dispatchable) {
  Globals& g = globals();
  std::shared_lock lock(g.mutex);
  if (g.only_device && dispatch_key(dispatchable) == dispatch_key(g.only_device->handle)) return g.only_device;
  auto it = g.devices.find(dispatch_key(dispatchable));
  return it == g.devices.end() ? nullptr : it->second.get();
}

void add_instance(void* key, std::unique_ptr<Instance> inst) {
  Globals& g = globals();
  std::unique_lock lock(g.mutex);
  g.instances[key] = std::move(inst);
}

std::unique_ptr<Instance> remove_instance(void* key) {
  Globals& g = globals();
  std::unique_lock lock(g.mutex);
  auto it = g.instances.find(key);
  if (it == g.instances.end()) return nullptr;
  auto inst = std::move(it->second);
  g.instances.erase(it);
  for (auto p = g.physical.begin(); p != g.physical.end();)
    p = p->second == inst.get() ? g.physical.erase(p) : std::next(p);
  return inst;
}

Instance* instance_by_physical(VkPhysicalDevice pd) { return instance_of(pd); }

void add_device(void* key, std::unique_ptr<Device> dev) {
  Globals& g = globals();
  std::unique_lock lock(g.mutex);
  g.devices[key] = std::move(dev);
  g.only_device = g.devices.size() == 1 ? g.devices.begin()->second.get() : nullptr;
}

std::unique_ptr<Device> remove_device(void* key) {
  Globals& g = globals();
  std::unique_lock lock(g.mutex);
  auto it = g.devices.find(key);
  if (it == g.devices.end()) return nullptr;
  auto dev = std::move(it->second);
  g.devices.erase(it);
  for (auto q = g.queues.begin(); q != g.queues.end();)
    q = q->second->device == dev.get() ? g.queues.erase(q) : std::next(q);
  g.only_device = g.devices.size() == 1 ? g.devices.begin()->second.get() : nullptr;
  return dev;
}

std::atomic<uint64_t> g_cb_epoch{1};
constinit thread_local CbCache t_cb_cache;

CommandBuffer* command_buffer_slow(VkCommandBuffer cb, uint64_t epoch) {
  CbCache& c = t_cb_cache;
  CommandBuffer* state = nullptr;
  {
    CbShard& s = cb_shard(cb);
    std::shared_lock lock(s.mutex);
    auto it = s.map.find(cb);
    if (it != s.map.end()) state = it->second.get();
  }
  if (!state) {
    // A command buffer the layer never saw allocated: adopt it (its dispatch key is its device's),
    // forwarded but never re-recorded, rather than crash the program.
    Device* dev = device_of(cb);
    if (!dev) return nullptr;
    auto adopted = std::make_unique<CommandBuffer>();
    adopted->handle = cb;
    adopted->device = dev;
    adopted->passthrough = "it was not allocated through the layer";
    state = adopted.get();
    add_command_buffer(cb, std::move(adopted));
    epoch = g_cb_epoch.load(std::memory_order_acquire);
  }
  c = {cb, state, epoch};
  return state;
}

void add_command_buffer(VkCommandBuffer cb, std::unique_ptr<CommandBuffer> state) {
  CbShard& s = cb_shard(cb);
  std::unique_lock lock(s.mutex);
  s.map[cb] = std::move(state);
  g_cb_epoch.fetch_add(1, std::memory_order_acq_rel);  // a cached "unknown" for this handle is stale
}

void remove_command_buffer(VkCommandBuffer cb) {
  std::unique_ptr<CommandBuffer> dead;
  {
    CbShard& s = cb_shard(cb);
    std::unique_lock lock(s.mutex);
    auto it = s.map.find(cb);
    if (it == s.map.end()) return;
    dead = std::move(it->second);
    s.map.erase(it);
  }
  g_cb_epoch.fetch_add(1, std::memory_order_acq_rel);
}

Queue* queue_state(VkQueue q) {
  Globals& g = globals();
  std::shared_lock lock(g.mutex);
  auto it = g.queues.find(q);
  return it == g.queues.end() ? nullptr : it->second;
}

void add_queue(VkQueue q, Queue* state) {
  Globals& g = globals();
  std::unique_lock lock(g.mutex);
  g.queues[q] = state;
}

std::string Device::name_of(uint64_t object) {
  std::lock_guard lock(names_mutex);
  auto it = names.find(object);
  return it == names.end() ? std::string() : it->second;
}

std::pair<VkBuffer, VkDeviceSize> Device::buffer_at(VkDeviceAddress address) {
  std::lock_guard lock(addresses_mutex);
  auto it = addresses.upper_bound(address);
  if (it == addresses.begin()) return {VK_NULL_HANDLE, 0};
  --it;
  if (address - it->first >= it->second.size) return {VK_NULL_HANDLE, 0};
  return {it->second.buffer, address - it->first};
}

void report(const std::string& text) { std::fprintf(stderr, "kiln capture: %s\n", text.c_str()); }

}  // namespace kiln::layer
