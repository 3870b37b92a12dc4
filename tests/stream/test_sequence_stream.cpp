// SequenceStream on lavapipe with synchronization validation: every delivered frame checked byte for
// byte against the generator; playing forward, backward, seeking, cancelling, eviction under a tight
// budget with frames in flight, spatial prefetch, and the errors of bad files.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/context.h"
#include "kiln/image.h"
#include "kiln/jobs.h"
#include "kiln/log.h"
#include "kiln/sequence_file.h"
#include "kiln/sequence_gen.h"
#include "kiln/sequence_stream.h"
#include "kiln/transfer.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  const fs::path dir = fs::path(test::test_output_dir()) / "sequence_stream";
  fs::create_directories(dir);
  return (dir / name).string();
}

GeneratorParams small_cloud(uint32_t frames = 24, uint32_t texture = 0) {
  return GeneratorParams{.kind = GeneratorKind::PointCloud, .frames = frames, .points = 1500, .texture_size = texture, .seed = 7};
}

std::string write_sequence(const std::string& name, const GeneratorParams& p, Compression c = Compression::None) {
  const std::string path = temp_path(name);
  write_generated_sequence(path, p, {.compression = c});
  return path;
}

std::vector<uint8_t> expected_field(const GeneratorParams& p, uint32_t frame, uint32_t field) {
  std::vector<uint8_t> bytes(generator_field_size(p, field));
  generate_field(p, frame, field, bytes);
  return bytes;
}

// The CPU waits for the frame's copies, then reads every field back and compares with the generator.
void expect_frame(Context& ctx, const GeneratorParams& p, const StreamFrame& f) {
  if (f.ready.semaphore && f.ready.value) {
    VkSemaphoreWaitInfo wi{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
    wi.semaphoreCount = 1;
    wi.pSemaphores = &f.ready.semaphore;
    wi.pValues = &f.ready.value;
    ASSERT_EQ(vkWaitSemaphores(ctx.device(), &wi, UINT64_MAX), VK_SUCCESS);
  }
  const SequenceLayout layout = generator_layout(p);
  ASSERT_EQ(f.fields().size(), layout.fields.size());
  for (uint32_t field = 0; field < layout.fields.size(); ++field) {
    const StreamField& sf = f.fields()[field];
    const std::vector<uint8_t> want = expected_field(p, f.index(), field);
    ASSERT_EQ(sf.size, want.size());
    std::vector<uint8_t> got = sf.image ? read_image_now(ctx, *sf.image) : read_back_now(ctx, *sf.buffer, 0, sf.size);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want) << "frame " << f.index() << " field '" << sf.name << "' differs";
  }
}

