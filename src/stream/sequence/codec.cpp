#include "stream/sequence/codec.h"

#include <lz4.h>
#include <lz4hc.h>
#include <zstd.h>

#include <memory>

namespace kiln::seqcodec {
namespace {

struct ZstdState {
  ZSTD_CCtx* c = nullptr;
  ZSTD_DCtx* d = nullptr;
  ~ZstdState() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};
thread_local ZstdState t_zstd;
thread_local std::unique_ptr<uint8_t[]> t_scratch;
thread_local uint64_t t_scratch_size = 0;

}  // namespace

uint8_t* scratch(uint64_t size) {
  if (size > t_scratch_size) {
    // Doubling keeps a thread that reads growing blobs from reallocating each time; no zero fill.
    uint64_t n = t_scratch_size ? t_scratch_size : 1 << 20;
    while (n < size) n *= 2;
    t_scratch.reset(new uint8_t[n]);
    t_scratch_size = n;
  }
  return t_scratch.get();
}

uint64_t compress(Compression c, int level, std::span<const uint8_t> src, std::vector<uint8_t>& out) {
  switch (c) {
    case Compression::None: return 0;
    case Compression::Lz4: {
      if (src.size() > LZ4_MAX_INPUT_SIZE) return 0;
      const int n = static_cast<int>(src.size());
      const int bound = LZ4_compressBound(n);
      if (out.size() < static_cast<size_t>(bound)) out.resize(bound);
      auto* s = reinterpret_cast<const char*>(src.data());
      auto* d = reinterpret_cast<char*>(out.data());
      const int r = level > 0 ? LZ4_compress_HC(s, d, n, bound, level)
                              : LZ4_compress_fast(s, d, n, bound, level < 0 ? -level : 1);
      return r > 0 ? static_cast<uint64_t>(r) : 0;
    }
    case Compression::Zstd: {
      if (!t_zstd.c) t_zstd.c = ZSTD_createCCtx();
      const size_t bound = ZSTD_compressBound(src.size());
      if (out.size() < bound) out.resize(bound);
      const size_t r = ZSTD_compressCCtx(t_zstd.c, out.data(), bound, src.data(), src.size(), level ? level : 3);
      return ZSTD_isError(r) ? 0 : r;
    }
  }
  return 0;
}

const char* decompress(Compression c, std::span<const uint8_t> src, std::span<uint8_t> dst) {
  switch (c) {
    case Compression::None:
      return "not compressed";
    case Compression::Lz4: {
      if (src.size() > LZ4_MAX_INPUT_SIZE || dst.size() > 0x7fffffffu) return "LZ4 block larger than 2 GiB";
      const int r = LZ4_decompress_safe(reinterpret_cast<const char*>(src.data()), reinterpret_cast<char*>(dst.data()),
                                        static_cast<int>(src.size()), static_cast<int>(dst.size()));
      if (r < 0) return "LZ4 data is corrupt";
      if (static_cast<uint64_t>(r) != dst.size()) return "LZ4 data decompresses to a different size than the index says";
      return nullptr;
    }
    case Compression::Zstd: {
      if (!t_zstd.d) t_zstd.d = ZSTD_createDCtx();
      const size_t r = ZSTD_decompressDCtx(t_zstd.d, dst.data(), dst.size(), src.data(), src.size());
      if (ZSTD_isError(r)) return ZSTD_getErrorName(r);
      if (r != dst.size()) return "zstd data decompresses to a different size than the index says";
      return nullptr;
    }
  }
  return "unknown compression";
}

}  // namespace kiln::seqcodec
