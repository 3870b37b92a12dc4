// kiln's 64-bit hash: four independent lanes (so the multiplies pipeline) each taking one 8-byte
// word per 32-byte block through add-multiply-rotate-multiply; the tail is zero-padded into one last
// block and the total length is mixed in, so padding cannot collide with real zeros. The lanes are
// folded together and finished with a murmur3-style avalanche.
#include "kiln/hash.h"

#include <cstring>

namespace kiln {
namespace {

constexpr uint64_t P1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t P2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t P3 = 0x165667B19E3779F9ull;
constexpr uint64_t P4 = 0x85EBCA77C2B2AE63ull;
constexpr uint64_t P5 = 0x27D4EB2F165667C5ull;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts only (x86-64, aarch64): the cache files are host-local anyway
}

inline uint64_t round(uint64_t acc, uint64_t word) {
  acc += word * P2;
  acc = rotl(acc, 31);
  return acc * P1;
}

inline void block(uint64_t lanes[4], const unsigned char* p) {
  lanes[0] = round(lanes[0], load64(p));
  lanes[1] = round(lanes[1], load64(p + 8));
  lanes[2] = round(lanes[2], load64(p + 16));
  lanes[3] = round(lanes[3], load64(p + 24));
}

inline void init(uint64_t lanes[4], uint64_t seed) {
  lanes[0] = seed + P1 + P2;
  lanes[1] = seed + P2;
  lanes[2] = seed ^ P5;
  lanes[3] = seed - P1;
}

inline uint64_t finish(const uint64_t in[4], const unsigned char* tail, size_t tail_size, uint64_t total) {
  uint64_t lanes[4] = {in[0], in[1], in[2], in[3]};
  if (tail_size > 0) {
    unsigned char padded[32] = {};
    std::memcpy(padded, tail, tail_size);
    block(lanes, padded);
  }
  uint64_t h = rotl(lanes[0], 1) + rotl(lanes[1], 7) + rotl(lanes[2], 12) + rotl(lanes[3], 18);
  for (uint64_t lane : lanes) {
    h ^= round(0, lane);
    h = h * P1 + P4;
  }
  h += total * P3;
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

constexpr uint64_t kSeedA = 0x5851F42D4C957F2Dull;
constexpr uint64_t kSeedB = 0x14057B7EF767814Full;

}  // namespace

uint64_t hash64(const void* data, size_t size, uint64_t seed) {
  auto* p = static_cast<const unsigned char*>(data);
  uint64_t lanes[4];
  init(lanes, seed);
  size_t blocks = size / 32;
  for (size_t i = 0; i < blocks; ++i) block(lanes, p + i * 32);
  return finish(lanes, p + blocks * 32, size % 32, size);
}

Hash128 hash128(const void* data, size_t size, uint64_t seed) {
  return {hash64(data, size, seed ^ kSeedA), hash64(data, size, rotl(seed, 29) ^ kSeedB)};
}

std::string Hash128::hex() const {
  static const char digits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = digits[(hi >> (4 * i)) & 15];
    out[31 - i] = digits[(lo >> (4 * i)) & 15];
  }
  return out;
}

Hasher::Hasher(uint64_t seed) { init(lanes_, seed); }

void Hasher::update(const void* data, size_t size) {
  auto* p = static_cast<const unsigned char*>(data);
  total_ += size;
  if (buffered_ > 0) {
    size_t take = 32 - buffered_ < size ? 32 - buffered_ : size;
    std::memcpy(buffer_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    size -= take;
    if (buffered_ < 32) return;
    block(lanes_, buffer_);
    buffered_ = 0;
  }
  while (size >= 32) {
    block(lanes_, p);
    p += 32;
    size -= 32;
  }
  if (size > 0) {
    std::memcpy(buffer_, p, size);
    buffered_ = size;
  }
}

uint64_t Hasher::digest() const { return finish(lanes_, buffer_, buffered_, total_); }

Hasher128::Hasher128(uint64_t seed) : a_(seed ^ kSeedA), b_(rotl(seed, 29) ^ kSeedB) {}

}  // namespace kiln
