// kiln/image.h — a VkImage with its memory and a default view, owned; and extra views of it.
//
//   kiln::Image albedo(ctx, {.format = VK_FORMAT_R8G8B8A8_SRGB, .extent = {1920, 1080, 1},
//                            .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT,
//                            .name = "gbuffer.albedo"});
//   albedo.view();   // covers every mip and layer: 2D here; 2D_ARRAY, CUBE, CUBE_ARRAY, 3D, 1D... as fits
//   kiln::ImageView mip1(ctx, albedo, {.base_mip = 1, .mip_count = 1});
//
// Images are 1D, 2D or 3D, with array layers, mips, cube compatibility and MSAA. Creation validates
// the description and the device's support for format + usage (the error names what failed) before
// calling Vulkan. Move-only; dropping defers destruction as Buffer does (buffer.h). Each image carries
// one ResourceState for all its subresources (layout UNDEFINED when new); CommandBuffer::use
// advances it. Per-subresource layouts are left to raw barriers.
//
// Not here: uploads (stream layer), swapchain images (view layer), sparse or multi-planar images.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>

#include "kiln/error.h"  // what creation throws
#include "kiln/memory.h"
#include "kiln/sync.h"

namespace kiln {

class Context;

// The number of mips of a full chain down to 1x1x1: floor(log2(max dimension)) + 1.
uint32_t full_mip_count(VkExtent3D extent);
// The extent of mip `level` (each dimension halved per level, never below 1).
VkExtent3D mip_extent(VkExtent3D extent, uint32_t level);

struct ImageDesc {
  // VK_IMAGE_TYPE_1D is 0, and a zero-filled description must mean 2D: so a 0 here means 1D only
  // when the extent is one texel high and deep, else 2D.
  VkImageType type = VK_IMAGE_TYPE_2D;
  VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;  // UNDEFINED means R8G8B8A8_UNORM
  VkExtent3D extent{};                         // width > 0; height/depth 0 mean 1 where the type allows
  uint32_t mip_levels = 1;                     // 0 means 1; full_mip_count(extent) for a whole chain
  uint32_t layers = 1;                         // 0 means 1; counts faces for cubes
  bool cube = false;  // CUBE_COMPATIBLE; square extent; layers a multiple of 6 (0 or 1: one cube, 6)
  VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;  // 0 means 1
  VkImageUsageFlags usage = 0;                 // must be non-zero
  MemoryIntent memory = MemoryIntent::DeviceOnly;
  VkImageTiling tiling = VK_IMAGE_TILING_OPTIMAL;
  const char* name = nullptr;
  bool concurrent = false;                     // as BufferDesc::concurrent
  // Extra create flags, e.g. MUTABLE_FORMAT (views in another format of the same class, such as a
  // UNORM storage view of an sRGB image) or 2D_ARRAY_COMPATIBLE. CUBE_COMPATIBLE comes from `cube`.
  VkImageCreateFlags flags = 0;
};

class Image {
 public:
  Image() = default;
  Image(Context& ctx, const ImageDesc& desc);
  ~Image();
  Image(Image&& other) noexcept;
  Image& operator=(Image&& other) noexcept;
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  VkImage handle() const { return image_; }
  // The default view: every mip and layer (a cube array's is 2D_ARRAY where the context has not
  // enabled the imageCubeArray feature); for depth+stencil formats that are sampled, storage or
  // input attachments, the depth aspect only (a sampled view may have one aspect). Null when the
  // usage allows no views (transfer-only images).
  VkImageView view() const { return view_; }
  VkFormat format() const { return format_; }
  VkExtent3D extent() const { return extent_; }
  VkExtent3D mip_extent(uint32_t level) const { return kiln::mip_extent(extent_, level); }
  uint32_t mip_levels() const { return mip_levels_; }
  uint32_t layers() const { return layers_; }
  bool cube() const { return cube_; }
  // Every aspect of the format (COLOR, or DEPTH and/or STENCIL): what barriers need.
  VkImageAspectFlags aspect() const { return aspect_; }
  VkSampleCountFlagBits samples() const { return samples_; }
  VkImageUsageFlags usage() const { return usage_; }
  VkImageType type() const { return type_; }
  VkImageTiling tiling() const { return tiling_; }
  VkImageCreateFlags flags() const { return flags_; }
  VkImageViewType view_type() const { return view_type_; }  // of the default view
  // All mips and layers with aspect().
  VkImageSubresourceRange full_range() const { return {aspect_, 0, mip_levels_, 0, layers_}; }

