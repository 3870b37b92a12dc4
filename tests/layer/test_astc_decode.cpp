// The capture layer's ASTC decoder (src/layer/dump/astc_decode.cpp) against ARM's reference codec, astcenc
// 4.2 (Debian's astcenc package; scripts/deps.sh installs it): images made here to exercise many block
// kinds are compressed by astcenc in every 2D footprint, LDR linear and sRGB and HDR, and our decoding of
// its blocks is compared with its own decoding, bit for bit; the block kinds covered are counted and
// asserted. Then illegal blocks built by hand, random blocks (never out of bounds, errors in the error
// colour), and the capture writer's ASTC files (PNG, float16 .npy, raw blocks beside them).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kiln/npy.h"
#include "kiln/png.h"
#include "layer/dump/astc_decode.h"
#include "layer/dump/block_decode.h"
#include "layer/dump/image_file.h"
#include "layer/dump/write_capture.h"

namespace fs = std::filesystem;
using kiln::layer::astc_block_info;
using kiln::layer::AstcBlockInfo;
using kiln::layer::decode_astc_block_float16;
using kiln::layer::decode_astc_block_unorm8;

namespace {

// Strings joined by appending (GCC 12 at -O3 warns falsely on "literal" + std::string).
template <typename... T>
std::string cat(const T&... parts) {
  std::string s;
  ((s += parts), ...);
  return s;
}

struct Footprint {
  uint32_t w, h;
};
constexpr Footprint kFootprints[14] = {{4, 4},  {5, 4},  {5, 5},  {6, 5},   {6, 6},   {8, 5},   {8, 6},
                                       {8, 8},  {10, 5}, {10, 6}, {10, 8},  {10, 10}, {12, 10}, {12, 12}};

std::string name(Footprint f) { return cat(std::to_string(f.w), "x", std::to_string(f.h)); }

// The astcenc binary: found by CMake, else on PATH. Missing is a failure, not a skip: without it nothing
// here checks the decoder.
std::string astcenc() {
  const std::string configured = KILN_ASTCENC;
  if (!configured.empty() && ::access(configured.c_str(), X_OK) == 0) return configured;
  if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    for (size_t start = 0; start <= dirs.size();) {
      const size_t end = std::min(dirs.find(':', start), dirs.size());
      const std::string candidate = cat(dirs.substr(start, end - start), "/astcenc");
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  return {};
}

#define REQUIRE_ASTCENC()                                                                                    \
  const std::string astcenc_bin = astcenc();                                                                 \
  ASSERT_FALSE(astcenc_bin.empty()) << "astcenc (ARM's ASTC reference codec) is not installed, so the ASTC " \
                                       "decoder cannot be checked: install it with `apt-get install "        \
                                       "astcenc` (scripts/deps.sh does)"

// A folder of this test's own: ctest runs the tests of this file in parallel.
fs::path work_dir() {
  const fs::path dir = fs::path(KILN_ASTC_TEST_OUT) /
                       cat(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()), "_",
                           std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs astcenc with `args`; its output goes to a log shown on failure.
void run_astcenc(const std::string& bin, const fs::path& dir, const std::string& args) {
  const fs::path log = dir / "astcenc.log";
  const std::string command = cat(bin, " ", args, " -silent > ", log.string(), " 2>&1");
  const int status = std::system(command.c_str());
  if (status != 0) {
    std::ifstream in(log);
    FAIL() << "`" << command << "` failed (" << status << "):\n" << std::string(std::istreambuf_iterator<char>(in), {});
  }
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An .astc file: a 16-byte header (magic, block size, image size), then the blocks row after row.
struct AstcFile {
  uint32_t bw = 0, bh = 0, width = 0, height = 0;
  std::vector<uint8_t> blocks;
  const uint8_t* block(uint32_t bx, uint32_t by) const {
    return blocks.data() + (size_t(by) * ((width + bw - 1) / bw) + bx) * 16;
  }
};

AstcFile read_astc(const fs::path& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  AstcFile f;
  EXPECT_GE(bytes.size(), 16u);
  if (bytes.size() < 16) return f;
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 4), (std::vector<uint8_t>{0x13, 0xAB, 0xA1, 0x5C}));
  f.bw = bytes[4], f.bh = bytes[5];
  f.width = bytes[7] | (bytes[8] << 8) | (bytes[9] << 16);
  f.height = bytes[10] | (bytes[11] << 8) | (bytes[12] << 16);
  f.blocks.assign(bytes.begin() + 16, bytes.end());
  EXPECT_EQ(f.blocks.size(), size_t((f.width + f.bw - 1) / f.bw) * ((f.height + f.bh - 1) / f.bh) * 16);
  return f;
}

// KTX 1 with RGBA half floats, both ways: astcenc reads HDR input and writes HDR output so.
constexpr uint8_t kKtxMagic[12] = {0xAB, 0x4B, 0x54, 0x58, 0x20, 0x31, 0x31, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A};

void write_ktx_rgba16f(const fs::path& path, uint32_t w, uint32_t h, const std::vector<uint16_t>& halves) {
  std::vector<uint32_t> header = {0x04030201, 0x140B /*HALF_FLOAT*/, 2, 0x1908 /*RGBA*/, 0x881A /*RGBA16F*/,
                                  0x1908, w, h, 0, 0, 1, 1, 0, uint32_t(halves.size() * 2)};
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(kKtxMagic), 12);
  out.write(reinterpret_cast<const char*>(header.data()), std::streamsize(header.size() * 4));
  out.write(reinterpret_cast<const char*>(halves.data()), std::streamsize(halves.size() * 2));
}

std::vector<uint16_t> read_ktx_rgba16f(const fs::path& path, uint32_t w, uint32_t h) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  std::vector<uint16_t> halves;
  if (bytes.size() < 68 || std::memcmp(bytes.data(), kKtxMagic, 12) != 0) {
    ADD_FAILURE() << path << " is not a KTX file";
    return halves;
  }
  uint32_t field[13];
  std::memcpy(field, bytes.data() + 12, sizeof field);
  EXPECT_EQ(field[1], 0x140Bu) << "glType: half float";
  EXPECT_EQ(field[3], 0x1908u) << "glFormat: RGBA";
  EXPECT_EQ(field[6], w);
  EXPECT_EQ(field[7], h);
  const size_t data = 64 + field[12] + 4, size = size_t(w) * h * 4;
  if (bytes.size() < data + size * 2) {
    ADD_FAILURE() << path << " is too short";
    return halves;
  }
  halves.resize(size);
  std::memcpy(halves.data(), bytes.data() + data, size * 2);
  return halves;
}

