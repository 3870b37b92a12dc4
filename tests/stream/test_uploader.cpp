// The Uploader on lavapipe (validation + synchronization validation), checked byte for byte: sizes
// and offsets that are multiples of nothing, batching, threads, ring wrap-around and backpressure,
// abandoned spans, each path, images with mips, GPU work waiting on a ticket, and errors. Also the
// staging ring's bookkeeping on its own (no Vulkan).
#include <algorithm>
#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/image.h"
#include "kiln/jobs.h"
#include "kiln/transfer.h"
#include "kiln/uploader.h"
#include "stream/upload/ring_space.h"
#include "stream/stream_test_util.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

std::string sync2_name(const ::testing::TestParamInfo<bool>& p) { return p.param ? "sync2" : "fallback"; }

class UploaderTest : public test::GpuTestSync2 {};
INSTANTIATE_TEST_SUITE_P(Sync2, UploaderTest, ::testing::Values(true, false), sync2_name);

using kiln::test::pattern;

using kiln::test::device_buffer;

// Compares `got` with `want` and names the first differing byte.
void expect_bytes(const std::vector<uint8_t>& got, const uint8_t* want, size_t n, size_t at = 0) {
  ASSERT_GE(got.size(), at + n);
  const auto diff = std::mismatch(want, want + n, got.begin() + at);
  EXPECT_EQ(diff.first, want + n) << "first difference at byte " << (diff.first - want) << " of " << n;
}

TEST(RingSpace, WrapsAroundAndNeverOverlaps) {
  detail::RingSpace ring(1000);
  std::mt19937 rng(7);
  struct Live {
    uint64_t id, offset, size;
  };
  std::vector<Live> live;
  uint64_t completed = 0, value = 0;
  int wraps = 0;
  uint64_t last_offset = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint64_t size = 1 + rng() % 300, align = 1 + rng() % 24;
    detail::RingSpace::Block b;
    if (ring.allocate(size, align, &b)) {
      EXPECT_EQ(b.offset % align, 0u);
      EXPECT_LE(b.offset + size, 1000u);
      for (const Live& l : live) EXPECT_TRUE(b.offset + size <= l.offset || l.offset + l.size <= b.offset);
      if (b.offset < last_offset) ++wraps;
      last_offset = b.offset;
      ring.fence(b.id, 0, ++value);
      ring.unhold(b.id);
      live.push_back({b.id, b.offset, size});
    } else {
      completed = std::min(value, completed + 1 + rng() % 3);  // the "GPU" finishes some batches
    }
    ring.reclaim([&](uint32_t) { return completed; });
    // What was reclaimed is gone from the live list (the ring gives back in order).
    while (!live.empty() && live.front().id + ring.blocks() <= live.back().id) live.erase(live.begin());
  }
  EXPECT_GT(wraps, 10);
}

TEST(RingSpace, HeldBlocksStopTheTail) {
  detail::RingSpace ring(100);
  detail::RingSpace::Block a, b, c;
  ASSERT_TRUE(ring.allocate(60, 1, &a));
  ASSERT_TRUE(ring.allocate(40, 1, &b));
  EXPECT_FALSE(ring.allocate(1, 1, &c));
  ring.unhold(b.id);
  ring.reclaim([](uint32_t) { return uint64_t(0); });
  EXPECT_FALSE(ring.allocate(1, 1, &c));  // b is free, but behind a (held)
  ring.unhold(a.id);
  ring.reclaim([](uint32_t) { return uint64_t(0); });
  EXPECT_EQ(ring.used(), 0u);
  ASSERT_TRUE(ring.allocate(100, 1, &c));
  EXPECT_EQ(c.offset, 0u);
}

TEST(RingSpace, ABlockUsedByBothLanesWaitsForBoth) {
  detail::RingSpace ring(100);
  detail::RingSpace::Block a;
  ASSERT_TRUE(ring.allocate(100, 1, &a));
  ring.fence(a.id, 0, 3);
  ring.fence(a.id, 1, 5);
  ring.fence(a.id, 0, 2);  // an earlier batch of a lane does not undo a later one
  ring.unhold(a.id);
  detail::RingSpace::Oldest oldest;
  ASSERT_TRUE(ring.oldest(&oldest));
  EXPECT_EQ(oldest.id, a.id);
  EXPECT_EQ(oldest.value[0], 3u);
  EXPECT_EQ(oldest.value[1], 5u);
  ring.reclaim([](uint32_t lane) { return lane == 0 ? uint64_t(9) : uint64_t(4); });
  EXPECT_EQ(ring.used(), 100u);
  ring.reclaim([](uint32_t lane) { return lane == 0 ? uint64_t(2) : uint64_t(5); });
  EXPECT_EQ(ring.used(), 100u);
  ring.reclaim([](uint32_t) { return uint64_t(5); });
  EXPECT_EQ(ring.used(), 0u);
}

