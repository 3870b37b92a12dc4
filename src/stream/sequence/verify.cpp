// SequenceReader::verify: every blob read, decompressed and checksummed; a bad blob is reported and
// the walk goes on, so one run names all of them.
#include <vector>

#include "stream/sequence/reader_impl.h"

namespace kiln {

VerifyResult SequenceReader::verify(const std::function<void(uint32_t, uint32_t)>& progress) const {
  const Impl& s = *impl_;
  VerifyResult result;
  const uint32_t fields = s.header.field_count;
  const uint32_t total = s.header.frame_count * fields;
  std::vector<uint8_t> raw;
  for (uint32_t i = 0; i < s.header.frame_count; ++i) {
    for (uint32_t f = 0; f < fields; ++f) {
      const BlobInfo& b = s.blob(i, f);
      ++result.blobs;
      try {
        if (raw.size() < b.raw_size) raw.resize(b.raw_size);
        read(i, f, {raw.data(), b.raw_size}, /*verify=*/true);
      } catch (const SequenceError& e) {
        ++result.bad;
        result.errors.push_back(e.what());
      }
      if (progress) progress(result.blobs, total);
    }
  }
  return result;
}

}  // namespace kiln
