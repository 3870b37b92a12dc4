// Block-compressed textures in a capture, judged against the driver's own decoding: four 8x8 textures (BC1 RGBA,
// BC3, BC4, BC5; random blocks from a fixed seed, so BC1's three-colour blocks with transparent black come up
// too), a 256x256 BC7 one, ETC2/EAC ones (ETC2 RGB 64x64, ETC2 RGBA and punch-through 128x128, EAC RG11 and
// signed R11 64x64) and two 128x128 BC6H ones (UFLOAT, SFLOAT) are read texel by texel by a dispatch
// (blocks.comp), which writes what the driver decoded. BC7's 4096 blocks are random bits too, but most have
// their mode and partition number set, cycling, so that every mode is decoded hundreds of times and every
// partition (all 64 of the two- and three-subset tables, 16 for mode 0) several times in each mode that has
// them; a few are in the reserved mode. ETC2's colour blocks are random blocks drawn again until the n-th is in
// the n-th mode of a cycle (individual, differential, T, H, planar; punch-through has no individual mode), so
// each mode is decoded at least 50 times in each texture (counted, and the counts printed), punch-through blocks
// both opaque and not (with transparent texels); EAC blocks (ETC2 RGBA's alpha, RG11, R11) have their modifier
// table and multiplier set, cycling, so all 256 pairs come up, multiplier 0 (a special case) among them, and
// some signed bases are -128 (read as -127). BC6H's blocks are random bits too, most with their mode and
// partition set, cycling, so that each of the 14 modes is decoded over 50 times and each two-subset mode in all
// 32 partitions; a few are in the reserved modes. With the layer (KILN_CAPTURE_COMMAND=dispatch:1
// KILN_CAPTURE_FRAME=2), the capture must hold each texture's blocks byte for byte, and the PNG the layer wrote
// for it must show the same texels as the driver: within one step on lavapipe (Mesa decodes BC1-BC5 in 8-bit
// steps, truncating where the layer rounds; BC7 and ETC2's colour and alpha are exact; EAC's 11-bit values are
// compared at 8 bits, the driver's float rounded the way the layer rounds, signed ones as (v + 1) / 2), within 8
// (3% of the range, the tolerance Direct3D gives BC interpolants) elsewhere: NVIDIA's hardware interpolates
// BC1's colours at the endpoints' 5/6-bit precision and differs by up to 6 steps on the H100. BC6H's texels go
// to a float16 .npy instead, which must match the driver's floats bit for bit (the format leaves no rounding;
// every half is exactly a float; blocks.comp writes the floats' bits, so even the sign of a zero counts), as
// lavapipe's do; on other devices a -0.0 may come back +0.0 (the H100 follows Direct3D's documented decoder
// there, where the Khronos formula gives -0.0; counted and printed). The raw blocks lie beside each file. A
// format the device cannot sample (NVIDIA's desktop GPUs have no ETC2 or EAC; nor has Mesa 22's lavapipe) is
// skipped with a message: an RGBA8 texture of the same size stands in for it, so the shader is the same, and is
// not compared.
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "blocks_comp.h"
#include "kiln/npy.h"
#include "kiln/png.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t kTextures = 12, kBc7 = 4;
enum class Codec { Bc, Bc7, Etc2Rgb, Etc2Rgba, Etc2PunchThrough, Eac, EacSigned, Bc6h };
struct Texture {
  VkFormat format;
  const char* name;
  uint32_t size;  // width and height
  uint32_t block_bytes;
  uint32_t channels;  // compared: RGBA, RGB, R, RG
  Codec codec;
};
bool is_bc6h(const Texture& t) { return t.codec == Codec::Bc6h; }
constexpr Texture kTex[kTextures] = {
    {VK_FORMAT_BC1_RGBA_UNORM_BLOCK, "bc1", 8, 8, 4, Codec::Bc},
    {VK_FORMAT_BC3_UNORM_BLOCK, "bc3", 8, 16, 4, Codec::Bc},
    {VK_FORMAT_BC4_UNORM_BLOCK, "bc4", 8, 8, 1, Codec::Bc},
    {VK_FORMAT_BC5_UNORM_BLOCK, "bc5", 8, 16, 2, Codec::Bc},
    {VK_FORMAT_BC7_UNORM_BLOCK, "bc7", 256, 16, 4, Codec::Bc7},
    {VK_FORMAT_ETC2_R8G8B8_UNORM_BLOCK, "etc2_rgb", 64, 8, 3, Codec::Etc2Rgb},
    {VK_FORMAT_ETC2_R8G8B8A8_UNORM_BLOCK, "etc2_rgba", 128, 16, 4, Codec::Etc2Rgba},
    {VK_FORMAT_ETC2_R8G8B8A1_UNORM_BLOCK, "etc2_a1", 128, 8, 4, Codec::Etc2PunchThrough},
    {VK_FORMAT_EAC_R11G11_UNORM_BLOCK, "eac_rg11", 64, 16, 2, Codec::Eac},
    {VK_FORMAT_EAC_R11_SNORM_BLOCK, "eac_r11_snorm", 64, 8, 1, Codec::EacSigned},
    {VK_FORMAT_BC6H_UFLOAT_BLOCK, "bc6h_ufloat", 128, 16, 3, Codec::Bc6h},
    {VK_FORMAT_BC6H_SFLOAT_BLOCK, "bc6h_sfloat", 128, 16, 3, Codec::Bc6h}};