TEST_P(UploaderTest, SmallAndLargeAtOddOffsets) {
  Buffer dst = device_buffer(*ctx, 3 * 1024 * 1024 + 17, "dst");
  Uploader up(*ctx, {.staging_size = 1 << 20, .chunk_size = 96 * 1024 + 3});
  const std::vector<uint8_t> small = pattern(1234, 1), large = pattern(2 * 1024 * 1024 + 777, 2);
  const UploadTicket t1 = up.upload(dst, small.data(), small.size(), 77);
  const UploadTicket t2 = up.upload(dst, large.data(), large.size(), 5000);
  // lavapipe: one family; on GPUs with a transfer family the first upload goes there, and chunks
  // recorded after its batch released the buffer go through the graphics queue (which acquires it).
  const bool transfer_family = ctx->has_dedicated(QueueKind::Transfer);
  EXPECT_EQ(t1.path, transfer_family ? UploadPath::TransferQueue : UploadPath::GraphicsQueue);
  EXPECT_GE(t2.value, t1.value);
  up.wait(t2);
  EXPECT_TRUE(up.finished(t1));
  EXPECT_TRUE(up.finished(t2));
  const std::vector<uint8_t> got = read_back_now(*ctx, dst);
  expect_bytes(got, small.data(), small.size(), 77);
  expect_bytes(got, large.data(), large.size(), 5000);
  const UploaderStats s = up.stats();
  EXPECT_EQ(s.uploads, 2u);
  EXPECT_EQ(s.bytes, small.size() + large.size());
  EXPECT_EQ(s.bytes_graphics_queue + s.bytes_transfer_queue, s.bytes);
  if (!transfer_family) {
    EXPECT_EQ(s.bytes_graphics_queue, s.bytes);
  }
}

TEST_P(UploaderTest, ManySmallUploadsShareOneSubmission) {
  Buffer dst = device_buffer(*ctx, 256 * 1024, "dst");
  Uploader up(*ctx, {.staging_size = 4 << 20});
  std::vector<uint8_t> want(dst.size(), 0);
  std::mt19937 rng(3);
  VkDeviceSize at = 0;
  int n = 0;
  while (true) {
    const size_t size = 1 + rng() % 700;
    at += rng() % 50;
    if (at + size > dst.size()) break;
    const std::vector<uint8_t> data = pattern(size, uint32_t(n));
    std::memcpy(want.data() + at, data.data(), size);
    up.upload(dst, data.data(), size, at);
    at += size;
    ++n;
  }
  up.wait_idle();
  EXPECT_GT(n, 500);
  EXPECT_EQ(up.stats().batches, 1u);  // far below batch_bytes: one submission, one vkCmdCopyBuffer
  const std::vector<uint8_t> got = read_back_now(*ctx, dst, 0, at);
  // Gap bytes are undefined (never written): compare only what was uploaded, region by region.
  std::mt19937 again(3);
  at = 0;
  for (int i = 0; i < n; ++i) {
    const size_t size = 1 + again() % 700;
    at += again() % 50;
    const std::vector<uint8_t> data = pattern(size, uint32_t(i));
    expect_bytes(got, data.data(), size, at);
    at += size;
  }
}

