// The job pool: priority order, cancellation, reprioritising, failures, parallel_for, and many threads
// at once (this file also runs under ThreadSanitizer: make test-tsan).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kiln/jobs.h"

namespace {

using kiln::JobControl;
using kiln::JobHandle;
using kiln::JobPool;
using kiln::JobStatus;

// Occupies the only thread of a one-thread pool until released, so that jobs queued meanwhile are
// ordered purely by the queue.
struct Blocker {
  std::promise<void> started_p, release_p;
  std::shared_future<void> release = release_p.get_future().share();
  JobHandle handle;

  explicit Blocker(JobPool& pool) {
    handle = pool.submit([this](const JobControl&) {
      started_p.set_value();
      release.wait();
    }, 1000000);
    started_p.get_future().wait();
  }
  void open() {
    if (!opened) release_p.set_value();
    opened = true;
  }
  // The job reads this object: it must have returned before the members go.
  ~Blocker() {
    open();
    handle.wait();
  }
  bool opened = false;
};

TEST(Jobs, HigherPriorityFirstThenSubmissionOrder) {
  JobPool pool({.threads = 1});
  Blocker block(pool);
  std::mutex m;
  std::vector<int> order;
  std::vector<JobHandle> handles;
  const int priorities[] = {0, 5, 1, 5, 0, 10, 1, -3};
  for (int i = 0; i < 8; ++i) {
    handles.push_back(pool.submit([&, i](const JobControl&) {
      std::lock_guard lock(m);
      order.push_back(i);
    }, priorities[i]));
  }
  EXPECT_EQ(pool.queued(), 8u);
  EXPECT_EQ(handles[0].status(), JobStatus::Queued);
  block.open();
  pool.wait_idle();
  EXPECT_EQ(order, (std::vector<int>{5, 1, 3, 2, 6, 0, 4, 7}));
  for (auto& h : handles) EXPECT_EQ(h.status(), JobStatus::Done);
}

TEST(Jobs, CancelQueuedNeverRuns) {
  JobPool pool({.threads = 1});
  Blocker block(pool);
  std::atomic<int> ran{0};
  JobHandle a = pool.submit([&](const JobControl&) { ran += 1; });
  JobHandle b = pool.submit([&](const JobControl&) { ran += 10; });
  JobHandle c = pool.submit([&](const JobControl&) { ran += 100; });
  EXPECT_TRUE(b.cancel());
  EXPECT_TRUE(b.finished());
  EXPECT_EQ(b.status(), JobStatus::Cancelled);
  EXPECT_TRUE(b.cancel());  // still cancelled, and still never runs
  EXPECT_EQ(pool.queued(), 2u);
  block.open();
  a.wait();
  b.wait();
  c.wait();
  EXPECT_EQ(ran.load(), 101);
  EXPECT_EQ(a.status(), JobStatus::Done);
  EXPECT_FALSE(a.cancel());  // done: too late
}

TEST(Jobs, CancelRunningIsSeenByTheJob) {
  JobPool pool({.threads = 2});
  std::promise<void> started;
  std::atomic<int> loops{0};
  JobHandle h = pool.submit([&](const JobControl& job) {
    started.set_value();
    while (!job.cancelled()) std::this_thread::yield();
    loops++;  // it went on past the request: the job, not the pool, decides when to stop
  });
  started.get_future().wait();
  EXPECT_EQ(h.status(), JobStatus::Running);
  EXPECT_FALSE(h.cancel());  // it runs: asked to stop, not removed
  h.wait();
  EXPECT_EQ(h.status(), JobStatus::Done);
  EXPECT_EQ(loops.load(), 1);
}

TEST(Jobs, SetPriorityReordersQueuedJobs) {
  JobPool pool({.threads = 1});
  Blocker block(pool);
  std::mutex m;
  std::vector<int> order;
  std::vector<JobHandle> handles;
  for (int i = 0; i < 4; ++i) {
    handles.push_back(pool.submit([&, i](const JobControl&) {
      std::lock_guard lock(m);
      order.push_back(i);
    }, 1));
  }
  handles[3].set_priority(50);  // needed sooner
  handles[0].set_priority(-1);  // needed later
  block.open();
  pool.wait_idle();
  EXPECT_EQ(order, (std::vector<int>{3, 1, 2, 0}));
  handles[1].set_priority(7);  // finished: no effect, no crash
  EXPECT_EQ(handles[1].status(), JobStatus::Done);
}

TEST(Jobs, ExceptionKeptAndRethrownPoolGoesOn) {
  JobPool pool({.threads = 2});
  JobHandle bad = pool.submit([](const JobControl&) { throw std::runtime_error("loader broke"); });
  try {
    bad.wait();
    FAIL() << "wait() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "loader broke");
  }
  EXPECT_EQ(bad.status(), JobStatus::Failed);
  EXPECT_THROW(bad.wait(), std::runtime_error);  // every time
  std::atomic<bool> ran{false};
  JobHandle good = pool.submit([&](const JobControl&) { ran = true; });
  good.wait();
  EXPECT_TRUE(ran.load());
  EXPECT_STREQ(kiln::job_status_name(JobStatus::Failed), "failed");
}

TEST(Jobs, ParallelForCoversEveryIndexOnce) {
  JobPool pool({.threads = 3});
  for (uint32_t count : {0u, 1u, 2u, 7u, 1000u, 100003u}) {
    std::vector<std::atomic<int>> hits(count);
    pool.parallel_for(count, [&](uint32_t i) { hits[i].fetch_add(1, std::memory_order_relaxed); });
    for (uint32_t i = 0; i < count; ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of " << count;
  }
}

TEST(Jobs, ParallelForRethrowsFirstException) {
  JobPool pool({.threads = 2});
  std::atomic<int> calls{0};
  EXPECT_THROW(pool.parallel_for(10000, [&](uint32_t i) {
    calls++;
    if (i == 17) throw std::logic_error("index 17");
  }), std::logic_error);
  EXPECT_GE(calls.load(), 1);
  pool.wait_idle();
  EXPECT_EQ(pool.running(), 0u);
}

TEST(Jobs, ParallelForInsideJobsCannotDeadlock) {
  // Every pool thread runs a job that itself calls parallel_for: helpers could never start.
  JobPool pool({.threads = 2});
  std::atomic<uint64_t> sum{0};
  std::vector<JobHandle> outer;
  for (int j = 0; j < 6; ++j) {
    outer.push_back(pool.submit([&](const JobControl&) {
      EXPECT_TRUE(pool.in_worker());
      pool.parallel_for(100, [&](uint32_t i) { sum += i; });
    }));
  }
  for (auto& h : outer) h.wait();
  EXPECT_EQ(sum.load(), 6u * 4950u);
  EXPECT_FALSE(pool.in_worker());
}

TEST(Jobs, ParallelForWhilePoolIsBusy) {
  // The pool's only thread is blocked: the calling thread does all the work itself.
  JobPool pool({.threads = 1});
  Blocker block(pool);
  std::atomic<int> n{0};
  pool.parallel_for(500, [&](uint32_t) { n++; });
  EXPECT_EQ(n.load(), 500);
  block.open();
}

TEST(Jobs, DestructionCancelsQueuedAndWaitsForRunning) {
  std::atomic<int> ran{0};
  std::vector<JobHandle> handles;
  JobHandle running;
  {
    JobPool pool({.threads = 1});
    std::promise<void> started;
    running = pool.submit([&](const JobControl& job) {
      started.set_value();
      while (!job.cancelled()) std::this_thread::yield();
      ran += 1000;
    });
    started.get_future().wait();
    for (int i = 0; i < 10; ++i) handles.push_back(pool.submit([&](const JobControl&) { ran++; }));
  }  // the destructor asks the running job to stop and cancels the queued ones
  EXPECT_EQ(ran.load(), 1000);
  EXPECT_EQ(running.status(), JobStatus::Done);
  for (auto& h : handles) {
    EXPECT_EQ(h.status(), JobStatus::Cancelled);
    h.wait();
    EXPECT_TRUE(h.cancel());     // the pool is gone; the handle still answers
    h.set_priority(3);
  }
}

TEST(Jobs, StressManyThreadsSubmitCancelReprioritise) {
  JobPool pool({.threads = 4});
  std::atomic<uint64_t> ran_jobs{0}, loop_calls{0}, done{0}, cancelled{0};
  constexpr int kProducers = 6, kJobs = 400, kNestedEvery = 50;
  auto producer = [&](int seed) {
    std::vector<JobHandle> mine;
    std::vector<JobHandle> nested;
    for (int i = 0; i < kJobs; ++i) {
      mine.push_back(pool.submit([&](const JobControl&) { ran_jobs++; }, (i * 7 + seed) % 13));
      if (i % 5 == 0) mine[i / 2].set_priority(i);
      if (i % 3 == 0) mine[i].cancel();
      if (i % kNestedEvery == 0) {
        // Jobs that run loops on their own pool.
        nested.push_back(pool.submit([&](const JobControl&) {
          pool.parallel_for(20, [&](uint32_t) { loop_calls++; });
        }));
      }
    }
    for (auto& h : nested) h.wait();
    for (auto& h : mine) {
      h.wait();
      (h.status() == JobStatus::Done ? done : cancelled)++;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kProducers; ++t) threads.emplace_back(producer, t);
  pool.parallel_for(1000, [&](uint32_t) { loop_calls++; });
  for (auto& t : threads) t.join();
  pool.wait_idle();
  EXPECT_EQ(pool.queued(), 0u);
  EXPECT_EQ(pool.running(), 0u);
  // Every job ran exactly when it ended Done; a cancelled one never ran.
  EXPECT_EQ(done.load() + cancelled.load(), uint64_t(kProducers * kJobs));
  EXPECT_EQ(ran_jobs.load(), done.load());
  EXPECT_EQ(loop_calls.load(), 1000u + kProducers * (kJobs / kNestedEvery) * 20u);
}

}  // namespace
