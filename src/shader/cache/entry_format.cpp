#include "shader/cache/entry_format.h"

#include <cstring>

#include "kiln/log.h"
#include "shader/bytes.h"

namespace kiln::shader_cache {

using shader_detail::put_str;
using shader_detail::put_u32;
using shader_detail::put_u64;
using shader_detail::Reader;

std::string encode_entry(const CacheEntry& entry) {
  std::string payload;
  payload.reserve(64 + entry.entry.size() + entry.warnings.size() + entry.spirv.size() * 4 +
                  entry.dependencies.size() * 64);
  put_u64(payload, entry.key.lo);
  put_u64(payload, entry.key.hi);
  put_u32(payload, entry.stage);
  put_str(payload, entry.entry);
  put_u32(payload, static_cast<uint32_t>(entry.dependencies.size()));
  for (const auto& [path, hash] : entry.dependencies) {
    put_str(payload, path);
    put_u64(payload, hash);
  }
  put_str(payload, entry.warnings);
  put_u32(payload, static_cast<uint32_t>(entry.spirv.size()));
  payload.append(reinterpret_cast<const char*>(entry.spirv.data()), entry.spirv.size() * 4);

  std::string out;
  out.reserve(kHeaderSize + payload.size());
  out.append(kMagic, sizeof(kMagic));
  put_u32(out, kCacheFormatVersion);
  put_u32(out, 0);
  put_u64(out, payload.size());
  put_u64(out, hash64(payload.data(), payload.size(), kChecksumSeed));
  out += payload;
  return out;
}

std::string decode_entry(std::string_view file_bytes, const Hash128* expected_key, CacheEntry* out) {
  if (file_bytes.size() < kHeaderSize) return str("truncated header (", file_bytes.size(), " bytes)");
  if (std::memcmp(file_bytes.data(), kMagic, sizeof(kMagic)) != 0) return "bad magic";
  Reader header{file_bytes.substr(8, kHeaderSize - 8)};
  uint32_t version = header.u32();
  header.u32();
  uint64_t payload_size = header.u64();
  uint64_t checksum = header.u64();
  if (version != kCacheFormatVersion) return str("format version ", version, ", expected ", kCacheFormatVersion);
  if (payload_size != file_bytes.size() - kHeaderSize) {
    return str("payload size ", file_bytes.size() - kHeaderSize, " bytes, header says ", payload_size);
  }
  std::string_view payload = file_bytes.substr(kHeaderSize);
  if (hash64(payload.data(), payload.size(), kChecksumSeed) != checksum) return "payload checksum mismatch";

  Reader r{payload};
  CacheEntry e;
  e.key.lo = r.u64();
  e.key.hi = r.u64();
  e.stage = r.u32();
  e.entry = r.str();
  uint32_t deps = r.u32();
  if (!r.ok || deps > payload.size() / 12) return "bad dependency count";
  e.dependencies.reserve(deps);
  for (uint32_t i = 0; i < deps && r.ok; ++i) {
    std::string path = r.str();
    uint64_t hash = r.u64();
    e.dependencies.emplace_back(std::move(path), hash);
  }
  e.warnings = r.str();
  uint32_t words = r.u32();
  if (!r.ok || payload.size() - r.pos != size_t(words) * 4) return "bad SPIR-V size";
  e.spirv.resize(words);
  r.take(e.spirv.data(), size_t(words) * 4);
  if (!r.ok) return "truncated payload";
  if (expected_key && !(e.key == *expected_key)) return "key does not match the file name";
  *out = std::move(e);
  return {};
}

}  // namespace kiln::shader_cache