uint16_t to_half(float f) {
  // Round to nearest; the inputs here are finite and in range.
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const uint32_t sign = (bits >> 16) & 0x8000;
  const int exponent = int((bits >> 23) & 0xFF) - 127 + 15;
  uint32_t mantissa = bits & 0x7FFFFF;
  if (exponent <= 0) return uint16_t(sign);
  if (exponent >= 31) return uint16_t(sign | 0x7BFF);
  uint32_t h = (uint32_t(exponent) << 10) | (mantissa >> 13);
  if ((mantissa & 0x1FFF) > 0x1000 || ((mantissa & 0x1FFF) == 0x1000 && (h & 1))) ++h;
  return uint16_t(sign | h);
}

float half_value(uint16_t h) {
  const int exponent = (h >> 10) & 31, mantissa = h & 1023;
  const float v = exponent == 0 ? std::ldexp(float(mantissa), -24) : std::ldexp(float(mantissa | 1024), exponent - 25);
  return (h & 0x8000) ? -v : v;
}

// Test images, 24x24 tiles of content chosen to make an encoder use many block kinds: smooth gradients
// (one partition), noise, flat regions split by sharp edges (2 to 4 partitions), colour and alpha that do
// not follow each other (dual plane), grey (the luminance endpoint modes), constant tiles (void extent).
std::vector<uint8_t> ldr_image(uint32_t w, uint32_t h, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> px(size_t(w) * h * 4);
  std::array<std::array<uint8_t, 4>, 4> flat[64];
  for (auto& tile : flat)
    for (auto& c : tile)
      for (auto& v : c) v = uint8_t(rng());
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = px.data() + (size_t(y) * w + x) * 4;
      const uint32_t tile = (x / 24 + y / 24 * 7 + seed) % 8, tx = x % 24, ty = y % 24;
      const auto& colours = flat[(x / 24 + y / 24 * 5) % 64];
      switch (tile) {
        case 0:  // gradient, alpha with it
          p[0] = uint8_t(tx * 10), p[1] = uint8_t(ty * 9), p[2] = uint8_t(255 - (tx + ty) * 5), p[3] = uint8_t(255 - tx * 3);
          break;
        case 1:  // noise
          for (int c = 0; c < 4; ++c) p[c] = uint8_t(rng());
          break;
        case 2: {  // up to four flat regions with sharp, slanted boundaries
          const int region = (int(tx) * 3 + int(ty) > 30 ? 1 : 0) + (int(tx) - int(ty) * 2 > 2 ? 2 : 0);
          std::memcpy(p, colours[size_t(region)].data(), 4);
          p[3] = 255;
          break;
        }
        case 3:  // colour along x, alpha in stripes along y
          p[0] = uint8_t(40 + tx * 8), p[1] = uint8_t(200 - tx * 6), p[2] = uint8_t(90 + tx), p[3] = (ty / 3) % 2 ? 250 : 10;
          break;
        case 4:  // constant
          std::memcpy(p, colours[0].data(), 4);
          break;
        case 5:  // grey gradient, alpha across it
          p[0] = p[1] = p[2] = uint8_t(tx * 11), p[3] = uint8_t(ty * 10);
          break;
        case 6:  // grey, opaque, noisy
          p[0] = p[1] = p[2] = uint8_t(100 + (rng() % 40)), p[3] = 255;
          break;
        default: {  // three flat colours in a small checker, different alpha
          const int region = int((tx / 3 + ty / 4) % 3);
          std::memcpy(p, colours[size_t(region)].data(), 4);
          break;
        }
      }
    }
  }
  return px;
}

// HDR counterparts, as half floats: values up to a few thousand, grey ones (the HDR luminance modes),
// alpha both LDR-like and HDR.
std::vector<uint16_t> hdr_image(uint32_t w, uint32_t h, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<uint16_t> px(size_t(w) * h * 4);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      float c[4] = {};
      const uint32_t tile = (x / 24 + y / 24 * 7 + seed) % 6, tx = x % 24, ty = y % 24;
      switch (tile) {
        case 0: c[0] = float(tx) / 4, c[1] = float(ty) / 3, c[2] = float(tx + ty) / 50, c[3] = 1.0f - float(tx) / 30; break;
        case 1: c[0] = unit(rng) * 100, c[1] = unit(rng) * 0.01f, c[2] = unit(rng) * 5, c[3] = unit(rng); break;
        case 2: c[0] = (tx / 5 + ty / 3) % 2 ? 2000.0f : 0.001f, c[1] = 0.5f, c[2] = 30.0f * float(tx % 7), c[3] = float(ty) * 0.04f; break;
        case 3: c[0] = c[1] = c[2] = std::exp(float(tx) * 0.5f - 6 + float(ty % 5)), c[3] = 1.0f; break;
        case 4: c[0] = 3.5f, c[1] = 0.25f, c[2] = 12.0f, c[3] = 1.0f; break;
        default: c[0] = float(tx) * 40, c[1] = float(ty) * 0.02f, c[2] = 1.0f, c[3] = float(tx) * 8; break;
      }
      for (int i = 0; i < 4; ++i) px[(size_t(y) * w + x) * 4 + i] = to_half(c[i]);
    }
  }
  return px;
}

