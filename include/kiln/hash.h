// kiln/hash.h — fast non-cryptographic hashing for cache keys, content hashes and checksums.
//
// hash64 is kiln's own 64-bit hash (four multiply/rotate lanes over 32-byte blocks, a murmur-style
// finaliser): several GB/s, every input bit reaches every output bit. Hash128 runs it with two
// seeds, for cache keys where a collision must be negligible. Hasher/Hasher128 give the same values
// incrementally (update in any pieces, digest equals the one-shot hash of the concatenation).
// Not cryptographic: do not use it where an attacker chooses the inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace kiln {

uint64_t hash64(const void* data, size_t size, uint64_t seed = 0);
inline uint64_t hash64(std::string_view bytes, uint64_t seed = 0) { return hash64(bytes.data(), bytes.size(), seed); }

struct Hash128 {
  uint64_t lo = 0, hi = 0;
  // 32 lowercase hex digits, hi first: usable as a file name.
  std::string hex() const;
  bool operator==(const Hash128&) const = default;
};

// Two independent 64-bit hashes (two seeds derived from `seed`).
Hash128 hash128(const void* data, size_t size, uint64_t seed = 0);
inline Hash128 hash128(std::string_view bytes, uint64_t seed = 0) { return hash128(bytes.data(), bytes.size(), seed); }

// Incremental hash64: digest() == hash64(all bytes given to update, seed).
class Hasher {
 public:
  explicit Hasher(uint64_t seed = 0);
  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // Hashes the object representation of a plain value (integers, enums, floats).
  template <class T>
    requires std::is_trivially_copyable_v<T>
  void update_value(const T& value) {
    update(&value, sizeof(T));
  }
  // Length-prefixed, so that ("ab","c") and ("a","bc") differ.
  void update_field(std::string_view bytes) {
    update_value(static_cast<uint64_t>(bytes.size()));
    update(bytes);
  }
  uint64_t digest() const;

 private:
  uint64_t lanes_[4];
  uint64_t total_ = 0;
  unsigned char buffer_[32];
  size_t buffered_ = 0;
};

// Incremental hash128: digest() == hash128(all bytes, seed).
class Hasher128 {
 public:
  explicit Hasher128(uint64_t seed = 0);
  void update(const void* data, size_t size) { a_.update(data, size); b_.update(data, size); }
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  template <class T>
    requires std::is_trivially_copyable_v<T>
  void update_value(const T& value) {
    update(&value, sizeof(T));
  }
  void update_field(std::string_view bytes) {
    update_value(static_cast<uint64_t>(bytes.size()));
    update(bytes);
  }
  Hash128 digest() const { return {a_.digest(), b_.digest()}; }

 private:
  Hasher a_, b_;
};

}  // namespace kiln
