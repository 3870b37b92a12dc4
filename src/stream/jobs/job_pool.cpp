// The pool's threads: each takes the highest-priority queued job, runs it, records how it ended.
#include <pthread.h>

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "stream/jobs/job_state.h"

namespace kiln {
namespace detail {

namespace {
// The queue whose thread this is (null on other threads): parallel_for from inside a job of the same
// pool runs inline instead of waiting on workers that may all be busy waiting too.
thread_local const QueueCore* t_current_core = nullptr;
}  // namespace

class JobQueue {
 public:
  JobQueue(uint32_t threads, std::string name)
      : core_(std::make_shared<QueueCore>()), name_(std::move(name)), current_(threads, nullptr) {
    threads_.reserve(threads);
    for (uint32_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { worker(i); });
  }

  ~JobQueue() {
    std::vector<std::shared_ptr<JobState>> cancelled;
    {
      std::lock_guard lock(core_->mutex);
      core_->stopping = true;
      cancelled.assign(core_->queued.begin(), core_->queued.end());
      core_->queued.clear();
      // Running jobs are asked to stop; they are waited for below.
      for (JobState* job : current_) {
        if (job) job->cancel_requested.store(true, std::memory_order_relaxed);
      }
      for (auto& job : cancelled) {
        job->cancel_requested.store(true, std::memory_order_relaxed);
        job->function = nullptr;
        finish_job(*job, JobStatus::Cancelled);
      }
    }
    core_->work.notify_all();
    core_->idle.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  JobHandle submit(JobFunction function, int priority) {
    auto state = std::make_shared<JobState>();
    state->core = core_;
    {
      std::lock_guard lock(core_->mutex);
      if (core_->stopping) {
        finish_job(*state, JobStatus::Cancelled);
        return JobHandle(std::move(state));
      }
      state->function = std::move(function);
      state->priority = priority;
      state->sequence = core_->next_sequence++;
      core_->queued.insert(state);
    }
    core_->work.notify_one();
    return JobHandle(std::move(state));
  }

  const QueueCore& core() const { return *core_; }
  QueueCore& core() { return *core_; }
  uint32_t threads() const { return static_cast<uint32_t>(threads_.size()); }

 private:
  void worker(uint32_t index) {
    const std::string name = name_ + "." + std::to_string(index);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());  // the kernel keeps 15 characters
    t_current_core = core_.get();
    QueueCore& core = *core_;
    std::unique_lock lock(core.mutex);
    for (;;) {
      core.work.wait(lock, [&] { return core.stopping || !core.queued.empty(); });
      if (core.queued.empty()) return;  // stopping, and nothing left
      std::shared_ptr<JobState> job = std::move(core.queued.extract(core.queued.begin()).value());
      job->status.store(static_cast<uint32_t>(JobStatus::Running), std::memory_order_release);
      JobFunction function = std::move(job->function);
      ++core.running;
      current_[index] = job.get();
      lock.unlock();

      JobStatus end = JobStatus::Done;
      try {
        function(JobControl(*job));
      } catch (...) {
        job->error = std::current_exception();
        end = JobStatus::Failed;
      }
      function = nullptr;  // what the job captured goes before anyone is told it finished
      finish_job(*job, end);

      lock.lock();
      current_[index] = nullptr;
      job.reset();
      --core.running;
      if (core.running == 0 && core.queued.empty()) core.idle.notify_all();
    }
  }

  std::shared_ptr<QueueCore> core_;
  std::string name_;
  std::vector<JobState*> current_;  // per thread, what it runs (under the core mutex)
  std::vector<std::thread> threads_;
};

}  // namespace detail

JobPool::JobPool(const JobPoolDesc& desc) {
  uint32_t n = desc.threads ? desc.threads : std::thread::hardware_concurrency();
  queue_ = std::make_unique<detail::JobQueue>(std::max(n, 1u), desc.name ? desc.name : "kiln-jobs");
}

JobPool::~JobPool() = default;

JobHandle JobPool::submit(JobFunction function, int priority) { return queue_->submit(std::move(function), priority); }

uint32_t JobPool::threads() const { return queue_->threads(); }

size_t JobPool::queued() const {
  auto& core = const_cast<detail::QueueCore&>(queue_->core());
  std::lock_guard lock(core.mutex);
  return core.queued.size();
}

size_t JobPool::running() const {
  auto& core = const_cast<detail::QueueCore&>(queue_->core());
  std::lock_guard lock(core.mutex);
  return core.running;
}

void JobPool::wait_idle() {
  detail::QueueCore& core = queue_->core();
  std::unique_lock lock(core.mutex);
  core.idle.wait(lock, [&] { return core.stopping || (core.queued.empty() && core.running == 0); });
}

bool JobPool::in_worker() const { return detail::t_current_core == &queue_->core(); }

}  // namespace kiln
