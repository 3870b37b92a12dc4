// Whole-range positional reads and writes on a file descriptor (pread/pwrite loop over short
#pragma once
// transfers and EINTR), failing as SequenceError with the file and offset.
#include <cstdint>
#include <string>

namespace kiln::seqio {

// Reads exactly `size` bytes at `offset`; a short file is reported as truncated.
void pread_all(int fd, const std::string& path, void* dst, uint64_t size, uint64_t offset, const char* what);
void pwrite_all(int fd, const std::string& path, const void* src, uint64_t size, uint64_t offset);

}  // namespace kiln::seqio
