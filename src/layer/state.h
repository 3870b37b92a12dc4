// The layer's state: instances and devices by dispatch key, each device with its dispatch table, its
// tracked objects, its command buffers' records, and the capture requests and captures in flight.
#pragma once

#include <vulkan/vk_layer.h>
#include <vulkan/vulkan.h>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture_data.h"
#include "cow/cow.h"
#include "cow/graph.h"
#include "dispatch/dispatch.h"
#include "hook/pending.h"
#include "record/arena.h"
#include "record/records.h"
#include "select/spec.h"
#include "track/handle_map.h"
#include "track/objects.h"

namespace kiln::layer {

struct Device;

inline void* dispatch_key(const void* handle) { return *static_cast<void* const*>(handle); }

struct Instance {
  VkInstance handle = VK_NULL_HANDLE;
  InstanceDispatch d;
  uint32_t api_version = VK_API_VERSION_1_0;  // the program's (VkApplicationInfo), which caps its devices'
};

struct Queue {
  VkQueue handle = VK_NULL_HANDLE;
  Device* device = nullptr;
  uint32_t family = 0, index = 0;
};

struct CommandPool {
  uint32_t family = 0;
  std::mutex mutex;
  std::vector<VkCommandBuffer> buffers;
};

// One command buffer: its records, touched only by the thread recording it.
struct CommandBuffer {
  VkCommandBuffer handle = VK_NULL_HANDLE;
  Device* device = nullptr;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkCommandBufferLevel level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  RecordList records;
  Arena arena;  // the arrays and structs records point to
  bool recording = true;    // begun while a capture could be asked for (Device::recording)
  std::string passthrough;  // why it cannot be re-recorded; empty: it can
  bool reported = false;    // passthrough said once
  VkCommandBufferUsageFlags usage = 0;
  bool has_inheritance = false;
  VkCommandBufferInheritanceInfo inheritance{};  // pNext dropped

  void reset() {
    records.reset();
    arena.reset();
    passthrough.clear();
    reported = false;
    has_inheritance = false;
  }
  // Appends a record of command `name`: its arguments `v` are exactly the driver call's.
  template <class T, Op op, Kind kind, CmdName name, class... V>
  [[gnu::always_inline]] void add(V... v) {
    static_assert(alignof(T) <= kRecordAlign && sizeof(T) % kRecordAlign == 0 && sizeof(T) <= kMaxRecordBytes);
    T* c = new (records.alloc(sizeof(T))) T;
    c->type = &kCmdType<T, op, kind, name>;
    c->args = {v...};
  }
  void fail(std::string why) {
    if (passthrough.empty()) passthrough = std::move(why);
  }
};

// A request to capture: from the environment (a frame) or from the C API (the next match).
struct Request {
  Spec spec;
  std::string spec_text;
  KilnWhen when = KilnWhen::Both;
  uint64_t frame = 0;        // environment: the frame to search; 0 for API requests
  bool from_api = false;
  uint32_t counted = 0;      // matches of the spec seen so far (API: across submissions)
};

// PendingCapture: hook/pending.h

struct Device {
  VkDevice handle = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  Instance* instance = nullptr;
  DeviceDispatch d;
  VkPhysicalDeviceMemoryProperties memory_properties{};
  uint32_t api_version = VK_API_VERSION_1_0;
  // Render pass 2 with depth/stencil resolves may be used (Vulkan 1.2, or the extensions enabled):
  // how multisampled depth/stencil images are captured.
  bool depth_stencil_resolve = false;

  HandleMap<Memory> memories;
  HandleMap<Buffer> buffers;
  HandleMap<Image> images;
  HandleMap<ImageView> image_views;
  HandleMap<BufferView> buffer_views;
  HandleMap<DescriptorSetLayout> set_layouts;
  HandleMap<DescriptorPool> descriptor_pools;
  HandleMap<DescriptorSet> descriptor_sets;
  HandleMap<UpdateTemplate> update_templates;
  HandleMap<ShaderModule> shader_modules;
  HandleMap<PipelineLayout> pipeline_layouts;
  HandleMap<Pipeline> pipelines;
  HandleMap<RenderPass> render_passes;
  HandleMap<Framebuffer> framebuffers;
  HandleMap<CommandPool> command_pools;
  HandleMap<Swapchain> swapchains;
  HandleMap<Queue> queues;

  std::mutex names_mutex;
  std::unordered_map<uint64_t, std::string> names;  // vkSetDebugUtilsObjectNameEXT
  std::string name_of(uint64_t object);

