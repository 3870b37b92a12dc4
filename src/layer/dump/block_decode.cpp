#include "block_decode.h"

#include "astc_decode.h"
#include "bc6h_decode.h"
#include "bc7_decode.h"
#include "etc2_decode.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace kiln::layer {
namespace {

uint64_t load_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

using Rgba = std::array<uint8_t, 4>;

// R5G6B5 to 8 bits a channel, bits replicated.
Rgba expand565(uint32_t c) {
  const uint32_t r = (c >> 11) & 31, g = (c >> 5) & 63, b = c & 31;
  return {uint8_t((r << 3) | (r >> 2)), uint8_t((g << 2) | (g >> 4)), uint8_t((b << 3) | (b >> 2)), 255};
}

// The colour half of BC1-BC3: `four` forces the four-colour palette (BC2, BC3); BC1 with c0 <= c1
// has three colours and black, transparent unless `opaque` (BC1_RGB).
void decode_colour(const uint8_t* block, bool four, bool opaque, Rgba out[16]) {
  const uint32_t c0 = uint32_t(load_le(block, 2)), c1 = uint32_t(load_le(block + 2, 2));
  const uint32_t bits = uint32_t(load_le(block + 4, 4));
  Rgba p[4] = {expand565(c0), expand565(c1), {}, {}};
  for (int ch = 0; ch < 3; ++ch) {
    const uint32_t a = p[0][ch], b = p[1][ch];
    if (four || c0 > c1) {
      p[2][ch] = uint8_t((2 * a + b + 1) / 3);
      p[3][ch] = uint8_t((a + 2 * b + 1) / 3);
    } else {
      p[2][ch] = uint8_t((a + b + 1) / 2);
      p[3][ch] = 0;
    }
  }
  p[2][3] = 255;
  p[3][3] = (four || c0 > c1 || opaque) ? 255 : 0;
  for (int i = 0; i < 16; ++i) out[i] = p[(bits >> (2 * i)) & 3];
}

// One BC4 channel (also BC3's alpha and each half of BC5): 16 values of 0..255.
void decode_channel(const uint8_t* block, bool is_signed, uint8_t out[16]) {
  const uint64_t bits = load_le(block + 2, 6);
  if (!is_signed) {
    const int a = block[0], b = block[1];
    int p[8] = {a, b};
    if (a > b) {
      for (int i = 1; i <= 6; ++i) p[i + 1] = ((7 - i) * a + i * b + 3) / 7;
    } else {
      for (int i = 1; i <= 4; ++i) p[i + 1] = ((5 - i) * a + i * b + 2) / 5;
      p[6] = 0;
      p[7] = 255;
    }
    for (int i = 0; i < 16; ++i) out[i] = uint8_t(p[(bits >> (3 * i)) & 7]);
    return;
  }
  // Signed: endpoints in -127..127 (-128 reads as -127), the palette in [-1, 1] shown as 0..255.
  const int a = std::max(-127, int(int8_t(block[0]))), b = std::max(-127, int(int8_t(block[1])));
  float p[8] = {a / 127.0f, b / 127.0f};
  if (a > b) {
    for (int i = 1; i <= 6; ++i) p[i + 1] = ((7 - i) * p[0] + i * p[1]) / 7.0f;
  } else {
    for (int i = 1; i <= 4; ++i) p[i + 1] = ((5 - i) * p[0] + i * p[1]) / 5.0f;
    p[6] = -1.0f;
    p[7] = 1.0f;
  }
  for (int i = 0; i < 16; ++i) out[i] = uint8_t(std::clamp((p[(bits >> (3 * i)) & 7] + 1.0f) * 127.5f + 0.5f, 0.0f, 255.0f));
}

BlockFormat astc_block_format(const AstcFormat& astc) { return BlockFormat{16, 4, astc.width, astc.height}; }

std::optional<BlockFormat> bc6h_block_format(VkFormat format) {
  if (format == VK_FORMAT_BC6H_UFLOAT_BLOCK || format == VK_FORMAT_BC6H_SFLOAT_BLOCK) return BlockFormat{16, 3};
  return std::nullopt;
}

// Texel (x, y) of block (bx, by) in depth slice z of an image `w` x `h`, or nullptr where the block is
// cut at the right or bottom edge.
template <typename T>
T* texel_at(std::vector<T>& texels, const BlockFormat& f, uint32_t w, uint32_t h, uint32_t z, uint32_t bx,
            uint32_t by, uint32_t x, uint32_t y, uint32_t channels) {
  const uint32_t tx = bx * f.block_width + x, ty = by * f.block_height + y;
  if (tx >= w || ty >= h) return nullptr;
  return texels.data() + ((size_t(z) * h + ty) * w + tx) * channels;
}

}  // namespace