  const Allocation& allocation() const { return allocation_; }
  // Null unless the memory intent is host-visible; only meaningful with linear tiling.
  void* mapped() const { return mapped_; }
  MemoryIntent memory() const { return memory_; }

  // Unique among every buffer, image and sampler this process creates, and never reused (Vulkan
  // handles can be, once destroyed): a key for caches of things made from the resource. 0 when empty.
  uint64_t id() const { return id_; }

  ResourceState& state() { return state_; }
  const ResourceState& state() const { return state_; }

  const std::string& name() const { return name_; }
  Context* context() const { return ctx_; }
  explicit operator bool() const { return image_ != VK_NULL_HANDLE; }
  void reset();

 private:
  void release() noexcept;  // defers destruction of what is held; leaves the handles null
  void clear() noexcept;    // every field back to the empty image's
  void take(Image& other) noexcept;

  Context* ctx_ = nullptr;
  VkImage image_ = VK_NULL_HANDLE;
  VkImageView view_ = VK_NULL_HANDLE;
  Allocation allocation_;
  void* mapped_ = nullptr;
  MemoryIntent memory_ = MemoryIntent::DeviceOnly;
  VkFormat format_ = VK_FORMAT_UNDEFINED;
  VkExtent3D extent_{};
  uint32_t mip_levels_ = 0;
  uint32_t layers_ = 0;
  bool cube_ = false;
  VkImageAspectFlags aspect_ = 0;
  VkSampleCountFlagBits samples_ = VK_SAMPLE_COUNT_1_BIT;
  VkImageUsageFlags usage_ = 0;
  VkImageType type_ = VK_IMAGE_TYPE_2D;
  VkImageTiling tiling_ = VK_IMAGE_TILING_OPTIMAL;
  VkImageCreateFlags flags_ = 0;
  VkImageViewType view_type_ = VK_IMAGE_VIEW_TYPE_2D;
  uint64_t id_ = 0;
  ResourceState state_;
  std::string name_;
};

struct ImageViewDesc {
  // VK_IMAGE_VIEW_TYPE_1D is 0 and means "derive": from the image's type, cube flag and the layer
  // count of the range (a 1D image with one layer derives 1D, so nothing is lost).
  VkImageViewType type = VK_IMAGE_VIEW_TYPE_1D;
  VkFormat format = VK_FORMAT_UNDEFINED;  // UNDEFINED: the image's
  uint32_t base_mip = 0;
  uint32_t mip_count = 0;                 // 0: the rest from base_mip
  uint32_t base_layer = 0;
  uint32_t layer_count = 0;               // 0: the rest from base_layer
  VkImageAspectFlags aspect = 0;          // 0: as Image::view() chooses
  VkComponentMapping swizzle{};           // identity when zero
  const char* name = nullptr;
};

// A view of a subset of an Image. Does not keep the image alive: drop views first (or together —
// both deferrals wait for the same GPU work).
class ImageView {
 public:
  ImageView() = default;
  ImageView(Context& ctx, const Image& image, const ImageViewDesc& desc = {});
  ~ImageView();
  ImageView(ImageView&& other) noexcept;
  ImageView& operator=(ImageView&& other) noexcept;
  ImageView(const ImageView&) = delete;
  ImageView& operator=(const ImageView&) = delete;

  VkImageView handle() const { return view_; }
  VkImage image() const { return image_; }
  VkImageViewType type() const { return type_; }
  VkFormat format() const { return format_; }
  VkImageSubresourceRange range() const { return range_; }
  const std::string& name() const { return name_; }
  Context* context() const { return ctx_; }
  explicit operator bool() const { return view_ != VK_NULL_HANDLE; }
  void reset();

 private:
  Context* ctx_ = nullptr;
  VkImageView view_ = VK_NULL_HANDLE;
  VkImage image_ = VK_NULL_HANDLE;
  VkImageViewType type_ = VK_IMAGE_VIEW_TYPE_2D;
  VkFormat format_ = VK_FORMAT_UNDEFINED;
  VkImageSubresourceRange range_{};
  std::string name_;
};

}  // namespace kiln
