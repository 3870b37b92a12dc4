// Program internals: the pipeline "core" a hot reload replaces, and the per-set binding data that
// programs sharing a set hold together.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/program.h"
#include "kiln/spirv.h"
#include "kiln/sync.h"
#include "shader/program/set_cache.h"

namespace kiln::detail {

// A stage's SPIR-V with a name for errors.
struct StageModule {
  ShaderStage stage = ShaderStage::Compute;
  std::vector<uint32_t> spirv;
  std::string entry = "main";
  std::string name;
};

// One binding of a set layout, as the layout defines it.
struct LayoutBinding {
  uint32_t binding = 0;
  VkDescriptorType type = VK_DESCRIPTOR_TYPE_MAX_ENUM;
  uint32_t count = 1;
};

// Everything made from the shaders: replaced as a whole by a hot reload.
struct ProgramCore {
  Context* ctx = nullptr;
  std::string name;
  Reflection reflection;  // merged over the stages
  VkPipelineBindPoint bind_point = VK_PIPELINE_BIND_POINT_COMPUTE;
  VkShaderStageFlags layout_stages = 0;   // stage flags of every set-layout binding and of the push range
  std::vector<std::vector<LayoutBinding>> sets;  // per set index 0..max
  std::vector<uint64_t> set_hash;         // definition of each set layout
  std::vector<uint64_t> compat;           // compatibility key of sets 0..i (push range + set layouts)
  std::vector<VkDescriptorSetLayout> set_layouts;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  uint32_t push_size = 0;                 // the reflected block's size (what record() sends)
  uint32_t push_range = 0;                // the layout's range (>= 128 when any)

  ProgramCore() = default;
  ProgramCore(const ProgramCore&) = delete;
  ProgramCore& operator=(const ProgramCore&) = delete;
  ~ProgramCore();  // deferred destruction of the Vulkan objects
};

// Builds the core; throws Error (with "creating program 'name': " context added by the caller).
std::unique_ptr<ProgramCore> build_core(Context& ctx, const std::string& name, const std::vector<StageModule>& modules,
                                        const ProgramDesc& desc);

// Merges and checks the stages' reflections (exposed for the build step only).
Reflection merge_reflections(const std::vector<StageModule>& modules, const std::vector<Reflection>& reflections);

VkDescriptorSetLayout create_set_layout(Context& ctx, const std::vector<LayoutBinding>& bindings,
                                        VkShaderStageFlags stages);
uint64_t hash_set_layout(const std::vector<LayoutBinding>& bindings, VkShaderStageFlags stages);

// One descriptor of a set: what is bound to it.
struct Element {
  Buffer* buffer = nullptr;   // tracked kiln resources (null for program-owned uniform memory)
  Image* image = nullptr;
  uint64_t id = 0;            // Buffer/Image::id() of what is bound (of the uniform chunk for owned blocks)
  uint64_t sampler_id = 0;    // Sampler::id()
  VkBuffer vk_buffer = VK_NULL_HANDLE;
  VkDeviceSize offset = 0, range = VK_WHOLE_SIZE;
  VkImageView view = VK_NULL_HANDLE;
  VkSampler sampler = VK_NULL_HANDLE;
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
  bool bound = false;
};

// A uniform block the program owns: set() writes `data`, record() copies it into uniform memory.
struct OwnedBlock {
  uint32_t element = 0;  // index into SetData::elements
  std::vector<uint8_t> data;
  bool dirty = true;
  bool active = true;  // false while a user buffer is bound instead (bind() of a Buffer)
};

// The binding data of one set: shared by programs that share the set (Program::share_set).
struct SetData {
  Context* ctx = nullptr;
  std::string name;                          // "blur.set0"
  std::vector<LayoutBinding> bindings;
  VkShaderStageFlags stages = 0;
  uint64_t hash = 0;
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;  // for allocation (identical to the cores')
  std::vector<uint32_t> first_element;       // per binding index
  std::vector<Element> elements;
  std::vector<OwnedBlock> owned;
  VkDescriptorSet current = VK_NULL_HANDLE;
  bool dirty = true;        // an element changed: find or write the set for the new content
  bool owned_dirty = true;  // an owned block may wait for upload (set by whoever marks one dirty)

