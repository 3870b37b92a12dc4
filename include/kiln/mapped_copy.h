// kiln/mapped_copy.h — copying into memory the GPU reads next (mapped staging, ReBAR), at the rate
// the CPU's memory allows.
//
// A plain memcpy of a few KiB into ordinary write-back memory first reads every destination cache
// line (read for ownership) and leaves it in the cache to be written back later: twice the memory
// traffic of the copy itself, on the bus the GPU's DMA reads share. copy_to_mapped writes whole
// lines with non-temporal stores instead (x86-64; elsewhere it is memcpy). The destination is not
// in the CPU's cache afterwards: use it for memory only the GPU reads. Any alignment, any size.
#pragma once

#include <cstddef>

namespace kiln {

void copy_to_mapped(void* dst, const void* src, size_t size);

}  // namespace kiln