// What a run of blocks covered.
struct Coverage {
  std::map<uint32_t, uint64_t> partitions;  // 1..4
  uint64_t dual_plane = 0, void_extent = 0, hdr_void_extent = 0, blocks = 0;
  uint32_t endpoint_modes = 0;
  std::map<uint32_t, uint64_t> weight_levels, colour_levels;

  void add(const AstcBlockInfo& info) {
    ++blocks;
    EXPECT_FALSE(info.error) << "astcenc wrote an illegal block";
    if (info.void_extent) {
      ++void_extent;
      hdr_void_extent += info.hdr_void_extent;
      return;
    }
    ++partitions[info.partitions];
    dual_plane += info.dual_plane;
    endpoint_modes |= info.endpoint_modes;
    ++weight_levels[info.weight_levels];
    ++colour_levels[info.colour_levels];
  }
  std::string describe() const {
    std::string s = cat(std::to_string(blocks), " blocks: partitions");
    for (auto [p, n] : partitions) s += cat(" ", std::to_string(p), ":", std::to_string(n));
    s += cat(", dual plane ", std::to_string(dual_plane), ", void extent ", std::to_string(void_extent), " (HDR ",
             std::to_string(hdr_void_extent), "), endpoint modes");
    for (int m = 0; m < 16; ++m)
      if (endpoint_modes & (1u << m)) s += cat(" ", std::to_string(m));
    s += ", weight levels";
    for (auto [l, n] : weight_levels) s += cat(" ", std::to_string(l));
    s += ", colour levels";
    for (auto [l, n] : colour_levels) s += cat(" ", std::to_string(l));
    return s;
  }
};

// One LDR image through astcenc in one footprint, linear and sRGB, compared texel by texel. How astcenc
// 4.2 writes 8-bit images decides what can be compared exactly:
//  - It converts the spec's decode_float16 result to 8 bits as round(value * 255), not the spec's
//    decode_unorm8 (the top 8 bits of the 16-bit interpolation), which it adopted only in 4.7
//    (ARM-software/astc-encoder PR #448). So for linear blocks our decode_float16 is compared through that
//    rounding, and our 8-bit output (what the layer's PNG holds) is checked to be the top 8 bits of those
//    same values.
//  - In sRGB mode its R, G, B are the spec's (top 8 bits of endpoints expanded with 0x80), compared as they
//    are. Its alpha is expanded like R, G, B, where the spec bit-replicates alpha as in linear mode
//    (astc-encoder issue #447, also fixed in 4.7): so our sRGB alpha is checked to equal our linear alpha of
//    the same block, which is itself compared with astcenc's linear decoding of that file.
//  - Decoded in the HDR profile (-dh), the LDR blocks' half floats are compared bit for bit too.
void compare_ldr(const std::string& bin, const fs::path& dir, Footprint fp, uint32_t w, uint32_t h, uint32_t seed,
                 const char* quality, Coverage& coverage) {
  SCOPED_TRACE(cat("footprint ", name(fp), ", ", std::to_string(w), "x", std::to_string(h), " ", quality));
  const std::vector<uint8_t> pixels = ldr_image(w, h, seed);
  const fs::path in = dir / "in.png";
  kiln::write_png(in.string(), w, h, 4, pixels.data());
  for (const bool srgb : {false, true}) {
    const fs::path astc = dir / (srgb ? "s.astc" : "l.astc");
    const std::string size = cat(" ", name(fp), " -", quality);
    run_astcenc(bin, dir, cat(srgb ? "-cs " : "-cl ", in.string(), " ", astc.string(), size));
    run_astcenc(bin, dir, cat("-dl ", astc.string(), " ", (dir / "dl.png").string()));
    if (srgb) run_astcenc(bin, dir, cat("-ds ", astc.string(), " ", (dir / "ds.png").string()));
    run_astcenc(bin, dir, cat("-dh ", astc.string(), " ", (dir / "dh.ktx").string()));
    if (::testing::Test::HasFatalFailure()) return;
    const AstcFile file = read_astc(astc);
    ASSERT_EQ(file.bw, fp.w);
    ASSERT_EQ(file.bh, fp.h);
    const kiln::PngImage linear = kiln::read_png((dir / "dl.png").string());
    const kiln::PngImage srgb_ref = srgb ? kiln::read_png((dir / "ds.png").string()) : kiln::PngImage{};
    const std::vector<uint16_t> hdr_ref = read_ktx_rgba16f(dir / "dh.ktx", w, h);
    ASSERT_EQ(linear.channels, 4u);
    ASSERT_EQ(hdr_ref.size(), size_t(w) * h * 4);
    uint64_t mismatches = 0;
    auto expect = [&](bool ok, const char* what, uint32_t x, uint32_t y, int c, int ours, int theirs) {
      if (!ok && ++mismatches <= 10)
        ADD_FAILURE() << (srgb ? "sRGB file: " : "linear file: ") << what << " at texel " << x << "," << y
                      << " channel " << c << ": ours " << ours << ", expected " << theirs;
    };
    for (uint32_t by = 0; by * fp.h < h; ++by) {
      for (uint32_t bx = 0; bx * fp.w < w; ++bx) {
        const uint8_t* block = file.block(bx, by);
        coverage.add(astc_block_info(block, fp.w, fp.h));
        uint8_t unorm8[144][4], unorm8_srgb[144][4];
        uint16_t half_ldr[144][4], half_hdr[144][4];
        decode_astc_block_unorm8(block, fp.w, fp.h, false, unorm8);
        decode_astc_block_unorm8(block, fp.w, fp.h, true, unorm8_srgb);
        decode_astc_block_float16(block, fp.w, fp.h, false, half_ldr);
        decode_astc_block_float16(block, fp.w, fp.h, true, half_hdr);
        for (uint32_t ty = 0; ty < fp.h; ++ty) {
          for (uint32_t tx = 0; tx < fp.w; ++tx) {
            const uint32_t x = bx * fp.w + tx, y = by * fp.h + ty, t = ty * fp.w + tx;
            if (x >= w || y >= h) continue;
            for (int c = 0; c < 4; ++c) {
              const float v = half_value(half_ldr[t][c]);
              const int rounded = int(std::lround(v * 255.0f)), top8 = std::min(255, int(std::floor(v * 256.0f)));
              expect(rounded == linear.pixel(x, y)[c], "decode_float16 x 255", x, y, c, rounded, linear.pixel(x, y)[c]);
              expect(unorm8[t][c] == top8, "decode_unorm8 vs top 8 bits of decode_float16", x, y, c, unorm8[t][c], top8);
              const uint16_t hdr = hdr_ref[(size_t(y) * w + x) * 4 + size_t(c)];
              expect(half_hdr[t][c] == hdr, "HDR-profile half float", x, y, c, half_hdr[t][c], hdr);
              if (!srgb) continue;
              if (c < 3) {
                expect(unorm8_srgb[t][c] == srgb_ref.pixel(x, y)[c], "sRGB", x, y, c, unorm8_srgb[t][c], srgb_ref.pixel(x, y)[c]);
              } else {
                expect(unorm8_srgb[t][c] == unorm8[t][c], "sRGB alpha vs linear alpha", x, y, c, unorm8_srgb[t][c], unorm8[t][c]);
              }
            }
          }
        }
      }
    }
    EXPECT_EQ(mismatches, 0u);
  }
}

}  // namespace

