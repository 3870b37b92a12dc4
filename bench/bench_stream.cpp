// Streaming a large sequence from a page-cached file to the GPU while a render loop runs, against the
// device's peak vkCmdCopyBuffer rate (bare Vulkan, best queue family: copy_peak.h) measured in the
// same run. For raw blobs and for LZ4 blobs:
//   - throughput: the loop shows each frame as soon as SequenceStream has it (two passes over the
//     whole file through a GPU budget far smaller than it): sustained GB/s, ratio to peak, CPU cores;
//   - paced: the loop shows frames at 90% of the peak rate (a display that needs that bandwidth):
//     late frames (not resident when due).
// The render loop's GPU work per frame is small (a 256-byte copy out of each field, waiting on the
// frame's ticket): the stream's cost is what is measured.
//
//   bench_stream [GiB] [frames] [threads] [budget MiB] [raw|lz4|both]
//       one JSON line; ratio = throughput / peak (raw blobs); default both
//   KILN_BENCH_DIR: where the sequence files go (default /tmp); they are kept and reused.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "copy_peak.h"
#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/jobs.h"
#include "kiln/log.h"
#include "kiln/sequence_file.h"
#include "kiln/sequence_gen.h"
#include "kiln/sequence_stream.h"

namespace {

using bench::Clock;
using bench::seconds_since;

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// The sequence file for these parameters, generated unless an identical one is there.
std::string sequence_file(const kiln::GeneratorParams& p, kiln::Compression c, kiln::JobPool& jobs) {
  const char* dir = std::getenv("KILN_BENCH_DIR");
  const std::string path = kiln::str(dir ? dir : "/tmp", "/kiln_bench_stream_", p.frames, "x", p.points, "_",
                                     kiln::compression_name(c), ".kseq");
  try {
    kiln::SequenceReader r(path);
    kiln::GeneratorParams have;
    if (kiln::generator_params_from_metadata(r.layout().metadata, have) && have.points == p.points &&
        have.frames == p.frames && have.seed == p.seed) {
      return path;
    }
  } catch (const kiln::Error&) {
    // Absent or stale: generate it.
  }
  const auto start = Clock::now();
  std::fprintf(stderr, "bench_stream: generating %s ...\n", path.c_str());
  kiln::write_generated_sequence(path, p, {.compression = c}, &jobs);
  std::fprintf(stderr, "bench_stream: generated in %.1f s\n", seconds_since(start));
  return path;
}

// Reads the whole file once on every thread's share: the run then reads from the page cache.
double warm_page_cache(const std::string& path, kiln::JobPool& jobs) {
  kiln::SequenceReader r(path);
  const auto start = Clock::now();
  std::vector<std::vector<uint8_t>> scratch(jobs.threads() + 1);
  uint64_t bytes = 0;
  for (uint32_t f = 0; f < r.frame_count(); ++f) bytes += r.frame_raw_size(f);
  jobs.parallel_for(r.frame_count(), [&](uint32_t f) {
    thread_local std::vector<uint8_t> buffer;
    for (uint32_t field = 0; field < r.layout().fields.size(); ++field) {
      buffer.resize(r.blob(f, field).raw_size);
      r.read(f, field, buffer);
    }
  });
  return double(bytes) / seconds_since(start) / 1e9;
}

struct RunResult {
  double gbps = 0;
  double seconds = 0;
  double cores = 0;
  uint64_t frames = 0;
  uint64_t late = 0;
  uint64_t bytes = 0;
  double hit_rate = 0;
  kiln::StreamStats stats;
};

// One frame's work on the GPU: a small copy out of every field, after the frame's copies.
uint64_t use_frame(kiln::Context& ctx, kiln::CommandPool& pool, kiln::Buffer& sink, kiln::SequenceStream& s,
                   const kiln::StreamFrame& f) {
  kiln::CommandBuffer cmd = pool.begin("frame");
  VkDeviceSize at = 0;
  for (const kiln::StreamField& field : f.fields()) {
    if (!field.buffer) continue;
    const VkDeviceSize n = std::min<VkDeviceSize>(256, field.size);
    if (n == 0) continue;
    cmd.copy_buffer(*field.buffer, sink, {{0, at, n}});
    at += 256;
  }
  kiln::CommandBuffer* cmds[] = {&cmd};
  const kiln::SemaphoreSubmit waits[] = {f.ready.wait_info()};
  const uint64_t serial = ctx.queue().submit(
      {.commands = kiln::Slice<kiln::CommandBuffer*>(cmds, 1), .waits = kiln::Slice<kiln::SemaphoreSubmit>(waits, 1)});
  s.used(f, ctx.queue(), serial);
  return serial;
}

// `period_s` 0: as fast as frames come; else frame i is due at start + i * period.
RunResult run(kiln::Context& ctx, const std::string& path, kiln::JobPool& jobs, VkDeviceSize budget, uint32_t passes,
              double period_s) {
  kiln::SequenceStream s(ctx, path, {.gpu_budget = budget, .prefetch = 16, .jobs = &jobs});
  kiln::CommandPool pool(ctx);
  kiln::Buffer sink(ctx, {.size = 4096, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .name = "sink"});
  const uint32_t n = s.frame_count();
  RunResult r;
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  uint64_t last = 0;
  for (uint32_t pass = 0; pass < passes; ++pass) {
    for (uint32_t i = 0; i < n; ++i) {
      const uint64_t index = uint64_t(pass) * n + i;
      if (period_s > 0) {
        // Wait for the frame's due time, prefetching meanwhile.
        while (seconds_since(start) < double(index) * period_s) {
          s.update();
          std::this_thread::yield();
        }
      }
      const kiln::StreamFrame* f = s.get(i);
      if (!f) {
        ++r.late;
        while (!(f = s.get(i))) std::this_thread::yield();
      }
      last = use_frame(ctx, pool, sink, s, *f);
      ++r.frames;
    }
  }
  ctx.queue().wait(last);
  r.seconds = seconds_since(start);
  r.cores = (cpu_seconds() - cpu0) / r.seconds;
  r.stats = s.stats();
  r.bytes = r.stats.bytes_uploaded;
  r.gbps = double(r.bytes) / r.seconds / 1e9;
  r.hit_rate = r.stats.hit_rate();
  return r;
}

std::string run_json(const RunResult& r) {
  return kiln::str("{\"gbps\":", r.gbps, ",\"seconds\":", r.seconds, ",\"frames\":", r.frames, ",\"late\":", r.late,
                   ",\"cores\":", r.cores, ",\"bytes\":", r.bytes, ",\"bytes_read\":", r.stats.bytes_read,
                   ",\"evictions\":", r.stats.evictions, ",\"loads_cancelled\":", r.stats.loads_cancelled,
                   ",\"load_core_seconds\":", r.stats.load_seconds, ",\"load_wait_seconds\":", r.stats.load_wait_seconds,
                   ",\"load_read_seconds\":", r.stats.load_read_seconds,
                   ",\"read_gbps_per_job\":", r.stats.load_read_seconds > 0 ? double(r.stats.bytes_uploaded) / r.stats.load_read_seconds / 1e9 : 0.0,
                   "}");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    kiln::set_log_level(kiln::LogLevel::Warn);
    kiln::Context ctx({.validation = kiln::Validation::Off});
    const bool cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    const double gib = argc > 1 ? std::atof(argv[1]) : (cpu ? 0.25 : 8.0);
    const uint32_t frames = argc > 2 ? uint32_t(std::max(2, std::atoi(argv[2]))) : (cpu ? 32 : 128);
    const uint32_t threads = argc > 3 ? uint32_t(std::max(1, std::atoi(argv[3]))) : 0;
    const VkDeviceSize budget = (argc > 4 ? VkDeviceSize(std::max(16, std::atoi(argv[4]))) : (cpu ? 64 : 2048)) << 20;
    const std::string which = argc > 5 ? argv[5] : "both";
    if (which != "raw" && which != "lz4" && which != "both") {
      std::fprintf(stderr, "bench_stream: blobs '%s' unknown; raw, lz4 or both\n", which.c_str());
      return 2;
    }
    std::vector<kiln::Compression> compressions;
    if (which != "lz4") compressions.push_back(kiln::Compression::None);
    if (which != "raw") compressions.push_back(kiln::Compression::Lz4);

    kiln::JobPool jobs({.threads = threads, .name = "bench-stream"});
    const kiln::GeneratorParams params =
        kiln::generator_params_for_size(kiln::GeneratorKind::PointCloud, uint64_t(gib * double(1ull << 30)), frames);
    const uint64_t frame_bytes = kiln::generator_frame_size(params);

    // The baseline: the copy engine's peak, 256 MiB (64 on CPU devices) per copy.
    const VkDeviceSize peak_size = VkDeviceSize(cpu ? 64 : 256) << 20;
    std::vector<uint8_t> data(peak_size, 1);
    double memcpy_gbps = 0;
    const std::vector<bench::FamilyResult> families = bench::measure_peak(ctx, peak_size, 3, &memcpy_gbps, data);
    const double peak = bench::family_rate(bench::best_family(families));

    std::string runs;
    double raw_ratio = 0;
    for (kiln::Compression c : compressions) {
      const std::string path = sequence_file(params, c, jobs);
      const double cache_gbps = warm_page_cache(path, jobs);
      const uint64_t file_bytes = std::filesystem::file_size(path);
      const RunResult fast = run(ctx, path, jobs, budget, 2, 0.0);
      const double period = double(frame_bytes) / (0.9 * peak * 1e9);
      const RunResult paced = run(ctx, path, jobs, budget, 1, period);
      if (c == kiln::Compression::None) raw_ratio = fast.gbps / peak;
      runs += kiln::str(runs.empty() ? "" : ",", "{\"compression\":\"", kiln::compression_name(c), "\",\"file_bytes\":",
                        file_bytes, ",\"page_cache_read_gbps\":", cache_gbps, ",\"throughput\":", run_json(fast),
                        ",\"ratio\":", fast.gbps / peak, ",\"paced_at_gbps\":", 0.9 * peak,
                        ",\"paced\":", run_json(paced), "}");
    }
    std::printf("{\"bench\":\"stream\",\"device\":\"%s\",\"peak_gbps\":%.3f,\"memcpy_gbps\":%.3f,\"frames\":%u,"
                "\"frame_bytes\":%llu,\"points\":%u,\"budget\":%llu,\"threads\":%u,\"runs\":[%s],\"ratio\":%.3f,"
                "\"goal\":0.9}\n",
                bench::json_escape(ctx.properties().deviceName).c_str(), peak, memcpy_gbps, frames,
                static_cast<unsigned long long>(frame_bytes), params.points, static_cast<unsigned long long>(budget),
                jobs.threads(), runs.c_str(), raw_ratio);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_stream: %s\n", e.what());
    return 1;
  }
}
