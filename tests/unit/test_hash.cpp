// kiln/hash.h: distribution basics and the incremental == one-shot promise.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kiln/hash.h"

namespace {

std::vector<unsigned char> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned char> v(n);
  for (auto& b : v) b = static_cast<unsigned char>(rng());
  return v;
}

TEST(Hash, DeterministicAndSeeded) {
  std::string s = "kiln shader cache";
  EXPECT_EQ(kiln::hash64(s), kiln::hash64(s.data(), s.size()));
  EXPECT_EQ(kiln::hash64(s, 7), kiln::hash64(s, 7));
  EXPECT_NE(kiln::hash64(s, 0), kiln::hash64(s, 1));
  EXPECT_NE(kiln::hash64("a"), kiln::hash64("b"));
  auto h = kiln::hash128(s);
  EXPECT_NE(h.lo, h.hi);
  EXPECT_EQ(h.hex().size(), 32u);
  EXPECT_EQ(kiln::Hash128({0x0123456789abcdefull, 0xfedcba9876543210ull}).hex(), "fedcba98765432100123456789abcdef");
}

// Every length 0..64 (all tail sizes, one and two blocks), zero bytes included: all distinct.
TEST(Hash, EveryTailLengthDiffers) {
  std::set<uint64_t> seen;
  std::vector<unsigned char> zeros(64, 0);
  auto bytes = random_bytes(64, 1);
  for (size_t n = 0; n <= 64; ++n) {
    EXPECT_TRUE(seen.insert(kiln::hash64(zeros.data(), n)).second) << "zeros, length " << n;
    if (n == 0) continue;  // empty is empty, zeros or not
    EXPECT_TRUE(seen.insert(kiln::hash64(bytes.data(), n)).second) << "random, length " << n;
  }
}

// Flipping any single input bit changes the hash, and about half the output bits (avalanche).
TEST(Hash, OneBitChangesAboutHalfTheBits) {
  for (size_t n : {1u, 7u, 8u, 31u, 32u, 33u, 64u, 100u}) {
    auto bytes = random_bytes(n, static_cast<uint32_t>(n));
    uint64_t base = kiln::hash64(bytes.data(), n);
    double total_bits = 0;
    int samples = 0;
    for (size_t i = 0; i < n * 8; ++i) {
      bytes[i / 8] ^= static_cast<unsigned char>(1u << (i % 8));
      uint64_t h = kiln::hash64(bytes.data(), n);
      bytes[i / 8] ^= static_cast<unsigned char>(1u << (i % 8));
      ASSERT_NE(h, base) << "length " << n << " bit " << i;
      total_bits += __builtin_popcountll(h ^ base);
      ++samples;
    }
    double mean = total_bits / samples;
    EXPECT_GT(mean, 28.0) << "length " << n;
    EXPECT_LT(mean, 36.0) << "length " << n;
  }
}

// Low bits of hashes of consecutive integers are evenly spread over 64 buckets.
TEST(Hash, BucketsAreEven) {
  std::vector<int> buckets(64, 0);
  const int n = 64000;
  for (uint64_t i = 0; i < n; ++i) ++buckets[kiln::hash64(&i, sizeof i) & 63];
  for (int b : buckets) {
    EXPECT_GT(b, 1000 * 0.85);
    EXPECT_LT(b, 1000 * 1.15);
  }
}

TEST(Hash, IncrementalEqualsOneShot) {
  auto bytes = random_bytes(1000, 3);
  for (size_t n : {0u, 1u, 31u, 32u, 33u, 95u, 1000u}) {
    for (size_t piece : {1u, 5u, 32u, 77u}) {
      kiln::Hasher h(42);
      kiln::Hasher128 h2(42);
      for (size_t at = 0; at < n; at += piece) {
        size_t take = std::min(piece, n - at);
        h.update(bytes.data() + at, take);
        h2.update(bytes.data() + at, take);
      }
      EXPECT_EQ(h.digest(), kiln::hash64(bytes.data(), n, 42)) << n << "/" << piece;
      EXPECT_EQ(h2.digest(), kiln::hash128(bytes.data(), n, 42)) << n << "/" << piece;
    }
  }
}

TEST(Hash, FieldsAreDelimited) {
  kiln::Hasher a, b;
  a.update_field("ab");
  a.update_field("c");
  b.update_field("a");
  b.update_field("bc");
  EXPECT_NE(a.digest(), b.digest());
}

}  // namespace