// Every footprint, linear and sRGB, at -medium on a 100x90 image (not a multiple of any footprint: edge
// blocks are cut), then -thorough and -exhaustive on small images, which try more modes and partitions.
TEST(AstcDecode, LdrMatchesAstcencInEveryFootprint) {
  REQUIRE_ASTCENC();
  const fs::path dir = work_dir();
  Coverage coverage;
  uint32_t seed = 0;
  for (const Footprint& fp : kFootprints) {
    compare_ldr(astcenc_bin, dir, fp, 100, 90, seed++, "medium", coverage);
    if (HasFatalFailure()) return;
  }
  for (const Footprint fp : {Footprint{4, 4}, Footprint{6, 5}, Footprint{8, 8}}) {
    compare_ldr(astcenc_bin, dir, fp, 48, 48, seed++, "exhaustive", coverage);
  }
  compare_ldr(astcenc_bin, dir, {12, 12}, 72, 72, seed++, "thorough", coverage);
  // A constant image: void-extent blocks only.
  const std::vector<uint8_t> constant(size_t(20) * 20 * 4, 77);
  kiln::write_png((dir / "constant.png").string(), 20, 20, 4, constant.data());
  run_astcenc(astcenc_bin, dir, cat("-cl ", (dir / "constant.png").string(), " ", (dir / "c.astc").string(), " 5x5 -medium"));
  const AstcFile constant_file = read_astc(dir / "c.astc");
  ASSERT_EQ(constant_file.blocks.size(), 16u * 16);
  for (size_t b = 0; b < 16; ++b) {
    const uint8_t* block = constant_file.blocks.data() + b * 16;
    EXPECT_TRUE(astc_block_info(block, 5, 5).void_extent);
    uint8_t texels[25][4];
    decode_astc_block_unorm8(block, 5, 5, false, texels);
    for (auto& t : texels) EXPECT_EQ(std::vector<uint8_t>(t, t + 4), std::vector<uint8_t>(4, 77));
  }

  // The kinds of block the comparison went through: each must be there, or the test proves less than it says.
  std::printf("LDR coverage: %s\n", coverage.describe().c_str());
  for (uint32_t p = 1; p <= 4; ++p) EXPECT_GT(coverage.partitions[p], 0u) << p << " partitions; " << coverage.describe();
  EXPECT_GT(coverage.dual_plane, 0u) << coverage.describe();
  EXPECT_GT(coverage.void_extent, 0u) << coverage.describe();
  // Mode 1 (luminance, base and offset) astcenc does not write: LuminanceBaseOffsetByHand checks it.
  for (int mode : {0, 4, 5, 6, 8, 9, 10, 12, 13})
    EXPECT_TRUE(coverage.endpoint_modes & (1u << mode)) << "endpoint mode " << mode << "; " << coverage.describe();
  EXPECT_TRUE(std::any_of(coverage.weight_levels.begin(), coverage.weight_levels.end(),
                          [](auto& e) { return e.first % 3 == 0; })) << "trit weights; " << coverage.describe();
  EXPECT_TRUE(std::any_of(coverage.weight_levels.begin(), coverage.weight_levels.end(),
                          [](auto& e) { return e.first % 5 == 0; })) << "quint weights; " << coverage.describe();
  EXPECT_TRUE(std::any_of(coverage.colour_levels.begin(), coverage.colour_levels.end(),
                          [](auto& e) { return e.first % 3 == 0; })) << "trit endpoints; " << coverage.describe();
  EXPECT_TRUE(std::any_of(coverage.colour_levels.begin(), coverage.colour_levels.end(),
                          [](auto& e) { return e.first % 5 == 0; })) << "quint endpoints; " << coverage.describe();
  fs::remove_all(dir);
}