  // Written sets by content (resource ids, ranges, layouts): rebinding what a set was written with
  // reuses it. Sets leave only when displaced, through `retired_sets`.
  SetCache cache;
  static constexpr size_t kKeyWords = 5;  // per element: id, sampler id, offset, range, layout
  std::vector<uint64_t> key;              // the content of `elements`, rebuilt by flush()
  // Sets of one descriptor (a per-draw uniform buffer, a material's texture): the sets found lately,
  // by the descriptor's resource and offset, in front of `cache`: a hit compares the element with two
  // entries and needs no key or hash. 128 buckets of two: a loop cycling through 64 buffers or 64
  // offsets, stepping evenly, all stay. Entries leave with their set when `cache` displaces it.
  struct OneMemo {
    uint64_t id = 0, sampler_id = 0, offset = 0, range = 0;
    VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;
    VkDescriptorSet set = VK_NULL_HANDLE;
    bool holds(const Element& e) const {
      return set && id == e.id && offset == e.offset && range == e.range && sampler_id == e.sampler_id &&
             layout == e.layout;
    }
  };
  static constexpr size_t kOneMemoBuckets = 128;
  std::array<std::array<OneMemo, 2>, kOneMemoBuckets> one_memo{};
  uint64_t one_memo_hits = 0;
  static size_t one_memo_bucket(const Element& e) {
    // The high bits of one multiply each (as SetCache::hash): evenly stepping ids and offsets spread.
    return size_t((e.id * 0x9E3779B97F4A7C15ull + e.offset * 0x94D049BB133111EBull) >> 57);
  }

  // Allocation: pools of kSetsPerPool sets; sets retired by a rewrite wait in `retired` until
  // Program::update() defers them; the deferred callback puts them in `returned`.
  static constexpr uint32_t kSetsPerPool = 64;
  std::vector<VkDescriptorPool> pools;
  uint32_t used_in_last_pool = kSetsPerPool;
  std::vector<VkDescriptorSet> free_sets, retired_sets;
  std::mutex returned_mutex;
  std::vector<VkDescriptorSet> returned_sets;

  // Uniform memory for owned blocks: host-visible chunks, linear within a chunk.
  std::vector<std::unique_ptr<Buffer>> free_chunks, retired_chunks;
  std::unique_ptr<Buffer> chunk;
  VkDeviceSize chunk_used = 0;
  std::vector<std::unique_ptr<Buffer>> returned_chunks;  // under returned_mutex

  // Preallocated write arrays: record() does not allocate in the steady state.
  std::vector<VkWriteDescriptorSet> writes;
  std::vector<VkDescriptorBufferInfo> buffer_infos;
  std::vector<VkDescriptorImageInfo> image_infos;

  SetData(Context& ctx, std::string name, std::vector<LayoutBinding> bindings, VkShaderStageFlags stages);
  ~SetData();
  SetData(const SetData&) = delete;
  SetData& operator=(const SetData&) = delete;

  int find_binding(uint32_t binding) const;
  // Copies changed owned blocks into uniform memory; when anything changed, binds the cached set
  // written with the same content or writes a fresh one. Nothing to do unless dirty or owned_dirty.
  // Throws Error naming the first unbound binding (`names` gives binding names for the message).
  void flush(const std::vector<std::string>& names);
  // Hands retired sets and chunks to Context::defer.
  void retire_to_gpu(const std::shared_ptr<SetData>& self);

 private:
  [[noreturn]] void throw_unbound(const std::vector<std::string>& names, size_t element) const;
  VkDescriptorSet acquire_set();
  void upload_owned(OwnedBlock& block);
};

// The program's view of one merged binding.
struct BindingInfo {
  uint32_t set_data = 0;   // index into Program::Impl::sets
  uint32_t element = 0;    // first element in the SetData
  uint32_t count = 1;
  std::array<Use, 4> uses{};  // what record() calls cmd.use() with, per element
  std::array<UseInfo, 4> buffer_uses{};  // use_info(uses[i]): for buffers, which need no depth flag
  uint32_t use_count = 0;
};

// The hot-reload watcher: a thread polling the dependencies, compiling in the background.
struct Reloader;

}  // namespace kiln::detail
