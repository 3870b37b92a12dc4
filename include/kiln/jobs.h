// kiln/jobs.h — a pool of CPU threads running jobs by priority, with cancellation.
//
//   kiln::JobPool jobs;                                   // one thread per hardware thread
//   kiln::JobHandle h = jobs.submit([&](const kiln::JobControl& job) {
//     for (chunk : chunks) { if (job.cancelled()) return; load(chunk); }
//   }, /*priority=*/10);
//   h.set_priority(100);                                  // needed sooner: runs before lower ones
//   h.cancel();                                           // no longer needed
//   jobs.parallel_for(64, [&](uint32_t i) { fill(i); });  // the calling thread helps
//
// Higher priorities run first, equal ones in submission order. Cancelling a queued job removes it
// (its function never runs); a running job sees JobControl::cancelled() and may stop early. A job that
// throws is Failed and its exception is kept in the handle (wait() rethrows it); the pool goes on.
// Loaders of the stream layer run here and write straight into mapped staging memory.
//
// Not here: dependencies between jobs, fibers, work stealing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>

namespace kiln {

namespace detail {
struct JobState;
class JobQueue;
}  // namespace detail

enum class JobStatus : uint32_t { Queued, Running, Done, Cancelled, Failed };
const char* job_status_name(JobStatus status);

// What a running job can ask about itself.
class JobControl {
 public:
  explicit JobControl(const detail::JobState& state) : state_(&state) {}
  bool cancelled() const;

 private:
  const detail::JobState* state_;
};

using JobFunction = std::function<void(const JobControl&)>;

class JobHandle {
 public:
  JobHandle() = default;
  explicit JobHandle(std::shared_ptr<detail::JobState> state) : state_(std::move(state)) {}

  bool valid() const { return state_ != nullptr; }
  JobStatus status() const;
  // Done, Cancelled or Failed.
  bool finished() const;
  // True when the job will never run its function (it was still queued). A running job is asked to
  // stop (JobControl::cancelled) and false is returned: it may still finish Done.
  bool cancel();
  // Reorders a job still queued; no effect once it runs.
  void set_priority(int priority);
  // Blocks until finished; rethrows the job's exception when it Failed.
  void wait() const;

 private:
  std::shared_ptr<detail::JobState> state_;
};

struct JobPoolDesc {
  uint32_t threads = 0;        // 0: std::thread::hardware_concurrency() (at least 1)
  const char* name = "kiln-jobs";  // thread names (pthread_setname_np), "kiln-jobs.3"
};

class JobPool {
 public:
  explicit JobPool(const JobPoolDesc& desc = {});
  // Cancels what is queued, waits for what runs.
  ~JobPool();
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  // Thread-safe, also from inside jobs.
  JobHandle submit(JobFunction function, int priority = 0);

  uint32_t threads() const;
  // True on one of this pool's own threads (inside a job).
  bool in_worker() const;
  size_t queued() const;   // waiting to run
  size_t running() const;
  // Blocks until nothing is queued or running.
  void wait_idle();

  // Runs fn(0..count-1) on up to `threads()` pool threads plus the calling thread; returns when every
  // call returned. After an exception no further indices start; the first exception is rethrown once
  // the calls in progress returned. From inside a job of this pool it runs everything on the calling
  // thread, so it cannot deadlock.
  void parallel_for(uint32_t count, const std::function<void(uint32_t)>& fn, int priority = 0);

 private:
  std::unique_ptr<detail::JobQueue> queue_;
};

}  // namespace kiln