// HDR: astcenc's -ch (HDR colour, LDR alpha) and -cH (HDR alpha too) in every footprint, decoded by both in
// the HDR profile and compared as half-float bit patterns. The spec leaves no freedom here but the error
// colour (none of astcenc's blocks are illegal).
TEST(AstcDecode, HdrMatchesAstcencInEveryFootprint) {
  REQUIRE_ASTCENC();
  const fs::path dir = work_dir();
  Coverage coverage;
  const uint32_t w = 72, h = 54;
  uint32_t seed = 0;
  for (const Footprint& fp : kFootprints) {
    for (const char* profile : {"h", "H"}) {
      SCOPED_TRACE(cat("footprint ", name(fp), ", -c", profile));
      const std::vector<uint16_t> pixels = hdr_image(w, h, seed++);
      write_ktx_rgba16f(dir / "in.ktx", w, h, pixels);
      const fs::path astc = dir / "h.astc", out = dir / "out.ktx";
      run_astcenc(astcenc_bin, dir,
                  cat("-c", profile, " ", (dir / "in.ktx").string(), " ", astc.string(), " ", name(fp), " -medium"));
      run_astcenc(astcenc_bin, dir, cat("-d", profile, " ", astc.string(), " ", out.string()));
      if (HasFatalFailure()) return;
      const AstcFile file = read_astc(astc);
      const std::vector<uint16_t> ref = read_ktx_rgba16f(out, w, h);
      ASSERT_EQ(ref.size(), size_t(w) * h * 4);
      uint64_t mismatches = 0;
      for (uint32_t by = 0; by * fp.h < h; ++by) {
        for (uint32_t bx = 0; bx * fp.w < w; ++bx) {
          const uint8_t* block = file.block(bx, by);
          coverage.add(astc_block_info(block, fp.w, fp.h));
          uint16_t ours[144][4];
          decode_astc_block_float16(block, fp.w, fp.h, true, ours);
          for (uint32_t ty = 0; ty < fp.h; ++ty) {
            for (uint32_t tx = 0; tx < fp.w; ++tx) {
              const uint32_t x = bx * fp.w + tx, y = by * fp.h + ty;
              if (x >= w || y >= h) continue;
              for (int c = 0; c < 4; ++c) {
                const uint16_t theirs = ref[(size_t(y) * w + x) * 4 + size_t(c)], mine = ours[ty * fp.w + tx][c];
                if (mine != theirs && ++mismatches <= 10)
                  ADD_FAILURE() << "texel " << x << "," << y << " channel " << c << ": ours 0x" << std::hex << mine
                                << ", astcenc 0x" << theirs << std::dec << " (endpoint modes 0x" << std::hex
                                << astc_block_info(block, fp.w, fp.h).endpoint_modes << std::dec << ")";
              }
            }
          }
        }
      }
      EXPECT_EQ(mismatches, 0u);
    }
  }
  std::printf("HDR coverage: %s\n", coverage.describe().c_str());
  for (int mode : {2, 3, 7, 11, 14, 15})
    EXPECT_TRUE(coverage.endpoint_modes & (1u << mode)) << "HDR endpoint mode " << mode << "; " << coverage.describe();
  EXPECT_GT(coverage.hdr_void_extent, 0u) << coverage.describe();
  EXPECT_GT(coverage.partitions[2], 0u) << coverage.describe();
  EXPECT_GT(coverage.dual_plane, 0u) << coverage.describe();
  fs::remove_all(dir);
}

namespace {

// A block built field by field: `count` bits of `value` from bit `pos` (bit 0 the low bit of byte 0).
struct Bits {
  std::array<uint8_t, 16> bytes{};
  Bits& put(int pos, int count, uint64_t value) {
    for (int i = 0; i < count; ++i) {
      const int bit = pos + i;
      bytes[size_t(bit / 8)] = uint8_t((bytes[size_t(bit / 8)] & ~(1 << (bit % 8))) | (((value >> i) & 1) << (bit % 8)));
    }
    return *this;
  }
};

bool all_error_unorm8(const uint8_t (*t)[4], uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    if (t[i][0] != 255 || t[i][1] != 0 || t[i][2] != 255 || t[i][3] != 255) return false;
  return true;
}

bool all_error_half(const uint16_t (*t)[4], uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    if (t[i][0] != 0x3C00 || t[i][1] != 0 || t[i][2] != 0x3C00 || t[i][3] != 0x3C00) return false;
  return true;
}

// Block mode 0x141: a 6x4 grid of 1-bit weights (R=2, H=0, "B+4 x A+2" with B=2, A=2), single plane.
constexpr uint32_t kGrid6x4 = 0x141;

}  // namespace

