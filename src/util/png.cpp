#include "kiln/png.h"

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "kiln/error.h"
#include "kiln/log.h"

// libpng reports errors by longjmp. The functions that call libpng under setjmp hold only plain C
// locals, so the jump never skips a C++ destructor; C++ objects live in the callers.

namespace kiln {
namespace {

struct PngIo {
  png_structp png = nullptr;
  png_infop info = nullptr;
  FILE* file = nullptr;
  char message[256] = {};
};

void on_error(png_structp png, png_const_charp message) {
  auto* io = static_cast<PngIo*>(png_get_error_ptr(png));
  std::snprintf(io->message, sizeof(io->message), "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp message) {
  log(LogLevel::Debug, str("libpng: ", message));
}

// The default reader says only "Read Error"; a short read almost always means a truncated file.
void read_data(png_structp png, png_bytep data, png_size_t length) {
  auto* io = static_cast<PngIo*>(png_get_io_ptr(png));
  if (std::fread(data, 1, length, io->file) != length) {
    png_error(png, std::ferror(io->file) ? "read error" : "unexpected end of file (the file is truncated)");
  }
}

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// Phase 1 of reading: header and transformations. Returns false with io->message set.
bool read_header(PngIo* io, uint32_t* width, uint32_t* height, uint32_t* channels) {
  if (setjmp(png_jmpbuf(io->png))) return false;
  png_set_read_fn(io->png, io, read_data);
  png_set_sig_bytes(io->png, 8);
  png_read_info(io->png, io->info);
  png_uint_32 w = 0, h = 0;
  int depth = 0, color = 0;
  png_get_IHDR(io->png, io->info, &w, &h, &depth, &color, nullptr, nullptr, nullptr);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(io->png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(io->png);
  if (png_get_valid(io->png, io->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(io->png);
  if (depth == 16) png_set_strip_16(io->png);
  png_set_packing(io->png);
  png_read_update_info(io->png, io->info);
  *width = w;
  *height = h;
  *channels = png_get_channels(io->png, io->info);
  return true;
}

// Phase 2: the rows, into memory the caller owns.
bool read_rows(PngIo* io, png_bytepp rows) {
  if (setjmp(png_jmpbuf(io->png))) return false;
  png_read_image(io->png, rows);
  png_read_end(io->png, nullptr);
  return true;
}

bool write_all(PngIo* io, uint32_t width, uint32_t height, uint32_t channels, const uint8_t* pixels,
               size_t stride) {
  if (setjmp(png_jmpbuf(io->png))) return false;
  static const int kColorTypes[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                    PNG_COLOR_TYPE_RGB_ALPHA};
  png_init_io(io->png, io->file);
  // Test and example images are written often and read rarely: favour speed over size.
  png_set_compression_level(io->png, 3);
  png_set_IHDR(io->png, io->info, width, height, 8, kColorTypes[channels - 1], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(io->png, io->info);
  for (uint32_t y = 0; y < height; ++y) {
    png_write_row(io->png, pixels + size_t(y) * stride);
  }
  png_write_end(io->png, nullptr);
  return true;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

PngImage read_png(const std::string& path) {
  return with_context(str("reading PNG '", path, "'"), [&] {
    std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) throw Error(str("cannot open: ", errno_text()));
    png_byte signature[8] = {};
    size_t got = std::fread(signature, 1, sizeof(signature), file.get());
    if (got < sizeof(signature) || png_sig_cmp(signature, 0, sizeof(signature)) != 0) {
      throw Error(got == 0 ? "not a PNG file (the file is empty)"
                           : "not a PNG file (its first bytes are not the PNG signature)");
    }
    PngIo io;
    io.file = file.get();
    io.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, on_error, on_warning);
    if (!io.png) throw Error("png_create_read_struct failed");
    io.info = png_create_info_struct(io.png);
    struct Destroy {
      PngIo& io;
      ~Destroy() { png_destroy_read_struct(&io.png, io.info ? &io.info : nullptr, nullptr); }
    } destroy{io};
    if (!io.info) throw Error("png_create_info_struct failed");

    PngImage image;
    if (!read_header(&io, &image.width, &image.height, &image.channels)) throw Error(io.message);
    if (image.channels < 1 || image.channels > 4) {
      throw Error(str("unsupported channel count ", image.channels));
    }
    const size_t row_bytes = size_t(image.width) * image.channels;
    image.pixels.resize(row_bytes * image.height);
    std::vector<png_bytep> rows(image.height);
    for (uint32_t y = 0; y < image.height; ++y) rows[y] = image.pixels.data() + y * row_bytes;
    if (!read_rows(&io, rows.data())) throw Error(io.message);
    return image;
  });
}

void write_png(const std::string& path, uint32_t width, uint32_t height, uint32_t channels,
               const uint8_t* pixels, size_t stride) {
  with_context(str("writing PNG '", path, "'"), [&] {
    if (channels < 1 || channels > 4) throw Error(str("channels must be 1..4, not ", channels));
    if (width == 0 || height == 0) throw Error(str("empty image (", width, "x", height, ")"));
    if (!pixels) throw Error("no pixels (null pointer)");
    if (stride == 0) stride = size_t(width) * channels;
    if (stride < size_t(width) * channels) {
      throw Error(str("stride ", stride, " is less than a row (", size_t(width) * channels, " bytes)"));
    }
    std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
    if (!file) throw Error(str("cannot create: ", errno_text()));
    PngIo io;
    io.file = file.get();
    io.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &io, on_error, on_warning);
    if (!io.png) throw Error("png_create_write_struct failed");
    io.info = png_create_info_struct(io.png);
    struct Destroy {
      PngIo& io;
      ~Destroy() { png_destroy_write_struct(&io.png, io.info ? &io.info : nullptr); }
    } destroy{io};
    if (!io.info) throw Error("png_create_info_struct failed");
    if (!write_all(&io, width, height, channels, pixels, stride)) throw Error(io.message);
    if (std::fflush(file.get()) != 0) throw Error(str("write failed: ", errno_text()));
  });
}

ImageDiff compare_images(const PngImage& a, const PngImage& b, uint32_t tolerance) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels) {
    throw Error(str("comparing images: different shapes (", a.width, "x", a.height, "x", a.channels, " vs ",
                    b.width, "x", b.height, "x", b.channels, ")"));
  }
  ImageDiff diff;
  diff.pixels = uint64_t(a.width) * a.height;
  for (uint64_t p = 0; p < diff.pixels; ++p) {
    bool mismatch = false;
    for (uint32_t c = 0; c < a.channels; ++c) {
      const size_t i = p * a.channels + c;
      const uint32_t d = uint32_t(std::abs(int(a.pixels[i]) - int(b.pixels[i])));
      if (d > diff.max_diff) diff.max_diff = d;
      mismatch |= d > tolerance;
    }
    diff.mismatched_pixels += mismatch;
  }
  return diff;
}

}  // namespace kiln
