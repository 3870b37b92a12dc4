// copy_to_mapped against memcpy: every size up to a few lines past the streaming threshold and
// larger ones, at every destination and source misalignment within 16 bytes; the bytes around the
// destination stay untouched.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kiln/mapped_copy.h"

namespace {

TEST(MappedCopy, EqualsMemcpyAtEveryAlignmentAndSize) {
  std::vector<uint8_t> src(70000);
  for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i * 131 + (i >> 8));
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 1300; n += (n < 1100 ? 37 : 1)) sizes.push_back(n);  // around the threshold
  for (size_t n : {4095, 4096, 4097, 32768 + 5, 65536}) sizes.push_back(n);
  std::vector<uint8_t> dst(src.size() + 64);
  for (size_t n : sizes) {
    for (size_t d = 0; d < 16; d += 3) {
      for (size_t s = 0; s < 16; s += 5) {
        std::fill(dst.begin(), dst.end(), uint8_t(0xa5));
        kiln::copy_to_mapped(dst.data() + 8 + d, src.data() + s, n);
        for (size_t i = 0; i < 8 + d; ++i) ASSERT_EQ(dst[i], 0xa5) << "before, n " << n;
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(dst[8 + d + i], src[s + i]) << "byte " << i << " of " << n;
        for (size_t i = 8 + d + n; i < 8 + d + n + 40; ++i) ASSERT_EQ(dst[i], 0xa5) << "after, n " << n;
      }
    }
  }
}

}  // namespace