// Pieces written back to back into one buffer lie back to back in staging (the thread's slab) and
// become one copy region; with several threads, one region per thread.
TEST_P(UploaderTest, BackToBackPiecesMergeIntoOneRegionPerThread) {
  constexpr uint32_t kThreads = 4, kPieces = 200;
  Buffer dst = device_buffer(*ctx, kThreads * kPieces * 700, "dst");
  Uploader up(*ctx, {.staging_size = 4 << 20});
  for (uint32_t threads : {1u, kThreads}) {
    const uint64_t regions0 = up.stats().copy_regions;
    const std::vector<uint8_t> data = pattern(dst.size(), threads);
    std::vector<std::thread> pool;
    for (uint32_t t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        std::mt19937 rng(t);
        VkDeviceSize at = VkDeviceSize(t) * kPieces * 700;
        for (uint32_t i = 0; i < kPieces; ++i) {
          const size_t n = 1 + rng() % 699;  // odd sizes: pieces start anywhere in a cache line
          up.upload(dst, data.data() + at, n, at);
          at += n;
        }
      });
    }
    for (std::thread& th : pool) th.join();
    up.wait_idle();
    EXPECT_EQ(up.stats().copy_regions - regions0, threads) << threads << " threads";
    const std::vector<uint8_t> got = read_back_now(*ctx, dst);
    for (uint32_t t = 0; t < threads; ++t) {
      std::mt19937 rng(t);
      size_t n = 0;
      for (uint32_t i = 0; i < kPieces; ++i) n += 1 + rng() % 699;
      expect_bytes(got, data.data() + t * kPieces * 700, n, t * kPieces * 700);
    }
  }
  EXPECT_EQ(up.stats().staging_in_use, 0u);
}

// A thread that uploaded once and went away keeps its slab only until the ring comes round to it.
TEST_P(UploaderTest, AnIdleThreadsSlabDoesNotBlockTheRing) {
  Buffer dst = device_buffer(*ctx, 5 << 20, "dst");
  Uploader up(*ctx, {.staging_size = 1 << 20});
  const std::vector<uint8_t> data = pattern(dst.size(), 21);
  std::thread([&] { up.upload(dst, data.data(), 1000, 0); }).join();
  for (VkDeviceSize at = 1000; at < dst.size(); at += 8192) {
    const VkDeviceSize n = std::min<VkDeviceSize>(8192, dst.size() - at);
    up.upload(dst, data.data() + at, n, at);
    ASSERT_LE(up.stats().staging_in_use, 1u << 20);
  }
  up.wait_idle();
  EXPECT_EQ(up.stats().staging_in_use, 0u);
  expect_bytes(read_back_now(*ctx, dst), data.data(), data.size());
}

TEST_P(UploaderTest, OverlappingUploadsInOneBatchLandInOrder) {
  Buffer dst = device_buffer(*ctx, 4096, "dst");
  Uploader up(*ctx, {.staging_size = 1 << 20});
  const std::vector<uint8_t> a(4096, 0xaa), b(1000, 0xbb), c(10, 0xcc);
  up.upload(dst, a.data(), a.size());
  up.upload(dst, b.data(), b.size(), 100);
  up.upload(dst, c.data(), c.size(), 95);
  up.wait_idle();
  const std::vector<uint8_t> got = read_back_now(*ctx, dst);
  EXPECT_EQ(got[94], 0xaa);
  EXPECT_EQ(got[95], 0xcc);
  EXPECT_EQ(got[104], 0xcc);
  EXPECT_EQ(got[105], 0xbb);
  EXPECT_EQ(got[1099], 0xbb);
  EXPECT_EQ(got[1100], 0xaa);
}

// Random ranges, many overlapping earlier ones in the same batch, some continuing them, some
// touching them from below: the buffer ends as a CPU copy written in the same order does.
TEST_P(UploaderTest, RandomOverlappingUploadsMatchTheCpuModel) {
  constexpr VkDeviceSize kSize = 16 * 1024;
  Buffer dst = device_buffer(*ctx, kSize, "dst");
  Uploader up(*ctx, {.staging_size = 1 << 20});
  std::vector<uint8_t> want(kSize, 0);
  up.upload(dst, want.data(), kSize);
  std::mt19937 rng(17);
  VkDeviceSize last_end = 0;
  for (uint32_t i = 0; i < 3000; ++i) {
    const VkDeviceSize n = 1 + rng() % 200;
    VkDeviceSize at = rng() % (kSize - n);
    if (i % 3 == 0 && last_end + n <= kSize) at = last_end;  // continues the previous piece
    const std::vector<uint8_t> data = pattern(n, i);
    std::memcpy(want.data() + at, data.data(), n);
    up.upload(dst, data.data(), n, at);
    last_end = at + n;
  }
  up.wait_idle();
  expect_bytes(read_back_now(*ctx, dst), want.data(), kSize);
}

