// The bytes of one shader-cache entry file, and their checks. Independent of the compiler so that
// the format can be tested (and read by tools) without glslang.
//
//   offset  size  field
//   0       8     magic "KILNSHC\n"
//   8       4     format version (kCacheFormatVersion), little-endian like every integer here
//   12      4     reserved, 0
//   16      8     payload size in bytes
//   24      8     payload checksum: hash64(payload, kChecksumSeed)
//   32      ...   payload: key (2 x u64), stage (u32), entry (string), dependency count (u32) and per
//                 dependency a path (string) and a content hash (u64), warnings (string), SPIR-V word
//                 count (u32) and the words. A string is a u32 length and its bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kiln/hash.h"

namespace kiln::shader_cache {

inline constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'S', 'H', 'C', '\n'};
inline constexpr uint32_t kCacheFormatVersion = 1;
inline constexpr size_t kHeaderSize = 32;
inline constexpr uint64_t kChecksumSeed = 0x6B696C6E63686B31ull;  // "kilnchk1"

struct CacheEntry {
  Hash128 key;
  uint32_t stage = 0;  // kiln::ShaderStage as an integer
  std::string entry;
  std::vector<std::pair<std::string, uint64_t>> dependencies;  // path, hash64 of its bytes
  std::string warnings;
  std::vector<uint32_t> spirv;
};

std::string encode_entry(const CacheEntry& entry);

// Empty string on success, else what was wrong ("bad magic", "payload checksum mismatch", ...).
// `expected_key`, when given, must match the key stored inside (a renamed file is corrupt).
std::string decode_entry(std::string_view file_bytes, const Hash128* expected_key, CacheEntry* out);

}  // namespace kiln::shader_cache
