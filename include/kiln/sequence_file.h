// kiln/sequence_file.h — the sequence container: frames of named buffers and images in one file,
// each blob optionally LZ4- or zstd-compressed and checksummed. The byte layout is in
// docs/sequence-format.md.
//
//   kiln::SequenceLayout layout{.fields = {{.name = "positions", .kind = kiln::FieldKind::Buffer},
//                                          {.name = "albedo", .kind = kiln::FieldKind::Image2D,
//                                           .format = VK_FORMAT_R8G8B8A8_UNORM, .width = 256, .height = 256}}};
//   kiln::SequenceWriter w("walk.kseq", layout, {.compression = kiln::Compression::Lz4});
//   w.write_frame(i, {positions_bytes, albedo_bytes});   // any thread, any order
//   w.finish();                                          // writes the index
//
//   kiln::SequenceReader r("walk.kseq");                 // checks header and index
//   r.read(frame, field, std::span<uint8_t>(dst, r.blob(frame, field).raw_size));  // thread-safe
//
// Frames may differ in the size of each buffer field (an image field's size is fixed by its extent).
// Each frame may carry a position (for spatial prefetch of chunked 2D/3D data). Errors are
// SequenceError: the file, the byte offset and what was wrong ("walk.kseq: offset 4096: frame 12 field
// 'positions': checksum mismatch (stored 0x.., computed 0x..)").
//
// Not here: streaming to the GPU (sequence_stream.h), generating content (sequence_gen.h).
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kiln/error.h"

namespace kiln {

enum class Compression : uint32_t { None = 0, Lz4 = 1, Zstd = 2 };
const char* compression_name(Compression c);
// "none", "lz4", "zstd"; throws Error listing them otherwise.
Compression parse_compression(std::string_view name);

enum class FieldKind : uint32_t { Buffer = 0, Image2D = 1 };
const char* field_kind_name(FieldKind kind);

struct FieldDesc {
  std::string name;
  FieldKind kind = FieldKind::Buffer;
  // Buffers: the size of one element (vertex stride), for tools; 0: unknown.
  uint32_t element_size = 0;
  // Images: format and extent (one mip, one layer); their blob is tightly packed texels.
  VkFormat format = VK_FORMAT_UNDEFINED;
  uint32_t width = 0, height = 0;
};

struct SequenceLayout {
  std::vector<FieldDesc> fields;
  std::string metadata;  // free text (the generator writes its parameters as JSON)

  // Index of the field with this name; throws Error listing the names that exist.
  uint32_t field_index(std::string_view name) const;
};

// One stored blob, from the index.
struct BlobInfo {
  uint64_t offset = 0;       // in the file
  uint64_t stored_size = 0;  // bytes in the file
  uint64_t raw_size = 0;     // bytes once decompressed
  uint64_t checksum = 0;     // hash64 of the raw bytes
  Compression compression = Compression::None;
};

struct FrameInfo {
  std::array<float, 3> position{};  // for spatial prefetch; zero when the sequence has none
};

class SequenceError : public Error {
 public:
  SequenceError(std::string path, uint64_t offset, const std::string& what);
  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }

 private:
  std::string path_;
  uint64_t offset_;
};

struct SequenceWriteOptions {
  Compression compression = Compression::None;
  int level = 0;           // 0: the codec's default (LZ4 fast, zstd 3)
  // Blobs that compress worse than this ratio (stored / raw) are stored raw.
  double keep_ratio = 0.97;
};

class SequenceWriter {
 public:
  // Creates (truncates) `path`; throws SequenceError when it cannot.
  SequenceWriter(std::string path, SequenceLayout layout, const SequenceWriteOptions& options = {});
  // Without finish(): the file is removed (a half-written sequence is never left looking valid).
  ~SequenceWriter();
  SequenceWriter(const SequenceWriter&) = delete;
  SequenceWriter& operator=(const SequenceWriter&) = delete;

  // Thread-safe; compression runs on the calling thread, frames in any order, each index once.
  // One span per field, in layout order.
  void write_frame(uint32_t index, std::span<const std::span<const uint8_t>> fields, const FrameInfo& info = {});
  void write_frame(uint32_t index, std::initializer_list<std::span<const uint8_t>> fields,
                   const FrameInfo& info = {}) {
    write_frame(index, std::span<const std::span<const uint8_t>>(fields.begin(), fields.size()), info);
  }
  // Writes the index and header; frames 0..n-1 must all have been written (throws naming a missing one).
  void finish();

  uint64_t bytes_raw() const;
  uint64_t bytes_stored() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

struct VerifyResult {
  uint32_t blobs = 0;
  uint32_t bad = 0;
  std::vector<std::string> errors;  // one per bad blob, each naming frame, field and offset
  bool ok() const { return bad == 0; }
};

// Where SequenceReader reads uncompressed bytes to. Mapped: memory the CPU writes but does not read
// back (an UploadSpan's staging, write-combined, or a mapped ReBAR buffer): the bytes go through a
// small cache-resident buffer and on with non-temporal stores, which the H200 host ran at 62 GB/s on
// 16 threads against 46 GB/s for the kernel's own copy into staging. Memory: read into directly.
// Compressed blobs decompress straight into the destination either way (a cached detour measured
// slower).
enum class ReadTarget { Memory, Mapped };

class SequenceReader {
 public:
  // Opens and checks the header and index (sizes, offsets inside the file, index checksum).
  explicit SequenceReader(std::string path);
  ~SequenceReader();
  SequenceReader(const SequenceReader&) = delete;
  SequenceReader& operator=(const SequenceReader&) = delete;

  const std::string& path() const;
  const SequenceLayout& layout() const;
  uint32_t frame_count() const;
  uint32_t version() const;
  uint64_t file_size() const;
  const BlobInfo& blob(uint32_t frame, uint32_t field) const;
  const FrameInfo& frame(uint32_t frame) const;
  // Sum of raw_size over the frame's fields.
  uint64_t frame_raw_size(uint32_t frame) const;

  // Reads one blob into `out` (out.size() == raw_size), decompressing into it. Thread-safe
  // (positional reads). With `verify`, checks the checksum. Throws SequenceError.
  void read(uint32_t frame, uint32_t field, std::span<uint8_t> out, bool verify = false,
            ReadTarget target = ReadTarget::Memory) const;
  // Reads bytes [offset, offset + out.size()) of an uncompressed blob (throws for a compressed one), so
  // that several threads can share one large blob. No checksum: it covers the whole blob.
  void read_range(uint32_t frame, uint32_t field, uint64_t offset, std::span<uint8_t> out,
                  ReadTarget target = ReadTarget::Memory) const;
  // Checks every blob; `progress(done, total)` is called now and then.
  VerifyResult verify(const std::function<void(uint32_t, uint32_t)>& progress = {}) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
