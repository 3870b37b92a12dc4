// Opening a sequence: every header and index field is checked against the file before anything is
// trusted, so that a damaged or foreign file fails with its path, the offset and what was expected.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "kiln/format.h"
#include "kiln/hash.h"
#include "kiln/log.h"
#include "stream/sequence/file_io.h"
#include "stream/sequence/reader_impl.h"

namespace kiln {
namespace {

std::string hex(uint64_t v) { return str("0x", std::hex, v); }

std::string printable(const uint8_t* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (p[i] >= 32 && p[i] < 127) ? char(p[i]) : '.';
  return s;
}

}  // namespace

void SequenceReader::Impl::open() {
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw SequenceError(path, 0, str("cannot open the sequence file: ", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw SequenceError(path, 0, str("fstat: ", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) throw SequenceError(path, 0, "not a regular file (expected a kiln sequence file)");
  file_size = static_cast<uint64_t>(st.st_size);
  if (file_size < seqfmt::kHeaderSize) {
    throw SequenceError(path, file_size, str("the file is ", file_size, " bytes, shorter than the ", seqfmt::kHeaderSize,
                                             "-byte header: not a kiln sequence file, or truncated"));
  }
  uint8_t hb[seqfmt::kHeaderSize];
  seqio::pread_all(fd, path, hb, sizeof(hb), 0, "the header");
  if (std::memcmp(hb, seqfmt::kMagic, sizeof(seqfmt::kMagic)) != 0) {
    throw SequenceError(path, 0, str("not a kiln sequence file: it starts with '", printable(hb, 8),
                                     "', expected the magic 'KILNSEQ\\0'"));
  }
  seqfmt::ByteReader r{.data = hb, .size = sizeof(hb)};
  r.pos = 8;
  header.version = r.get<uint32_t>();
  header.header_size = r.get<uint32_t>();
  header.frame_count = r.get<uint32_t>();
  header.field_count = r.get<uint32_t>();
  header.index_offset = r.get<uint64_t>();
  header.index_size = r.get<uint64_t>();
  header.index_checksum = r.get<uint64_t>();
  r.pos = seqfmt::kHeaderChecksumOffset;
  const uint64_t stored_sum = r.get<uint64_t>();
  const uint64_t sum = hash64(hb, seqfmt::kHeaderChecksumOffset);
  if (header.version == 0 || header.version > seqfmt::kVersion) {
    throw SequenceError(path, 8, str("sequence format version ", header.version, " is not supported (this kiln reads ",
                                     "versions 1 to ", seqfmt::kVersion, ")"));
  }
  if (stored_sum != sum) {
    throw SequenceError(path, seqfmt::kHeaderChecksumOffset,
                        str("header checksum mismatch (stored ", hex(stored_sum), ", computed ", hex(sum),
                            "): the header is corrupt"));
  }
  if (header.header_size != seqfmt::kHeaderSize) {
    throw SequenceError(path, 12, str("header size ", header.header_size, ", expected ", seqfmt::kHeaderSize));
  }
  if (header.index_offset == 0) {
    throw SequenceError(path, 24, "the sequence has no index: its writer did not finish (crashed or was interrupted)");
  }
  if (header.index_offset < seqfmt::kHeaderSize || header.index_offset > file_size ||
      header.index_size != file_size - header.index_offset) {
    throw SequenceError(path, 24, str("the index should span bytes [", header.index_offset, ", ",
                                      header.index_offset + header.index_size, ") and end the file, but the file is ",
                                      file_size, " bytes (truncated or appended to)"));
  }
  if (header.field_count == 0) throw SequenceError(path, 20, "the header says the sequence has no fields");

  std::vector<uint8_t> index(header.index_size);
  seqio::pread_all(fd, path, index.data(), index.size(), header.index_offset, "the index");
  const uint64_t isum = hash64(index.data(), index.size());
  if (isum != header.index_checksum) {
    throw SequenceError(path, header.index_offset,
                        str("index checksum mismatch (stored ", hex(header.index_checksum), ", computed ", hex(isum),
                            "): the index is corrupt"));
  }

  seqfmt::ByteReader in{.data = index.data(), .size = index.size(), .base = header.index_offset};
  auto fail = [&](uint64_t at, const std::string& what) { throw SequenceError(path, at, "index: " + what); };
  std::set<std::string> names;
  for (uint32_t f = 0; f < header.field_count; ++f) {
    const uint64_t at = in.file_offset();
    FieldDesc d;
    const uint32_t kind = in.get<uint32_t>();
    d.element_size = in.get<uint32_t>();
    d.format = static_cast<VkFormat>(in.get<uint32_t>());
    d.width = in.get<uint32_t>();
    d.height = in.get<uint32_t>();
    const uint32_t name_size = in.get<uint32_t>();
    if (!in.ok) fail(at, str("field ", f, " is cut off by the end of the index"));
    if (kind > static_cast<uint32_t>(FieldKind::Image2D)) fail(at, str("field ", f, " has kind ", kind, ", expected 0 (buffer) or 1 (image2d)"));
    d.kind = static_cast<FieldKind>(kind);
    if (name_size == 0 || !in.has(name_size)) fail(at + 20, str("field ", f, " has a name of ", name_size, " bytes, which does not fit in the index"));
    d.name.assign(reinterpret_cast<const char*>(in.data + in.pos), name_size);
    in.pos += name_size;
    if (!names.insert(d.name).second) fail(at, str("two fields are named '", d.name, "'"));
    if (d.kind == FieldKind::Image2D && (d.width == 0 || d.height == 0 || format_texel_bytes(d.format) == 0)) {
      fail(at, str("image field '", d.name, "' has format ", uint32_t(d.format), " and extent ", d.width, "x", d.height,
                   ", expected a known format and a non-zero extent"));
    }
    layout.fields.push_back(std::move(d));
  }
  const uint64_t meta_at = in.file_offset();
  const uint64_t meta_size = in.get<uint64_t>();
  if (!in.ok || !in.has(meta_size)) fail(meta_at, str("metadata of ", meta_size, " bytes does not fit in the index"));
  layout.metadata.assign(reinterpret_cast<const char*>(in.data + in.pos), meta_size);
  in.pos += meta_size;

  const uint64_t fields = header.field_count;
  const uint64_t record = seqfmt::kFrameRecordSize + fields * seqfmt::kBlobRecordSize;
  const uint64_t rest = in.size - in.pos;
  if (rest % record != 0 || rest / record != header.frame_count) {
    fail(in.file_offset(), str("the frame table holds ", rest, " bytes, expected ", header.frame_count, " frames of ",
                               record, " bytes"));
  }
  frames.resize(header.frame_count);
  blobs.resize(header.frame_count * fields);
  frame_raw.assign(header.frame_count, 0);
  for (uint32_t i = 0; i < header.frame_count; ++i) {
    for (float& p : frames[i].position) p = in.get<float>();
    in.get<uint32_t>();
    for (uint32_t f = 0; f < fields; ++f) {
      const uint64_t at = in.file_offset();
      BlobInfo& b = blobs[i * fields + f];
      b.offset = in.get<uint64_t>();
      b.stored_size = in.get<uint64_t>();
      b.raw_size = in.get<uint64_t>();
      b.checksum = in.get<uint64_t>();
      const uint32_t c = in.get<uint32_t>();
      in.get<uint32_t>();
      const std::string who = str("frame ", i, " field '", layout.fields[f].name, "': ");
      if (c > static_cast<uint32_t>(Compression::Zstd)) fail(at, who + str("compression ", c, ", expected 0 (none), 1 (lz4) or 2 (zstd)"));
      b.compression = static_cast<Compression>(c);
      if (b.offset < seqfmt::kHeaderSize || b.offset > header.index_offset ||
          b.stored_size > header.index_offset - b.offset) {
        fail(at, who + str("blob at [", b.offset, ", ", b.offset + b.stored_size, ") lies outside the blob area [",
                           seqfmt::kHeaderSize, ", ", header.index_offset, ")"));
      }
      if (b.compression == Compression::None && b.stored_size != b.raw_size) {
        fail(at, who + str("uncompressed blob with stored size ", b.stored_size, " and raw size ", b.raw_size,
                           ", expected them equal"));
      }
      const FieldDesc& d = layout.fields[f];
      if (d.kind == FieldKind::Image2D) {
        const uint64_t want = format_size(d.format, {d.width, d.height, 1});
        if (b.raw_size != want) fail(at, who + str("raw size ", b.raw_size, ", expected ", want, " for its image"));
      }
      if (b.raw_size > (uint64_t(1) << 48)) fail(at, who + str("raw size ", b.raw_size, " is implausible"));
      frame_raw[i] += b.raw_size;
    }
  }
}

}  // namespace kiln