// The spec's list of illegal encodings, one by one, and the error colour they give (LDR and HDR profiles);
// the legal neighbours of each decode normally.
TEST(AstcDecode, IllegalBlocksAreTheErrorColour) {
  uint8_t u8[144][4];
  uint16_t f16[144][4];
  auto error_everywhere = [&](const Bits& b, Footprint fp) {
    decode_astc_block_unorm8(b.bytes.data(), fp.w, fp.h, false, u8);
    const bool ldr = all_error_unorm8(u8, fp.w * fp.h);
    decode_astc_block_unorm8(b.bytes.data(), fp.w, fp.h, true, u8);
    const bool srgb = all_error_unorm8(u8, fp.w * fp.h);
    decode_astc_block_float16(b.bytes.data(), fp.w, fp.h, true, f16);
    const bool hdr = all_error_half(f16, fp.w * fp.h);
    EXPECT_EQ(ldr, srgb);
    EXPECT_EQ(ldr, hdr);
    EXPECT_EQ(ldr, astc_block_info(b.bytes.data(), fp.w, fp.h).error);
    return ldr;
  };
  EXPECT_TRUE(error_everywhere(Bits{}, {4, 4})) << "block mode 0: reserved";
  EXPECT_TRUE(error_everywhere(Bits().put(0, 11, 0x1C0), {8, 8})) << "reserved: bits 8:6 = 111 but not a void extent";

  // Void extents: bits 10 and 11 must be set; an extent's low coordinate must lie below its high one.
  Bits vx;
  vx.put(0, 12, 0xDFC).put(12, 52, 0xFFFFFFFFFFFFFull).put(64, 16, 0x1234).put(80, 16, 0xABCD).put(96, 16, 0xFFFF).put(112, 16, 0);
  EXPECT_FALSE(error_everywhere(vx, {4, 4}));
  decode_astc_block_unorm8(vx.bytes.data(), 6, 5, false, u8);
  EXPECT_EQ(std::vector<int>(u8[29], u8[29] + 4), (std::vector<int>{0x12, 0xAB, 0xFF, 0}));
  decode_astc_block_float16(vx.bytes.data(), 6, 5, true, f16);
  EXPECT_EQ(f16[0][0], 0x2C8D) << "0x1234 / 65536, rounded towards zero";
  EXPECT_EQ(f16[0][2], 0x3C00) << "0xFFFF is 1.0";
  EXPECT_TRUE(error_everywhere(Bits(vx).put(10, 2, 1), {4, 4})) << "void extent, reserved bit 11 clear";
  Bits extent = vx;
  extent.put(12, 13, 100).put(25, 13, 50).put(38, 13, 0).put(51, 13, 10);
  EXPECT_TRUE(error_everywhere(extent, {4, 4})) << "void extent, min S above max S";
  extent.put(25, 13, 200);
  EXPECT_FALSE(error_everywhere(extent, {4, 4})) << "void extent, a proper extent";
  // An HDR void extent (bit 9): half floats in the HDR profile, the error colour in LDR.
  Bits hdr_vx = Bits(vx).put(9, 1, 1).put(64, 16, 0x4200).put(80, 16, 0x3800).put(96, 16, 0x7BFF).put(112, 16, 0x3C00);
  decode_astc_block_unorm8(hdr_vx.bytes.data(), 4, 4, false, u8);
  EXPECT_TRUE(all_error_unorm8(u8, 16)) << "HDR void extent in LDR";
  decode_astc_block_float16(hdr_vx.bytes.data(), 4, 4, true, f16);
  EXPECT_EQ(std::vector<uint16_t>(f16[15], f16[15] + 4), (std::vector<uint16_t>{0x4200, 0x3800, 0x7BFF, 0x3C00}));

  // A 6x4 weight grid, one partition, CEM 0 (LDR luminance): legal in 6x4 and larger footprints, not in 4x4
  // or 5x5 (the grid may not exceed the footprint).
  Bits grid;
  grid.put(0, 11, kGrid6x4).put(13, 4, 0).put(17, 8, 30).put(25, 8, 220);
  EXPECT_FALSE(error_everywhere(grid, {6, 5}));
  EXPECT_FALSE(error_everywhere(grid, {12, 12}));
  EXPECT_TRUE(error_everywhere(grid, {4, 4})) << "grid wider than the footprint";
  EXPECT_TRUE(error_everywhere(grid, {5, 5})) << "grid wider than the footprint";
  // Dual plane with four partitions.
  EXPECT_FALSE(error_everywhere(Bits(grid).put(10, 1, 1), {6, 6})) << "dual plane, one partition";
  EXPECT_TRUE(error_everywhere(Bits(grid).put(10, 1, 1).put(11, 2, 3), {6, 6})) << "dual plane, four partitions";
  // Weights: a 12x5 grid of 0..31 weights is more than 96 bits; a 2x6 grid of 1-bit weights under 24 bits.
  EXPECT_TRUE(error_everywhere(Bits().put(0, 11, 0x0 | (3 << 2) | (1 << 4) | (3 << 5) | (1 << 9)), {12, 12}))
      << "12 x 5 grid of 0..31: 300 weight bits";
  EXPECT_TRUE(error_everywhere(Bits().put(0, 11, 0x1 | (3 << 2)), {12, 12})) << "2x6 grid of 1-bit weights: 12 bits";
  // More than 18 endpoint values: four partitions of RGBA (32 values).
  Bits many;
  many.put(0, 11, kGrid6x4).put(11, 2, 3).put(23, 2, 0).put(25, 4, 12);
  EXPECT_TRUE(error_everywhere(many, {6, 6})) << "4 partitions x 8 values";
  many.put(25, 4, 8);  // RGB: 24 values
  EXPECT_TRUE(error_everywhere(many, {6, 6})) << "4 partitions x 6 values";
  many.put(25, 4, 4);  // luminance + alpha: 16 values, in the 128 - 29 - 24 bits left
  EXPECT_FALSE(error_everywhere(many, {6, 6})) << "4 partitions x 4 values";

  // HDR endpoints in an LDR format: the error colour for that partition only; decoded in the HDR profile.
  Bits hdr_cem = Bits(grid).put(13, 4, 11);
  decode_astc_block_unorm8(hdr_cem.bytes.data(), 6, 6, false, u8);
  EXPECT_TRUE(all_error_unorm8(u8, 36)) << "one partition of HDR endpoints";
  EXPECT_FALSE(astc_block_info(hdr_cem.bytes.data(), 6, 6).error) << "legal, only not in LDR";
  decode_astc_block_float16(hdr_cem.bytes.data(), 6, 6, true, f16);
  EXPECT_FALSE(all_error_half(f16, 36));
  // Two partitions, mode 0 (LDR) and mode 2 (HDR luminance): some texels magenta, some not.
  Bits mixed;
  mixed.put(0, 11, kGrid6x4).put(11, 2, 1).put(13, 10, 77).put(23, 6, 0b00'0'0'01);  // class 0: C=0, M0=0
  mixed.put(128 - 24 - 2, 2, 2);  // M1 = 2 (HDR luminance, large range), below the weights
  const AstcBlockInfo mixed_info = astc_block_info(mixed.bytes.data(), 6, 6);
  ASSERT_FALSE(mixed_info.error);
  EXPECT_EQ(mixed_info.endpoint_modes, (1u << 0) | (1u << 2));
  decode_astc_block_unorm8(mixed.bytes.data(), 6, 6, false, u8);
  int magenta = 0;
  for (int i = 0; i < 36; ++i) magenta += u8[i][0] == 255 && u8[i][1] == 0 && u8[i][2] == 255 && u8[i][3] == 255;
  EXPECT_GT(magenta, 0);
  EXPECT_LT(magenta, 36);
}

// Endpoint mode 1, which astcenc never writes, worked out by hand: L0 = (v0 >> 2) | (v1 & 0xC0), L1 = L0 +
// (v1 & 0x3F) clamped to 255; weights all 0 give L0, all 1 (64) give L1.
TEST(AstcDecode, LuminanceBaseOffsetByHand) {
  uint8_t u8[144][4];
  auto texel = [&](uint8_t v0, uint8_t v1, bool ones) {
    Bits b;
    b.put(0, 11, kGrid6x4).put(13, 4, 1).put(17, 8, v0).put(25, 8, v1).put(104, 24, ones ? 0xFFFFFF : 0);
    EXPECT_FALSE(astc_block_info(b.bytes.data(), 8, 6).error);
    decode_astc_block_unorm8(b.bytes.data(), 8, 6, false, u8);
    return std::vector<int>(u8[47], u8[47] + 4);
  };
  EXPECT_EQ(texel(200, 0xC5, false), (std::vector<int>{242, 242, 242, 255}));
  EXPECT_EQ(texel(200, 0xC5, true), (std::vector<int>{247, 247, 247, 255}));
  EXPECT_EQ(texel(0xFF, 0xFF, true), (std::vector<int>{255, 255, 255, 255})) << "255 + 63, clamped";
  EXPECT_EQ(texel(0xFC, 0x3F, true), (std::vector<int>{126, 126, 126, 255}));
}

// Random blocks, in every footprint and mode: none may crash or read out of bounds (run under ASan too),
// illegal ones are the error colour everywhere, and the 8-bit output is always the top 8 bits of the 16-bit
// values (seen through decode_float16). Random bit flips of blocks astcenc wrote reach the legal paths
// deeper than uniform noise does.
TEST(AstcDecode, RandomBlocksDecodeSafely) {
  std::mt19937_64 rng(12345);
  uint64_t illegal = 0, legal = 0, void_extents = 0;
  uint8_t u8[144][4], u8s[144][4];
  uint16_t f16[144][4], f16h[144][4];
  auto check = [&](const uint8_t* block, Footprint fp) {
    const AstcBlockInfo info = astc_block_info(block, fp.w, fp.h);
    decode_astc_block_unorm8(block, fp.w, fp.h, false, u8);
    decode_astc_block_unorm8(block, fp.w, fp.h, true, u8s);
    decode_astc_block_float16(block, fp.w, fp.h, false, f16);
    decode_astc_block_float16(block, fp.w, fp.h, true, f16h);
    const uint32_t n = fp.w * fp.h;
    if (info.error) {
      ++illegal;
      EXPECT_TRUE(all_error_unorm8(u8, n) && all_error_unorm8(u8s, n) && all_error_half(f16, n) && all_error_half(f16h, n))
          << "illegal block, footprint " << name(fp);
      return;
    }
    ++legal;
    void_extents += info.void_extent;
    for (uint32_t i = 0; i < n; ++i) {
      for (int c = 0; c < 4; ++c) {
        const int top8 = std::min(255, int(std::floor(half_value(f16[i][c]) * 256.0f)));
        if (u8[i][c] != top8) {
          ADD_FAILURE() << "footprint " << name(fp) << " texel " << i << " channel " << c << ": " << int(u8[i][c])
                        << " vs " << top8;
          return;
        }
      }
    }
  };
  for (const Footprint& fp : kFootprints) {
    for (int i = 0; i < 4000; ++i) {
      uint8_t block[16];
      for (auto& b : block) b = uint8_t(rng());
      // Every other one a void extent, or a block mode with a plausible low half, so that those paths see
      // random data as often as the rest.
      if (i % 4 == 1) block[0] = 0xFC, block[1] = uint8_t(block[1] | 0x0D);
      check(block, fp);
      if (HasFailure()) return;
    }
  }
  // Bit flips of legal blocks: take astcenc-like structure from the hand-built 6x4 grid and mutate.
  Bits grid;
  grid.put(0, 11, kGrid6x4).put(17, 8, 30).put(25, 8, 220);
  for (int i = 0; i < 20000; ++i) {
    Bits b = grid;
    for (int flips = 1 + int(rng() % 6); flips > 0; --flips) b.put(int(rng() % 128), 1, rng() & 1);
    b.put(13, 4, rng() % 16);
    check(b.bytes.data(), kFootprints[size_t(i) % 14]);
    if (HasFailure()) return;
  }
  std::printf("random blocks: %llu illegal, %llu legal (%llu void extents)\n", (unsigned long long)illegal,
              (unsigned long long)legal, (unsigned long long)void_extents);
  EXPECT_GT(illegal, 1000u);
  EXPECT_GT(legal, 1000u);
  EXPECT_GT(void_extents, 100u);
}

namespace {

// A void-extent block of one colour: UNORM16 (or, `hdr`, half-float) R, G, B, A.
std::vector<uint8_t> void_extent(uint16_t r, uint16_t g, uint16_t b, uint16_t a, bool hdr = false) {
  Bits v;
  v.put(0, 12, hdr ? 0xFFC : 0xDFC).put(12, 52, 0xFFFFFFFFFFFFFull).put(64, 16, r).put(80, 16, g).put(96, 16, b).put(112, 16, a);
  return {v.bytes.begin(), v.bytes.end()};
}

}  // namespace

// The capture writer's ASTC path (image_file.cpp): an LDR texture becomes an RGBA PNG of its decoded texels
// (cut at the edges), an HDR one a float16 .npy [h, w, 4], each with its raw blocks beside it; 3D ones and
// wrong sizes stay raw blocks.
TEST(AstcDecode, CaptureWriterWritesAstcImages) {
  const fs::path dir = work_dir();
  kiln::layer::Capture capture;
  auto image = [](VkFormat format, uint32_t w, uint32_t h, std::vector<uint8_t> bytes, uint32_t binding) {
    kiln::layer::CapturedResource r;
    r.is_image = true, r.format = format, r.extent = {w, h, 1}, r.aspect = VK_IMAGE_ASPECT_COLOR_BIT;
    r.layout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, r.has_before = true, r.before = std::move(bytes);
    r.binding = binding;
    return r;
  };
  // 13x11 texels of 6x5 blocks: 3x3 blocks, each a void extent of its own colour.
  std::vector<uint8_t> ldr;
  for (uint32_t b = 0; b < 9; ++b) {
    const std::vector<uint8_t> block = void_extent(uint16_t(b * 20 * 257), uint16_t((255 - b * 20) * 257), 0x0707, 0xC8C8);
    ldr.insert(ldr.end(), block.begin(), block.end());
  }
  capture.resources.push_back(image(VK_FORMAT_ASTC_6x5_SRGB_BLOCK, 13, 11, ldr, 0));
  // 7x6 texels of 5x4 blocks: 2x2 blocks, half floats; one LDR void extent (made half floats too).
  std::vector<uint8_t> hdr;
  for (const auto& block : {void_extent(0x4200, 0x3800, 0x7BFF, 0x3C00, true), void_extent(0x0001, 0, 0, 0, true),
                            void_extent(0xFFFF, 0x8000, 0, 0xFFFF), void_extent(0xC000, 0x3C00, 0x0400, 0x3555, true)})
    hdr.insert(hdr.end(), block.begin(), block.end());
  capture.resources.push_back(image(VK_FORMAT_ASTC_5x4_SFLOAT_BLOCK, 7, 6, hdr, 1));
  capture.resources.push_back(image(VK_FORMAT_ASTC_6x5_UNORM_BLOCK, 13, 11, std::vector<uint8_t>(16 * 8), 2));
  kiln::layer::write_capture(capture, dir.string());

  const kiln::PngImage png = kiln::read_png((dir / "before/set0_binding0.png").string());
  ASSERT_EQ(png.width, 13u);
  ASSERT_EQ(png.height, 11u);
  ASSERT_EQ(png.channels, 4u);
  for (uint32_t y = 0; y < 11; ++y) {
    for (uint32_t x = 0; x < 13; ++x) {
      const int b = int(y / 5 * 3 + x / 6);
      EXPECT_EQ(std::vector<int>(png.pixel(x, y), png.pixel(x, y) + 4), (std::vector<int>{b * 20, 255 - b * 20, 7, 200}))
          << x << "," << y;
    }
  }
  const kiln::NpyArray npy = kiln::read_npy((dir / "before/set0_binding1.npy").string());
  EXPECT_EQ(npy.type, kiln::NpyType::F16);
  ASSERT_EQ(npy.shape, (std::vector<uint64_t>{6, 7, 4}));
  std::vector<uint16_t> halves(6 * 7 * 4);
  ASSERT_EQ(npy.data.size(), halves.size() * 2);
  std::memcpy(halves.data(), npy.data.data(), npy.data.size());
  auto at = [&](uint32_t x, uint32_t y) { return std::vector<uint16_t>(&halves[(y * 7 + x) * 4], &halves[(y * 7 + x) * 4 + 4]); };
  EXPECT_EQ(at(0, 0), (std::vector<uint16_t>{0x4200, 0x3800, 0x7BFF, 0x3C00}));
  EXPECT_EQ(at(6, 3), (std::vector<uint16_t>{0x0001, 0, 0, 0}));
  EXPECT_EQ(at(4, 5), (std::vector<uint16_t>{0x3C00, 0x3800, 0, 0x3C00})) << "LDR void extent: 0x8000 is 0.5";
  EXPECT_EQ(at(6, 5), (std::vector<uint16_t>{0xC000, 0x3C00, 0x0400, 0x3555}));

  std::ifstream json_in(dir / "capture.json");
  const nlohmann::json j = nlohmann::json::parse(json_in);
  EXPECT_EQ(j["resources"][0]["file_format"], "png");
  EXPECT_EQ(j["resources"][0]["format"], "VK_FORMAT_ASTC_6x5_SRGB_BLOCK");
  EXPECT_EQ(j["resources"][0]["before_blocks"], "before/set0_binding0.blocks.bin");
  EXPECT_EQ(read_bytes(dir / "before/set0_binding0.blocks.bin"), ldr);
  EXPECT_EQ(j["resources"][1]["file_format"], "npy");
  EXPECT_EQ(j["resources"][1]["format"], "VK_FORMAT_ASTC_5x4_SFLOAT_BLOCK");
  EXPECT_EQ(read_bytes(dir / "before/set0_binding1.blocks.bin"), hdr);
  EXPECT_EQ(j["resources"][2]["file_format"], "bin") << "8 blocks where 9 are needed";

  // The plan on its own: footprints, channels, and the other ways to stay raw.
  using kiln::layer::plan_image_file;
  const auto ldr_plan = plan_image_file(VK_FORMAT_ASTC_12x10_UNORM_BLOCK, VK_IMAGE_ASPECT_COLOR_BIT, {25, 21, 1}, 3 * 3 * 16);
  EXPECT_EQ(ldr_plan.kind, kiln::layer::ImageFileKind::Png);
  EXPECT_TRUE(ldr_plan.blocks);
  EXPECT_EQ(ldr_plan.shape, (std::vector<uint64_t>{21, 25, 4}));
  EXPECT_EQ(plan_image_file(VK_FORMAT_ASTC_4x4_UNORM_BLOCK, VK_IMAGE_ASPECT_COLOR_BIT, {8, 8, 2}, 2 * 4 * 16).kind,
            kiln::layer::ImageFileKind::Bin) << "3D: raw blocks";
  const auto hdr3d = plan_image_file(VK_FORMAT_ASTC_8x8_SFLOAT_BLOCK, VK_IMAGE_ASPECT_COLOR_BIT, {9, 8, 3}, 3 * 2 * 16);
  EXPECT_EQ(hdr3d.kind, kiln::layer::ImageFileKind::Npy) << "HDR 3D: slice by slice, as BC6H";
  EXPECT_EQ(hdr3d.shape, (std::vector<uint64_t>{3, 8, 9, 4}));
  const auto bc6h = plan_image_file(VK_FORMAT_BC6H_UFLOAT_BLOCK, VK_IMAGE_ASPECT_COLOR_BIT, {4, 4, 1}, 16);
  EXPECT_EQ(bc6h.shape, (std::vector<uint64_t>{4, 4, 3})) << "BC6H unchanged: three channels";
  fs::remove_all(dir);
}