size_t block_bytes(const Texture& t) { return size_t(t.size / 4) * (t.size / 4) * t.block_bytes; }

// The dispatch's output words a texel: one (RGBA8), or a BC6H texel's four floats.
uint32_t words_per_texel(const Texture& t) { return is_bc6h(t) ? 4 : 1; }

// Where texture t's texels start in the dispatch's output, in 32-bit words (blocks.comp lays them out one texture
// after another).
size_t first_word(uint32_t t) {
  size_t n = 0;
  for (uint32_t i = 0; i < t; ++i) n += size_t(kTex[i].size) * kTex[i].size * words_per_texel(kTex[i]);
  return n;
}

// BC7: the mode is the lowest set bit of byte 0 (none: reserved); the partition number follows it.
constexpr uint32_t kBc7PartitionBits[8] = {4, 6, 6, 6, 0, 0, 0, 6};
uint32_t bc7_mode(const uint8_t* block) { return block[0] ? uint32_t(std::countr_zero(block[0])) : 8; }
uint32_t bc7_partition(const uint8_t* block) {
  const uint32_t mode = bc7_mode(block);
  if (mode == 8) return 0;
  const uint32_t bits = (uint32_t(block[0]) | uint32_t(block[1]) << 8) >> (mode + 1);  // mode + 1 + 6 <= 15 bits
  return bits & ((1u << kBc7PartitionBits[mode]) - 1);
}

// Random blocks, most with their mode and partition set: the n-th such block has mode n % 8 and partition
// n / 8 (modulo the mode's partition count), so no mode or partition is left to chance. One block in eight
// is left wholly random and one in 512 is in the reserved mode.
std::vector<uint8_t> bc7_blocks(std::mt19937& rng, size_t count) {
  std::vector<uint8_t> data(count * 16);
  for (uint8_t& b : data) b = uint8_t(rng());
  uint32_t forced = 0;
  for (size_t i = 0; i < count; ++i) {
    uint8_t* block = data.data() + i * 16;
    if (i % 512 == 511) {
      block[0] = 0;
    } else if (i % 8 != 0) {
      const uint32_t mode = forced % 8, partition = (forced / 8) % (1u << kBc7PartitionBits[mode]);
      ++forced;
      const uint32_t set_bits = mode + 1 + kBc7PartitionBits[mode];
      const uint32_t random_bits = (uint32_t(block[0]) | uint32_t(block[1]) << 8) & ~((1u << set_bits) - 1);
      const uint32_t bits = random_bits | (partition << (mode + 1)) | (1u << mode);
      block[0] = uint8_t(bits);
      block[1] = uint8_t(bits >> 8);
    }
  }
  return data;
}

