// kiln/png.h — PNG files in and out, 8 bits per channel, and a pixel comparison for tests.
//
//   kiln::write_png("out.png", 256, 256, 4, pixels);          // tightly packed RGBA8 rows
//   kiln::PngImage img = kiln::read_png("tests/data/ref.png");  // any PNG, expanded to 8-bit
//   kiln::ImageDiff d = kiln::compare_images(img, other, 2);    // channels differing by more than 2
//
// Reading expands palettes, low bit depths and tRNS transparency and reduces 16-bit samples to 8, but
// keeps the file's channel count (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). No gamma or colour-space
// conversion: the bytes are the bytes. Failures throw kiln::Error naming the file and what was wrong.
// Not an image library: no resizing, no other formats, no 16-bit output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

struct PngImage {
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t channels = 0;        // 1..4
  std::vector<uint8_t> pixels;  // rows top to bottom, tightly packed: width * channels bytes each

  const uint8_t* pixel(uint32_t x, uint32_t y) const { return pixels.data() + (size_t(y) * width + x) * channels; }
};

// `stride`: bytes from one row to the next; 0 means width * channels.
void write_png(const std::string& path, uint32_t width, uint32_t height, uint32_t channels,
               const uint8_t* pixels, size_t stride = 0);
PngImage read_png(const std::string& path);

struct ImageDiff {
  uint32_t max_diff = 0;            // the largest absolute difference of any channel
  uint64_t mismatched_pixels = 0;   // pixels with at least one channel differing by more than tolerance
  uint64_t pixels = 0;              // pixels compared
};

// Throws kiln::Error when the sizes or channel counts differ.
ImageDiff compare_images(const PngImage& a, const PngImage& b, uint32_t tolerance);

}  // namespace kiln
