// The Uploader against the device's peak vkCmdCopyBuffer rate (bare Vulkan, per queue family,
// copy_peak.h), measured in the same run:
//   big:    upload() of one large block from ordinary host memory (chunked, memcpy on several threads);
//           goal ratio >= 0.95. Its ceiling is the CPU's memcpy rate into staging (memcpy_gbps, and
//           cpu_write_* below).
//   big_pinned: the same block uploaded from a host-visible kiln::Buffer it already lies in
//           (upload(dst, src, ...): the copy engine reads it, no memcpy), like CUDA's pinned copy.
//   small:  N uploads of 4-64 KiB (random sizes, fixed seed) the way loaders issue them, from several
//           threads and from one; goal ratio >= 0.8; CPU time per upload (the issuing thread's).
//           small_own_uploaders: the same with an Uploader per thread (its share of the staging), nothing
//           shared between the threads: what the one Uploader's shared state costs.
//   span:   the same small uploads through begin()/finish(), the bytes generated straight into the span
//           (no source memcpy): the loader path.
//   small_regions_raw: the GPU side alone for those pieces: one bare vkCmdCopyBuffer with a region per
//           piece (copy_peak.h): what copies reach when the pieces cannot merge (scattered
//           destinations). The Uploader merges pieces back to back (small_copy_regions).
//   cpu_write_*: the CPU side alone: the big block written into mapped staging memory in 32 KiB
//           pieces by one thread and by `threads`, with memcpy and with copy_to_mapped (non-temporal
//           stores, what the Uploader uses); and with copy_to_mapped while the GPU copies another staging
//           buffer without a pause (cpu_write_stream_during_dma: the CPU side's ceiling while copies run;
//           dma_during_cpu_writes: the copies' rate meanwhile, whole copies counted).
//   cuda_pinned: CUDA's pinned host-to-device copy of the big size on the same GPU (cuda_copy.h: the
//           driver API through dlopen; null with cuda_note where libcuda is absent, as on lavapipe).
// Every rate counts from the first call to wait_idle() returning. GB/s are 10^9 bytes per second.
//
//   bench_uploader [big MiB] [small count] [threads] [reps] [copy threads] [batch MiB] [piece align]
//       defaults 256 10000 8 3 8 16; on CPU devices 64 2000 2 2 (the run stays short). The last two
//       are the Uploader's copy_threads and batch_bytes, for trying other settings; piece align
//       rounds the small pieces' sizes (and so their offsets) down to a multiple of it (default 1).
// small_steps_*: the small uploads again as begin / write / finish, each timed, with each issuing
// thread's wall and CPU time, and the host's steal time meanwhile (/proc/stat; virtual machines).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "copy_peak.h"
#include "cuda_copy.h"
#include <atomic>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/queue.h"
#include "kiln/context.h"
#include "kiln/device_functions.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/mapped_copy.h"
#include "kiln/uploader.h"

