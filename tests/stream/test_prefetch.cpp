// The prefetch policies of SequenceStream: pure logic.
#include <gtest/gtest.h>

#include <vector>

#include "stream/sequence_stream/prefetch.h"

namespace kiln::detail {
namespace {

using Frames = std::vector<uint32_t>;

Frames wanted(const SequencePrefetch& p) {
  Frames out;
  p.wanted(out);
  return out;
}

TEST(SequencePrefetch, ForwardFromTheRequestedFrame) {
  SequencePrefetch p(100, 4, true);
  EXPECT_TRUE(wanted(p).empty());
  p.request(10);
  EXPECT_EQ(wanted(p), (Frames{10, 11, 12, 13, 14}));
  p.request(11);
  EXPECT_EQ(wanted(p), (Frames{11, 12, 13, 14, 15}));
}

TEST(SequencePrefetch, ReversingTurnsTheDirection) {
  SequencePrefetch p(100, 3, true);
  p.request(50);
  p.request(49);
  EXPECT_EQ(p.direction(), -1);
  EXPECT_EQ(wanted(p), (Frames{49, 48, 47, 46}));
  p.request(50);
  EXPECT_EQ(wanted(p), (Frames{50, 51, 52, 53}));
}

TEST(SequencePrefetch, WrapsWhenLoopingBothWays) {
  SequencePrefetch p(10, 3, true);
  p.request(8);
  EXPECT_EQ(wanted(p), (Frames{8, 9, 0, 1}));
  p.request(9);
  p.request(0);  // one step forward across the wrap, not a seek backwards
  EXPECT_EQ(p.direction(), +1);
  p.request(9);  // and one step back across it
  EXPECT_EQ(p.direction(), -1);
  EXPECT_EQ(wanted(p), (Frames{9, 8, 7, 6}));
  p.request(1);  // 9 -> 1 is two steps forward across the wrap
  EXPECT_EQ(p.direction(), +1);
  p.request(0);
  EXPECT_EQ(wanted(p), (Frames{0, 9, 8, 7}));
}

TEST(SequencePrefetch, StopsAtTheEndsWithoutLooping) {
  SequencePrefetch p(10, 4, false);
  p.request(8);
  EXPECT_EQ(wanted(p), (Frames{8, 9}));
  p.request(7);
  EXPECT_EQ(wanted(p), (Frames{7, 6, 5, 4, 3}));
  p.request(1);  // a jump backwards of 6 > 4: a seek, the direction stays (backwards)
  EXPECT_EQ(wanted(p), (Frames{1, 0}));
}

TEST(SequencePrefetch, ASeekKeepsTheDirection) {
  SequencePrefetch p(1000, 8, true);
  p.request(10);
  p.request(11);
  p.request(500);
  EXPECT_EQ(p.direction(), +1);
  EXPECT_EQ(wanted(p).front(), 500u);
  EXPECT_EQ(wanted(p).back(), 508u);
}

TEST(SequencePrefetch, NeverMoreFramesThanTheSequenceHas) {
  SequencePrefetch p(3, 10, true);
  p.request(1);
  EXPECT_EQ(wanted(p), (Frames{1, 2, 0}));
}

TEST(SpatialPrefetch, RequestedFirstThenNearest) {
  std::vector<std::array<float, 3>> grid;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) grid.push_back({float(x), float(y), 0.0f});
  SpatialPrefetch p(grid, 3);
  p.set_point({0.1f, 0.2f, 0.0f});
  p.request(15);
  Frames out;
  p.wanted(out);
  EXPECT_EQ(out, (Frames{15, 0, 4, 1}));  // (0,0), then (0,1) at 0.8, then (1,0) at 0.9
  p.clear_requests();
  p.set_point({3.0f, 3.0f, 0.0f});
  p.wanted(out);
  EXPECT_EQ(out, (Frames{15, 11, 14}));
}

TEST(SpatialPrefetch, ARequestAlsoNearestIsListedOnce) {
  SpatialPrefetch p({{0, 0, 0}, {1, 0, 0}, {2, 0, 0}}, 2);
  p.request(0);
  p.request(0);
  Frames out;
  p.wanted(out);
  EXPECT_EQ(out, (Frames{0, 1}));
}

}  // namespace
}  // namespace kiln::detail