// Small copies finish on each thread without the Uploader's lock and join the batch later; writes
// handed from thread to thread (each upload happens after the previous thread's) still land in that
// order, across submissions too (batch_bytes is small here).
TEST_P(UploaderTest, ThreadsHandingOffTheSameBytesLandInHandOffOrder) {
  constexpr uint32_t kThreads = 4, kTurns = 2000;
  constexpr VkDeviceSize kSize = 8 * 1024;
  Buffer dst = device_buffer(*ctx, kSize, "dst");
  Uploader up(*ctx, {.staging_size = 1 << 20, .batch_bytes = 32 * 1024});
  std::vector<uint8_t> want(kSize, 0);
  up.upload(dst, want.data(), kSize);
  std::atomic<uint32_t> turn{0};
  std::vector<std::thread> pool;
  for (uint32_t t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (uint32_t k = t; k < kTurns; k += kThreads) {
        while (turn.load() != k) std::this_thread::yield();
        const VkDeviceSize n = 1 + rng() % 300;
        const VkDeviceSize at = rng() % (kSize - n);
        const std::vector<uint8_t> data = pattern(n, k);
        std::memcpy(want.data() + at, data.data(), n);  // turns are serial: the model needs no lock
        if (k % 2) {
          up.upload(dst, data.data(), n, at);
        } else {
          UploadSpan span = up.begin(dst, at, n);
          std::memcpy(span.data(), data.data(), n);
          up.finish(std::move(span));
        }
        turn.store(k + 1);
      }
    });
  }
  for (std::thread& th : pool) th.join();
  up.wait_idle();
  EXPECT_GT(up.stats().batches, 3u);
  EXPECT_EQ(up.stats().uploads, kTurns + 1);
  expect_bytes(read_back_now(*ctx, dst), want.data(), kSize);
}

// Small pieces (finished without the lock) and chunked large uploads (with it) over the same bytes,
// one after another: each lands over the one before.
TEST_P(UploaderTest, SmallAndChunkedUploadsOverTheSameBytesLandInOrder) {
  constexpr VkDeviceSize kSize = 600 * 1024;
  Buffer dst = device_buffer(*ctx, kSize, "dst");
  Uploader up(*ctx, {.staging_size = 2 << 20, .chunk_size = 100 * 1024});
  std::vector<uint8_t> want(kSize, 0);
  up.upload(dst, want.data(), kSize);  // every byte defined
  std::mt19937 rng(5);
  for (uint32_t i = 0; i < 300; ++i) {
    const bool large = i % 50 == 25;
    const VkDeviceSize n = large ? 300 * 1024 + rng() % 1000 : 1 + rng() % 4000;
    const VkDeviceSize at = rng() % (kSize - n);
    const std::vector<uint8_t> data = pattern(n, i);
    std::memcpy(want.data() + at, data.data(), n);
    up.upload(dst, data.data(), n, at);
  }
  up.wait_idle();
  expect_bytes(read_back_now(*ctx, dst), want.data(), kSize);
}

// A host-visible buffer the test filled, copied from directly (no staging), between and over staged
// uploads to the same bytes: each lands over the one before, and the ring is not used for it.
TEST_P(UploaderTest, FromAHostBufferWithoutStaging) {
  constexpr VkDeviceSize kSize = 400 * 1024;
  Buffer dst = device_buffer(*ctx, kSize, "dst");
  Buffer pinned(*ctx, {.size = 300 * 1024, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                       .memory = MemoryIntent::Upload, .name = "pinned"});
  const std::vector<uint8_t> fill = pattern(pinned.size(), 9);
  std::memcpy(pinned.mapped(), fill.data(), fill.size());
  Uploader up(*ctx, {.staging_size = 1 << 20});
  std::vector<uint8_t> want(kSize, 0);
  up.upload(dst, want.data(), kSize);
  up.wait_idle();
  auto staged = [&](VkDeviceSize at, VkDeviceSize n, uint32_t seed) {
    const std::vector<uint8_t> data = pattern(n, seed);
    std::memcpy(want.data() + at, data.data(), n);
    return up.upload(dst, data.data(), n, at);
  };
  auto from_pinned = [&](VkDeviceSize src_at, VkDeviceSize at, VkDeviceSize n) {
    std::memcpy(want.data() + at, fill.data() + src_at, n);
    return up.upload(dst, pinned, src_at, n, at);
  };
  staged(1000, 100, 1);
  const VkDeviceSize ring_before = up.stats().staging_in_use;
  const UploadTicket t = from_pinned(13, 500, 250 * 1024);  // over the staged bytes
  EXPECT_NE(t.path, UploadPath::Direct);
  EXPECT_EQ(up.stats().staging_in_use, ring_before) << "the copy from the host buffer took staging";
  staged(600, 100, 2);                   // over the copied bytes
  from_pinned(7, 260 * 1024, 100);       // beside them
  from_pinned(256, 256 * 10, 256 * 20);  // aligned, over both
  const UploadTicket last = staged(256 * 12, 3, 3);
  up.wait(last);
  EXPECT_TRUE(up.finished(t));
  expect_bytes(read_back_now(*ctx, dst), want.data(), kSize);
  const UploaderStats s = up.stats();
  EXPECT_EQ(s.uploads, 7u);
  EXPECT_EQ(s.bytes, kSize + 100 + 250 * 1024 + 100 + 100 + 256 * 20 + 3);
}

