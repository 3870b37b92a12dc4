#include "stream/upload/copy_threads.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "kiln/jobs.h"

namespace kiln::detail {

void run_chunks(JobPool* jobs, uint32_t workers, uint32_t chunks, const std::function<void(uint32_t)>& chunk) {
  workers = std::clamp(workers, 1u, std::max(chunks, 1u));
  std::atomic<uint32_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](uint32_t) {
    for (uint32_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < chunks;) {
      try {
        chunk(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  if (workers == 1) {
    work(0);
  } else if (jobs) {
    jobs->parallel_for(workers, work);
  } else {
    std::vector<std::thread> threads;
    threads.reserve(workers - 1);
    for (uint32_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
    work(0);
    for (std::thread& t : threads) t.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace kiln::detail
