// What a job's owner can do with it: poll, cancel, reprioritise, wait.
#include <utility>

#include "stream/jobs/job_state.h"

namespace kiln {

const char* job_status_name(JobStatus status) {
  switch (status) {
    case JobStatus::Queued: return "queued";
    case JobStatus::Running: return "running";
    case JobStatus::Done: return "done";
    case JobStatus::Cancelled: return "cancelled";
    case JobStatus::Failed: return "failed";
  }
  return "unknown";
}

bool JobControl::cancelled() const { return state_->cancel_requested.load(std::memory_order_relaxed); }

namespace detail {

void finish_job(JobState& state, JobStatus status) {
  state.status.store(static_cast<uint32_t>(status), std::memory_order_release);
  state.status.notify_all();
}

}  // namespace detail

JobStatus JobHandle::status() const {
  if (!state_) return JobStatus::Cancelled;
  return static_cast<JobStatus>(state_->status.load(std::memory_order_acquire));
}

bool JobHandle::finished() const {
  const JobStatus s = status();
  return s == JobStatus::Done || s == JobStatus::Cancelled || s == JobStatus::Failed;
}

bool JobHandle::cancel() {
  if (!state_) return false;
  state_->cancel_requested.store(true, std::memory_order_relaxed);
  // The state keeps the queue's core alive, even when the pool is being destroyed meanwhile.
  detail::QueueCore* core = state_->core.get();
  if (core) {
    std::lock_guard lock(core->mutex);
    if (status() == JobStatus::Queued) {
      core->queued.erase(state_);
      state_->function = nullptr;  // releases what the job captured
      detail::finish_job(*state_, JobStatus::Cancelled);
      if (core->queued.empty() && core->running == 0) core->idle.notify_all();
      return true;
    }
  }
  return status() == JobStatus::Cancelled;
}

void JobHandle::set_priority(int priority) {
  if (!state_) return;
  detail::QueueCore* core = state_->core.get();
  if (!core) return;
  std::lock_guard lock(core->mutex);
  if (status() != JobStatus::Queued) return;
  // The priority is the set's key: take the job out, change it, put it back.
  auto node = core->queued.extract(state_);
  if (node.empty()) return;
  state_->priority = priority;
  core->queued.insert(std::move(node));
}

void JobHandle::wait() const {
  if (!state_) return;
  for (;;) {
    const uint32_t s = state_->status.load(std::memory_order_acquire);
    const auto status = static_cast<JobStatus>(s);
    if (status == JobStatus::Done || status == JobStatus::Cancelled) return;
    if (status == JobStatus::Failed) std::rethrow_exception(state_->error);
    state_->status.wait(s, std::memory_order_acquire);
  }
}

}  // namespace kiln
