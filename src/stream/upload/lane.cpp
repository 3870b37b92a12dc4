#include "stream/upload/lane.h"

#include <algorithm>

#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln::detail {

Lane::Lane(Context& ctx, QueueKind kind, const char* name)
    : ctx_(&ctx), queue_(&ctx.queue(kind)), kind_(kind), pool_(ctx, kind, name), name_(name) {
  if (ctx.has(Feature::TimelineSemaphore)) {
    VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
    type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    info.pNext = &type;
    check(vkCreateSemaphore(ctx.device(), &info, nullptr, &timeline_), "vkCreateSemaphore");
    ctx.set_name(timeline_, str(name, ".", queue_kind_name(kind), ".timeline"));
  }
}

Lane::~Lane() {
  cmd_ = {};
  if (timeline_) vkDestroySemaphore(ctx_->device(), timeline_, nullptr);
}

CommandBuffer& Lane::cmd() {
  if (!cmd_) cmd_ = pool_.begin(name_);
  return cmd_;
}

void Lane::submit() {
  const uint64_t value = submitted_ + 1;
  CommandBuffer& c = cmd();
  CommandBuffer* list[] = {&c};
  SubmitDesc desc{.commands = Slice<CommandBuffer*>(list, 1), .waits = Slice<SemaphoreSubmit>(waits_)};
  uint64_t serial = 0;
  if (timeline_) {
    const SemaphoreSubmit signal{timeline_, value, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT};
    desc.signals = Slice<SemaphoreSubmit>(signal);
    serial = queue_->submit(desc);
  } else {
    serial = queue_->submit(desc);
    serials_.emplace_back(value, serial);
  }
  cmd_ = {};
  waits_.clear();
  submitted_ = value;
}

uint64_t Lane::completed() {
  if (completed_ == submitted_) return completed_;
  if (timeline_) {
    uint64_t value = 0;
    check(ctx_->fn().get_semaphore_counter_value(ctx_->device(), timeline_, &value), "vkGetSemaphoreCounterValue");
    completed_ = std::max(completed_, value);
  } else {
    const uint64_t done = queue_->last_finished();
    while (!serials_.empty() && serials_.front().second <= done) {
      completed_ = serials_.front().first;
      serials_.pop_front();
    }
  }
  return completed_;
}

Lane::WaitPoint Lane::wait_point(uint64_t value) const {
  WaitPoint p{value, 0};
  for (const auto& [v, serial] : serials_) {
    if (v >= value) {
      p.serial = serial;
      break;
    }
  }
  return p;
}

void Lane::block(const WaitPoint& p) const {
  if (p.value == 0) return;
  if (timeline_) {
    VkSemaphoreWaitInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
    info.semaphoreCount = 1;
    info.pSemaphores = &timeline_;
    info.pValues = &p.value;
    check(ctx_->fn().wait_semaphores(ctx_->device(), &info, UINT64_MAX), "vkWaitSemaphores");
  } else if (p.serial != 0) {
    queue_->wait(p.serial);
  }
}

}  // namespace kiln::detail
