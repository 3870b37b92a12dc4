// write_generated_sequence: pool threads each take the next frame, generate its fields into their own
// buffer and hand it to the writer (which compresses on that thread); the calling thread reports.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <vector>

#include "kiln/jobs.h"
#include "kiln/sequence_gen.h"

namespace kiln {
namespace {

struct GenerateRun {
  const GeneratorParams* params = nullptr;
  SequenceWriter* writer = nullptr;
  std::vector<uint64_t> sizes;
  std::atomic<uint32_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::condition_variable progressed;
  uint32_t done = 0;  // under mutex
  std::function<void()> after_frame;  // inline runs: report progress between frames

  void work() {
    uint64_t total = 0;
    for (uint64_t s : sizes) total += s;
    std::vector<uint8_t> frame(total);
    std::vector<std::span<const uint8_t>> fields;
    while (!failed.load(std::memory_order_relaxed)) {
      const uint32_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= params->frames) break;
      fields.clear();
      uint64_t at = 0;
      try {
        for (uint32_t f = 0; f < sizes.size(); ++f) {
          std::span<uint8_t> out(frame.data() + at, sizes[f]);
          generate_field(*params, i, f, out);
          fields.emplace_back(out.data(), out.size());
          at += sizes[f];
        }
        writer->write_frame(i, fields);
      } catch (...) {
        failed = true;
        progressed.notify_all();
        throw;
      }
      {
        std::lock_guard lock(mutex);
        ++done;
      }
      progressed.notify_all();
      if (after_frame) after_frame();
    }
  }
};

}  // namespace

void write_generated_sequence(const std::string& path, const GeneratorParams& params,
                              const SequenceWriteOptions& options, JobPool* jobs,
                              const std::function<void(uint32_t, uint32_t)>& progress) {
  SequenceLayout layout = generator_layout(params);
  const size_t writer_fields = layout.fields.size();
  SequenceWriter writer(path, std::move(layout), options);
  GenerateRun run;
  run.params = &params;
  run.writer = &writer;
  for (uint32_t f = 0; f < static_cast<uint32_t>(writer_fields); ++f) run.sizes.push_back(generator_field_size(params, f));
  if (progress) progress(0, params.frames);

  if (!jobs || jobs->in_worker()) {
    run.after_frame = [&] {
      if (progress) progress(run.done, params.frames);
    };
    run.work();
  } else {
    const uint32_t workers = std::min(jobs->threads(), params.frames);
    std::vector<JobHandle> handles;
    for (uint32_t w = 0; w < workers; ++w) handles.push_back(jobs->submit([&run](const JobControl&) { run.work(); }));
    {
      std::unique_lock lock(run.mutex);
      uint32_t reported = 0;
      while (run.done < params.frames && !run.failed) {
        run.progressed.wait_for(lock, std::chrono::milliseconds(100));
        if (progress && run.done != reported) {
          reported = run.done;
          lock.unlock();
          progress(reported, params.frames);
          lock.lock();
        }
      }
    }
    // Every worker stops before `run` goes away; then the first failure is rethrown (and the writer,
    // unfinished, removes the file).
    std::exception_ptr error;
    for (JobHandle& h : handles) {
      try {
        h.wait();
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  }
  writer.finish();
  if (progress) progress(params.frames, params.frames);
}

}  // namespace kiln
