// Little-endian fields for the shader layer's binary formats (cache entries, the compile worker's
// messages): appenders, and a bounds-checked reader that fails (and stays failed) instead of reading
// past the end, so that truncated or corrupt bytes are an error, never a crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace kiln::shader_detail {

inline void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
inline void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
inline void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

struct Reader {
  std::string_view bytes;
  size_t pos = 0;
  bool ok = true;

  bool take(void* dst, size_t n) {
    if (!ok || bytes.size() - pos < n) return ok = false;
    if (n) std::memcpy(dst, bytes.data() + pos, n);  // dst may be an empty vector's null data()
    pos += n;
    return true;
  }
  uint32_t u32() {
    uint32_t v = 0;
    take(&v, 4);
    return v;
  }
  uint64_t u64() {
    uint64_t v = 0;
    take(&v, 8);
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    if (!ok || bytes.size() - pos < n) {
      ok = false;
      return {};
    }
    std::string s(bytes.substr(pos, n));
    pos += n;
    return s;
  }
  size_t left() const { return bytes.size() - pos; }
};

}  // namespace kiln::shader_detail
