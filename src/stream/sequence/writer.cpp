// SequenceWriter: blobs appended wherever the file ends when they arrive (the offset is reserved under
// a lock, the bytes written outside it), the index kept in memory and written last by finish().
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "kiln/format.h"
#include "kiln/hash.h"
#include "kiln/log.h"
#include "kiln/sequence_file.h"
#include "stream/sequence/codec.h"
#include "stream/sequence/file_io.h"
#include "stream/sequence/format.h"

namespace kiln {

struct SequenceWriter::Impl {
  std::string path;
  SequenceLayout layout;
  SequenceWriteOptions options;
  int fd = -1;
  bool finished = false;

  std::mutex mutex;  // guards what follows
  uint64_t end = seqfmt::kHeaderSize;
  std::vector<FrameInfo> frames;
  std::vector<BlobInfo> blobs;  // frame * fields + field
  std::vector<bool> claimed;  // a write_frame took this index
  std::vector<bool> written;  // ... and finished

  std::atomic<uint64_t> raw{0}, stored{0};
};

namespace {

void check_layout(const std::string& path, const SequenceLayout& layout) {
  std::set<std::string> names;
  for (const FieldDesc& f : layout.fields) {
    if (f.name.empty()) throw SequenceError(path, 0, "a field has no name");
    if (!names.insert(f.name).second) throw SequenceError(path, 0, str("two fields are named '", f.name, "'"));
    if (f.kind == FieldKind::Image2D && (f.width == 0 || f.height == 0 || format_texel_bytes(f.format) == 0)) {
      throw SequenceError(path, 0, str("image field '", f.name, "' needs a format and a non-zero extent"));
    }
  }
  if (layout.fields.empty()) throw SequenceError(path, 0, "the layout has no fields");
}

}  // namespace

SequenceWriter::SequenceWriter(std::string path, SequenceLayout layout, const SequenceWriteOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.path = std::move(path);
  s.layout = std::move(layout);
  s.options = options;
  check_layout(s.path, s.layout);
  s.fd = ::open(s.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (s.fd < 0) throw SequenceError(s.path, 0, str("cannot create the file: ", std::strerror(errno)));
  // A header saying "not finished" (index_offset 0) until finish() rewrites it.
  uint8_t header[seqfmt::kHeaderSize];
  seqfmt::encode_header({.field_count = static_cast<uint32_t>(s.layout.fields.size())}, header);
  try {
    seqio::pwrite_all(s.fd, s.path, header, sizeof(header), 0);
  } catch (...) {
    ::close(s.fd);
    ::unlink(s.path.c_str());
    throw;
  }
}

SequenceWriter::~SequenceWriter() {
  if (!impl_) return;
  if (impl_->fd >= 0) ::close(impl_->fd);
  if (!impl_->finished) ::unlink(impl_->path.c_str());
}

void SequenceWriter::write_frame(uint32_t index, std::span<const std::span<const uint8_t>> fields,
                                 const FrameInfo& info) {
  Impl& s = *impl_;
  const size_t n = s.layout.fields.size();
  if (fields.size() != n) {
    throw SequenceError(s.path, 0, str("frame ", index, ": ", fields.size(), " fields given, the layout has ", n));
  }
  for (size_t f = 0; f < n; ++f) {
    const FieldDesc& d = s.layout.fields[f];
    if (d.kind == FieldKind::Image2D) {
      const uint64_t want = format_size(d.format, {d.width, d.height, 1});
      if (fields[f].size() != want) {
        throw SequenceError(s.path, 0, str("frame ", index, " field '", d.name, "': ", fields[f].size(),
                                           " bytes given, its image needs ", want));
      }
    }
  }
  {
    std::lock_guard lock(s.mutex);
    if (s.finished) throw SequenceError(s.path, 0, str("frame ", index, " written after finish()"));
    if (index < s.claimed.size() && s.claimed[index]) throw SequenceError(s.path, 0, str("frame ", index, " written twice"));
    if (index >= s.claimed.size()) s.claimed.resize(index + 1);
    s.claimed[index] = true;
  }
  thread_local std::vector<uint8_t> packed;
  BlobInfo out[64];
  std::vector<BlobInfo> many;
  BlobInfo* infos = out;
  if (n > 64) {
    many.resize(n);
    infos = many.data();
  }
  for (size_t f = 0; f < n; ++f) {
    std::span<const uint8_t> raw = fields[f];
    BlobInfo& b = infos[f];
    b.raw_size = raw.size();
    b.checksum = hash64(raw.data(), raw.size());
    std::span<const uint8_t> bytes = raw;
    if (s.options.compression != Compression::None && !raw.empty()) {
      const uint64_t size = seqcodec::compress(s.options.compression, s.options.level, raw, packed);
      if (size > 0 && double(size) <= s.options.keep_ratio * double(raw.size())) {
        bytes = {packed.data(), size};
        b.compression = s.options.compression;
      }
    }
    b.stored_size = bytes.size();
    {
      std::lock_guard lock(s.mutex);
      b.offset = s.end;
      s.end += bytes.size();
    }
    seqio::pwrite_all(s.fd, s.path, bytes.data(), bytes.size(), b.offset);
    s.raw += raw.size();
    s.stored += bytes.size();
  }
  std::lock_guard lock(s.mutex);
  if (index >= s.frames.size()) {
    s.frames.resize(index + 1);
    s.blobs.resize(size_t(index + 1) * n);
    s.written.resize(index + 1);
  }
  s.frames[index] = info;
  for (size_t f = 0; f < n; ++f) s.blobs[size_t(index) * n + f] = infos[f];
  s.written[index] = true;
}

void SequenceWriter::finish() {
  Impl& s = *impl_;
  std::lock_guard lock(s.mutex);
  if (s.finished) return;
  for (size_t i = 0; i < s.claimed.size(); ++i) {
    if (i >= s.written.size() || !s.written[i]) {
      throw SequenceError(s.path, 0, str("finish(): frame ", i, " was never written (frames 0..", s.claimed.size() - 1,
                                         " must all be)"));
    }
  }
  const std::vector<uint8_t> index = seqfmt::encode_index(s.layout, s.frames, s.blobs);
  seqfmt::Header h{.frame_count = static_cast<uint32_t>(s.frames.size()),
                   .field_count = static_cast<uint32_t>(s.layout.fields.size()),
                   .index_offset = s.end,
                   .index_size = index.size(),
                   .index_checksum = hash64(index.data(), index.size())};
  seqio::pwrite_all(s.fd, s.path, index.data(), index.size(), s.end);
  // The file must end where the index ends (a reused path may have been longer).
  if (::ftruncate(s.fd, static_cast<off_t>(s.end + index.size())) != 0) {
    throw SequenceError(s.path, s.end, str("ftruncate: ", std::strerror(errno)));
  }
  uint8_t header[seqfmt::kHeaderSize];
  seqfmt::encode_header(h, header);
  seqio::pwrite_all(s.fd, s.path, header, sizeof(header), 0);
  if (::close(s.fd) != 0) throw SequenceError(s.path, 0, str("close: ", std::strerror(errno)));
  s.fd = -1;
  s.finished = true;
}

uint64_t SequenceWriter::bytes_raw() const { return impl_->raw.load(); }
uint64_t SequenceWriter::bytes_stored() const { return impl_->stored.load(); }

}  // namespace kiln
