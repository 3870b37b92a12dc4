#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "kiln/error.h"
#include "kiln/png.h"

namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("kiln_test_png_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::vector<uint8_t> pattern(uint32_t w, uint32_t h, uint32_t channels) {
  std::vector<uint8_t> p(size_t(w) * h * channels);
  for (size_t i = 0; i < p.size(); ++i) p[i] = uint8_t(i * 31 + i / 7);
  return p;
}

std::string error_of(const std::string& path) {
  try {
    kiln::read_png(path);
  } catch (const kiln::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Png, RoundtripEveryChannelCount) {
  const fs::path dir = temp_dir();
  for (uint32_t channels = 1; channels <= 4; ++channels) {
    const std::vector<uint8_t> pixels = pattern(13, 7, channels);
    const std::string path = (dir / ("rt" + std::to_string(channels) + ".png")).string();
    kiln::write_png(path, 13, 7, channels, pixels.data());
    const kiln::PngImage img = kiln::read_png(path);
    EXPECT_EQ(img.width, 13u);
    EXPECT_EQ(img.height, 7u);
    EXPECT_EQ(img.channels, channels);
    EXPECT_EQ(img.pixels, pixels) << "channels " << channels;
  }
  fs::remove_all(dir);
}

TEST(Png, WriteHonoursStride) {
  const fs::path dir = temp_dir();
  // 3 RGBA pixels per row, padded to 16 bytes per row; the padding must not reach the file.
  std::vector<uint8_t> padded(16 * 2, 0xEE);
  for (uint32_t y = 0; y < 2; ++y)
    for (uint32_t i = 0; i < 12; ++i) padded[y * 16 + i] = uint8_t(y * 100 + i);
  const std::string path = (dir / "stride.png").string();
  kiln::write_png(path, 3, 2, 4, padded.data(), 16);
  const kiln::PngImage img = kiln::read_png(path);
  ASSERT_EQ(img.pixels.size(), 24u);
  EXPECT_EQ(img.pixel(0, 1)[0], 100);
  EXPECT_EQ(img.pixel(2, 1)[3], 111);
  EXPECT_EQ(img.pixel(2, 0)[3], 11);
  fs::remove_all(dir);
}

TEST(Png, MissingFileNamesPath) {
  const std::string msg = error_of("/nonexistent/dir/missing.png");
  EXPECT_NE(msg.find("/nonexistent/dir/missing.png"), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file"), std::string::npos) << msg;
}

TEST(Png, TruncatedFileSaysTruncated) {
  const fs::path dir = temp_dir();
  const std::vector<uint8_t> pixels = pattern(64, 64, 4);
  const std::string good = (dir / "good.png").string();
  kiln::write_png(good, 64, 64, 4, pixels.data());
  std::ifstream in(good, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 200u);
  const std::string cut = (dir / "cut.png").string();
  std::ofstream(cut, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() / 2));

  const std::string msg = error_of(cut);
  EXPECT_NE(msg.find(cut), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(Png, NotAPngSaysSo) {
  const fs::path dir = temp_dir();
  const std::string path = (dir / "text.png").string();
  std::ofstream(path) << "this is a text file, not an image\n";
  const std::string msg = error_of(path);
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("not a PNG"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(Png, CompareCountsPixelsBeyondTolerance) {
  kiln::PngImage a{.width = 4, .height = 1, .channels = 2, .pixels = {10, 10, 20, 20, 30, 30, 40, 40}};
  kiln::PngImage b = a;
  b.pixels[1] = 12;  // pixel 0: diff 2, within tolerance 2
  b.pixels[4] = 35;  // pixel 2: diff 5
  const kiln::ImageDiff d = kiln::compare_images(a, b, 2);
  EXPECT_EQ(d.max_diff, 5u);
  EXPECT_EQ(d.mismatched_pixels, 1u);
  EXPECT_EQ(d.pixels, 4u);
  kiln::PngImage c = a;
  c.width = 2;
  c.height = 2;
  EXPECT_THROW(kiln::compare_images(a, c, 0), kiln::Error);
}