// Staged uploads and copies from a host buffer in a random mix over the same bytes, across many
// submissions (batch_bytes is small): the buffer ends as a CPU copy written in the same order does.
TEST_P(UploaderTest, RandomMixOfStagedAndHostBufferUploadsMatchesTheCpuModel) {
  constexpr VkDeviceSize kSize = 64 * 1024;
  Buffer dst = device_buffer(*ctx, kSize, "dst");
  Buffer pinned(*ctx, {.size = kSize, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                       .memory = MemoryIntent::Upload, .name = "pinned"});
  const std::vector<uint8_t> fill = pattern(kSize, 4);
  std::memcpy(pinned.mapped(), fill.data(), kSize);
  Uploader up(*ctx, {.staging_size = 1 << 20, .batch_bytes = 32 * 1024});
  std::vector<uint8_t> want(kSize, 0);
  up.upload(dst, want.data(), kSize);
  std::mt19937 rng(23);
  for (uint32_t i = 0; i < 1500; ++i) {
    const VkDeviceSize n = 1 + rng() % (i % 10 == 0 ? 8000 : 300);
    const VkDeviceSize at = rng() % (kSize - n);
    if (rng() % 3 == 0) {
      const VkDeviceSize src_at = rng() % (kSize - n);
      std::memcpy(want.data() + at, fill.data() + src_at, n);
      up.upload(dst, pinned, src_at, n, at);
    } else {
      const std::vector<uint8_t> data = pattern(n, i);
      std::memcpy(want.data() + at, data.data(), n);
      up.upload(dst, data.data(), n, at);
    }
  }
  up.wait_idle();
  expect_bytes(read_back_now(*ctx, dst), want.data(), kSize);
  EXPECT_GT(up.stats().batches, 3u);
}

