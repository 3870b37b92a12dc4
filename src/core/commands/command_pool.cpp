// CommandPool: VkCommandBuffers recycled by queue serial; run_now for blocking one-off work.
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {

CommandPool::CommandPool(Context& ctx, QueueKind kind, const char* name)
    : ctx_(&ctx), kind_(kind), family_(ctx.queue(kind).family()), name_(name ? name : "") {
  with_context(str("creating command pool '", name_, "' for the ", queue_kind_name(kind), " queue"), [&] {
    VkCommandPoolCreateInfo info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    // Buffers are recycled one by one as their submissions finish.
    info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    info.queueFamilyIndex = family_;
    check(vkCreateCommandPool(ctx.device(), &info, nullptr, &pool_), "vkCreateCommandPool");
  });
  if (name) ctx.set_name(pool_, name);
}

CommandPool::~CommandPool() {
  if (!pool_) return;
  bool in_flight = false;
  for (const auto& slot : slots_) {
    if (slot->queue && !slot->queue->finished(slot->serial)) in_flight = true;
    if (slot->held) {
      log(LogLevel::Error, str("command pool '", name_, "' dropped while a CommandBuffer from it is alive; "
                               "drop command buffers before their pool"));
    }
  }
  VkDevice device = ctx_->device();
  VkCommandPool pool = pool_;
  if (in_flight) {
    ctx_->defer([device, pool] { vkDestroyCommandPool(device, pool, nullptr); });
  } else {
    vkDestroyCommandPool(device, pool, nullptr);  // frees its command buffers too
  }
}

CommandBuffer CommandPool::begin(const char* name) {
  detail::CommandSlot* found = nullptr;
  // Poll each queue once per begin: last_finished() may query a semaphore.
  Queue* polled = nullptr;
  uint64_t finished = 0;
  for (const auto& slot : slots_) {
    if (slot->held) continue;
    if (slot->queue) {
      if (slot->queue != polled) {
        polled = slot->queue;
        finished = polled->last_finished();
      }
      if (finished < slot->serial) continue;
    }
    found = slot.get();
    break;
  }
  if (!found) {
    auto slot = std::make_unique<detail::CommandSlot>();
    VkCommandBufferAllocateInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    info.commandPool = pool_;
    info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    info.commandBufferCount = 1;
    with_context(str("allocating a command buffer from pool '", name_, "'"),
                 [&] { check(vkAllocateCommandBuffers(ctx_->device(), &info, &slot->cmd), "vkAllocateCommandBuffers"); });
    slots_.push_back(std::move(slot));
    found = slots_.back().get();
  }
  found->queue = nullptr;
  found->serial = 0;
  found->labels.clear();  // keeps the vector's capacity
  if (name) ctx_->set_name(found->cmd, name);

  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  // Resets the buffer implicitly (RESET_COMMAND_BUFFER pool).
  check(vkBeginCommandBuffer(found->cmd, &begin), "vkBeginCommandBuffer");
  found->held = true;
  return CommandBuffer(*ctx_, *found, kind_, family_);
}

void run_now(Context& ctx, QueueKind kind, const std::function<void(CommandBuffer&)>& record) {
  // A pool per call: nothing to clean up when contexts come and go, and creating a pool is cheap
  // next to the wait that follows.
  CommandPool pool(ctx, kind, "kiln.run_now");
  CommandBuffer cmd = pool.begin("kiln.run_now");
  record(cmd);
  Queue& queue = ctx.queue(kind);
  const uint64_t serial = queue.submit(cmd);
  queue.wait(serial);
}

}  // namespace kiln
