// Names of enums, field lookup, and SequenceError's message.
#include <string>

#include "kiln/log.h"
#include "kiln/sequence_file.h"

namespace kiln {

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::None: return "none";
    case Compression::Lz4: return "lz4";
    case Compression::Zstd: return "zstd";
  }
  return "unknown";
}

Compression parse_compression(std::string_view name) {
  if (name == "none") return Compression::None;
  if (name == "lz4") return Compression::Lz4;
  if (name == "zstd") return Compression::Zstd;
  throw Error(str("unknown compression '", name, "' (valid: none, lz4, zstd)"));
}

const char* field_kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::Buffer: return "buffer";
    case FieldKind::Image2D: return "image2d";
  }
  return "unknown";
}

uint32_t SequenceLayout::field_index(std::string_view name) const {
  std::string names;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<uint32_t>(i);
    names += (names.empty() ? "'" : ", '") + fields[i].name + "'";
  }
  throw Error(str("no field '", name, "' in this sequence (its fields: ", names.empty() ? "none" : names, ")"));
}

SequenceError::SequenceError(std::string path, uint64_t offset, const std::string& what)
    : Error(str(path, ": offset ", offset, ": ", what)), path_(std::move(path)), offset_(offset) {}

}  // namespace kiln
