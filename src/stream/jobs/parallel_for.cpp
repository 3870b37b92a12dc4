// parallel_for: indices handed out in chunks from one atomic counter to helper jobs and the calling
// thread. The caller never only waits: it works through indices too, so the loop finishes even when
// every pool thread is busy elsewhere; helpers still queued when the work ran out are cancelled.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <vector>

#include "kiln/jobs.h"

namespace kiln {
namespace {

struct ForState {
  const std::function<void(uint32_t)>* fn = nullptr;
  uint32_t count = 0;
  uint32_t grain = 1;
  std::atomic<uint32_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;

  void work() {
    while (!failed.load(std::memory_order_relaxed)) {
      const uint32_t begin = next.fetch_add(grain, std::memory_order_relaxed);
      if (begin >= count) return;
      const uint32_t end = std::min(count, begin + grain);
      try {
        for (uint32_t i = begin; i < end; ++i) (*fn)(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed.store(true, std::memory_order_relaxed);
      }
    }
  }
};

}  // namespace

void JobPool::parallel_for(uint32_t count, const std::function<void(uint32_t)>& fn, int priority) {
  if (count == 0) return;
  if (count == 1 || in_worker()) {
    for (uint32_t i = 0; i < count; ++i) fn(i);
    return;
  }
  ForState state;
  state.fn = &fn;
  state.count = count;
  const uint32_t workers = std::min(threads(), count - 1);
  // Several chunks per worker so uneven calls balance out, few enough that the counter stays cold.
  state.grain = std::max(1u, count / ((workers + 1) * 8));
  std::vector<JobHandle> helpers;
  helpers.reserve(workers);
  for (uint32_t i = 0; i < workers; ++i) helpers.push_back(submit([&state](const JobControl&) { state.work(); }, priority));
  state.work();
  // Helpers that never started are not needed any more; those running finish their last chunk.
  for (JobHandle& h : helpers) h.cancel();
  for (JobHandle& h : helpers) h.wait();
  if (state.error) std::rethrow_exception(state.error);
}

}  // namespace kiln