namespace {

using bench::Clock;
using bench::seconds_since;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct Piece {
  VkDeviceSize offset = 0;
  size_t size = 0;
};

struct SmallResult {
  double gbps = 0;
  double cpu_us_per_upload = 0;  // of the issuing threads, summed, per upload
  uint64_t batches = 0;
  uint64_t regions = 0;  // copy regions submitted (pieces back to back merge)
  uint64_t stalls = 0;
  double submit_ms = 0;  // recording and submitting batches
  double tail_ms = 0;    // wait_idle() after the last upload
  // Where the issuing threads' wall time goes (Mode::Steps times each step apart), means over the
  // threads: a thread busy much less than the wall time waits somewhere.
  double thread_start_ms = 0;  // from the run's start to the thread's first upload (latest thread)
  double thread_wall_ms = 0;   // first upload to last
  double thread_cpu_ms = 0;
  double begin_us = 0, write_us = 0, finish_us = 0;  // wall per upload in each step (Mode::Steps)
  // The GPU side of Mode::Steps, from the graphics timeline sampled every ~100 us and the tickets:
  // MB whose batch was submitted / had finished when the last thread's last upload returned, and
  // how long a batch took from its submission (the first ticket of the next value) to its end.
  double gpu_submitted_at_join_mb = 0, gpu_done_at_join_mb = 0, batch_latency_ms = 0;
};

// Upload: upload(). Span: begin()/finish() with the bytes generated into the span. Steps: begin(),
// copy_to_mapped(), finish() (what upload() does for pieces below chunk_size), each step timed.
enum class Mode { Upload, Span, Steps };

// The CPU side alone: `threads` threads write `size` bytes into mapped staging memory (the memory
// type the Uploader's ring uses), each its contiguous share in pieces of `piece` bytes, with memcpy
// or with copy_to_mapped (non-temporal stores). Best of `reps`, GB/s.
double write_rate(void* dst, const uint8_t* src, size_t size, size_t piece, uint32_t threads, bool stream,
                  int reps) {
  double best = 0;
  for (int r = -1; r < reps; ++r) {
    const auto t0 = Clock::now();
    auto work = [&](uint32_t t) {
      const size_t begin = size * t / threads, end = size * (t + 1) / threads;
      for (size_t at = begin; at < end; at += piece) {
        const size_t n = std::min(piece, end - at);
        if (stream) kiln::copy_to_mapped(static_cast<uint8_t*>(dst) + at, src + at, n);
        else std::memcpy(static_cast<uint8_t*>(dst) + at, src + at, n);
      }
    };
    std::vector<std::thread> pool;
    for (uint32_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (std::thread& th : pool) th.join();
    if (r >= 0) best = std::max(best, double(size) / seconds_since(t0) / 1e9);
  }
  return best;
}

// The share of CPU time the hypervisor gave to others meanwhile (/proc/stat's steal column, all
// CPUs), from two readings: jiffies {busy + idle + steal, steal}.
std::pair<uint64_t, uint64_t> cpu_jiffies() {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return {0, 0};
  unsigned long long v[8] = {};
  const int n = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                            &v[5], &v[6], &v[7]);
  std::fclose(f);
  if (n < 8) return {0, 0};
  uint64_t total = 0;
  for (unsigned long long x : v) total += x;
  return {total, v[7]};
}

kiln::UploaderStats sum_stats(const std::vector<kiln::Uploader*>& ups) {
  kiln::UploaderStats sum;
  for (const kiln::Uploader* up : ups) {
    const kiln::UploaderStats s = up->stats();
    sum.batches += s.batches;
    sum.copy_regions += s.copy_regions;
    sum.stalls += s.stalls;
    sum.submit_seconds += s.submit_seconds;
  }
  return sum;
}

// The pieces split over `threads` threads (contiguous runs, as loaders of separate files would);
// thread t uploads through ups[t % ups.size()].
// One finish() in Mode::Steps: when (seconds from the run's start), its ticket, its bytes.
struct TicketRecord {
  double t = 0;
  uint64_t value = 0;
  uint64_t bytes = 0;
};

// From the tickets of the graphics timeline and samples of its counter: see SmallResult.
void gpu_progress(const std::vector<std::vector<TicketRecord>>& records,
                  const std::vector<std::pair<double, uint64_t>>& samples, double join, SmallResult* r) {
  std::vector<TicketRecord> all;
  for (const auto& v : records) all.insert(all.end(), v.begin(), v.end());
  if (all.empty()) return;
  uint64_t first = UINT64_MAX, last = 0;
  for (const TicketRecord& x : all) first = std::min(first, x.value), last = std::max(last, x.value);
  const size_t n = size_t(last - first + 1);
  std::vector<uint64_t> bytes(n, 0);
  std::vector<double> submitted(n, join);  // the last batch goes at wait_idle(), after `join`
  submitted[n - 1] = join + 1.0;
  for (const TicketRecord& x : all) {
    bytes[x.value - first] += x.bytes;
    if (x.value > first) submitted[x.value - first - 1] = std::min(submitted[x.value - first - 1], x.t);
  }
  double latency = 0;
  uint32_t batches = 0;
  for (size_t i = 0; i < n; ++i) {
    double done = -1;
    for (const auto& [t, value] : samples) {
      if (value >= first + i) {
        done = t;
        break;
      }
    }
    if (submitted[i] <= join) r->gpu_submitted_at_join_mb += double(bytes[i]) / 1e6;
    if (done >= 0 && done <= join) r->gpu_done_at_join_mb += double(bytes[i]) / 1e6;
    if (done >= 0 && bytes[i] > 0) {
      latency += std::max(0.0, done - submitted[i]);
      ++batches;
    }
  }
  if (batches) r->batch_latency_ms = latency / batches * 1e3;
}

SmallResult run_small(kiln::Context& ctx, const std::vector<kiln::Uploader*>& ups, kiln::Buffer& dst,
                      const std::vector<Piece>& pieces, const std::vector<uint8_t>& source, uint32_t threads,
                      Mode mode) {
  const kiln::UploaderStats s0 = sum_stats(ups);
  std::vector<double> cpu(threads, 0.0), start(threads, 0.0), wall(threads, 0.0);
  std::vector<double> steps(size_t(threads) * 3, 0.0);
  std::vector<std::vector<TicketRecord>> records(threads);
  std::vector<std::pair<double, uint64_t>> samples;
  std::atomic<bool> sampling{mode == Mode::Steps && ups.size() == 1 && ups[0]->timeline()};
  const auto t0 = Clock::now();
  std::thread sampler;
  if (sampling) {
    samples.reserve(1 << 16);
    sampler = std::thread([&] {
      const VkSemaphore timeline = ups[0]->timeline();
      while (sampling.load() && samples.size() < samples.capacity()) {
        uint64_t value = 0;
        ctx.fn().get_semaphore_counter_value(ctx.device(), timeline, &value);
        samples.emplace_back(seconds_since(t0), value);
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
    });
  }
  auto work = [&](uint32_t t) {
    const auto w0 = Clock::now();
    const double c0 = thread_cpu_seconds();
    start[t] = std::chrono::duration<double>(w0 - t0).count();
    kiln::Uploader& up = *ups[t % ups.size()];
    const size_t begin = pieces.size() * t / threads, end = pieces.size() * (t + 1) / threads;
    for (size_t i = begin; i < end; ++i) {
      const Piece& p = pieces[i];
      if (mode == Mode::Upload) {
        up.upload(dst, source.data() + p.offset, p.size, p.offset);
      } else if (mode == Mode::Span) {
        kiln::UploadSpan span = up.begin(dst, p.offset, p.size);
        std::memset(span.data(), int(i & 0xff), span.size());
        up.finish(std::move(span));
      } else {
        const auto a = Clock::now();
        kiln::UploadSpan span = up.begin(dst, p.offset, p.size);
        const auto b = Clock::now();
        kiln::copy_to_mapped(span.data(), source.data() + p.offset, p.size);
        const auto c = Clock::now();
        const kiln::UploadTicket ticket = up.finish(std::move(span));
        const auto d = Clock::now();
        if (ticket.semaphore == up.timeline())
          records[t].push_back({std::chrono::duration<double>(d - t0).count(), ticket.value, p.size});
        steps[t * 3 + 0] += std::chrono::duration<double>(b - a).count();
        steps[t * 3 + 1] += std::chrono::duration<double>(c - b).count();
        steps[t * 3 + 2] += std::chrono::duration<double>(d - c).count();
      }
    }
    cpu[t] = thread_cpu_seconds() - c0;
    wall[t] = seconds_since(w0);
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (uint32_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (std::thread& th : pool) th.join();
  }
  const auto t1 = Clock::now();
  for (kiln::Uploader* up : ups) up->wait_idle();
  const double s = seconds_since(t0);
  SmallResult r;
  if (sampling) {
    std::this_thread::sleep_for(std::chrono::microseconds(300));  // a sample after the end
    sampling = false;
    sampler.join();
    gpu_progress(records, samples, std::chrono::duration<double>(t1 - t0).count(), &r);
  }
  r.tail_ms = seconds_since(t1) * 1e3;
  r.gbps = double(dst.size()) / s / 1e9;
  double total_cpu = 0;
  for (double c : cpu) total_cpu += c;
  r.cpu_us_per_upload = total_cpu / double(pieces.size()) * 1e6;
  const kiln::UploaderStats s1 = sum_stats(ups);
  r.batches = s1.batches - s0.batches;
  r.regions = s1.copy_regions - s0.copy_regions;
  r.stalls = s1.stalls - s0.stalls;
  r.submit_ms = (s1.submit_seconds - s0.submit_seconds) * 1e3;
  for (uint32_t t = 0; t < threads; ++t) {
    r.thread_start_ms = std::max(r.thread_start_ms, start[t] * 1e3);
    r.thread_wall_ms += wall[t] * 1e3 / threads;
    r.thread_cpu_ms += cpu[t] * 1e3 / threads;
  }
  const double per_upload = 1e6 / double(pieces.size());
  for (uint32_t t = 0; t < threads; ++t) {
    r.begin_us += steps[t * 3 + 0] * per_upload;
    r.write_us += steps[t * 3 + 1] * per_upload;
    r.finish_us += steps[t * 3 + 2] * per_upload;
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    kiln::Context ctx = bench::quiet_context();
    const bool cpu = ctx.properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    const VkDeviceSize big_mib = argc > 1 ? VkDeviceSize(std::max(1, std::atoi(argv[1]))) : (cpu ? 64 : 256);
    const uint32_t small_count = argc > 2 ? uint32_t(std::max(1, std::atoi(argv[2]))) : (cpu ? 2000 : 10000);
    const uint32_t threads = argc > 3 ? uint32_t(std::max(1, std::atoi(argv[3]))) : (cpu ? 2 : 8);
    const int reps = argc > 4 ? std::max(1, std::atoi(argv[4])) : (cpu ? 2 : 3);
    const uint32_t copy_threads = argc > 5 ? uint32_t(std::max(1, std::atoi(argv[5]))) : 0;
    const VkDeviceSize batch_bytes = argc > 6 ? VkDeviceSize(std::max(1, std::atoi(argv[6]))) << 20 : 0;
    const size_t piece_align = argc > 7 ? size_t(std::max(1, std::atoi(argv[7]))) : 1;
    const VkDeviceSize big = big_mib << 20;

    std::vector<uint8_t> data(big);
    for (size_t i = 0; i < data.size(); i += 4096) data[i] = uint8_t(i >> 12);  // touch every page

    double memcpy_gbps = 0;
    const std::vector<bench::FamilyResult> families = bench::measure_peak(ctx, big, reps, &memcpy_gbps, data);
    // CUDA's pinned copy of the same size on the same GPU, where the NVIDIA driver's libcuda is there.
    VkPhysicalDeviceIDProperties ids{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
    VkPhysicalDeviceProperties2 props2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &ids};
    vkGetPhysicalDeviceProperties2(ctx.physical_device(), &props2);
    const bench::CudaCopyResult cuda = bench::measure_cuda_pinned_copy(ids.deviceUUID, size_t(big), reps);
    const bench::FamilyResult& best = bench::best_family(families);
    const double peak = bench::family_rate(best);

    // (a) One large upload, as a user would: from ordinary memory, waited for.
    kiln::Buffer dst(ctx, {.size = big,
                           .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                           .memory = kiln::MemoryIntent::DeviceOnly,
                           .name = "bench.uploader.big"});
    double big_gbps = 0;
    std::string big_path;
    {
      kiln::Uploader up(ctx, {.batch_bytes = batch_bytes, .copy_threads = copy_threads, .name = "bench.uploader.big"});
      for (int i = -1; i < reps; ++i) {
        const auto t0 = Clock::now();
        const kiln::UploadTicket t = up.upload(dst, data.data(), big);
        up.wait(t);
        const double s = seconds_since(t0);
        if (i >= 0) big_gbps = std::max(big_gbps, double(big) / s / 1e9);
        big_path = kiln::upload_path_name(t.path);
      }
    }

    // (a') The same block from host-visible memory of its own (MemoryIntent::Upload, filled
    // beforehand): upload(dst, src, ...) copies from there, no memcpy; CUDA's pinned-memory copy.
    double pinned_gbps = 0;
    std::string pinned_path;
    {
      kiln::Buffer pinned(ctx, {.size = big, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                .memory = kiln::MemoryIntent::Upload, .name = "bench.uploader.pinned"});
      std::memcpy(pinned.mapped(), data.data(), big);
      kiln::Uploader up(ctx, {.batch_bytes = batch_bytes, .copy_threads = copy_threads, .name = "bench.uploader.pinned"});
      for (int i = -1; i < reps; ++i) {
        const auto t0 = Clock::now();
        const kiln::UploadTicket t = up.upload(dst, pinned, 0, big);
        up.wait(t);
        const double s = seconds_since(t0);
        if (i >= 0) pinned_gbps = std::max(pinned_gbps, double(big) / s / 1e9);
        pinned_path = kiln::upload_path_name(t.path);
      }
    }

    // (b), (c) Small uploads of 4-64 KiB, back to back in one buffer.
    std::mt19937 rng(1234);
    std::vector<Piece> pieces(small_count);
    VkDeviceSize total = 0;
    for (Piece& p : pieces) {
      p.size = (4096 + rng() % (60 * 1024 + 1)) / piece_align * piece_align;
      p.offset = total;
      total += p.size;
    }
    std::vector<uint8_t> source(total);
    for (size_t i = 0; i < source.size(); i += 4096) source[i] = uint8_t(i >> 12);
    kiln::Buffer small_dst(ctx, {.size = total,
                                 .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                 .memory = kiln::MemoryIntent::DeviceOnly,
                                 .name = "bench.uploader.small"});
    // One Uploader per mode, kept across the repetitions as a program keeps its own: the first (not
    // counted) also pays the first touch of the staging ring's pages.
    // own_uploaders: each thread its own Uploader with its share of the staging (nothing shared
    // between the threads but the device): how much the one Uploader's shared state costs.
    auto best_of = [&](uint32_t n, Mode mode, bool own_uploaders = false) {
      std::vector<std::unique_ptr<kiln::Uploader>> owned;
      const uint32_t count = own_uploaders ? n : 1;
      for (uint32_t i = 0; i < count; ++i) {
        owned.push_back(std::make_unique<kiln::Uploader>(
            ctx, kiln::UploaderDesc{.staging_size = (VkDeviceSize(256) << 20) / count,
                                    .batch_bytes = batch_bytes,
                                    .name = "bench.uploader.small"}));
      }
      std::vector<kiln::Uploader*> ups;
      for (auto& u : owned) ups.push_back(u.get());
      SmallResult best_r;
      for (int i = -1; i < reps; ++i) {
        const SmallResult r = run_small(ctx, ups, small_dst, pieces, source, n, mode);
        if (i >= 0 && r.gbps > best_r.gbps) best_r = r;
      }
      return best_r;
    };
    // The GPU side's ceiling for these pieces: one bare vkCmdCopyBuffer with a region per piece, the
    // staging offsets laid out as the Uploader lays them (each on 64 bytes).
    std::vector<VkBufferCopy> regions;
    VkDeviceSize staged = 0;
    for (const Piece& p : pieces) {
      staged = (staged + 63) / 64 * 64;
      regions.push_back({staged, p.offset, p.size});
      staged += p.size;
    }
    const double regions_gbps = bench::measure_regions(ctx, best.family, staged, total, regions, reps).best();
    double write_memcpy_1t = 0, write_memcpy = 0, write_stream_1t = 0, write_stream = 0, write_stream_dma = 0;
    double dma_during_writes = 0;  // the GPU's copy rate meanwhile: what the CPU's writes leave the DMA
    double dma_same_buffer = 0;    // the same, copying from the buffer being written
    {
      kiln::Buffer staging(ctx, {.size = big,
                                 .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                 .memory = kiln::MemoryIntent::Upload,
                                 .name = "bench.uploader.cpu_writes"});
      constexpr size_t kPiece = 32 * 1024;  // about the small uploads' mean
      write_memcpy_1t = write_rate(staging.mapped(), data.data(), big, kPiece, 1, false, reps);
      write_memcpy = write_rate(staging.mapped(), data.data(), big, kPiece, threads, false, reps);
      write_stream_1t = write_rate(staging.mapped(), data.data(), big, kPiece, 1, true, reps);
      write_stream = write_rate(staging.mapped(), data.data(), big, kPiece, threads, true, reps);
      // Again while the GPU copies another staging buffer to the device without a pause, as it does
      // while an Uploader runs: the CPU's writes and the DMA's reads share the host's memory.
      kiln::Buffer busy_src(ctx, {.size = big, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                  .memory = kiln::MemoryIntent::Upload, .name = "bench.uploader.dma_src"});
      kiln::Buffer busy_dst(ctx, {.size = big, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                  .memory = kiln::MemoryIntent::DeviceOnly, .name = "bench.uploader.dma_dst"});
      // The GPU copies 16 MiB pieces of `src` one after another through all of it (two in flight: no
      // gap between copies) while the threads write staging: the CPU's rate and the copies' meanwhile.
      auto dma_while_writing = [&](kiln::Buffer& src, double* dma_gbps) {
        std::atomic<bool> stop{false};
        std::atomic<uint64_t> copied{0};
        std::thread dma([&] {
          kiln::CommandPool pool(ctx, kiln::QueueKind::Graphics, "bench.uploader.dma");
          kiln::Queue& queue = ctx.queue(kiln::QueueKind::Graphics);
          const VkDeviceSize piece = std::min<VkDeviceSize>(big, VkDeviceSize(16) << 20);
          uint64_t previous = 0;
          for (VkDeviceSize at = 0; !stop.load(); at = at + 2 * piece <= big ? at + piece : 0) {
            kiln::CommandBuffer cmd = pool.begin("dma");
            const VkBufferCopy region{at, at, piece};
            cmd.copy_buffer(src, busy_dst, kiln::Slice<VkBufferCopy>(region));
            const uint64_t serial = queue.submit(cmd);
            if (previous) {
              queue.wait(previous);
              copied += piece;
            }
            previous = serial;
          }
          if (previous) queue.wait(previous);
        });
        while (copied.load() == 0) std::this_thread::yield();  // the DMA runs before the writes start
        const uint64_t c0 = copied.load();
        const auto t0 = Clock::now();
        const double cpu_gbps = write_rate(staging.mapped(), data.data(), big, kPiece, threads, true, reps);
        *dma_gbps = double(copied.load() - c0) / seconds_since(t0) / 1e9;
        stop = true;
        dma.join();
        return cpu_gbps;
      };
      write_stream_dma = dma_while_writing(busy_src, &dma_during_writes);
      // The same, the GPU reading the very buffer the threads write (as the Uploader's copies read
      // its ring right behind the writers); the bytes copied are meaningless, the rate is not.
      dma_while_writing(staging, &dma_same_buffer);
    }
    const SmallResult multi = best_of(threads, Mode::Upload);
    const SmallResult single = best_of(1, Mode::Upload);
    const SmallResult span_multi = best_of(threads, Mode::Span);
    const SmallResult span_single = best_of(1, Mode::Span);
    const SmallResult own = best_of(threads, Mode::Upload, true);
    const auto j0 = cpu_jiffies();
    const SmallResult steps = best_of(threads, Mode::Steps);
    const auto j1 = cpu_jiffies();
    const double steal = j1.first > j0.first ? double(j1.second - j0.second) / double(j1.first - j0.first) : 0.0;

    std::printf(
        "{\"bench\":\"uploader\",\"device\":\"%s\",\"peak_gbps\":%.3f,\"peak_family\":%u,\"memcpy_gbps\":%.3f,"
        "\"big_bytes\":%llu,\"big_gbps\":%.3f,\"big_path\":\"%s\",\"ratio\":%.3f,\"big_goal\":0.95,"
        "\"big_pinned_gbps\":%.3f,\"big_pinned_ratio\":%.3f,\"big_pinned_path\":\"%s\","
        "\"small_count\":%u,\"small_bytes\":%llu,\"threads\":%u,"
        "\"small_gbps\":%.3f,\"small_ratio\":%.3f,\"small_cpu_us_per_upload\":%.3f,\"small_batches\":%llu,"
        "\"small_copy_regions\":%llu,\"small_stalls\":%llu,\"small_submit_ms\":%.3f,\"small_tail_ms\":%.3f,"
        "\"small_own_uploaders_gbps\":%.3f,\"small_own_uploaders_cpu_us_per_upload\":%.3f,"
        "\"small_1t_gbps\":%.3f,\"small_1t_ratio\":%.3f,\"small_1t_cpu_us_per_upload\":%.3f,"
        "\"span_gbps\":%.3f,\"span_ratio\":%.3f,\"span_cpu_us_per_upload\":%.3f,"
        "\"span_1t_gbps\":%.3f,\"span_1t_ratio\":%.3f,\"span_1t_cpu_us_per_upload\":%.3f,\"small_goal\":0.8,"
        "\"small_regions_raw_gbps\":%.3f,\"cpu_write_memcpy_1t_gbps\":%.3f,\"cpu_write_memcpy_gbps\":%.3f,"
        "\"cpu_write_stream_1t_gbps\":%.3f,\"cpu_write_stream_gbps\":%.3f,\"cpu_write_stream_during_dma_gbps\":%.3f,\"dma_during_cpu_writes_gbps\":%.3f,\"dma_from_buffer_being_written_gbps\":%.3f,"
        "\"small_steps_gbps\":%.3f,\"small_steps_thread_start_ms\":%.3f,\"small_steps_thread_wall_ms\":%.3f,"
        "\"small_steps_thread_cpu_ms\":%.3f,\"small_steps_begin_us\":%.3f,\"small_steps_write_us\":%.3f,"
        "\"small_steps_finish_us\":%.3f,\"small_steps_tail_ms\":%.3f,\"small_steps_stalls\":%llu,"
        "\"small_steps_gpu_submitted_at_join_mb\":%.1f,\"small_steps_gpu_done_at_join_mb\":%.1f,"
        "\"small_steps_batch_latency_ms\":%.3f,\"small_steps_batches\":%llu,\"steal\":%.4f,"
        "\"copy_threads\":%u,\"batch_mib\":%llu,\"reps\":%d,%s,\"families\":[%s]}\n",
        bench::json_escape(ctx.properties().deviceName).c_str(), peak, best.family, memcpy_gbps,
        (unsigned long long)big, big_gbps, big_path.c_str(), big_gbps / peak, pinned_gbps, pinned_gbps / peak, pinned_path.c_str(), small_count,
        (unsigned long long)total, threads, multi.gbps, multi.gbps / peak, multi.cpu_us_per_upload,
        (unsigned long long)multi.batches, (unsigned long long)multi.regions, (unsigned long long)multi.stalls, multi.submit_ms, multi.tail_ms, own.gbps, own.cpu_us_per_upload, single.gbps, single.gbps / peak, single.cpu_us_per_upload,
        span_multi.gbps, span_multi.gbps / peak, span_multi.cpu_us_per_upload, span_single.gbps,
        span_single.gbps / peak, span_single.cpu_us_per_upload, regions_gbps, write_memcpy_1t, write_memcpy,
        write_stream_1t, write_stream, write_stream_dma, dma_during_writes, dma_same_buffer, steps.gbps, steps.thread_start_ms, steps.thread_wall_ms,
        steps.thread_cpu_ms, steps.begin_us, steps.write_us, steps.finish_us, steps.tail_ms,
        (unsigned long long)steps.stalls, steps.gpu_submitted_at_join_mb, steps.gpu_done_at_join_mb,
        steps.batch_latency_ms, (unsigned long long)steps.batches, steal, copy_threads, (unsigned long long)(batch_bytes >> 20), reps,
        bench::cuda_json(cuda, peak).c_str(), bench::families_json(families).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_uploader: %s\n", e.what());
    return 1;
  }
}
