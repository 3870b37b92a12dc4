// Copy-on-write for captures (../shared/seeds/002): a resource the captured command only reads is not
// copied when the command runs. A Cow is attached to it instead, naming the range the capture needs.
// Before anything may change the resource (a later submission that writes it, a layout change, a host
// map, an aliasing write, destruction) the cow is resolved: its copy is submitted first, ordered before
// the writer. A cow nothing touched is read from the resource itself when its capture is handed out or
// written, so captures look the same either way. Where a write cannot be seen (device addresses, memory
// already mapped) the hook copies at once: conservative, never wrong.
//
// Everything here runs under Device::mutex.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/capture.h"

namespace kiln::layer {

struct Device;
struct Queue;
struct CopyJob;
struct PendingCapture;

// The copy a resolve made: a host-visible buffer (several cows resolved together share one) and the
// fence of the submission that fills it.
struct CowSnapshot {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkCommandBuffer cb = VK_NULL_HANDLE;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  Device* device = nullptr;
  bool waited = false;
  ~CowSnapshot();
};

struct Cow {
  // The source: a buffer range or one image subresource, as the capture's CopyJob names it.
  uint64_t handle = 0;
  VkBuffer buffer = VK_NULL_HANDLE;
  VkImage image = VK_NULL_HANDLE;
  uint64_t offset = 0, bytes = 0;  // buffers: the range in the buffer
  uint32_t mip = 0, layer = 0;
  VkImageAspectFlags aspect = 0, all_aspects = 0;
  VkExtent3D extent{};
  VkFormat format = VK_FORMAT_UNDEFINED;
  VkImageLayout layout = VK_IMAGE_LAYOUT_UNDEFINED;  // the layout the command saw, kept until resolved
  // Where the source lives: writes to any resource overlapping this memory range resolve the cow.
  VkDeviceMemory memory = VK_NULL_HANDLE;
  uint64_t memory_offset = 0, memory_size = 0;

  // The hooked submission: the cow counts once it is ready (everything it waits for is submitted);
  // a write submitted before that happens before the command (the seed's out-of-order timeline case).
  uint64_t batch = 0;
  bool active = false;
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t family = 0;
  PendingCapture* hook = nullptr;  // null once the hooked submission completed

  // Resolved: the snapshot holds the bytes at snapshot_offset.
  bool resolved = false;
  KilnCowCause cause = KILN_COW_CAUSE_COUNT;  // KILN_COW_CAUSE_COUNT: read for delivery, not a write
  std::shared_ptr<CowSnapshot> snapshot;
  uint64_t snapshot_offset = 0;
  bool have_bytes = false;
  std::vector<uint8_t> data;  // read once, shared by every capture of the range
  std::string note;           // what could not be ordered, for the capture's notes

  bool same_range(const CopyJob& j) const;
};

// A write submitted while neither its batch nor the captured batch is ready: it may turn out to come
// after the captured command (it waits for the captured batch's signals) or before it (the captured
// batch waits for it). The layer cannot tell yet, so the writer is held: a layer batch submitted just
// ahead of it waits for `semaphore` (a timeline semaphore of its own) and ends in a full barrier. Once
// the graph decides, the semaphore is signalled: by the cows' copy when the writer comes after, by the
// host when it comes before (or races).
struct CowHold {
  uint64_t writer = 0;  // the held batch's serial
  VkSemaphore semaphore = VK_NULL_HANDLE;
  std::vector<std::pair<std::shared_ptr<Cow>, KilnCowCause>> cows;
};

// Per device: the switch, the cows alive, the held writers, the counters.
struct CowState {
  bool enabled = true;                         // KILN_CAPTURE_COW / kilnSetCopyOnWrite
  std::vector<std::weak_ptr<Cow>> cows;        // attached, not yet resolved
  std::vector<CowHold> holds;                  // writers waiting for the graph to decide
  std::vector<VkSemaphore> spent;              // signalled holds' semaphores, destroyed with the device
  std::vector<std::pair<uint32_t, VkCommandBuffer>> hold_cbs;  // per queue family: one full barrier
  KilnCaptureStats stats{};
  bool any() { prune(); return !cows.empty() || !holds.empty(); }
  void prune();
};

// A write some submission is about to make: to a resource (handle) or to memory.
struct Write {
  uint64_t handle = 0;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  uint64_t offset = 0, size = 0;  // in memory
  KilnCowCause cause = KILN_COW_TRANSFER;
};
struct WriteSet {
  std::vector<Write> writes;
  bool everything = false;  // a command buffer the layer could not look into
  bool hits(const Cow& c, KilnCowCause* cause) const;
};

struct ReplayState;
// Every attachment of the render pass or rendering open in `st` (cow/writes.cpp): their contents may
// not outlive the pass (DONT_CARE stores, transient attachments), so they are never given a cow.
void open_pass_attachments(Device& dev, const ReplayState& st, WriteSet& out);

// What the command buffers of one batch may write (cow/writes.cpp). `from_seq`: only commands of
// `first_cb` from this traversal index on (the rest of the hooked command buffer).
void scan_writes(Device& dev, VkCommandBuffer cb, WriteSet& out, uint32_t from_seq = 0);

// cow/attach.cpp: at hook time, whether `job` may get a cow instead of a copy (and, if so, the cow).
// `later`: what the rest of the hooked submission writes.
std::shared_ptr<Cow> make_cow(Device& dev, const Queue& queue, const CopyJob& job, const WriteSet& later);

// cow/resolve.cpp
// Copies the cows into one snapshot, submitted on `queue` before whatever the program submits next
// there; `wait` blocks until the copy completed (host writes, destruction); `signal`: a timeline
// semaphore the copy's submission signals to 1 (a hold's).
void resolve_cows(Device& dev, VkQueue queue, const std::vector<std::shared_ptr<Cow>>& cows, KilnCowCause cause,
                  bool wait, VkSemaphore signal = VK_NULL_HANDLE);
// Resolves every attached cow the writes hit (or all, for `everything`), before a submission on `queue`.
// Returns the semaphores the writer must wait for (a layer batch waiting for them goes ahead of it):
// a hold's, and those signalled by copies made on another queue (a cow whose captured command ran
// there and may not have finished: the copy goes after it on its queue, the writer waits on the GPU).
std::vector<VkSemaphore> resolve_hits(Device& dev, VkQueue queue, const WriteSet& writes, uint64_t writer_batch);
// Releases the holds the graph has decided (after every change of the graph).
void settle_holds(Device& dev);
// The layer command buffer of a hold batch on queue family `family`: one full barrier.
VkCommandBuffer hold_command_buffer(Device& dev, uint32_t family);
// At device destruction: releases every hold (signalled from the host) and frees their objects.
void end_holds(Device& dev);
// Host side: memory mapped, a resource destroyed, memory freed.
void resolve_memory(Device& dev, VkDeviceMemory memory, uint64_t offset, uint64_t size, KilnCowCause cause);
void resolve_handle(Device& dev, uint64_t handle, KilnCowCause cause);
// The bytes of a cow, for a capture handed out or written: the snapshot's, or read from the untouched
// source now (waits).
const std::vector<uint8_t>& cow_bytes(Device& dev, Cow& cow);
// The hooked submission of `p` completed (its fence signalled): its cows no longer wait on it.
void hook_completed(Device& dev, PendingCapture& p);

const char* cow_cause_name(KilnCowCause cause);

// The submission graph's side: a timeline semaphore's value on the device (0 when unknown), and cows
// whose captured batch became ready count from now on.
uint64_t semaphore_value(Device& dev, VkSemaphore s);
void activate_ready_cows(Device& dev);

}  // namespace kiln::layer
