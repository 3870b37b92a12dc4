// The on-disk layout of a sequence file (docs/sequence-format.md is the reference; keep them in step).
// Everything little-endian; the structs here are written field by field, never as memory images.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kiln/sequence_file.h"

namespace kiln::seqfmt {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'S', 'E', 'Q', '\0'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kHeaderSize = 64;
constexpr uint64_t kHeaderChecksumOffset = 56;  // hash64 of bytes [0, 56)
constexpr uint64_t kFrameRecordSize = 16;       // position xyz + reserved
constexpr uint64_t kBlobRecordSize = 40;        // offset, stored, raw, checksum, compression, reserved
constexpr uint64_t kFieldRecordFixed = 24;      // kind, element_size, format, width, height, name_size

struct Header {
  uint32_t version = kVersion;
  uint32_t header_size = kHeaderSize;
  uint32_t frame_count = 0;
  uint32_t field_count = 0;
  uint64_t index_offset = 0;  // 0: the writer has not finished
  uint64_t index_size = 0;
  uint64_t index_checksum = 0;
};

// The 64 header bytes, checksum included.
void encode_header(const Header& h, uint8_t out[kHeaderSize]);

// Appends little-endian values to a byte vector; the index is built this way.
struct ByteWriter {
  std::vector<uint8_t> bytes;
  void u32(uint32_t v) { put(&v, 4); }
  void u64(uint64_t v) { put(&v, 8); }
  void f32(float v) { put(&v, 4); }
  void put(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
};

// Reads little-endian values from the index, failing (not crashing) past its end; `base` is the
// file offset of bytes[0], so failures name the offset in the file.
struct ByteReader {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  uint64_t pos = 0;
  uint64_t base = 0;
  bool ok = true;

  bool has(uint64_t n) const { return ok && n <= size - pos; }
  template <class T>
  T get() {
    T v{};
    if (!has(sizeof(T))) {
      ok = false;
      return v;
    }
    std::memcpy(&v, data + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  uint64_t file_offset() const { return base + pos; }
};

std::vector<uint8_t> encode_index(const SequenceLayout& layout, const std::vector<FrameInfo>& frames,
                                  const std::vector<BlobInfo>& blobs);

}  // namespace kiln::seqfmt