// ETC2's colour modes, as the block's bits select them (the Data Format Specification's "ETC2 Compressed
// Texture Image Formats"): the differential bit (in punch-through blocks the opaque bit, there being no
// individual mode) and whether R + R_d, G + G_d or B + B_d leaves 0..31. The colour half of an RGBA block is
// its second 8 bytes.
enum Etc2Mode : uint32_t { kIndividual, kDifferential, kT, kH, kPlanar, kEtc2Modes };
constexpr const char* kEtc2ModeNames[kEtc2Modes] = {"individual", "differential", "T", "H", "planar"};
uint32_t etc2_mode(const uint8_t* block, bool punch_through) {
  if (!punch_through && !(block[3] & 2)) return kIndividual;
  auto outside = [](uint8_t byte) {
    const int sum = (byte >> 3) + ((byte & 7) ^ 4) - 4;  // 5-bit base plus 3-bit two's complement offset
    return sum < 0 || sum > 31;
  };
  return outside(block[0]) ? kT : outside(block[1]) ? kH : outside(block[2]) ? kPlanar : kDifferential;
}
bool etc2_opaque(const uint8_t* block) { return block[3] & 2; }

// ETC2 colour blocks at `stride` bytes apart: random, each drawn again until the n-th is in the mode n % 5
// (punch-through: differential, T, H, planar by turns).
void force_etc2_modes(std::mt19937& rng, uint8_t* first, size_t count, size_t stride, bool punch_through) {
  for (size_t i = 0; i < count; ++i) {
    uint8_t* block = first + i * stride;
    const uint32_t want = punch_through ? kDifferential + uint32_t(i % 4) : uint32_t(i % kEtc2Modes);
    while (etc2_mode(block, punch_through) != want) {
      for (int b = 0; b < 8; ++b) block[b] = uint8_t(rng());
    }
  }
}

// EAC blocks at `stride` bytes apart: the n-th has modifier table (n + shift) % 16 and multiplier
// (n + shift) / 16 % 16, so 256 blocks cover every pair; one in 61 has base codeword 0x80 (-128 when signed,
// which decodes as -127).
void force_eac_tables(uint8_t* first, size_t count, size_t stride, uint32_t shift) {
  for (size_t i = 0; i < count; ++i) {
    uint8_t* block = first + i * stride;
    const uint32_t n = uint32_t(i) + shift;
    block[1] = uint8_t(((n / 16 % 16) << 4) | (n % 16));
    if (i % 61 == 0) block[0] = 0x80;
  }
}

// BC6H: modes 0 and 1 are told by the block's low 2 bits, the others by its low 5 (19, 23, 27 and 31 are
// reserved); all but the one-subset modes 3, 7, 11 and 15 keep a partition number in bits 77..81.
constexpr uint32_t kBc6hModes[14] = {0, 1, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15};
uint32_t bc6h_mode(const uint8_t* block) { return (block[0] & 3) < 2 ? block[0] & 3u : block[0] & 31u; }
bool bc6h_reserved(uint32_t mode) { return mode == 19 || mode == 23 || mode == 27 || mode == 31; }
bool bc6h_two_subsets(uint32_t mode) {
  return !bc6h_reserved(mode) && mode != 3 && mode != 7 && mode != 11 && mode != 15;
}
uint32_t bc6h_partition(const uint8_t* block) { return (block[9] >> 5 | block[10] << 3) & 31u; }

// A mode 15 block (16-bit endpoints; R 0x8000 -> 0x8007, G 0 -> 0xFFFE, B 0x7FFF -> 0x8000; texel i takes index
// i) whose signed decoding holds the format's two odd values, which random bits almost never give:
// -infinity (R of texel 0: -0x8000 scaled by 31/32 is 0xFC00) and -0.0 (G of texel 4 interpolates to -1).
constexpr uint8_t kBc6hOddValues[16] = {0x0f, 0x00, 0x00, 0xfe, 0xbf, 0xc0, 0x81, 0xf0,
                                        0x11, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe};

