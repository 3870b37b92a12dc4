// Encoding of the header and the index (the reader's checks of them are in index_parse.cpp).
#include "stream/sequence/format.h"

#include "kiln/hash.h"

namespace kiln::seqfmt {

void encode_header(const Header& h, uint8_t out[kHeaderSize]) {
  ByteWriter w;
  w.put(kMagic, sizeof(kMagic));
  w.u32(h.version);
  w.u32(h.header_size);
  w.u32(h.frame_count);
  w.u32(h.field_count);
  w.u64(h.index_offset);
  w.u64(h.index_size);
  w.u64(h.index_checksum);
  w.u64(0);  // reserved
  w.u64(hash64(w.bytes.data(), w.bytes.size()));
  std::memcpy(out, w.bytes.data(), kHeaderSize);
}

std::vector<uint8_t> encode_index(const SequenceLayout& layout, const std::vector<FrameInfo>& frames,
                                  const std::vector<BlobInfo>& blobs) {
  ByteWriter w;
  for (const FieldDesc& f : layout.fields) {
    w.u32(static_cast<uint32_t>(f.kind));
    w.u32(f.element_size);
    w.u32(static_cast<uint32_t>(f.format));
    w.u32(f.width);
    w.u32(f.height);
    w.u32(static_cast<uint32_t>(f.name.size()));
    w.put(f.name.data(), f.name.size());
  }
  w.u64(layout.metadata.size());
  w.put(layout.metadata.data(), layout.metadata.size());
  const size_t fields = layout.fields.size();
  for (size_t i = 0; i < frames.size(); ++i) {
    for (float p : frames[i].position) w.f32(p);
    w.u32(0);
    for (size_t f = 0; f < fields; ++f) {
      const BlobInfo& b = blobs[i * fields + f];
      w.u64(b.offset);
      w.u64(b.stored_size);
      w.u64(b.raw_size);
      w.u64(b.checksum);
      w.u32(static_cast<uint32_t>(b.compression));
      w.u32(0);
    }
  }
  return std::move(w.bytes);
}

}  // namespace kiln::seqfmt
