// Blob compression: LZ4 (raw block format) and zstd (one frame), with per-thread codec state so the
// hot path does not allocate.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kiln/sequence_file.h"

namespace kiln::seqcodec {

// Compresses `src` into `out` (resized to fit the worst case, never shrunk); returns the stored size,
// or 0 when this codec cannot take the input (LZ4 blocks stop at ~2 GiB) or failed.
uint64_t compress(Compression c, int level, std::span<const uint8_t> src, std::vector<uint8_t>& out);

// Decompresses `src` into exactly dst.size() bytes; returns nullptr on success, else what was wrong.
const char* decompress(Compression c, std::span<const uint8_t> src, std::span<uint8_t> dst);

// A per-thread scratch buffer of at least `size` bytes (grows, never shrinks).
uint8_t* scratch(uint64_t size);

}  // namespace kiln::seqcodec