std::optional<BlockFormat> decodable_block_format(VkFormat format) {
  if (const AstcFormat astc = astc_format(format); astc.width && !astc.hdr) return astc_block_format(astc);
  switch (format) {
    case VK_FORMAT_BC1_RGB_UNORM_BLOCK:
    case VK_FORMAT_BC1_RGB_SRGB_BLOCK:
    case VK_FORMAT_BC1_RGBA_UNORM_BLOCK:
    case VK_FORMAT_BC1_RGBA_SRGB_BLOCK: return BlockFormat{8, 4};
    case VK_FORMAT_BC2_UNORM_BLOCK:
    case VK_FORMAT_BC2_SRGB_BLOCK:
    case VK_FORMAT_BC3_UNORM_BLOCK:
    case VK_FORMAT_BC3_SRGB_BLOCK:
    case VK_FORMAT_BC7_UNORM_BLOCK:
    case VK_FORMAT_BC7_SRGB_BLOCK: return BlockFormat{16, 4};
    case VK_FORMAT_BC4_UNORM_BLOCK:
    case VK_FORMAT_BC4_SNORM_BLOCK: return BlockFormat{8, 1};
    case VK_FORMAT_BC5_UNORM_BLOCK:
    case VK_FORMAT_BC5_SNORM_BLOCK: return BlockFormat{16, 2};
    case VK_FORMAT_ETC2_R8G8B8_UNORM_BLOCK:
    case VK_FORMAT_ETC2_R8G8B8_SRGB_BLOCK: return BlockFormat{8, 3};
    case VK_FORMAT_ETC2_R8G8B8A1_UNORM_BLOCK:
    case VK_FORMAT_ETC2_R8G8B8A1_SRGB_BLOCK: return BlockFormat{8, 4};
    case VK_FORMAT_ETC2_R8G8B8A8_UNORM_BLOCK:
    case VK_FORMAT_ETC2_R8G8B8A8_SRGB_BLOCK: return BlockFormat{16, 4};
    case VK_FORMAT_EAC_R11_UNORM_BLOCK:
    case VK_FORMAT_EAC_R11_SNORM_BLOCK: return BlockFormat{8, 1};
    case VK_FORMAT_EAC_R11G11_UNORM_BLOCK:
    case VK_FORMAT_EAC_R11G11_SNORM_BLOCK: return BlockFormat{16, 2};
    default: return std::nullopt;
  }
}

size_t block_bytes_for(const BlockFormat& f, VkExtent3D extent) {
  return size_t((extent.width + f.block_width - 1) / f.block_width) *
         ((extent.height + f.block_height - 1) / f.block_height) * std::max(extent.depth, 1u) * f.block_bytes;
}