TEST_P(UploaderTest, EightThreadsIntoDistinctRegions) {
  constexpr uint32_t kThreads = 8, kPer = 60;
  constexpr size_t kRegion = 64 * 1024;
  Buffer dst = device_buffer(*ctx, kThreads * kRegion, "dst");
  Uploader up(*ctx, {.staging_size = 256 * 1024, .batch_bytes = 64 * 1024});
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread writes its region in pieces, half through upload(), half straight into spans.
      const std::vector<uint8_t> data = pattern(kRegion, 100 + t);
      const size_t piece = kRegion / kPer + 1;
      for (uint32_t i = 0; i < kPer; ++i) {
        const size_t at = i * piece, n = std::min(piece, kRegion - at);
        if (n == 0) break;
        if (i % 2) {
          up.upload(dst, data.data() + at, n, t * kRegion + at);
        } else {
          UploadSpan span = up.begin(dst, t * kRegion + at, n);
          std::memcpy(span.data(), data.data() + at, n);
          up.finish(std::move(span));
        }
        if (i % 7 == 0) up.flush();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  up.wait_idle();
  const std::vector<uint8_t> got = read_back_now(*ctx, dst);
  for (uint32_t t = 0; t < kThreads; ++t) {
    const std::vector<uint8_t> data = pattern(kRegion, 100 + t);
    expect_bytes(got, data.data(), kRegion, t * kRegion);
  }
}

TEST_P(UploaderTest, RingWrapsAroundUnderBackpressure) {
  // 64 KiB of staging for 3 MiB of uploads of odd sizes: the ring wraps many times (the bytes arrive,
  // and the ring never held more than its size). Whether begin() also had to wait for the GPU depends
  // on how fast the driver copies (a ThreadSanitizer build was seen never to): stalls are not asserted.
  Buffer dst = device_buffer(*ctx, 3 << 20, "dst");
  Uploader up(*ctx, {.staging_size = 64 * 1024, .chunk_size = 16 * 1024 + 5, .batch_bytes = 20000});
  const std::vector<uint8_t> data = pattern(dst.size(), 9);
  std::mt19937 rng(5);
  VkDeviceSize at = 0;
  VkDeviceSize peak = 0;
  while (at < dst.size()) {
    const VkDeviceSize n = std::min<VkDeviceSize>(1 + rng() % 40000, dst.size() - at);
    up.upload(dst, data.data() + at, n, at);
    peak = std::max(peak, up.stats().staging_in_use);
    at += n;
  }
  up.wait_idle();
  const UploaderStats s = up.stats();
  EXPECT_LE(peak, 64u * 1024);
  EXPECT_EQ(s.staging_in_use, 0u);
  expect_bytes(read_back_now(*ctx, dst), data.data(), data.size());
}

TEST_P(UploaderTest, AbandonedSpansCopyNothing) {
  Buffer dst = device_buffer(*ctx, 8192, "dst");
  const std::vector<uint8_t> base = pattern(8192, 11);
  upload_now(*ctx, dst, base.data(), base.size());
  Uploader up(*ctx, {.staging_size = 64 * 1024});
  {
    UploadSpan span = up.begin(dst, 0, 4000);
    std::memset(span.data(), 0xee, span.size());
  }  // dropped: abandoned
  UploadSpan other = up.begin(dst, 4000, 3000);
  std::memset(other.data(), 0xdd, other.size());
  up.abandon(std::move(other));
  EXPECT_FALSE(other);
  const std::vector<uint8_t> tail(100, 0x42);
  up.wait(up.upload(dst, tail.data(), tail.size(), 8000));
  EXPECT_EQ(up.stats().staging_in_use, 0u);
  const std::vector<uint8_t> got = read_back_now(*ctx, dst);
  expect_bytes(got, base.data(), 8000);
  expect_bytes(got, tail.data(), 100, 8000);
}

TEST_P(UploaderTest, DirectPathWritesTheMapping) {
  Buffer dst(*ctx, {.size = 5000,
                    .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                    .memory = MemoryIntent::DeviceWithHostWrites,
                    .name = "rebar"});
  ASSERT_NE(dst.mapped(), nullptr);
  Uploader up(*ctx);
  EXPECT_EQ(up.choose_path(dst, 100), UploadPath::Direct);
  const std::vector<uint8_t> data = pattern(3001, 12);
  const UploadTicket t = up.upload(dst, data.data(), data.size(), 999);
  EXPECT_EQ(t.path, UploadPath::Direct);
  EXPECT_EQ(t.value, 0u);
  EXPECT_TRUE(up.finished(t));
  EXPECT_EQ(std::memcmp(static_cast<uint8_t*>(dst.mapped()) + 999, data.data(), data.size()), 0);
  // The same buffer through staging when asked: a GPU copy.
  const std::vector<uint8_t> more = pattern(777, 13);
  const UploadTicket g = up.upload(dst, more.data(), more.size(), 10, {.path = UploadPath::GraphicsQueue});
  EXPECT_EQ(g.path, UploadPath::GraphicsQueue);
  EXPECT_GT(g.value, 0u);
  up.wait(g);
  const std::vector<uint8_t> got = read_back_now(*ctx, dst);
  expect_bytes(got, more.data(), more.size(), 10);
  expect_bytes(got, data.data(), data.size(), 999);
  EXPECT_EQ(up.stats().bytes_direct, data.size());
}

TEST_P(UploaderTest, TransferQueueFallsBackToGraphicsOnOneFamily) {
  Buffer dst = device_buffer(*ctx, 1000, "dst");
  Uploader up(*ctx, {.path = UploadPath::TransferQueue});
  const std::vector<uint8_t> data = pattern(999, 14);
  const UploadTicket t = up.upload(dst, data.data(), data.size(), 1);
  // lavapipe has one queue family: the transfer queue is the graphics queue, no ownership transfer.
  EXPECT_EQ(t.path, ctx->has_dedicated(QueueKind::Transfer) ? UploadPath::TransferQueue : UploadPath::GraphicsQueue);
  up.wait(t);
  expect_bytes(read_back_now(*ctx, dst), data.data(), data.size(), 1);
}

TEST_P(UploaderTest, ImageMipsEndReadyForTheirUse) {
  Image image(*ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM,
                     .extent = {37, 23, 1},
                     .mip_levels = 3,
                     .layers = 2,
                     .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                              VK_IMAGE_USAGE_SAMPLED_BIT,
                     .name = "mips"});
  Uploader up(*ctx, {.staging_size = 1 << 20});
  std::vector<std::vector<uint8_t>> want;
  UploadTicket last;
  for (uint32_t mip = 0; mip < 3; ++mip) {
    for (uint32_t layer = 0; layer < 2; ++layer) {
      want.push_back(pattern(image_layer_size(image, mip), 20 + mip * 2 + layer));
      if (layer == 0) {
        last = up.upload_image(image, want.back().data(), want.back().size(), mip, layer);
      } else {
        UploadSpan span = up.begin_image(image, mip, layer);
        ASSERT_EQ(span.size(), want.back().size());
        std::memcpy(span.data(), want.back().data(), span.size());
        last = up.finish(std::move(span));
      }
    }
  }
  up.wait(last);
  EXPECT_EQ(image.state().layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
  for (uint32_t mip = 0; mip < 3; ++mip)
    for (uint32_t layer = 0; layer < 2; ++layer)
      EXPECT_EQ(read_image_now(*ctx, image, mip, layer), want[mip * 2 + layer]) << "mip " << mip << " layer " << layer;
}

// Layers larger than half the staging ring go in bands of rows: a 2D layer of odd width, a 3D image
// (bands cross its slices), a block-compressed one where the lavapipe device has BC formats, and a
// mip below them that fits whole; read back byte for byte.
TEST_P(UploaderTest, LayersLargerThanHalfTheRingGoInBands) {
  Uploader up(*ctx, {.staging_size = 64 * 1024, .chunk_size = 8 * 1024});
  struct Case {
    VkFormat format;
    VkExtent3D extent;
    VkImageType type;
    uint32_t mips;
  };
  std::vector<Case> cases = {{VK_FORMAT_R8G8B8A8_UNORM, {301, 211, 1}, VK_IMAGE_TYPE_2D, 3},
                             {VK_FORMAT_R8_UNORM, {67, 45, 29}, VK_IMAGE_TYPE_3D, 1}};
  VkFormatProperties bc{};
  vkGetPhysicalDeviceFormatProperties(ctx->physical_device(), VK_FORMAT_BC1_RGBA_UNORM_BLOCK, &bc);
  if (bc.optimalTilingFeatures & VK_FORMAT_FEATURE_TRANSFER_DST_BIT)
    cases.push_back({VK_FORMAT_BC1_RGBA_UNORM_BLOCK, {250, 330, 1}, VK_IMAGE_TYPE_2D, 1});
  for (const Case& c : cases) {
    Image image(*ctx, {.type = c.type,
                       .format = c.format,
                       .extent = c.extent,
                       .mip_levels = c.mips,
                       .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
                                VK_IMAGE_USAGE_SAMPLED_BIT,
                       .name = "bands"});
    std::vector<std::vector<uint8_t>> want;
    UploadTicket last;
    for (uint32_t mip = 0; mip < c.mips; ++mip) {
      want.push_back(pattern(image_layer_size(image, mip), 70 + mip));
      last = up.upload_image(image, want.back().data(), want.back().size(), mip);
    }
    EXPECT_GT(want[0].size(), 32u * 1024) << format_name(c.format);  // the first mip needs bands
    up.wait(last);
    EXPECT_EQ(image.state().layout, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
    for (uint32_t mip = 0; mip < c.mips; ++mip)
      EXPECT_EQ(read_image_now(*ctx, image, mip), want[mip]) << format_name(c.format) << " mip " << mip;
  }
  EXPECT_EQ(up.stats().uploads, 3u + 1u + (cases.size() > 2 ? 1u : 0u));
  // A span holds a whole layer: one larger than half the ring is refused, and says what to do.
  Image big(*ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM, .extent = {200, 200, 1},
                   .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT, .name = "big"});
  try {
    UploadSpan span = up.begin_image(big);
    FAIL() << "begin_image of a layer larger than half the ring";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("upload_image() cuts it into bands"), std::string::npos) << e.what();
  }
}