  // Buffer device addresses the program asked for (vkGetBufferDeviceAddress), so that addresses a
  // command is given (in push constants) lead back to buffers: start -> (buffer, size).
  struct AddressedBuffer {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceSize size = 0;
  };
  std::mutex addresses_mutex;
  std::map<VkDeviceAddress, AddressedBuffer> addresses;
  std::unordered_map<uint64_t, VkDeviceAddress> address_of;  // buffer -> its start, for removal
  // The buffer holding `address` and the offset into it; buffer null when none does.
  std::pair<VkBuffer, VkDeviceSize> buffer_at(VkDeviceAddress address);

  // Submission side, under `mutex` (submits and the C API; never a vkCmd*).
  std::mutex mutex;
  // Whether command buffers begun now record: while a request is pending (the environment's, until
  // its frame is over; the C API's, until it matched). With none, the layer only forwards: a capture
  // can only select commands recorded after it was asked for.
  std::atomic<bool> recording{false};
  // While cows are attached, too: their writers are found in the records. Always, when configured so.
  bool record_always = false;  // KILN_CAPTURE_RECORD=always
  void update_recording() {
    recording.store(record_always || !env_requests.empty() || !api_requests.empty() || cow.any(),
                    std::memory_order_release);
  }
  bool presents = false;             // a swapchain exists: frames are counted by presents
  uint64_t frame = 1;                // the frame being submitted (presents), or the last submission's
  uint64_t submissions = 0;
  std::vector<Request> env_requests; // at most one: KILN_CAPTURE_COMMAND
  std::vector<Request> api_requests;
  std::vector<std::unique_ptr<PendingCapture>> pending;
  struct Done {
    std::unique_ptr<Capture> capture;
    std::string folder;  // where it was written; empty: memory only
    std::vector<std::pair<size_t, std::shared_ptr<Cow>>> cows;  // resources whose bytes deliver() reads
  };
  std::deque<Done> done;  // completed, not yet handed out through the C API
  std::vector<std::string> frame_commands;     // the selected frame's command list, for "no match"
  bool frame_list_overflow = false;
  std::unordered_map<uint32_t, VkCommandPool> own_pools;  // by queue family
  uint32_t api_captures = 0;
  std::string out_dir;
  struct {  // the frame being walked: its running command index and label stack, across submissions
    uint64_t frame = 0;
    uint32_t index = 0;
    std::vector<std::string> labels;
  } cursor;
  PFN_vkSetDeviceLoaderData set_loader_data = nullptr;  // for the command buffers the layer allocates
  std::set<std::string> unrecorded_commands;  // vkCmd* the device offers that the layer does not record
  CowState cow;           // copy-on-write: cows attached, counters
  SubmissionGraph graph;  // every batch submitted: readiness through semaphores
};

// Globals: instances and devices by dispatch key; command buffers by handle.
Instance* instance_of(const void* dispatchable);
Device* device_of(const void* dispatchable);
void add_instance(void* key, std::unique_ptr<Instance> inst);
std::unique_ptr<Instance> remove_instance(void* key);
void add_device(void* key, std::unique_ptr<Device> dev);
std::unique_ptr<Device> remove_device(void* key);
Instance* instance_by_physical(VkPhysicalDevice pd);

// Command buffers by handle. The hot path (every vkCmd*): a thread-local cache of the last command
// buffer this thread touched, checked against an epoch bumped whenever any command buffer is
// allocated or freed; a miss takes the shard's reader lock. initial-exec TLS: no __tls_get_addr call;
// constinit: no call to a TLS init function before each access (a plain `extern thread_local` makes
// every use check for, and call, one).
struct CbCache {
  VkCommandBuffer handle = VK_NULL_HANDLE;
  CommandBuffer* state = nullptr;
  uint64_t epoch = 0;
};
extern std::atomic<uint64_t> g_cb_epoch;
extern constinit thread_local CbCache t_cb_cache __attribute__((tls_model("initial-exec")));
CommandBuffer* command_buffer_slow(VkCommandBuffer cb, uint64_t epoch);
inline CommandBuffer* command_buffer(VkCommandBuffer cb) {
  const CbCache& c = t_cb_cache;
  uint64_t epoch = g_cb_epoch.load(std::memory_order_acquire);
  if (c.handle == cb && c.epoch == epoch) [[likely]] return c.state;
  return command_buffer_slow(cb, epoch);
}
void add_command_buffer(VkCommandBuffer cb, std::unique_ptr<CommandBuffer> s);
void remove_command_buffer(VkCommandBuffer cb);
Queue* queue_state(VkQueue q);
void add_queue(VkQueue q, Queue* state);

// Says `text` on stderr, prefixed "kiln capture: ".
void report(const std::string& text);

}  // namespace kiln::layer
