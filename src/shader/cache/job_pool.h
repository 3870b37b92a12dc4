// A small pool of std::thread workers for ShaderCompiler::compile_all: run(n, fn) calls fn(0..n-1)
// on the workers and the calling thread and returns when all are done. Workers start on the first
// run and live as long as the pool. Calls from several threads at once (or from inside fn) are fine:
// every caller works on its own batch too, so a batch never waits for a busy pool.
// Not a general task system (no futures, no priorities); stream's job pool may replace it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::shader_cache {

class JobPool {
 public:
  // `threads`: total parallelism including the caller (so threads - 1 workers are started).
  explicit JobPool(uint32_t threads);
  ~JobPool();
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  // fn must not throw.
  void run(size_t count, const std::function<void(size_t)>& fn);
  uint32_t threads() const { return threads_; }

 private:
  struct Batch;
  void worker();
  static bool work_on(Batch& batch);

  uint32_t threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Batch>> queue_;
  std::vector<std::thread> workers_;
  bool stopping_ = false;
};

}  // namespace kiln::shader_cache