TEST_P(UploaderTest, GpuWorkWaitsOnTheTicket) {
  Buffer src = device_buffer(*ctx, 100000, "src");
  Buffer copy = device_buffer(*ctx, 100000, "copy");
  Uploader up(*ctx, {.staging_size = 1 << 20});
  const std::vector<uint8_t> data = pattern(100000, 30);
  const UploadTicket t = up.upload(src, data.data(), data.size());
  up.flush();  // the rule: GPU work that waits on a ticket is submitted after flush()
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("consumer");
  cmd.copy_buffer(src, copy);
  const SemaphoreSubmit wait = t.wait_info(VK_PIPELINE_STAGE_2_TRANSFER_BIT);
  CommandBuffer* list[] = {&cmd};
  const uint64_t serial = ctx->queue().submit(
      SubmitDesc{.commands = Slice<CommandBuffer*>(list, 1), .waits = Slice<SemaphoreSubmit>(wait)});
  ctx->queue().wait(serial);  // the CPU never waited on the Uploader
  EXPECT_TRUE(up.finished(t));
  expect_bytes(read_back_now(*ctx, copy), data.data(), data.size());
}

TEST_P(UploaderTest, JobPoolSpreadsALargeUpload) {
  JobPool jobs({.threads = 3});
  Buffer dst = device_buffer(*ctx, (5 << 20) + 3, "dst");
  Uploader up(*ctx, {.staging_size = 2 << 20, .chunk_size = 128 * 1024, .jobs = &jobs});
  const std::vector<uint8_t> data = pattern(dst.size(), 40);
  up.wait(up.upload(dst, data.data(), data.size()));
  expect_bytes(read_back_now(*ctx, dst), data.data(), data.size());
  EXPECT_GT(up.stats().batches, 1u);
}