// Random blocks, most with their mode and partition set: the n-th such block has mode kBc6hModes[n % 14] and
// partition n / 14 % 32, so each mode comes up evenly and each two-subset one in every partition. One block in
// eight is left wholly random, one in 64 is in a reserved mode (19, 23, 27, 31 by turns) and one in 64 is
// kBc6hOddValues.
std::vector<uint8_t> bc6h_blocks(std::mt19937& rng, size_t count) {
  std::vector<uint8_t> data(count * 16);
  for (uint8_t& b : data) b = uint8_t(rng());
  uint32_t forced = 0;
  for (size_t i = 0; i < count; ++i) {
    uint8_t* block = data.data() + i * 16;
    if (i % 64 == 63) {
      block[0] = uint8_t((block[0] & ~31u) | (19 + 4 * (i / 64 % 4)));
    } else if (i % 64 == 31) {
      std::memcpy(block, kBc6hOddValues, 16);
    } else if (i % 8 != 0) {
      const uint32_t mode = kBc6hModes[forced % 14], partition = forced / 14 % 32;
      ++forced;
      block[0] = uint8_t(mode < 2 ? (block[0] & ~3u) | mode : (block[0] & ~31u) | mode);
      if (bc6h_two_subsets(mode)) {
        block[9] = uint8_t((block[9] & 31u) | partition << 5);
        block[10] = uint8_t((block[10] & ~3u) | partition >> 3);
      }
    }
  }
  return data;
}

// A half's value as a float: exact, every half being a float.
float half_to_float(uint16_t h) {
  const int exponent = (h >> 10) & 31, mantissa = h & 1023;
  const float v = exponent == 0    ? std::ldexp(float(mantissa), -24)
                  : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                   : std::ldexp(float(mantissa | 1024), exponent - 25);
  return (h & 0x8000) ? -v : v;
}

// The layer's float16 .npy of a BC6H texture against the driver's texels (their float bits, four words a texel),
// channel by channel and bit for bit, but where `zero_sign_free`: a signed block's -0.0 (an interpolated -1, which
// the Khronos formula turns into 0x8000) may come back +0.0, as Direct3D's documented decoder and the H100 have
// it; those values are counted in `signed_zeros`. Returns the texels that differ; the first few are named with their
// block's mode and partition.
uint32_t compare_bc6h(const Texture& tex, const std::string& path, const uint32_t* driver, const uint8_t* blocks,
                      bool zero_sign_free, uint32_t& signed_zeros) {
  const kiln::NpyArray npy = kiln::read_npy(path);
  const uint32_t size = tex.size;
  const bool shaped = npy.type == kiln::NpyType::F16 && npy.shape == std::vector<uint64_t>{size, size, 3};
  EXPECT(shaped, "%s is not a %ux%ux3 float16 array", path.c_str(), size, size);
  if (!shaped) return size * size;
  uint32_t wrong = 0;
  for (uint32_t p = 0; p < size * size; ++p) {
    for (uint32_t ch = 0; ch < 3; ++ch) {
      uint16_t half;
      std::memcpy(&half, npy.data.data() + (size_t(p) * 3 + ch) * 2, 2);
      const float file = half_to_float(half);
      const uint32_t driver_bits = driver[size_t(p) * 4 + ch];
      if (std::bit_cast<uint32_t>(file) == driver_bits) continue;
      if (zero_sign_free && half == 0x8000 && driver_bits == 0) {
        ++signed_zeros;
        continue;
      }
      if (++wrong <= 10) {
        const uint8_t* block = blocks + (size_t(p / size / 4) * (size / 4) + p % size / 4) * 16;
        const uint32_t mode = bc6h_mode(block);
        EXPECT(false, "%s texel (%u,%u) (block of mode %u%s%s) channel %u: the .npy says %g (half 0x%04x), the driver "
               "decoded %g (float 0x%08x)", tex.name, p % size, p / size, mode,
               bc6h_two_subsets(mode) ? ", partition " : "",
               bc6h_two_subsets(mode) ? std::to_string(bc6h_partition(block)).c_str() : "", ch, double(file),
               unsigned(half), double(std::bit_cast<float>(driver_bits)), unsigned(driver_bits));
      }
      break;
    }
  }
  return wrong;
}

