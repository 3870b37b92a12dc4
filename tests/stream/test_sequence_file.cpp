// The sequence container: round trips (each compression, fields of several kinds, frames written out
// of order from threads) compared byte for byte; and every kind of damage — missing, foreign,
// truncated, corrupt — failing as SequenceError naming the file and the offset, never crashing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kiln/hash.h"
#include "kiln/sequence_file.h"
#include "stream/stream_test_util.h"

namespace {

using namespace kiln;

using kiln::test::scratch_path;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes, size_t size = SIZE_MAX) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(std::min(size, bytes.size())));
}

SequenceLayout test_layout() {
  return {.fields = {{.name = "positions", .kind = FieldKind::Buffer, .element_size = 16},
                     {.name = "noise", .kind = FieldKind::Buffer},
                     {.name = "albedo", .kind = FieldKind::Image2D, .format = VK_FORMAT_R8G8B8A8_UNORM,
                      .width = 16, .height = 8}},
          .metadata = "{\"test\": true}"};
}

// Field contents of frame i: a compressible ramp of varying length (empty for frame 3), random
// bytes (incompressible: stored raw), a patterned image.
std::vector<std::vector<uint8_t>> frame_data(uint32_t i) {
  std::vector<std::vector<uint8_t>> f(3);
  f[0].resize(i == 3 ? 0 : 1000 + i * 517);
  for (size_t k = 0; k < f[0].size(); ++k) f[0][k] = uint8_t((k / 7) * (i + 1));
  std::mt19937 rng(1234 + i);
  f[1].resize(333 + i);
  for (auto& b : f[1]) b = uint8_t(rng());
  f[2].resize(16 * 8 * 4);
  for (size_t k = 0; k < f[2].size(); ++k) f[2][k] = uint8_t(k % 4 == 3 ? 255 : (k >> 5) + i);
  return f;
}

constexpr uint32_t kFrames = 12;

void write_test_sequence(const std::string& path, Compression c, int threads = 4) {
  SequenceWriter w(path, test_layout(), {.compression = c});
  std::vector<uint32_t> order(kFrames);
  for (uint32_t i = 0; i < kFrames; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t k = t; k < order.size(); k += threads) {
        const uint32_t i = order[k];
        auto data = frame_data(i);
        w.write_frame(i, {data[0], data[1], data[2]}, {.position = {float(i), 2.0f * i, -1.0f}});
      }
    });
  }
  for (auto& th : pool) th.join();
  w.finish();
}

class SequenceRoundTrip : public ::testing::TestWithParam<Compression> {};

TEST_P(SequenceRoundTrip, ByteForByte) {
  const std::string path = scratch_path("kseq");
  write_test_sequence(path, GetParam());
  SequenceReader r(path);
  EXPECT_EQ(r.frame_count(), kFrames);
  EXPECT_EQ(r.version(), 1u);
  EXPECT_EQ(r.file_size(), std::filesystem::file_size(path));
  ASSERT_EQ(r.layout().fields.size(), 3u);
  EXPECT_EQ(r.layout().fields[0].name, "positions");
  EXPECT_EQ(r.layout().fields[0].element_size, 16u);
  EXPECT_EQ(r.layout().fields[2].kind, FieldKind::Image2D);
  EXPECT_EQ(r.layout().fields[2].format, VK_FORMAT_R8G8B8A8_UNORM);
  EXPECT_EQ(r.layout().fields[2].width, 16u);
  EXPECT_EQ(r.layout().metadata, "{\"test\": true}");
  EXPECT_EQ(r.layout().field_index("albedo"), 2u);
  EXPECT_THROW(r.layout().field_index("normals"), Error);
  int compressed = 0;
  for (uint32_t i = 0; i < kFrames; ++i) {
    const auto want = frame_data(i);
    EXPECT_EQ(r.frame(i).position[1], 2.0f * i);
    uint64_t sum = 0;
    for (uint32_t f = 0; f < 3; ++f) {
      const BlobInfo& b = r.blob(i, f);
      ASSERT_EQ(b.raw_size, want[f].size());
      EXPECT_EQ(b.checksum, hash64(want[f].data(), want[f].size()));
      if (b.compression != Compression::None) {
        ++compressed;
        EXPECT_EQ(b.compression, GetParam());
        EXPECT_LT(b.stored_size, b.raw_size);
      }
      std::vector<uint8_t> got(b.raw_size + 1, 0xcd);  // one guard byte past the end
      r.read(i, f, {got.data(), b.raw_size}, /*verify=*/true);
      EXPECT_EQ(got.back(), 0xcd);
      got.pop_back();
      EXPECT_EQ(got, want[f]) << "frame " << i << " field " << f;
      sum += b.raw_size;
    }
    EXPECT_EQ(r.frame_raw_size(i), sum);
    // Random bytes never compress: kept raw, and readable in parts.
    EXPECT_EQ(r.blob(i, 1).compression, Compression::None);
    std::vector<uint8_t> part(100);
    r.read_range(i, 1, 50, part);
    EXPECT_TRUE(std::equal(part.begin(), part.end(), want[1].begin() + 50));
  }
  if (GetParam() == Compression::None) EXPECT_EQ(compressed, 0);
  else EXPECT_GE(compressed, int(kFrames));  // at least the ramps and images
  const VerifyResult v = r.verify();
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.blobs, kFrames * 3);
}

