#include "kiln/mapped_copy.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kiln {

void copy_to_mapped(void* dst, const void* src, size_t size) {
#if defined(__SSE2__)
  // Below a few lines the fence costs more than the read for ownership saves.
  constexpr size_t kStreamFrom = 1024;
  if (size < kStreamFrom) {
    std::memcpy(dst, src, size);
    return;
  }
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  const size_t head = (16 - (reinterpret_cast<uintptr_t>(d) & 15)) & 15;
  std::memcpy(d, s, head);
  d += head;
  s += head;
  size -= head;
  const size_t body = size & ~size_t(63);
  for (size_t i = 0; i < body; i += 64) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 16));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 32));
    const __m128i e = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 48));
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i), a);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i + 16), b);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i + 32), c);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i + 48), e);
  }
  // Non-temporal stores are weakly ordered: they reach memory before anything the caller does next
  // (the submit that lets the GPU read them).
  _mm_sfence();
  std::memcpy(d + body, s + body, size - body);
#else
  std::memcpy(dst, src, size);
#endif
}

}  // namespace kiln
