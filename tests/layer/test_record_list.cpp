// The record list (src/layer/record/record_list.h): records of every size come back in order and
// byte for byte across staging flushes, slices and blocks, and after resets.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "record/record_list.h"

namespace kiln::layer {
namespace {

// A record as the list sees one: its size in its first word, then bytes from a seed.
void write_record(void* at, uint64_t size, uint64_t seed) {
  auto* words = static_cast<uint64_t*>(at);
  words[0] = size;
  for (uint64_t i = 1; i < size / 8; ++i) words[i] = seed * 0x9E3779B97F4A7C15ull + i;
}

struct Written {
  uint64_t size, seed;
};

std::vector<Written> append(RecordList& list, size_t count, uint32_t rng_seed) {
  std::mt19937 rng(rng_seed);
  std::vector<Written> out;
  for (size_t n = 0; n < count; ++n) {
    // Mostly small records, as commands are, and now and then one near the largest.
    const uint64_t size = rng() % 16 == 0 ? kMaxRecordBytes - 8 * (rng() % 4) : 8 * (1 + rng() % 8);
    write_record(list.alloc(size), size, n + rng_seed);
    out.push_back({size, n + rng_seed});
  }
  return out;
}

std::vector<Written> read(const RecordList& list) {
  std::vector<Written> out;
  list.for_each(
      [&](const std::byte* p) {
        uint64_t size;
        std::memcpy(&size, p, 8);
        out.push_back({size, 0});
        // The seed is whatever makes word 1 match; check the rest against it.
        if (size >= 16) {
          uint64_t w1;
          std::memcpy(&w1, p + 8, 8);
          const uint64_t seed = (w1 - 1) * 0xF1DE83E19937733Dull;  // inverse of the odd multiplier
          out.back().seed = seed;
          for (uint64_t i = 2; i < size / 8; ++i) {
            uint64_t w;
            std::memcpy(&w, p + 8 * i, 8);
            EXPECT_EQ(w, seed * 0x9E3779B97F4A7C15ull + i);
          }
        }
      },
      [](const std::byte* p) {
        uint64_t size;
        std::memcpy(&size, p, 8);
        return size;
      });
  return out;
}

void expect_same(const std::vector<Written>& written, const std::vector<Written>& got) {
  ASSERT_EQ(written.size(), got.size());
  for (size_t i = 0; i < written.size(); ++i) {
    ASSERT_EQ(written[i].size, got[i].size) << "record " << i;
    if (written[i].size >= 16) {
      ASSERT_EQ(written[i].seed, got[i].seed) << "record " << i;
    }
  }
}

TEST(RecordList, StagedRecordsReadBackBeforeFlush) {
  RecordList list;
  const auto written = append(list, 20, 1);
  expect_same(written, read(list));
}

TEST(RecordList, ManyBlocksInOrderAfterFlush) {
  RecordList list;
  const auto written = append(list, 20000, 2);  // several MiB: many slices and blocks
  list.flush();
  expect_same(written, read(list));
  list.flush();  // nothing staged: no empty window
  expect_same(written, read(list));
}

TEST(RecordList, FlushInTheMiddleKeepsOrder) {
  RecordList list;
  auto written = append(list, 700, 3);
  list.flush();
  const auto more = append(list, 900, 4);
  written.insert(written.end(), more.begin(), more.end());
  expect_same(written, read(list));
}

TEST(RecordList, ResetForgetsAndReusesBlocks) {
  RecordList list;
  append(list, 5000, 5);
  list.flush();
  list.reset();
  EXPECT_TRUE(read(list).empty());
  const auto written = append(list, 3000, 6);
  list.flush();
  expect_same(written, read(list));
}

}  // namespace
}  // namespace kiln::layer
