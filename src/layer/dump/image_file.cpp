// The layer's own small table of the formats it writes as images: component count and type per format.
// Packed formats (A2B10G10R10, B10G11R11, R5G6B5 ...) go to .npy as one integer per texel, unpacked by the
// reader; BC1-BC5, BC7, ETC2, EAC and ASTC LDR are decoded to PNG, BC6H and ASTC HDR to a float16 .npy
// (block_decode.h); unknown formats go to .bin.
#include "image_file.h"

#include "block_decode.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/png.h"

namespace kiln::layer {
namespace {

enum : uint32_t { kPng = 1, kBgr = 2, kPacked = 4 };

struct FormatRow {
  VkFormat format;
  const char* name;
  uint32_t channels;
  NpyType type;
  uint32_t flags;
};

#define KILN_F(tok, ch, type, flags) {VK_FORMAT_##tok, "VK_FORMAT_" #tok, ch, NpyType::type, flags},
#define KILN_N(tok) {VK_FORMAT_##tok, "VK_FORMAT_" #tok, 0, NpyType::U8, 0},
#define KILN_F8(base, ch, bgr)                                                                      \
  KILN_F(base##_UNORM, ch, U8, kPng | (bgr)) KILN_F(base##_SNORM, ch, I8, 0)                        \
  KILN_F(base##_USCALED, ch, U8, 0) KILN_F(base##_SSCALED, ch, I8, 0) KILN_F(base##_UINT, ch, U8, 0) \
  KILN_F(base##_SINT, ch, I8, 0) KILN_F(base##_SRGB, ch, U8, kPng | (bgr))
#define KILN_F16(base, ch)                                                                             \
  KILN_F(base##_UNORM, ch, U16, 0) KILN_F(base##_SNORM, ch, I16, 0) KILN_F(base##_USCALED, ch, U16, 0) \
  KILN_F(base##_SSCALED, ch, I16, 0) KILN_F(base##_UINT, ch, U16, 0) KILN_F(base##_SINT, ch, I16, 0)   \
  KILN_F(base##_SFLOAT, ch, F16, 0)
#define KILN_F32(base, ch) KILN_F(base##_UINT, ch, U32, 0) KILN_F(base##_SINT, ch, I32, 0) KILN_F(base##_SFLOAT, ch, F32, 0)
#define KILN_F64(base, ch) KILN_F(base##_UINT, ch, U64, 0) KILN_F(base##_SINT, ch, I64, 0) KILN_F(base##_SFLOAT, ch, F64, 0)
#define KILN_PACK32(base)                                                                              \
  KILN_F(base##_UNORM_PACK32, 1, U32, kPacked) KILN_F(base##_SNORM_PACK32, 1, U32, kPacked)            \
  KILN_F(base##_USCALED_PACK32, 1, U32, kPacked) KILN_F(base##_SSCALED_PACK32, 1, U32, kPacked)        \
  KILN_F(base##_UINT_PACK32, 1, U32, kPacked) KILN_F(base##_SINT_PACK32, 1, U32, kPacked)

constexpr FormatRow kFormats[] = {
    KILN_F8(R8, 1, 0) KILN_F8(R8G8, 2, 0) KILN_F8(R8G8B8, 3, 0) KILN_F8(B8G8R8, 3, kBgr)
    KILN_F8(R8G8B8A8, 4, 0) KILN_F8(B8G8R8A8, 4, kBgr)
    // A8B8G8R8_PACK32 lies in memory as R, G, B, A on little-endian machines.
    KILN_F(A8B8G8R8_UNORM_PACK32, 4, U8, kPng) KILN_F(A8B8G8R8_SNORM_PACK32, 4, I8, 0)
    KILN_F(A8B8G8R8_USCALED_PACK32, 4, U8, 0) KILN_F(A8B8G8R8_SSCALED_PACK32, 4, I8, 0)
    KILN_F(A8B8G8R8_UINT_PACK32, 4, U8, 0) KILN_F(A8B8G8R8_SINT_PACK32, 4, I8, 0)
    KILN_F(A8B8G8R8_SRGB_PACK32, 4, U8, kPng)
    KILN_F16(R16, 1) KILN_F16(R16G16, 2) KILN_F16(R16G16B16, 3) KILN_F16(R16G16B16A16, 4)
    KILN_F32(R32, 1) KILN_F32(R32G32, 2) KILN_F32(R32G32B32, 3) KILN_F32(R32G32B32A32, 4)
    KILN_F64(R64, 1) KILN_F64(R64G64, 2) KILN_F64(R64G64B64, 3) KILN_F64(R64G64B64A64, 4)
    KILN_PACK32(A2R10G10B10) KILN_PACK32(A2B10G10R10)
    KILN_F(B10G11R11_UFLOAT_PACK32, 1, U32, kPacked) KILN_F(E5B9G9R9_UFLOAT_PACK32, 1, U32, kPacked)
    KILN_F(R4G4_UNORM_PACK8, 1, U8, kPacked) KILN_F(R4G4B4A4_UNORM_PACK16, 1, U16, kPacked)
    KILN_F(B4G4R4A4_UNORM_PACK16, 1, U16, kPacked) KILN_F(R5G6B5_UNORM_PACK16, 1, U16, kPacked)
    KILN_F(B5G6R5_UNORM_PACK16, 1, U16, kPacked) KILN_F(R5G5B5A1_UNORM_PACK16, 1, U16, kPacked)
    KILN_F(B5G5R5A1_UNORM_PACK16, 1, U16, kPacked) KILN_F(A1R5G5B5_UNORM_PACK16, 1, U16, kPacked)
    // Depth/stencil: the depth aspect's type; stencil aspects are always uint8 (see depth_stencil_type).
    KILN_F(D16_UNORM, 1, U16, 0) KILN_F(X8_D24_UNORM_PACK32, 1, F32, 0) KILN_F(D32_SFLOAT, 1, F32, 0)
    KILN_F(S8_UINT, 1, U8, 0) KILN_F(D16_UNORM_S8_UINT, 1, U16, 0) KILN_F(D24_UNORM_S8_UINT, 1, F32, 0)
    KILN_F(D32_SFLOAT_S8_UINT, 1, F32, 0)
    // Compressed: named. Those block_decode.h decodes are planned before this table is asked; others stay raw.
    KILN_N(BC1_RGB_UNORM_BLOCK) KILN_N(BC1_RGB_SRGB_BLOCK) KILN_N(BC1_RGBA_UNORM_BLOCK) KILN_N(BC1_RGBA_SRGB_BLOCK)
    KILN_N(BC2_UNORM_BLOCK) KILN_N(BC2_SRGB_BLOCK) KILN_N(BC3_UNORM_BLOCK) KILN_N(BC3_SRGB_BLOCK)
    KILN_N(BC7_UNORM_BLOCK) KILN_N(BC7_SRGB_BLOCK) KILN_N(BC4_UNORM_BLOCK) KILN_N(BC4_SNORM_BLOCK)
    KILN_N(BC5_UNORM_BLOCK) KILN_N(BC5_SNORM_BLOCK) KILN_N(BC6H_UFLOAT_BLOCK) KILN_N(BC6H_SFLOAT_BLOCK)
    KILN_N(ETC2_R8G8B8_UNORM_BLOCK) KILN_N(ETC2_R8G8B8_SRGB_BLOCK) KILN_N(ETC2_R8G8B8A1_UNORM_BLOCK)
    KILN_N(ETC2_R8G8B8A1_SRGB_BLOCK) KILN_N(ETC2_R8G8B8A8_UNORM_BLOCK) KILN_N(ETC2_R8G8B8A8_SRGB_BLOCK)
    KILN_N(EAC_R11_UNORM_BLOCK) KILN_N(EAC_R11_SNORM_BLOCK) KILN_N(EAC_R11G11_UNORM_BLOCK)
    KILN_N(EAC_R11G11_SNORM_BLOCK) KILN_N(ASTC_4x4_UNORM_BLOCK) KILN_N(ASTC_4x4_SRGB_BLOCK)
    KILN_N(ASTC_5x4_UNORM_BLOCK) KILN_N(ASTC_5x4_SRGB_BLOCK) KILN_N(ASTC_5x5_UNORM_BLOCK) KILN_N(ASTC_5x5_SRGB_BLOCK)
    KILN_N(ASTC_6x5_UNORM_BLOCK) KILN_N(ASTC_6x5_SRGB_BLOCK) KILN_N(ASTC_6x6_UNORM_BLOCK) KILN_N(ASTC_6x6_SRGB_BLOCK)
    KILN_N(ASTC_8x5_UNORM_BLOCK) KILN_N(ASTC_8x5_SRGB_BLOCK) KILN_N(ASTC_8x6_UNORM_BLOCK) KILN_N(ASTC_8x6_SRGB_BLOCK)
    KILN_N(ASTC_8x8_UNORM_BLOCK) KILN_N(ASTC_8x8_SRGB_BLOCK) KILN_N(ASTC_10x5_UNORM_BLOCK)
    KILN_N(ASTC_10x5_SRGB_BLOCK) KILN_N(ASTC_10x6_UNORM_BLOCK) KILN_N(ASTC_10x6_SRGB_BLOCK)
    KILN_N(ASTC_10x8_UNORM_BLOCK) KILN_N(ASTC_10x8_SRGB_BLOCK) KILN_N(ASTC_10x10_UNORM_BLOCK)
    KILN_N(ASTC_10x10_SRGB_BLOCK) KILN_N(ASTC_12x10_UNORM_BLOCK) KILN_N(ASTC_12x10_SRGB_BLOCK)
    KILN_N(ASTC_12x12_UNORM_BLOCK) KILN_N(ASTC_12x12_SRGB_BLOCK)
    KILN_N(ASTC_4x4_SFLOAT_BLOCK) KILN_N(ASTC_5x4_SFLOAT_BLOCK) KILN_N(ASTC_5x5_SFLOAT_BLOCK)
    KILN_N(ASTC_6x5_SFLOAT_BLOCK) KILN_N(ASTC_6x6_SFLOAT_BLOCK) KILN_N(ASTC_8x5_SFLOAT_BLOCK)
    KILN_N(ASTC_8x6_SFLOAT_BLOCK) KILN_N(ASTC_8x8_SFLOAT_BLOCK) KILN_N(ASTC_10x5_SFLOAT_BLOCK)
    KILN_N(ASTC_10x6_SFLOAT_BLOCK) KILN_N(ASTC_10x8_SFLOAT_BLOCK) KILN_N(ASTC_10x10_SFLOAT_BLOCK)
    KILN_N(ASTC_12x10_SFLOAT_BLOCK) KILN_N(ASTC_12x12_SFLOAT_BLOCK)
};

#undef KILN_F
#undef KILN_N
#undef KILN_F8
#undef KILN_F16
#undef KILN_F32
#undef KILN_F64
#undef KILN_PACK32

const FormatRow* find_format(VkFormat format) {
  for (const FormatRow& row : kFormats) {
    if (row.format == format) return &row;
  }
  return nullptr;
}

// D24 depth arrives from vkCmdCopyImageToBuffer as 32-bit words with the depth in the low 24 bits.
bool is_d24(VkFormat format) {
  return format == VK_FORMAT_X8_D24_UNORM_PACK32 || format == VK_FORMAT_D24_UNORM_S8_UINT;
}

bool is_stencil_only(VkImageAspectFlags aspect) { return aspect == VK_IMAGE_ASPECT_STENCIL_BIT; }

void write_raw(const std::string& path, const void* data, size_t bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (bytes) out.write(static_cast<const char*>(data), std::streamsize(bytes));
  if (!out) throw Error(str("cannot write '", path, "'"));
}

}  // namespace

std::string vk_format_name(VkFormat format) {
  if (format == VK_FORMAT_UNDEFINED) return "VK_FORMAT_UNDEFINED";
  const FormatRow* row = find_format(format);
  return row ? std::string(row->name) : str("VK_FORMAT_", static_cast<int64_t>(format));
}

std::string vk_image_layout_name(VkImageLayout layout) {
  switch (layout) {
#define KILN_L(x) \
  case VK_IMAGE_LAYOUT_##x: return "VK_IMAGE_LAYOUT_" #x;
    KILN_L(UNDEFINED) KILN_L(GENERAL) KILN_L(COLOR_ATTACHMENT_OPTIMAL) KILN_L(DEPTH_STENCIL_ATTACHMENT_OPTIMAL)
    KILN_L(DEPTH_STENCIL_READ_ONLY_OPTIMAL) KILN_L(SHADER_READ_ONLY_OPTIMAL) KILN_L(TRANSFER_SRC_OPTIMAL)
    KILN_L(TRANSFER_DST_OPTIMAL) KILN_L(PREINITIALIZED) KILN_L(DEPTH_READ_ONLY_STENCIL_ATTACHMENT_OPTIMAL)
    KILN_L(DEPTH_ATTACHMENT_STENCIL_READ_ONLY_OPTIMAL) KILN_L(DEPTH_ATTACHMENT_OPTIMAL)
    KILN_L(DEPTH_READ_ONLY_OPTIMAL) KILN_L(STENCIL_ATTACHMENT_OPTIMAL) KILN_L(STENCIL_READ_ONLY_OPTIMAL)
    KILN_L(READ_ONLY_OPTIMAL) KILN_L(ATTACHMENT_OPTIMAL) KILN_L(PRESENT_SRC_KHR) KILN_L(SHARED_PRESENT_KHR)
    KILN_L(ATTACHMENT_FEEDBACK_LOOP_OPTIMAL_EXT)
#undef KILN_L
    default: return str("VK_IMAGE_LAYOUT_", static_cast<int64_t>(layout));
  }
}

std::vector<std::string> vk_aspect_names(VkImageAspectFlags aspect) {
  std::vector<std::string> names;
  if (aspect & VK_IMAGE_ASPECT_COLOR_BIT) names.push_back("color");
  if (aspect & VK_IMAGE_ASPECT_DEPTH_BIT) names.push_back("depth");
  if (aspect & VK_IMAGE_ASPECT_STENCIL_BIT) names.push_back("stencil");
  if (aspect & VK_IMAGE_ASPECT_PLANE_0_BIT) names.push_back("plane0");
  if (aspect & VK_IMAGE_ASPECT_PLANE_1_BIT) names.push_back("plane1");
  if (aspect & VK_IMAGE_ASPECT_PLANE_2_BIT) names.push_back("plane2");
  return names;
}

const char* vk_stage_name(VkShaderStageFlagBits stage) {
  switch (stage) {
    case VK_SHADER_STAGE_VERTEX_BIT: return "vertex";
    case VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT: return "tessellation_control";
    case VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT: return "tessellation_evaluation";
    case VK_SHADER_STAGE_GEOMETRY_BIT: return "geometry";
    case VK_SHADER_STAGE_FRAGMENT_BIT: return "fragment";
    case VK_SHADER_STAGE_COMPUTE_BIT: return "compute";
    case VK_SHADER_STAGE_TASK_BIT_EXT: return "task";
    case VK_SHADER_STAGE_MESH_BIT_EXT: return "mesh";
    case VK_SHADER_STAGE_RAYGEN_BIT_KHR: return "raygen";
    case VK_SHADER_STAGE_ANY_HIT_BIT_KHR: return "any_hit";
    case VK_SHADER_STAGE_CLOSEST_HIT_BIT_KHR: return "closest_hit";
    case VK_SHADER_STAGE_MISS_BIT_KHR: return "miss";
    case VK_SHADER_STAGE_INTERSECTION_BIT_KHR: return "intersection";
    case VK_SHADER_STAGE_CALLABLE_BIT_KHR: return "callable";
    default: return "unknown";
  }
}

const char* vk_bind_point_name(VkPipelineBindPoint point) {
  switch (point) {
    case VK_PIPELINE_BIND_POINT_GRAPHICS: return "graphics";
    case VK_PIPELINE_BIND_POINT_COMPUTE: return "compute";
    case VK_PIPELINE_BIND_POINT_RAY_TRACING_KHR: return "ray_tracing";
    default: return "unknown";
  }
}

const char* image_file_extension(ImageFileKind kind) {
  switch (kind) {
    case ImageFileKind::Png: return "png";
    case ImageFileKind::Npy: return "npy";
    case ImageFileKind::Bin: return "bin";
  }
  return "bin";
}

ImageFilePlan plan_image_file(VkFormat format, VkImageAspectFlags aspect, VkExtent3D extent, size_t bytes) {
  ImageFilePlan plan;
  if (const std::optional<BlockFormat> blocks = decodable_block_format(format)) {
    const size_t want = block_bytes_for(*blocks, extent);
    if (bytes != want || extent.depth > 1) {
      plan.why_bin = extent.depth > 1 ? str(vk_format_name(format), " in a 3D image: raw blocks")
                                      : str(bytes, " bytes for ", extent.width, "x", extent.height, " texels of ",
                                            vk_format_name(format), " (expected ", want, "): raw blocks");
      return plan;
    }
    plan.kind = ImageFileKind::Png;
    plan.blocks = true;
    plan.channels = blocks->channels == 2 ? 3 : blocks->channels;  // RG widened to RGB, as for RG8
    plan.shape = {extent.height, extent.width, plan.channels};
    return plan;
  }
  if (const std::optional<BlockFormat> hdr = float16_block_format(format)) {
    const size_t want = block_bytes_for(*hdr, extent);
    if (bytes != want) {
      plan.why_bin = str(bytes, " bytes for ", extent.width, "x", extent.height, "x", extent.depth, " texels of ",
                         vk_format_name(format), " (expected ", want, "): raw blocks");
      return plan;
    }
    // HDR values: half floats in a .npy, shaped as other .npy images (3D ones slice by slice, which a PNG
    // could not be).
    plan.kind = ImageFileKind::Npy;
    plan.type = NpyType::F16;
    plan.blocks = true;
    plan.channels = hdr->channels;
    if (extent.depth > 1) plan.shape.push_back(extent.depth);
    plan.shape.insert(plan.shape.end(), {extent.height, extent.width, plan.channels});
    return plan;
  }
  const FormatRow* row = find_format(format);
  if (!row || row->channels == 0) {
    plan.why_bin = str(vk_format_name(format), " is compressed or not in the layer's format table: raw bytes");
    return plan;
  }
  NpyType type = row->type;
  uint32_t source_texel = row->channels * npy_type_size(type);
  if (is_stencil_only(aspect)) {
    type = NpyType::U8;
    source_texel = 1;
  } else if (is_d24(format)) {
    source_texel = 4;  // converted to float32 when written
  } else if (format == VK_FORMAT_D32_SFLOAT_S8_UINT) {
    source_texel = 4;
  } else if (format == VK_FORMAT_D16_UNORM_S8_UINT) {
    source_texel = 2;
  }
  const uint64_t texels = uint64_t(extent.width) * extent.height * std::max(extent.depth, 1u);
  if (texels * source_texel != bytes) {
    plan.why_bin = str(bytes, " bytes for ", extent.width, "x", extent.height, "x", extent.depth, " texels of ",
                       vk_format_name(format), " (expected ", texels * source_texel, "): raw bytes");
    return plan;
  }
  plan.type = type;
  plan.channels = row->channels;
  const bool png = (row->flags & kPng) && extent.depth <= 1 && !is_stencil_only(aspect);
  if (png) {
    plan.kind = ImageFileKind::Png;
    plan.channels = row->channels == 2 ? 3 : row->channels;  // RG is widened to RGB (blue 0) for viewers
  } else {
    plan.kind = ImageFileKind::Npy;
  }
  if (extent.depth > 1) plan.shape.push_back(extent.depth);
  plan.shape.insert(plan.shape.end(), {extent.height, extent.width, plan.channels});
  return plan;
}

void write_image_file(const std::string& path, const ImageFilePlan& plan, VkFormat format, VkImageAspectFlags aspect,
                      VkExtent3D extent, const std::vector<uint8_t>& bytes) {
  if (plan.kind == ImageFileKind::Bin) return write_raw(path, bytes.data(), bytes.size());
  if (plan.blocks && plan.kind == ImageFileKind::Npy) {
    const std::vector<uint16_t> halves = decode_float16_blocks(format, extent, bytes.data());
    return write_npy(path, NpyType::F16, plan.shape, halves.data(), halves.size() * sizeof(uint16_t));
  }
  if (plan.blocks) {
    std::vector<uint8_t> texels = decode_blocks(format, extent, bytes.data());
    if (plan.channels == 3 && decodable_block_format(format)->channels == 2) {
      std::vector<uint8_t> rgb(texels.size() / 2 * 3);
      for (size_t i = 0; i < texels.size() / 2; ++i) rgb[i * 3] = texels[i * 2], rgb[i * 3 + 1] = texels[i * 2 + 1];
      texels.swap(rgb);
    }
    return write_png(path, extent.width, extent.height, plan.channels, texels.data());
  }
  const FormatRow* row = find_format(format);
  if (plan.kind == ImageFileKind::Png) {
    const uint32_t in_channels = row->channels;
    const bool bgr = row->flags & kBgr;
    if (!bgr && in_channels != 2) return write_png(path, extent.width, extent.height, in_channels, bytes.data());
    std::vector<uint8_t> pixels(size_t(extent.width) * extent.height * plan.channels);
    const size_t texels = size_t(extent.width) * extent.height;
    for (size_t i = 0; i < texels; ++i) {
      const uint8_t* in = bytes.data() + i * in_channels;
      uint8_t* out = pixels.data() + i * plan.channels;
      if (in_channels == 2) {
        out[0] = in[0], out[1] = in[1], out[2] = 0;
      } else {
        out[0] = in[2], out[1] = in[1], out[2] = in[0];
        if (in_channels == 4) out[3] = in[3];
      }
    }
    return write_png(path, extent.width, extent.height, plan.channels, pixels.data());
  }
  if (is_d24(format) && !is_stencil_only(aspect)) {
    std::vector<float> depth(bytes.size() / 4);
    for (size_t i = 0; i < depth.size(); ++i) {
      uint32_t word;
      std::memcpy(&word, bytes.data() + i * 4, 4);
      depth[i] = float(word & 0xffffffu) / 16777215.0f;
    }
    return write_npy(path, NpyType::F32, plan.shape, depth.data(), depth.size() * sizeof(float));
  }
  write_npy(path, plan.type, plan.shape, bytes.data(), bytes.size());
}

}  // namespace kiln::layer
