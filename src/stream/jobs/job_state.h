// The shared state of one job and the queue that orders jobs by priority. Private to the job pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <set>

#include "kiln/jobs.h"

namespace kiln::detail {

struct QueueCore;

struct JobState {
  // Written once before the status leaves Running (release), read after seeing it finished (acquire).
  std::exception_ptr error;
  JobFunction function;
  // Status changes and cancel requests are atomics so that handles can poll without the queue lock;
  // the Queued→Running and Queued→Cancelled moves happen under the queue lock so only one wins.
  std::atomic<uint32_t> status{static_cast<uint32_t>(JobStatus::Queued)};
  std::atomic<bool> cancel_requested{false};
  // Under QueueCore::mutex while the job is queued (they are the set's ordering keys).
  int priority = 0;
  uint64_t sequence = 0;
  // Set before the job is shared and never changed: a handle may outlive its pool and still lock the
  // queue to cancel or reprioritise (the cycle through QueueCore::queued ends when the job leaves it).
  std::shared_ptr<QueueCore> core;
};

struct JobOrder {
  bool operator()(const std::shared_ptr<JobState>& a, const std::shared_ptr<JobState>& b) const {
    if (a->priority != b->priority) return a->priority > b->priority;  // higher first
    return a->sequence < b->sequence;                                  // then FIFO
  }
};

struct QueueCore {
  std::mutex mutex;
  std::condition_variable work;  // a job was queued, or the pool stops
  std::condition_variable idle;  // nothing queued or running
  std::set<std::shared_ptr<JobState>, JobOrder> queued;
  uint64_t next_sequence = 0;
  size_t running = 0;
  bool stopping = false;
};

void finish_job(JobState& state, JobStatus status);

}  // namespace kiln::detail