TEST_P(SequenceRoundTrip, ConcurrentReadsFromManyThreads) {
  const std::string path = scratch_path("kseq");
  write_test_sequence(path, GetParam());
  const SequenceReader r(path);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 5; ++rep) {
        for (uint32_t i = t % 3; i < kFrames; ++i) {
          const auto want = frame_data(i);
          for (uint32_t f = 0; f < 3; ++f) {
            std::vector<uint8_t> got(r.blob(i, f).raw_size);
            r.read(i, f, got, true);
            if (got != want[f]) ++mismatches;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// ReadTarget::Mapped (the streamer's reads into staging) gives the same bytes: blobs larger than the
// reader's 256 KiB pieces, ranges at odd offsets across pieces, with and without the checksum.
TEST_P(SequenceRoundTrip, IntoMappedMemoryTheSameBytes) {
  const std::string path = scratch_path("kseq");
  const SequenceLayout layout{.fields = {{.name = "ramp", .kind = FieldKind::Buffer}, {.name = "noise", .kind = FieldKind::Buffer}}};
  std::vector<std::vector<uint8_t>> frames[2];
  {
    SequenceWriter w(path, layout, {.compression = GetParam()});
    for (uint32_t i = 0; i < 2; ++i) {
      frames[i].resize(2);
      frames[i][0].resize(700 * 1024 + 13 * i);
      for (size_t k = 0; k < frames[i][0].size(); ++k) frames[i][0][k] = uint8_t((k / 5) * (i + 3));
      std::mt19937 rng(99 + i);
      frames[i][1].resize(600 * 1024 + 7);
      for (auto& b : frames[i][1]) b = uint8_t(rng());
      w.write_frame(i, {frames[i][0], frames[i][1]});
    }
    w.finish();
  }
  const SequenceReader r(path);
  for (uint32_t i = 0; i < 2; ++i) {
    for (uint32_t f = 0; f < 2; ++f) {
      for (bool verify : {false, true}) {
        std::vector<uint8_t> got(r.blob(i, f).raw_size + 1, 0xcd);
        r.read(i, f, {got.data(), got.size() - 1}, verify, ReadTarget::Mapped);
        EXPECT_EQ(got.back(), 0xcd);
        got.pop_back();
        EXPECT_EQ(got, frames[i][f]) << "frame " << i << " field " << f << (verify ? " verified" : "");
      }
    }
    // The incompressible field stays raw: ranges of it, across the reader's pieces.
    ASSERT_EQ(r.blob(i, 1).compression, Compression::None);
    for (uint64_t at : {uint64_t(0), uint64_t(3), uint64_t(262141), uint64_t(500001)}) {
      std::vector<uint8_t> part(r.blob(i, 1).raw_size - at - 5);
      r.read_range(i, 1, at, part, ReadTarget::Mapped);
      EXPECT_TRUE(std::equal(part.begin(), part.end(), frames[i][1].begin() + at)) << "at " << at;
    }
  }
}

// A file cut short after it was opened (another process truncating it): an error naming the file
// and the offset, for reads into either kind of memory.
TEST_P(SequenceRoundTrip, FileCutAfterOpeningIsAnErrorNotACrash) {
  const std::string path = scratch_path("kseq");
  write_test_sequence(path, GetParam());
  const SequenceReader r(path);
  const BlobInfo& b = r.blob(kFrames - 1, 0);
  std::filesystem::resize_file(path, b.offset + 3);
  std::vector<uint8_t> out(b.raw_size);
  for (ReadTarget target : {ReadTarget::Memory, ReadTarget::Mapped}) {
    try {
      r.read(kFrames - 1, 0, out, false, target);
      ADD_FAILURE() << "read a blob past the end of the file";
    } catch (const SequenceError& e) {
      EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(path, 0), 0u) << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Compression, SequenceRoundTrip,
                         ::testing::Values(Compression::None, Compression::Lz4, Compression::Zstd),
                         [](const auto& param_info) { return std::string(compression_name(param_info.param)); });

TEST(SequenceWriter, UnfinishedFileIsRemoved) {
  const std::string path = scratch_path("kseq");
  {
    SequenceWriter w(path, test_layout());
    auto d = frame_data(0);
    w.write_frame(0, {d[0], d[1], d[2]});
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SequenceWriter, MisuseIsReported) {
  const std::string path = scratch_path("kseq");
  SequenceWriter w(path, test_layout());
  auto d = frame_data(0);
  w.write_frame(0, {d[0], d[1], d[2]});
  w.write_frame(2, {d[0], d[1], d[2]});
  EXPECT_THROW(w.write_frame(2, {d[0], d[1], d[2]}), SequenceError);  // twice
  EXPECT_THROW(w.write_frame(4, {d[0], d[1]}), SequenceError);        // a field short
  std::vector<uint8_t> small_image(10);
  EXPECT_THROW(w.write_frame(5, {d[0], d[1], small_image}), SequenceError);
  try {
    w.finish();
    FAIL() << "finish() with frame 1 missing did not throw";
  } catch (const SequenceError& e) {
    EXPECT_NE(std::string(e.what()).find("frame 1 was never written"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SequenceWriter(path + ".bad", {.fields = {{.name = "a"}, {.name = "a"}}}), SequenceError);
  EXPECT_THROW(SequenceWriter("/nonexistent-dir/x.kseq", test_layout()), SequenceError);
}

// Expects `fn` to throw SequenceError whose message names `path` and contains `words`.
template <class F>
void expect_sequence_error(F&& fn, const std::string& path, const std::string& words) {
  try {
    fn();
    ADD_FAILURE() << "no SequenceError; expected one saying '" << words << "'";
  } catch (const SequenceError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.path(), path);
    EXPECT_EQ(what.rfind(path + ": offset " + std::to_string(e.offset()) + ": ", 0), 0u) << what;
    EXPECT_NE(what.find(words), std::string::npos) << what;
  }
}

TEST(SequenceReader, MissingFile) {
  const std::string path = scratch_path("does-not-exist.kseq");
  expect_sequence_error([&] { SequenceReader r(path); }, path, "cannot open the sequence file: No such file");
}

TEST(SequenceReader, NotASequence) {
  const std::string path = scratch_path("txt");
  const std::string text = "This is a text file, long enough to hold a header and more than that, surely.\n";
  write_file(path, std::vector<uint8_t>(text.begin(), text.end()));
  expect_sequence_error([&] { SequenceReader r(path); }, path, "not a kiln sequence file: it starts with 'This is '");
  write_file(path, {1, 2, 3});
  expect_sequence_error([&] { SequenceReader r(path); }, path, "shorter than the 64-byte header");
  expect_sequence_error([&] { SequenceReader r(std::filesystem::path(path).parent_path().string()); },
                        std::filesystem::path(path).parent_path().string(), "not a regular file");
}

// Rewrites the header's checksum after a deliberate change, so that the check behind it is reached.
void reseal_header(std::vector<uint8_t>& bytes) {
  const uint64_t sum = hash64(bytes.data(), 56);
  std::memcpy(bytes.data() + 56, &sum, 8);
}

TEST(SequenceReader, WrongVersionAndUnfinished) {
  const std::string good = scratch_path("kseq");
  write_test_sequence(good, Compression::None);
  const std::string path = scratch_path("bad.kseq");
  auto bytes = read_file(good);
  bytes[8] = 9;
  reseal_header(bytes);
  write_file(path, bytes);
  expect_sequence_error([&] { SequenceReader r(path); }, path, "version 9 is not supported");

  bytes = read_file(good);
  std::memset(bytes.data() + 24, 0, 8);  // index_offset 0: what a crashed writer leaves
  reseal_header(bytes);
  write_file(path, bytes);
  expect_sequence_error([&] { SequenceReader r(path); }, path, "its writer did not finish");

  bytes = read_file(good);
  bytes[30] ^= 0x40;  // without resealing
  write_file(path, bytes);
  expect_sequence_error([&] { SequenceReader r(path); }, path, "header checksum mismatch");
}

TEST(SequenceReader, TruncatedAtManyOffsets) {
  const std::string good = scratch_path("kseq");
  write_test_sequence(good, Compression::Lz4);
  const auto bytes = read_file(good);
  const std::string path = scratch_path("cut.kseq");
  for (size_t cut = 0; cut < bytes.size(); cut += (cut < 128 ? 1 : 97)) {
    write_file(path, bytes, cut);
    try {
      SequenceReader r(path);
      ADD_FAILURE() << "a file cut at " << cut << " of " << bytes.size() << " bytes opened";
    } catch (const SequenceError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(path + ": offset ", 0), 0u) << what;
      EXPECT_TRUE(what.find("truncated") != std::string::npos || what.find("not a kiln sequence") != std::string::npos)
          << "cut at " << cut << ": " << what;
    }
  }
}

TEST(SequenceReader, CorruptBlobNamesFrameFieldAndOffset) {
  for (Compression c : {Compression::None, Compression::Lz4, Compression::Zstd}) {
    const std::string good = scratch_path(std::string(compression_name(c)) + ".kseq");
    write_test_sequence(good, c);
    uint64_t at = 0;
    {
      SequenceReader r(good);
      at = r.blob(5, 0).offset;
    }
    auto bytes = read_file(good);
    bytes[at + 10] ^= 0x21;
    const std::string path = scratch_path(std::string(compression_name(c)) + ".bad.kseq");
    write_file(path, bytes);
    SequenceReader r(path);  // the index is intact
    std::vector<uint8_t> out(r.blob(5, 0).raw_size);
    expect_sequence_error([&] { r.read(5, 0, out, /*verify=*/true); }, path, "frame 5 field 'positions'");
    try {
      r.read(5, 0, out, true);
    } catch (const SequenceError& e) {
      EXPECT_EQ(e.offset(), at);
    }
    const VerifyResult v = r.verify();
    EXPECT_EQ(v.bad, 1u) << compression_name(c);
    ASSERT_EQ(v.errors.size(), 1u);
    EXPECT_NE(v.errors[0].find("frame 5 field 'positions'"), std::string::npos) << v.errors[0];
    EXPECT_NE(v.errors[0].find("offset " + std::to_string(at)), std::string::npos) << v.errors[0];
  }
}

TEST(SequenceReader, CorruptIndexIsCaught) {
  const std::string good = scratch_path("kseq");
  write_test_sequence(good, Compression::None);
  auto bytes = read_file(good);
  bytes[bytes.size() - 20] ^= 1;
  const std::string path = scratch_path("bad.kseq");
  write_file(path, bytes);
  expect_sequence_error([&] { SequenceReader r(path); }, path, "index checksum mismatch");
}

TEST(SequenceReader, WrongUsageIsAnErrorNotACrash) {
  const std::string path = scratch_path("kseq");
  write_test_sequence(path, Compression::None);
  SequenceReader r(path);
  std::vector<uint8_t> out(3);
  EXPECT_THROW(r.read(0, 0, out), SequenceError);   // wrong size
  EXPECT_THROW(r.blob(kFrames, 0), SequenceError);  // no such frame
  EXPECT_THROW(r.blob(0, 3), SequenceError);        // no such field
  EXPECT_THROW(r.read_range(0, 1, 400, out), SequenceError);
}

// Random damage: flipped bytes anywhere (header, blobs, index) or a cut anywhere. Opening, reading
// every blob with verification and verify() must work or throw SequenceError; nothing else.
TEST(SequenceReader, RandomCorruptionNeverCrashes) {
  for (Compression c : {Compression::None, Compression::Lz4, Compression::Zstd}) {
    const std::string good = scratch_path(std::string(compression_name(c)) + ".kseq");
    write_test_sequence(good, c, 1);
    const auto original = read_file(good);
    const std::string path = scratch_path(std::string(compression_name(c)) + ".fuzz.kseq");
    std::mt19937_64 rng(42 + int(c));
    int opened = 0, failed = 0;
    for (int iter = 0; iter < 150; ++iter) {
      auto bytes = original;
      size_t size = bytes.size();
      const int mode = int(rng() % 4);
      if (mode == 0) {
        size = rng() % bytes.size();
      } else {
        const int flips = 1 + int(rng() % 4);
        for (int k = 0; k < flips; ++k) bytes[rng() % bytes.size()] ^= uint8_t(1u << (rng() % 8));
        // mode 2: also reseal the header, so damage inside it reaches the deeper checks.
        if (mode == 2) reseal_header(bytes);
      }
      write_file(path, bytes, size);
      try {
        SequenceReader r(path);
        ++opened;
        for (uint32_t i = 0; i < r.frame_count(); ++i) {
          for (uint32_t f = 0; f < r.layout().fields.size(); ++f) {
            std::vector<uint8_t> out(r.blob(i, f).raw_size);
            try {
              r.read(i, f, out, true);
            } catch (const SequenceError&) {
              ++failed;
            }
          }
        }
        (void)r.verify();
      } catch (const SequenceError&) {
        ++failed;
      }
    }
    EXPECT_GT(opened, 0);
    EXPECT_GT(failed, 0);
  }
}

}  // namespace
