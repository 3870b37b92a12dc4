// .npy version 1.0: "\x93NUMPY", 1, 0, a little-endian uint16 header length, then a Python dict literal
// padded with spaces and ending in '\n' so that the data starts at a multiple of 64 bytes.
#include "kiln/npy.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {
namespace {

struct TypeInfo {
  NpyType type;
  const char* descr;
  const char* name;
  uint32_t size;
};

constexpr TypeInfo kTypes[] = {
    {NpyType::U8, "|u1", "uint8", 1},     {NpyType::I8, "|i1", "int8", 1},       {NpyType::U16, "<u2", "uint16", 2},
    {NpyType::I16, "<i2", "int16", 2},    {NpyType::U32, "<u4", "uint32", 4},    {NpyType::I32, "<i4", "int32", 4},
    {NpyType::U64, "<u8", "uint64", 8},   {NpyType::I64, "<i8", "int64", 8},     {NpyType::F16, "<f2", "float16", 2},
    {NpyType::F32, "<f4", "float32", 4},  {NpyType::F64, "<f8", "float64", 8},
};

const TypeInfo& info(NpyType type) { return kTypes[static_cast<uint32_t>(type)]; }

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

uint64_t element_count(const std::vector<uint64_t>& shape) {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

// Parses "(3, 4, 1)", "(5,)" or "()".
std::vector<uint64_t> parse_shape(const std::string& text, const std::string& path) {
  std::vector<uint64_t> shape;
  size_t i = text.find('(');
  const size_t end = text.find(')', i);
  if (i == std::string::npos || end == std::string::npos) throw Error(str("'", path, "': npy header has no shape"));
  for (++i; i < end;) {
    while (i < end && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i >= end) break;
    size_t used = 0;
    shape.push_back(std::stoull(text.substr(i, end - i), &used));
    i += used;
  }
  return shape;
}

// The quoted value after `'key':` in the header dict.
std::string dict_value(const std::string& dict, const std::string& key, const std::string& path) {
  const size_t k = dict.find("'" + key + "'");
  if (k == std::string::npos) throw Error(str("'", path, "': npy header has no '", key, "'"));
  size_t v = dict.find(':', k);
  while (v != std::string::npos && (dict[v] == ':' || dict[v] == ' ')) ++v;
  if (v == std::string::npos) throw Error(str("'", path, "': npy header '", key, "' has no value"));
  if (dict[v] == '\'') {
    const size_t close = dict.find('\'', v + 1);
    return dict.substr(v + 1, close - v - 1);
  }
  const size_t close = dict.find_first_of(",}", v);
  return dict.substr(v, close - v);
}

}  // namespace

const char* npy_descr(NpyType type) { return info(type).descr; }
const char* npy_type_name(NpyType type) { return info(type).name; }
uint32_t npy_type_size(NpyType type) { return info(type).size; }

std::string npy_header(NpyType type, const std::vector<uint64_t>& shape) {
  std::string dims;
  for (uint64_t d : shape) dims += str(d, ", ");
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // numpy writes "(5,)" for one dimension
  if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string dict = str("{'descr': '", npy_descr(type), "', 'fortran_order': False, 'shape': (", dims, "), }");
  const size_t unpadded = kMagicSize + 2 + 2 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header(kMagic, kMagicSize);
  header += char(1);
  header += char(0);
  header += char(dict.size() & 0xff);
  header += char(dict.size() >> 8);
  return header + dict;
}

void write_npy(const std::string& path, NpyType type, const std::vector<uint64_t>& shape, const void* data,
               size_t bytes) {
  const uint64_t expected = element_count(shape) * npy_type_size(type);
  if (expected != bytes) {
    throw Error(str("writing '", path, "': ", bytes, " bytes given for ", element_count(shape), " elements of ",
                    npy_type_name(type), " (", expected, " bytes)"));
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string header = npy_header(type, shape);
  out.write(header.data(), std::streamsize(header.size()));
  if (bytes) out.write(static_cast<const char*>(data), std::streamsize(bytes));
  if (!out) throw Error(str("cannot write '", path, "'"));
}

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(str("cannot open '", path, "'"));
  const std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 10 || std::memcmp(file.data(), kMagic, kMagicSize) != 0) {
    throw Error(str("'", path, "' is not a .npy file (no \\x93NUMPY magic)"));
  }
  size_t header_len = 0, dict_start = 0;
  if (file[6] == 1) {
    header_len = size_t(file[8]) | size_t(file[9]) << 8;
    dict_start = 10;
  } else if (file[6] == 2 || file[6] == 3) {
    if (file.size() < 12) throw Error(str("'", path, "': truncated npy header"));
    header_len = size_t(file[8]) | size_t(file[9]) << 8 | size_t(file[10]) << 16 | size_t(file[11]) << 24;
    dict_start = 12;
  } else {
    throw Error(str("'", path, "': npy version ", int(file[6]), " is not supported"));
  }
  if (dict_start + header_len > file.size()) throw Error(str("'", path, "': truncated npy header"));
  const std::string dict(reinterpret_cast<const char*>(file.data()) + dict_start, header_len);

  NpyArray a;
  const std::string descr = dict_value(dict, "descr", path);
  bool found = false;
  for (const TypeInfo& t : kTypes) {
    // numpy writes single bytes as '|u1'; accept '<u1' too.
    if (descr == t.descr || (t.size == 1 && descr.size() == 3 && descr.substr(1) == std::string(t.descr).substr(1))) {
      a.type = t.type;
      found = true;
    }
  }
  if (!found) throw Error(str("'", path, "': dtype '", descr, "' is not supported"));
  if (dict_value(dict, "fortran_order", path) != "False") {
    throw Error(str("'", path, "': Fortran-ordered arrays are not supported"));
  }
  a.shape = parse_shape(dict.substr(dict.find("'shape'")), path);
  const uint64_t bytes = element_count(a.shape) * npy_type_size(a.type);
  const size_t data_start = dict_start + header_len;
  if (file.size() - data_start != bytes) {
    throw Error(str("'", path, "': ", file.size() - data_start, " data bytes, expected ", bytes));
  }
  a.data.assign(file.begin() + std::ptrdiff_t(data_start), file.end());
  return a;
}

}  // namespace kiln
