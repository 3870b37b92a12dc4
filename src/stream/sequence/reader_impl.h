// SequenceReader's state, shared by its open/check (index_parse.cpp), read (reader.cpp) and verify.
#pragma once

#include <string>
#include <vector>

#include "kiln/sequence_file.h"
#include "stream/sequence/format.h"

namespace kiln {

struct SequenceReader::Impl {
  std::string path;
  int fd = -1;
  uint64_t file_size = 0;
  seqfmt::Header header;
  SequenceLayout layout;
  std::vector<FrameInfo> frames;
  std::vector<BlobInfo> blobs;  // frame * fields + field
  std::vector<uint64_t> frame_raw;

  // Reads and checks the header and index; throws SequenceError.
  void open();
  const BlobInfo& blob(uint32_t frame, uint32_t field) const;
  // "frame 12 field 'positions'"
  std::string where(uint32_t frame, uint32_t field) const;
};

}  // namespace kiln
