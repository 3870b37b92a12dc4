#include "stream/sequence/file_io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kiln/log.h"
#include "kiln/sequence_file.h"

namespace kiln::seqio {

// Linux transfers at most this much per call.
constexpr uint64_t kMaxChunk = 0x7ffff000;

void pread_all(int fd, const std::string& path, void* dst, uint64_t size, uint64_t offset, const char* what) {
  auto* p = static_cast<uint8_t*>(dst);
  uint64_t done = 0;
  while (done < size) {
    const ssize_t r = ::pread(fd, p + done, std::min(size - done, kMaxChunk), static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw SequenceError(path, offset + done, str("reading ", what, ": ", std::strerror(errno)));
    }
    if (r == 0) {
      throw SequenceError(path, offset + done,
                          str("reading ", what, ": the file ends here, ", size - done, " bytes short (truncated?)"));
    }
    done += static_cast<uint64_t>(r);
  }
}

void pwrite_all(int fd, const std::string& path, const void* src, uint64_t size, uint64_t offset) {
  const auto* p = static_cast<const uint8_t*>(src);
  uint64_t done = 0;
  while (done < size) {
    const ssize_t r = ::pwrite(fd, p + done, std::min(size - done, kMaxChunk), static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw SequenceError(path, offset + done, str("writing: ", std::strerror(errno)));
    }
    done += static_cast<uint64_t>(r);
  }
}

}  // namespace kiln::seqio
