#include "shader/cache/job_pool.h"

#include <atomic>

namespace kiln::shader_cache {

struct JobPool::Batch {
  const std::function<void(size_t)>* fn = nullptr;
  size_t count = 0;
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex mutex;
  std::condition_variable finished;
};

JobPool::JobPool(uint32_t threads) : threads_(threads == 0 ? 1 : threads) {}

JobPool::~JobPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

// Claims and runs items until none are left; true when this call finished the batch's last item.
bool JobPool::work_on(Batch& batch) {
  bool finished_last = false;
  for (size_t i; (i = batch.next.fetch_add(1)) < batch.count;) {
    (*batch.fn)(i);
    if (batch.done.fetch_add(1) + 1 == batch.count) finished_last = true;
  }
  if (finished_last) {
    std::lock_guard lock(batch.mutex);
    batch.finished.notify_all();
  }
  return finished_last;
}

void JobPool::run(size_t count, const std::function<void(size_t)>& fn) {
  if (count == 0) return;
  auto batch = std::make_shared<Batch>();
  batch->fn = &fn;
  batch->count = count;
  if (count > 1 && threads_ > 1) {
    std::lock_guard lock(mutex_);
    if (workers_.empty()) {
      for (uint32_t i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker(); });
    }
    queue_.push_back(batch);
    wake_.notify_all();
  }
  work_on(*batch);
  std::unique_lock lock(batch->mutex);
  batch->finished.wait(lock, [&] { return batch->done.load() == batch->count; });
}

void JobPool::worker() {
  for (;;) {
    std::shared_ptr<Batch> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      batch = queue_.front();
      // Everything claimed: the batch leaves the queue (its stragglers finish on whoever holds them).
      if (batch->next.load() >= batch->count) {
        queue_.pop_front();
        continue;
      }
    }
    work_on(*batch);
  }
}

}  // namespace kiln::shader_cache