std::vector<uint8_t> decode_blocks(VkFormat format, VkExtent3D extent, const uint8_t* blocks) {
  const std::optional<BlockFormat> f = decodable_block_format(format);
  if (!f) return {};
  const uint32_t w = extent.width, h = extent.height, depth = std::max(extent.depth, 1u);
  const uint32_t bw = (w + f->block_width - 1) / f->block_width, bh = (h + f->block_height - 1) / f->block_height;
  const uint32_t ch = f->channels;
  std::vector<uint8_t> texels(size_t(w) * h * depth * ch);
  if (const AstcFormat astc = astc_format(format); astc.width) {
    uint8_t out[144][4];
    for (uint32_t z = 0; z < depth; ++z) {
      for (uint32_t by = 0; by < bh; ++by) {
        for (uint32_t bx = 0; bx < bw; ++bx) {
          decode_astc_block_unorm8(blocks + ((size_t(z) * bh + by) * bw + bx) * 16, f->block_width, f->block_height,
                                   astc.srgb, out);
          for (uint32_t y = 0; y < f->block_height; ++y) {
            for (uint32_t x = 0; x < f->block_width; ++x) {
              if (uint8_t* t = texel_at(texels, *f, w, h, z, bx, by, x, y, 4)) std::memcpy(t, out[y * f->block_width + x], 4);
            }
          }
        }
      }
    }
    return texels;
  }
  const bool bc1 = f->block_bytes == 8 && ch == 4;
  const bool opaque = format == VK_FORMAT_BC1_RGB_UNORM_BLOCK || format == VK_FORMAT_BC1_RGB_SRGB_BLOCK;
  const bool bc2 = format == VK_FORMAT_BC2_UNORM_BLOCK || format == VK_FORMAT_BC2_SRGB_BLOCK;
  const bool is_signed = format == VK_FORMAT_BC4_SNORM_BLOCK || format == VK_FORMAT_BC5_SNORM_BLOCK;
  const bool bc7 = format == VK_FORMAT_BC7_UNORM_BLOCK || format == VK_FORMAT_BC7_SRGB_BLOCK;
  const bool etc2_rgb = format == VK_FORMAT_ETC2_R8G8B8_UNORM_BLOCK || format == VK_FORMAT_ETC2_R8G8B8_SRGB_BLOCK;
  const bool etc2_a1 = format == VK_FORMAT_ETC2_R8G8B8A1_UNORM_BLOCK || format == VK_FORMAT_ETC2_R8G8B8A1_SRGB_BLOCK;
  const bool etc2_rgba = format == VK_FORMAT_ETC2_R8G8B8A8_UNORM_BLOCK || format == VK_FORMAT_ETC2_R8G8B8A8_SRGB_BLOCK;
  const bool eac = format >= VK_FORMAT_EAC_R11_UNORM_BLOCK && format <= VK_FORMAT_EAC_R11G11_SNORM_BLOCK;
  const bool eac_signed = format == VK_FORMAT_EAC_R11_SNORM_BLOCK || format == VK_FORMAT_EAC_R11G11_SNORM_BLOCK;
  for (uint32_t z = 0; z < depth; ++z) {
    for (uint32_t by = 0; by < bh; ++by) {
      for (uint32_t bx = 0; bx < bw; ++bx) {
        const uint8_t* block = blocks + ((size_t(z) * bh + by) * bw + bx) * f->block_bytes;
        uint8_t out[16][4] = {};
        if (bc7) {
          decode_bc7_block(block, out);
        } else if (etc2_rgb || etc2_a1) {
          decode_etc2_block(block, etc2_a1, out);
        } else if (etc2_rgba) {
          // The alpha half comes first, the colour half (decoded as ETC2 RGB) second.
          decode_etc2_block(block + 8, false, out);
          uint8_t alpha[16];
          decode_etc2_alpha_block(block, alpha);
          for (int i = 0; i < 16; ++i) out[i][3] = alpha[i];
        } else if (eac) {
          for (uint32_t c = 0; c < ch; ++c) {
            int32_t v[16];
            decode_eac11_block(block + 8 * c, eac_signed, v);
            for (int i = 0; i < 16; ++i) out[i][c] = eac11_to_8_bits(v[i], eac_signed);
          }
        } else if (ch == 4) {
          Rgba colour[16];
          decode_colour(bc1 ? block : block + 8, !bc1, opaque, colour);
          uint8_t alpha[16];
          if (bc2) {
            const uint64_t a = load_le(block, 8);
            for (int i = 0; i < 16; ++i) alpha[i] = uint8_t(((a >> (4 * i)) & 15) * 17);
          } else if (!bc1) {
            decode_channel(block, false, alpha);
          }
          for (int i = 0; i < 16; ++i) {
            std::memcpy(out[i], colour[i].data(), 4);
            if (!bc1) out[i][3] = alpha[i];
          }
        } else {
          for (uint32_t c = 0; c < ch; ++c) {
            uint8_t v[16];
            decode_channel(block + 8 * c, is_signed, v);
            for (int i = 0; i < 16; ++i) out[i][c] = v[i];
          }
        }
        for (uint32_t y = 0; y < 4 && by * 4 + y < h; ++y) {
          for (uint32_t x = 0; x < 4 && bx * 4 + x < w; ++x) {
            uint8_t* t = texels.data() + ((size_t(z) * h + by * 4 + y) * w + bx * 4 + x) * ch;
            std::memcpy(t, out[y * 4 + x], ch);
          }
        }
      }
    }
  }
  return texels;
}

std::optional<BlockFormat> float16_block_format(VkFormat format) {
  if (const AstcFormat astc = astc_format(format); astc.hdr) return astc_block_format(astc);
  return bc6h_block_format(format);
}

std::vector<uint16_t> decode_float16_blocks(VkFormat format, VkExtent3D extent, const uint8_t* blocks) {
  const std::optional<BlockFormat> f = float16_block_format(format);
  if (!f) return {};
  const bool astc = astc_format(format).hdr, is_signed = format == VK_FORMAT_BC6H_SFLOAT_BLOCK;
  const uint32_t w = extent.width, h = extent.height, depth = std::max(extent.depth, 1u), ch = f->channels;
  const uint32_t bw = (w + f->block_width - 1) / f->block_width, bh = (h + f->block_height - 1) / f->block_height;
  std::vector<uint16_t> texels(size_t(w) * h * depth * ch);
  for (uint32_t z = 0; z < depth; ++z) {
    for (uint32_t by = 0; by < bh; ++by) {
      for (uint32_t bx = 0; bx < bw; ++bx) {
        const uint8_t* block = blocks + ((size_t(z) * bh + by) * bw + bx) * 16;
        uint16_t out[144][4];
        if (astc) {
          decode_astc_block_float16(block, f->block_width, f->block_height, true, out);
        } else {
          uint16_t rgb[16][3];
          decode_bc6h_block(block, is_signed, rgb);
          for (int i = 0; i < 16; ++i) std::memcpy(out[i], rgb[i], sizeof rgb[i]);
        }
        for (uint32_t y = 0; y < f->block_height; ++y) {
          for (uint32_t x = 0; x < f->block_width; ++x) {
            if (uint16_t* t = texel_at(texels, *f, w, h, z, bx, by, x, y, ch))
              std::memcpy(t, out[y * f->block_width + x], ch * sizeof(uint16_t));
          }
        }
      }
    }
  }
  return texels;
}

}  // namespace kiln::layer