// Polls get() the way a render loop would, until the frame is there.
const StreamFrame* get_soon(SequenceStream& s, uint32_t index) {
  for (int i = 0; i < 20000; ++i) {
    if (const StreamFrame* f = s.get(index)) return f;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return nullptr;
}

class SequenceStreamTest : public test::GpuTest {};

TEST_F(SequenceStreamTest, PlaysForwardEveryFrameByteForByte) {
  const GeneratorParams p = small_cloud(24, 16);
  const std::string path = write_sequence("forward.kseq", p);
  SequenceStream s(*ctx, path, {.prefetch = 4, .verify = true});
  EXPECT_EQ(s.frame_count(), 24u);
  for (uint32_t i = 0; i < 24; ++i) {
    const StreamFrame* f = get_soon(s, i);
    ASSERT_NE(f, nullptr) << "frame " << i;
    EXPECT_EQ(f->index(), i);
    expect_frame(*ctx, p, *f);
  }
  const StreamStats st = s.stats();
  EXPECT_EQ(st.loads_failed, 0u);
  EXPECT_GE(st.loads_done, 24u);
  EXPECT_GT(st.hits, 0u);
  EXPECT_EQ(st.bytes_uploaded >= 24 * generator_frame_size(p), true);
  // The load jobs' time and its parts: reading took some, and the parts fit in the whole.
  EXPECT_GT(st.load_read_seconds, 0.0);
  EXPECT_GE(st.load_wait_seconds, 0.0);
  EXPECT_LE(st.load_read_seconds + st.load_wait_seconds, st.load_seconds);
}

TEST_F(SequenceStreamTest, Lz4AndZstdFramesArriveIntact) {
  for (Compression c : {Compression::Lz4, Compression::Zstd}) {
    const GeneratorParams p = small_cloud(10, 8);
    const std::string path = write_sequence(str("compressed_", compression_name(c), ".kseq"), p, c);
    SequenceStream s(*ctx, path, {.prefetch = 3, .verify = true});
    for (uint32_t i = 0; i < 10; ++i) expect_frame(*ctx, p, s.wait(i));
    EXPECT_LT(s.stats().bytes_read, s.stats().bytes_uploaded) << compression_name(c);
  }
}

// Raw fields above 16 MiB are read by several jobs, each a piece of the blob.
TEST_F(SequenceStreamTest, LargeRawFieldsArriveWholeFromPieces) {
  const GeneratorParams p{.kind = GeneratorKind::PointCloud, .frames = 3, .points = 1'100'000, .seed = 3};
  ASSERT_GT(generator_field_size(p, 0), 16u << 20);
  const std::string path = write_sequence("pieces.kseq", p);
  JobPool jobs({.threads = 3});
  SequenceStream s(*ctx, path, {.prefetch = 1, .jobs = &jobs});
  for (uint32_t i : {0u, 1u, 2u}) expect_frame(*ctx, p, s.wait(i));
  EXPECT_EQ(s.stats().bytes_uploaded, 3 * generator_frame_size(p));
}

TEST_F(SequenceStreamTest, PlaysBackwardAndPrefetchesBackward) {
  const GeneratorParams p = small_cloud(16);
  const std::string path = write_sequence("backward.kseq", p);
  SequenceStream s(*ctx, path, {.prefetch = 3, .loop = false});
  for (int i = 15; i >= 0; --i) {
    const StreamFrame* f = get_soon(s, uint32_t(i));
    ASSERT_NE(f, nullptr);
    expect_frame(*ctx, p, *f);
  }
  // Going backwards, nothing after the frame shown was loaded beyond the first request: every load
  // was a frame that was asked for or one of the 3 before it.
  EXPECT_LE(s.stats().loads_started, 16u + 3u);
}

TEST_F(SequenceStreamTest, SeeksAnywhere) {
  const GeneratorParams p = small_cloud(40);
  const std::string path = write_sequence("seek.kseq", p, Compression::Lz4);
  SequenceStream s(*ctx, path, {.prefetch = 4});
  for (uint32_t i : {0u, 33u, 34u, 7u, 39u, 0u, 20u, 19u, 18u}) expect_frame(*ctx, p, s.wait(i));
  EXPECT_THROW(s.get(40), Error);
}

// Loads queued behind a job that holds the pool's only thread are all cancelled by a seek: none of
// them ever runs.
TEST_F(SequenceStreamTest, ASeekCancelsLoadsNoLongerWanted) {
  const GeneratorParams p = small_cloud(64);
  const std::string path = write_sequence("cancel.kseq", p);
  JobPool jobs({.threads = 1});
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  jobs.submit([opened](const JobControl&) { opened.wait(); }, 1 << 30);
  SequenceStream s(*ctx, path, {.prefetch = 6, .max_loads = 16, .jobs = &jobs});
  EXPECT_EQ(s.get(0), nullptr);
  EXPECT_EQ(s.stats().loads_started, 7u);
  EXPECT_EQ(s.get(40), nullptr);  // a seek: 0..6 are not wanted any more
  StreamStats st = s.stats();
  EXPECT_EQ(st.loads_cancelled, 7u);
  EXPECT_EQ(st.loads_started, 14u);
  EXPECT_EQ(st.loads_queued, 7u);
  gate.set_value();
  expect_frame(*ctx, p, s.wait(40));
  jobs.wait_idle();
  s.update();
  st = s.stats();
  EXPECT_EQ(st.loads_done, 7u);  // 40..46, none of the cancelled ones
}

// Frames that submitted work still reads are never evicted, even when the budget is tight; the
// others are, and their buffers are reused.
TEST_F(SequenceStreamTest, FramesInFlightSurviveEvictionUnderATightBudget) {
  const GeneratorParams p = small_cloud(12);
  const std::string path = write_sequence("budget.kseq", p);
  const VkDeviceSize frame = generator_frame_size(p);
  SequenceStream s(*ctx, path, {.gpu_budget = 2 * frame + 4096, .prefetch = 1, .loop = false});

  const StreamFrame& f0 = s.wait(0);
  Buffer& positions = f0.buffer("positions");
  const VkDeviceSize bytes = f0.size("positions");
  Buffer copy(*ctx, {.size = bytes, .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT, .name = "copy"});
  test::HostGate gate(*ctx);
  CommandPool pool(*ctx);
  CommandBuffer cmd = pool.begin("read frame 0");
  cmd.copy_buffer(positions, copy, {{0, 0, bytes}});
  CommandBuffer* cmds[] = {&cmd};
  const SemaphoreSubmit waits[] = {gate.wait(), f0.ready.wait_info()};
  const uint64_t serial = ctx->queue().submit(SubmitDesc{.commands = Slice<CommandBuffer*>(cmds, 1), .waits = Slice<SemaphoreSubmit>(waits, 2)});
  s.used(f0, ctx->queue(), serial);

  // Frames 1..8 go through the one slot left; frame 0's stays untouched while its copy waits.
  for (uint32_t i = 1; i <= 8; ++i) {
    const StreamFrame* f = get_soon(s, i);
    ASSERT_NE(f, nullptr) << "frame " << i;
    EXPECT_NE(&f->buffer("positions"), &positions);
  }
  const StreamStats st = s.stats();
  EXPECT_GE(st.evictions, 7u);
  EXPECT_LE(st.resident_bytes, st.budget);
  gate.open();
  ctx->queue().wait(serial);
  EXPECT_TRUE(read_back_now(*ctx, copy) == expected_field(p, 0, 0));
  // Once the work finished, frame 0 may go too.
  for (uint32_t i = 9; i < 12; ++i) expect_frame(*ctx, p, s.wait(i));
  EXPECT_EQ(s.stats().loads_failed, 0u);
}

// A prefetch window larger than the budget (and, looping, the whole sequence) must not starve the
// frame asked for: frames further ahead make room for nearer ones.
TEST_F(SequenceStreamTest, PrefetchBeyondTheBudgetNeverStarvesTheFrameShown) {
  const GeneratorParams p = small_cloud(12);
  const std::string path = write_sequence("window.kseq", p);
  SequenceStream s(*ctx, path, {.gpu_budget = 3 * generator_frame_size(p) + 1024, .prefetch = 16});
  CommandPool pool(*ctx);
  for (uint32_t pass = 0; pass < 2; ++pass) {
    for (uint32_t i = 0; i < 12; ++i) {
      const StreamFrame* f = get_soon(s, i);
      ASSERT_NE(f, nullptr) << "pass " << pass << " frame " << i;
      if (i % 5 == 0) expect_frame(*ctx, p, *f);
    }
  }
  const StreamStats st = s.stats();
  EXPECT_LE(st.resident_bytes, st.budget);
  EXPECT_GT(st.evictions, 0u);
}

TEST_F(SequenceStreamTest, ABudgetSmallerThanOneFrameSaysSo) {
  const GeneratorParams p = small_cloud(4);
  const std::string path = write_sequence("tiny_budget.kseq", p);
  SequenceStream s(*ctx, path, {.gpu_budget = 1024});
  EXPECT_EQ(s.get(0), nullptr);
  try {
    s.wait(0);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gpu_budget"), std::string::npos) << e.what();
  }
}

TEST_F(SequenceStreamTest, SpatialPrefetchLoadsTheNearestChunks) {
  // An 8x8 grid of chunks, each a small buffer holding its own index.
  const std::string path = temp_path("spatial.kseq");
  {
    SequenceWriter w(path, SequenceLayout{.fields = {{.name = "chunk", .kind = FieldKind::Buffer, .element_size = 4}}});
    for (uint32_t i = 0; i < 64; ++i) {
      std::vector<uint32_t> data(256, i);
      w.write_frame(i, {std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size() * 4)},
                    FrameInfo{.position = {float(i % 8), float(i / 8), 0.0f}});
    }
    w.finish();
  }
  JobPool jobs({.threads = 2});
  SequenceStream s(*ctx, path, {.prefetch = 4, .policy = PrefetchPolicy::Spatial, .jobs = &jobs});
  s.set_point({6.9f, 6.8f, 0.0f});
  s.update();
  EXPECT_EQ(s.stats().loads_started, 4u);
  jobs.wait_idle();
  s.update();
  // The four nearest (7,7), (6,7)... are resident without having been asked for.
  for (uint32_t i : {63u, 62u, 55u, 54u}) {
    const StreamFrame* f = s.get(i);
    ASSERT_NE(f, nullptr) << "chunk " << i;
    const std::vector<uint8_t> got = read_back_now(*ctx, f->buffer("chunk"), 0, f->size("chunk"));
    EXPECT_EQ(reinterpret_cast<const uint32_t*>(got.data())[255], i);
  }
  EXPECT_EQ(s.stats().loads_started, 4u);
  // Moving the point elsewhere loads the chunks there.
  s.set_point({0.0f, 0.0f, 0.0f});
  s.update();
  jobs.wait_idle();
  s.update();
  EXPECT_NE(s.get(0), nullptr);
}

TEST_F(SequenceStreamTest, AWrongPathNamesTheFile) {
  try {
    SequenceStream s(*ctx, temp_path("no_such_file.kseq"));
    FAIL() << "expected an error";
  } catch (const SequenceError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_file.kseq"), std::string::npos) << e.what();
  }
}

TEST_F(SequenceStreamTest, ACorruptBlobFailsThatFrameOnlyNamingFrameAndOffset) {
  const GeneratorParams p = small_cloud(6);
  const std::string path = write_sequence("corrupt.kseq", p);
  uint64_t offset = 0;
  {
    SequenceReader r(path);
    offset = r.blob(3, 0).offset + 100;
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(offset));
    const char junk[4] = {'j', 'u', 'n', 'k'};
    f.write(junk, 4);
  }
  SequenceStream s(*ctx, path, {.prefetch = 0, .verify = true});
  expect_frame(*ctx, p, s.wait(2));
  try {
    s.wait(3);
    FAIL() << "expected an error";
  } catch (const SequenceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("corrupt.kseq"), std::string::npos) << what;
    EXPECT_NE(what.find("frame 3"), std::string::npos) << what;
  }
  expect_frame(*ctx, p, s.wait(4));
}

}  // namespace
}  // namespace kiln