TEST_P(UploaderTest, ErrorsSayWhatIsWrong) {
  Uploader up(*ctx, {.staging_size = 64 * 1024});
  Buffer dst = device_buffer(*ctx, 1 << 20, "big");
  Buffer no_dst(*ctx, {.size = 1024, .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, .name = "no-dst"});
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string big = message([&] { up.begin(dst, 0, 40000); });
  EXPECT_NE(big.find("half the staging ring"), std::string::npos) << big;
  EXPECT_NE(big.find("'big'"), std::string::npos) << big;
  std::vector<uint8_t> bytes(100);
  const std::string usage = message([&] { up.upload(no_dst, bytes.data(), bytes.size()); });
  EXPECT_NE(usage.find("TRANSFER_DST"), std::string::npos) << usage;
  EXPECT_NE(usage.find("'no-dst'"), std::string::npos) << usage;
  const std::string direct = message([&] { up.upload(dst, bytes.data(), 10, 0, {.path = UploadPath::Direct}); });
  EXPECT_NE(direct.find("direct path"), std::string::npos) << direct;
  const std::string range = message([&] { up.upload(dst, bytes.data(), 100, (1 << 20) - 50); });
  EXPECT_NE(range.find("outside"), std::string::npos) << range;
  Buffer pinned(*ctx, {.size = 256, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT, .memory = MemoryIntent::Upload,
                       .name = "pinned"});
  Buffer readback(*ctx, {.size = 256, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT, .memory = MemoryIntent::Readback,
                         .name = "no-src"});
  const std::string device_src = message([&] { up.upload(dst, no_dst, 0, 16); });
  EXPECT_NE(device_src.find("host-visible"), std::string::npos) << device_src;
  EXPECT_NE(device_src.find("'no-dst'"), std::string::npos) << device_src;
  const std::string src_range = message([&] { up.upload(dst, pinned, 200, 100); });
  EXPECT_NE(src_range.find("outside the source"), std::string::npos) << src_range;
  const std::string src_usage = message([&] { up.upload(dst, readback, 0, 100); });
  EXPECT_NE(src_usage.find("TRANSFER_SRC"), std::string::npos) << src_usage;
  EXPECT_NE(src_usage.find("'no-src'"), std::string::npos) << src_usage;
  // A large upload() is chunked, not refused.
  const std::vector<uint8_t> large = pattern(200000, 50);
  up.wait(up.upload(dst, large.data(), large.size(), 3));
  expect_bytes(read_back_now(*ctx, dst), large.data(), large.size(), 3);
}

}  // namespace
}  // namespace kiln
