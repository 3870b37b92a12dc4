// SequenceReader: positional reads into the caller's memory. An uncompressed blob is one pread into the
// destination, or, into mapped staging (ReadTarget::Mapped, the streamer), pieces through a
// cache-resident buffer copied on with non-temporal stores (file_io.h); a compressed one decompresses
// into the destination from a per-thread scratch buffer. Nothing allocates once warm.
#include <unistd.h>

#include "kiln/hash.h"
#include "kiln/log.h"
#include "stream/sequence/codec.h"
#include "stream/sequence/file_io.h"
#include "stream/sequence/reader_impl.h"

namespace kiln {

SequenceReader::SequenceReader(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  try {
    impl_->open();
  } catch (...) {
    if (impl_->fd >= 0) ::close(impl_->fd);
    impl_->fd = -1;
    throw;
  }
}

SequenceReader::~SequenceReader() {
  if (impl_ && impl_->fd >= 0) ::close(impl_->fd);
}

const BlobInfo& SequenceReader::Impl::blob(uint32_t frame, uint32_t field) const {
  if (frame >= header.frame_count || field >= header.field_count) {
    throw SequenceError(path, 0, str("frame ", frame, " field ", field, " does not exist (the sequence has ",
                                     header.frame_count, " frames of ", header.field_count, " fields)"));
  }
  return blobs[size_t(frame) * header.field_count + field];
}

std::string SequenceReader::Impl::where(uint32_t frame, uint32_t field) const {
  return str("frame ", frame, " field '", layout.fields[field].name, "'");
}

const std::string& SequenceReader::path() const { return impl_->path; }
const SequenceLayout& SequenceReader::layout() const { return impl_->layout; }
uint32_t SequenceReader::frame_count() const { return impl_->header.frame_count; }
uint32_t SequenceReader::version() const { return impl_->header.version; }
uint64_t SequenceReader::file_size() const { return impl_->file_size; }
const BlobInfo& SequenceReader::blob(uint32_t frame, uint32_t field) const { return impl_->blob(frame, field); }

const FrameInfo& SequenceReader::frame(uint32_t frame) const {
  if (frame >= impl_->header.frame_count) impl_->blob(frame, 0);  // throws naming the range
  return impl_->frames[frame];
}

uint64_t SequenceReader::frame_raw_size(uint32_t frame) const {
  if (frame >= impl_->header.frame_count) impl_->blob(frame, 0);
  return impl_->frame_raw[frame];
}

void SequenceReader::read(uint32_t frame, uint32_t field, std::span<uint8_t> out, bool verify,
                          ReadTarget target) const {
  const Impl& s = *impl_;
  const BlobInfo& b = s.blob(frame, field);
  if (out.size() != b.raw_size) {
    throw SequenceError(s.path, b.offset, str(s.where(frame, field), ": a destination of ", out.size(),
                                              " bytes was given, the blob is ", b.raw_size, " bytes"));
  }
  if (b.compression == Compression::None) {
    if (target == ReadTarget::Mapped) seqio::pread_to_mapped(s.fd, s.path, out.data(), out.size(), b.offset, s.where(frame, field).c_str());
    else seqio::pread_all(s.fd, s.path, out.data(), out.size(), b.offset, s.where(frame, field).c_str());
  } else {
    uint8_t* stored = seqcodec::scratch(b.stored_size);
    seqio::pread_all(s.fd, s.path, stored, b.stored_size, b.offset, s.where(frame, field).c_str());
    if (const char* bad = seqcodec::decompress(b.compression, {stored, b.stored_size}, out)) {
      throw SequenceError(s.path, b.offset, str(s.where(frame, field), ": ", compression_name(b.compression),
                                                " blob of ", b.stored_size, " bytes does not decompress to ",
                                                b.raw_size, " bytes: ", bad));
    }
  }
  if (verify) {
    const uint64_t sum = hash64(out.data(), out.size());
    if (sum != b.checksum) {
      throw SequenceError(s.path, b.offset, str(s.where(frame, field), ": checksum mismatch (stored 0x", std::hex,
                                                b.checksum, ", computed 0x", sum, ")"));
    }
  }
}

void SequenceReader::read_range(uint32_t frame, uint32_t field, uint64_t offset, std::span<uint8_t> out,
                                ReadTarget target) const {
  const Impl& s = *impl_;
  const BlobInfo& b = s.blob(frame, field);
  if (b.compression != Compression::None) {
    throw SequenceError(s.path, b.offset, str(s.where(frame, field), ": read_range on a ",
                                              compression_name(b.compression), " blob (only uncompressed ones split)"));
  }
  if (offset > b.raw_size || out.size() > b.raw_size - offset) {
    throw SequenceError(s.path, b.offset, str(s.where(frame, field), ": range [", offset, ", ", offset + out.size(),
                                              ") outside the blob's ", b.raw_size, " bytes"));
  }
  if (target == ReadTarget::Mapped) seqio::pread_to_mapped(s.fd, s.path, out.data(), out.size(), b.offset + offset, "a blob range");
  else seqio::pread_all(s.fd, s.path, out.data(), out.size(), b.offset + offset, "a blob range");
}

}  // namespace kiln
