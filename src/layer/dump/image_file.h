// How a captured image subresource becomes a file: PNG when it is 8-bit displayable (R8, RG8, RGB8, RGBA8,
// BGR8, BGRA8 in UNORM or SRGB, and BC1-BC5, BC7, ETC2, EAC and ASTC LDR blocks decoded, their raw blocks
// kept beside), .npy with its component type otherwise (BC6H and ASTC HDR blocks too: decoded to float16,
// blocks beside), .bin when kiln does not know how to lay out its texels (ASTC in 3D images, extension
// formats). The layer cannot use core's format table
// (it lives in other people's programs, util only), so the few facts needed here are its own.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/npy.h"

namespace kiln::layer {

enum class ImageFileKind : uint32_t { Png, Npy, Bin };

struct ImageFilePlan {
  ImageFileKind kind = ImageFileKind::Bin;
  NpyType type = NpyType::U8;      // Npy: element type
  std::vector<uint64_t> shape;     // Npy: [h, w, c], or [d, h, w, c] for 3D images; Png: [h, w, c]
  uint32_t channels = 0;           // components per texel in the file
  std::string why_bin;             // Bin: why it could not be an image file
  bool blocks = false;             // decoded blocks (Png; Npy for BC6H): the raw blocks get a file of their own
};

// "VK_FORMAT_R8G8B8A8_UNORM"; "VK_FORMAT_<number>" for formats not in the layer's table.
std::string vk_format_name(VkFormat format);
// "VK_IMAGE_LAYOUT_GENERAL" ...
std::string vk_image_layout_name(VkImageLayout layout);
// {"color"}, {"depth"}, {"depth", "stencil"} ...
std::vector<std::string> vk_aspect_names(VkImageAspectFlags aspect);
// "vertex", "fragment", "compute" ...
const char* vk_stage_name(VkShaderStageFlagBits stage);
const char* vk_bind_point_name(VkPipelineBindPoint point);

// What file `bytes` of one subresource (format, aspect, extent) become; Bin when the size does not match.
ImageFilePlan plan_image_file(VkFormat format, VkImageAspectFlags aspect, VkExtent3D extent, size_t bytes);

// Writes `bytes` as planned (swizzling BGR to RGB and widening RG to RGB for PNG; converting D24 depth to
// float32). Throws kiln::Error naming the path.
void write_image_file(const std::string& path, const ImageFilePlan& plan, VkFormat format, VkImageAspectFlags aspect,
                      VkExtent3D extent, const std::vector<uint8_t>& bytes);

// "png", "npy", "bin"
const char* image_file_extension(ImageFileKind kind);

}  // namespace kiln::layer
