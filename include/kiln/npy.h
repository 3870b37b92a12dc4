// kiln/npy.h — NumPy .npy files out (and back in, for tests and tools): one array, a dtype and a shape.
//
//   kiln::write_npy("depth.npy", kiln::NpyType::F32, {height, width, 1}, texels, bytes);
//   kiln::NpyArray a = kiln::read_npy("depth.npy");  // a.type, a.shape, a.data (raw little-endian bytes)
//
// Writes format version 1.0, C order, little-endian, header padded to 64 bytes as numpy does, so
// `numpy.load` reads the files as they are. The data is written as given: no conversion, no byte swapping.
// Reading accepts what this writer writes (and numpy's own simple arrays of the same dtypes); not here:
// Fortran order, structured dtypes, pickled objects, compression (.npz).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

enum class NpyType : uint32_t { U8, I8, U16, I16, U32, I32, U64, I64, F16, F32, F64 };

// The numpy descr string: "|u1", "<u2", "<f4" ...
const char* npy_descr(NpyType type);
// The numpy dtype name: "uint8", "float16", ...
const char* npy_type_name(NpyType type);
uint32_t npy_type_size(NpyType type);

// The complete header (magic, version, length, dict, padding): its size is a multiple of 64.
std::string npy_header(NpyType type, const std::vector<uint64_t>& shape);

// `bytes` must equal the product of `shape` times the type's size; throws kiln::Error naming the path
// when it does not, or when the file cannot be written.
void write_npy(const std::string& path, NpyType type, const std::vector<uint64_t>& shape, const void* data,
               size_t bytes);

struct NpyArray {
  NpyType type = NpyType::U8;
  std::vector<uint64_t> shape;
  std::vector<uint8_t> data;  // raw little-endian elements, C order
};

// Throws kiln::Error naming the path and what was wrong.
NpyArray read_npy(const std::string& path);

}  // namespace kiln
