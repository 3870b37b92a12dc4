#include "stream/sequence/file_io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "kiln/log.h"
#include "kiln/mapped_copy.h"
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

void pread_to_mapped(int fd, const std::string& path, void* dst, uint64_t size, uint64_t offset, const char* what) {
  // Small enough to stay in a core's L2 between the kernel's copy in and ours out.
  constexpr uint64_t kPiece = 256 * 1024;
  thread_local std::unique_ptr<uint8_t[]> bounce;
  if (!bounce) bounce.reset(new uint8_t[kPiece]);
  auto* out = static_cast<uint8_t*>(dst);
  for (uint64_t done = 0; done < size;) {
    const uint64_t n = std::min(kPiece, size - done);
    pread_all(fd, path, bounce.get(), n, offset + done, what);
    copy_to_mapped(out + done, bounce.get(), n);
    done += n;
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