bool sampleable(VkPhysicalDevice physical, VkFormat format) {
  VkFormatProperties props;
  vkGetPhysicalDeviceFormatProperties(physical, format, &props);
  const VkFormatFeatureFlags need = VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT | VK_FORMAT_FEATURE_TRANSFER_DST_BIT;
  return (props.optimalTilingFeatures & need) == need;
}

}  // namespace

int main() {
  {
    Gpu gpu;
    std::mt19937 rng(7);
    std::vector<uint8_t> data[kTextures];
    Image images[kTextures];
    bool supported[kTextures];
    for (uint32_t t = 0; t < kTextures; ++t) {
      const Texture& tex = kTex[t];
      const size_t blocks = block_bytes(tex) / tex.block_bytes;
      if (t == kBc7) {
        data[t] = bc7_blocks(rng, blocks);
      } else if (is_bc6h(tex)) {
        data[t] = bc6h_blocks(rng, blocks);
      } else {
        data[t].resize(block_bytes(tex));
        for (uint8_t& b : data[t]) b = uint8_t(rng());
      }
      if (tex.codec == Codec::Etc2Rgb || tex.codec == Codec::Etc2PunchThrough)
        force_etc2_modes(rng, data[t].data(), blocks, tex.block_bytes, tex.codec == Codec::Etc2PunchThrough);
      if (tex.codec == Codec::Etc2Rgba) {
        force_etc2_modes(rng, data[t].data() + 8, blocks, 16, false);
        force_eac_tables(data[t].data(), blocks, 16, 0);
      }
      if (tex.codec == Codec::Eac || tex.codec == Codec::EacSigned) {
        for (uint32_t half = 0; half < tex.block_bytes / 8; ++half)
          force_eac_tables(data[t].data() + 8 * half, blocks, tex.block_bytes, 7 * half);
      }
    }
    {
      // What the BC7 texture covers: blocks by mode, and the partitions seen in each mode that has them.
      uint32_t by_mode[9] = {};
      uint64_t partitions_seen[8] = {};
      for (size_t i = 0; i < data[kBc7].size(); i += 16) {
        const uint32_t mode = bc7_mode(&data[kBc7][i]);
        ++by_mode[mode];
        if (mode < 8) partitions_seen[mode] |= uint64_t(1) << bc7_partition(&data[kBc7][i]);
      }
      std::fprintf(stderr, "layer_blocks: bc7 blocks by mode:");
      for (uint32_t m = 0; m < 8; ++m) {
        std::fprintf(stderr, " %u: %u%s", m, by_mode[m], kBc7PartitionBits[m] ? "" : ",");
        if (kBc7PartitionBits[m]) std::fprintf(stderr, " (%d partitions),", std::popcount(partitions_seen[m]));
        EXPECT(by_mode[m] >= 100, "bc7: only %u blocks of mode %u", by_mode[m], m);
        EXPECT(std::popcount(partitions_seen[m]) == 1 << kBc7PartitionBits[m], "bc7: mode %u misses partitions", m);
      }
      std::fprintf(stderr, " reserved: %u\n", by_mode[8]);
      EXPECT(by_mode[8] > 0, "bc7: no block in the reserved mode");
    }
    for (uint32_t t = 0; t < kTextures; ++t) {
      // What the BC6H textures cover: blocks by mode, the partitions seen in each two-subset mode, reserved ones.
      if (!is_bc6h(kTex[t])) continue;
      uint32_t by_mode[32] = {}, reserved = 0;
      uint32_t partitions_seen[32] = {};
      for (size_t i = 0; i < data[t].size(); i += 16) {
        const uint32_t mode = bc6h_mode(&data[t][i]);
        ++by_mode[mode];
        reserved += bc6h_reserved(mode);
        if (bc6h_two_subsets(mode)) partitions_seen[mode] |= 1u << bc6h_partition(&data[t][i]);
      }
      std::fprintf(stderr, "layer_blocks: %s blocks by mode:", kTex[t].name);
      for (uint32_t m : kBc6hModes) {
        std::fprintf(stderr, " %u: %u", m, by_mode[m]);
        if (bc6h_two_subsets(m)) std::fprintf(stderr, " (%d partitions)", std::popcount(partitions_seen[m]));
        std::fprintf(stderr, ",");
        EXPECT(by_mode[m] >= 50, "%s: only %u blocks of mode %u", kTex[t].name, by_mode[m], m);
        EXPECT(!bc6h_two_subsets(m) || partitions_seen[m] == ~0u, "%s: mode %u misses partitions", kTex[t].name, m);
      }
      std::fprintf(stderr, " reserved: %u\n", reserved);
      EXPECT(reserved > 0, "%s: no block in a reserved mode", kTex[t].name);
    }
    for (uint32_t t = 0; t < kTextures; ++t) {
      // What the ETC2 textures cover: blocks by colour mode, and the punch-through texture's transparent texels.
      const Texture& tex = kTex[t];
      const bool punch_through = tex.codec == Codec::Etc2PunchThrough;
      if (tex.codec != Codec::Etc2Rgb && tex.codec != Codec::Etc2Rgba && !punch_through) continue;
      const uint32_t colour_offset = tex.codec == Codec::Etc2Rgba ? 8 : 0;
      uint32_t by_mode[kEtc2Modes] = {}, not_opaque = 0, transparent_texels = 0;
      for (size_t i = 0; i < data[t].size(); i += tex.block_bytes) {
        const uint8_t* block = &data[t][i + colour_offset];
        const uint32_t mode = etc2_mode(block, punch_through);
        ++by_mode[mode];
        if (punch_through && !etc2_opaque(block) && mode != kPlanar) {
          ++not_opaque;
          const uint32_t msb = uint32_t(block[4]) << 8 | block[5], lsb = uint32_t(block[6]) << 8 | block[7];
          transparent_texels += uint32_t(std::popcount(msb & ~lsb & 0xffff));  // index 2: transparent
        }
      }
      std::fprintf(stderr, "layer_blocks: %s blocks by mode:", tex.name);
      for (uint32_t m = punch_through ? kDifferential : kIndividual; m < kEtc2Modes; ++m) {
        std::fprintf(stderr, " %s: %u%s", kEtc2ModeNames[m], by_mode[m], m + 1 < kEtc2Modes ? "," : "");
        EXPECT(by_mode[m] >= 50, "%s: only %u blocks in the %s mode", tex.name, by_mode[m], kEtc2ModeNames[m]);
      }
      if (punch_through) {
        std::fprintf(stderr, " (%u not opaque, %u transparent texels)", not_opaque, transparent_texels);
        EXPECT(not_opaque > 0 && transparent_texels > 0, "%s: no transparent texel", tex.name);
        EXPECT(by_mode[kIndividual] == 0, "%s: an individual-mode punch-through block", tex.name);
      }
      std::fprintf(stderr, "\n");
    }
    for (uint32_t t = 0; t < kTextures; ++t) {
      const Texture& tex = kTex[t];
      supported[t] = sampleable(gpu.physical, tex.format);
      if (!supported[t]) {
        std::fprintf(stderr, "layer_blocks: %s: the device cannot sample VkFormat %d: skipped (RGBA8 stands in)\n",
                     tex.name, int(tex.format));
        data[t].assign(size_t(tex.size) * tex.size * 4, 0);
      }
      images[t] = gpu.image(supported[t] ? tex.format : VK_FORMAT_R8G8B8A8_UNORM, {tex.size, tex.size},
                            VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT);
      gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)images[t].image, tex.name);
    }
    Buffer uploads[kTextures];
    for (uint32_t t = 0; t < kTextures; ++t)
      uploads[t] = gpu.buffer(data[t].size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT, data[t].data());
    Buffer out = gpu.buffer(first_word(kTextures) * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);

    // Submission 1: the blocks into the textures.
    gpu.run([&](VkCommandBuffer cb) {
      for (uint32_t t = 0; t < kTextures; ++t) {
        transition(cb, images[t].image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
        VkBufferImageCopy r{};
        r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        r.imageExtent = {kTex[t].size, kTex[t].size, 1};
        vkCmdCopyBufferToImage(cb, uploads[t].buffer, images[t].image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
        transition(cb, images[t].image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
      }
    });

    VkSamplerCreateInfo si{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
    si.magFilter = si.minFilter = VK_FILTER_NEAREST;
    si.addressModeU = si.addressModeV = si.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    VkSampler sampler;
    VKCHECK(vkCreateSampler(gpu.device, &si, nullptr, &sampler));
    VkDescriptorSetLayoutBinding bindings[2] = {
        {0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, kTextures, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
        {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}};
    VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    li.bindingCount = 2;
    li.pBindings = bindings;
    VkDescriptorSetLayout set_layout;
    VKCHECK(vkCreateDescriptorSetLayout(gpu.device, &li, nullptr, &set_layout));
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.setLayoutCount = 1;
    pli.pSetLayouts = &set_layout;
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkShaderModule module = gpu.shader(blocks_comp, sizeof(blocks_comp));
    VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, module,
                "main", nullptr};
    ci.layout = layout;
    VkPipeline pipeline;
    VKCHECK(vkCreateComputePipelines(gpu.device, VK_NULL_HANDLE, 1, &ci, nullptr, &pipeline));
    VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, kTextures},
                                     {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}};
    VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    dpi.maxSets = 1;
    dpi.poolSizeCount = 2;
    dpi.pPoolSizes = sizes;
    VkDescriptorPool pool;
    VKCHECK(vkCreateDescriptorPool(gpu.device, &dpi, nullptr, &pool));
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorPool = pool;
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &set_layout;
    VkDescriptorSet set;
    VKCHECK(vkAllocateDescriptorSets(gpu.device, &ai, &set));
    VkDescriptorImageInfo infos[kTextures];
    for (uint32_t t = 0; t < kTextures; ++t) infos[t] = {sampler, images[t].view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkDescriptorBufferInfo bi{out.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet w[2] = {{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET}, {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET}};
    w[0].dstSet = w[1].dstSet = set;
    w[0].dstBinding = 0;
    w[0].descriptorCount = kTextures;
    w[0].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    w[0].pImageInfo = infos;
    w[1].dstBinding = 1;
    w[1].descriptorCount = 1;
    w[1].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    w[1].pBufferInfo = &bi;
    vkUpdateDescriptorSets(gpu.device, 2, w, 0, nullptr);

    // Submission 2 (frame 2): the dispatch.
    gpu.run([&](VkCommandBuffer cb) {
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
      vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
      vkCmdDispatch(cb, 1, 1, 1);
      VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr,
                           0, nullptr);
    });
    const auto* decoded = static_cast<const uint8_t*>(out.mapped);  // the driver's texels, RGBA8 (BC6H: floats)
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(gpu.physical, &props);
    const int tolerance = props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ? 1 : 8;

    if (gpu.has_api && std::getenv("KILN_CAPTURE_COMMAND")) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        EXPECT(*c->folder, "the capture was not written (KILN_CAPTURE_OUT unset?)");
        for (uint32_t t = 0; t < kTextures; ++t) {
          const KilnCaptureResource* r = nullptr;
          for (uint32_t i = 0; i < c->resource_count; ++i) {
            const KilnCaptureResource& x = c->resources[i];
            if (std::strcmp(x.role, "descriptor") == 0 && x.binding == 0 && x.array_element == t) r = &x;
          }
          EXPECT(r, "texture %s (tex[%u]) is not in the capture", kTex[t].name, t);
          if (!r || !supported[t]) continue;
          EXPECT(r->format == kTex[t].format && r->before_size == data[t].size() &&
                     std::memcmp(r->before, data[t].data(), data[t].size()) == 0,
                 "%s: the captured blocks differ from the uploaded ones", kTex[t].name);
          if (!*c->folder) continue;
          const std::string stem = std::string(c->folder) + "/before/set0_binding0" +
                                   (t ? "_element" + std::to_string(t) : std::string()) + "_tex";
          EXPECT(std::filesystem::file_size(stem + ".blocks.bin") == data[t].size(), "%s.blocks.bin", stem.c_str());
          if (is_bc6h(kTex[t])) {
            const auto* floats = reinterpret_cast<const uint32_t*>(decoded) + first_word(t);
            uint32_t signed_zeros = 0;
            const uint32_t wrong = compare_bc6h(kTex[t], stem + ".npy", floats, data[t].data(),
                                                props.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU, signed_zeros);
            EXPECT(wrong == 0, "%s: %u texels in all differ from the driver's", kTex[t].name, wrong);
            if (wrong == 0) {
              std::fprintf(stderr, "layer_blocks: %s: the .npy matches the driver's texels bit for bit", kTex[t].name);
              if (signed_zeros) std::fprintf(stderr, " but for %u values of -0.0 it returns as +0.0", signed_zeros);
              std::fprintf(stderr, "\n");
            }
            continue;
          }
          const kiln::PngImage png = kiln::read_png(stem + ".png");
          const uint32_t size = kTex[t].size;
          EXPECT(png.width == size && png.height == size, "%s.png is %ux%u", stem.c_str(), png.width, png.height);
          int worst = 0;
          uint32_t wrong = 0;  // texels off by more than the tolerance; the first few are named
          for (uint32_t p = 0; p < size * size && png.width == size && png.height == size; ++p) {
            for (uint32_t ch = 0; ch < kTex[t].channels; ++ch) {
              const int driver = decoded[(first_word(t) + p) * 4 + ch];
              const int file = png.pixels[p * png.channels + ch];
              worst = std::max(worst, std::abs(driver - file));
              if (std::abs(driver - file) > tolerance) {
                if (++wrong <= 10) {
                  const size_t block_index = size_t(p / size / 4) * (size / 4) + p % size / 4;
                  const uint8_t* block = data[t].data() + block_index * kTex[t].block_bytes;
                  const Codec codec = kTex[t].codec;
                  const bool etc2 = codec == Codec::Etc2Rgb || codec == Codec::Etc2Rgba ||
                                    codec == Codec::Etc2PunchThrough;
                  const std::string where =
                      t == kBc7 ? " (block of mode " + std::to_string(bc7_mode(block)) + ", partition " +
                                      std::to_string(bc7_partition(block)) + ")"
                      : etc2  ? std::string(" (block in the ") +
                                   kEtc2ModeNames[etc2_mode(block + (codec == Codec::Etc2Rgba ? 8 : 0),
                                                            codec == Codec::Etc2PunchThrough)] +
                                   " mode)"
                              : std::string();
                  EXPECT(false, "%s texel (%u,%u)%s channel %u: the PNG says %d, the driver decoded %d", kTex[t].name,
                         p % size, p / size, where.c_str(), ch, file, driver);
                }
                break;
              }
            }
          }
          EXPECT(wrong <= 10, "%s: %u texels in all differ from the driver's by more than %d", kTex[t].name, wrong,
                 tolerance);
          std::fprintf(stderr, "layer_blocks: %s: the PNG is within %d of the driver's texels (allowed %d)\n",
                       kTex[t].name, worst, tolerance);
        }
        gpu.api.free_capture(gpu.device, c);
      }
    }

    vkDestroyPipeline(gpu.device, pipeline, nullptr);
    vkDestroyShaderModule(gpu.device, module, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyDescriptorPool(gpu.device, pool, nullptr);
    vkDestroyDescriptorSetLayout(gpu.device, set_layout, nullptr);
    vkDestroySampler(gpu.device, sampler, nullptr);
    for (uint32_t t = 0; t < kTextures; ++t) {
      gpu.destroy(uploads[t]);
      gpu.destroy(images[t]);
    }
    gpu.destroy(out);
  }
  return result();
}
