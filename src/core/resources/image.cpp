#include "kiln/image.h"

#include <algorithm>
#include <bit>
#include <utility>

#include "core/resources/common.h"
#include "core/resources/view_setup.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/log.h"

namespace kiln {

uint32_t full_mip_count(VkExtent3D extent) {
  const uint32_t largest = std::max({extent.width, extent.height, extent.depth, 1u});
  return uint32_t(std::bit_width(largest));
}

VkExtent3D mip_extent(VkExtent3D extent, uint32_t level) {
  auto half = [level](uint32_t v) { return level >= 32 ? 1u : std::max(v >> level, 1u); };
  return {half(extent.width), half(extent.height), half(extent.depth)};
}

namespace {

struct Resolved {
  VkImageType type;
  VkFormat format;
  VkExtent3D extent;
  uint32_t mips;
  uint32_t layers;
  VkSampleCountFlagBits samples;
  VkImageCreateFlags flags;
};

std::string extent_text(VkExtent3D e) { return str(e.width, "x", e.height, "x", e.depth); }

// Zero means "default" where the description says so; everything else is checked here, before
// Vulkan sees it, so that the error says which field is wrong and what would be right.
Resolved resolve(const ImageDesc& d) {
  Resolved r;
  r.format = d.format == VK_FORMAT_UNDEFINED ? VK_FORMAT_R8G8B8A8_UNORM : d.format;
  r.type = d.type;
  if (r.type == VK_IMAGE_TYPE_1D && (d.extent.height > 1 || d.extent.depth > 1 || d.cube)) {
    r.type = VK_IMAGE_TYPE_2D;  // a zero-filled type with a 2D extent
  }
  if (r.type != VK_IMAGE_TYPE_1D && r.type != VK_IMAGE_TYPE_2D && r.type != VK_IMAGE_TYPE_3D) {
    throw Error(str("ImageDesc::type ", int(d.type), " is not VK_IMAGE_TYPE_1D, _2D or _3D"));
  }
  r.extent = d.extent;
  if (r.extent.height == 0 && r.type == VK_IMAGE_TYPE_1D) r.extent.height = 1;
  if (r.extent.depth == 0 && r.type != VK_IMAGE_TYPE_3D) r.extent.depth = 1;
  if (r.extent.width == 0 || r.extent.height == 0 || r.extent.depth == 0) {
    throw Error(str("ImageDesc::extent ", extent_text(d.extent), " has a zero dimension; a ",
                    detail::image_type_name(r.type), " image needs width",
                    r.type == VK_IMAGE_TYPE_1D ? "" : r.type == VK_IMAGE_TYPE_2D ? " and height" : ", height and depth",
                    " of at least 1"));
  }
  if (r.type == VK_IMAGE_TYPE_2D && r.extent.depth != 1) {
    throw Error(str("ImageDesc::extent ", extent_text(d.extent), " has depth ", r.extent.depth,
                    " but the image is 2D; use VK_IMAGE_TYPE_3D, or layers for an array"));
  }
  if (d.usage == 0) {
    throw Error(
        "ImageDesc::usage is 0; say what the image is for, e.g. VK_IMAGE_USAGE_SAMPLED_BIT | "
        "VK_IMAGE_USAGE_TRANSFER_DST_BIT");
  }
  const uint32_t chain = full_mip_count(r.extent);
  r.mips = d.mip_levels ? d.mip_levels : 1;
  if (r.mips > chain) {
    throw Error(str("ImageDesc::mip_levels ", r.mips, " is more than the ", chain, " mip levels a ",
                    extent_text(r.extent), " extent has (kiln::full_mip_count)"));
  }
  // Layers count faces; a cube left at the default (0 or 1) is one whole cube.
  r.layers = d.cube && d.layers <= 1 ? 6 : (d.layers ? d.layers : 1);
  if (r.type == VK_IMAGE_TYPE_3D && r.layers != 1) {
    throw Error(str("ImageDesc::layers is ", r.layers, " but 3D images have 1 layer"));
  }
  r.flags = d.flags;
  if (d.cube) {
    if (r.layers % 6 != 0) {
      throw Error(str("ImageDesc::layers is ", r.layers, " for a cube image; cubes need a multiple of 6 (",
                      (r.layers / 6 + 1) * 6, "?)"));
    }
    if (r.extent.width != r.extent.height) {
      throw Error(str("ImageDesc::extent ", extent_text(r.extent), " is not square; cube faces need width == height"));
    }
    r.flags |= VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT;
  }
  r.samples = d.samples ? d.samples : VK_SAMPLE_COUNT_1_BIT;
  if (!std::has_single_bit(uint32_t(r.samples)) || uint32_t(r.samples) > 64) {
    throw Error(str("ImageDesc::samples ", uint32_t(r.samples), " is not a VkSampleCountFlagBits (1, 2, 4 ... 64)"));
  }
  if (r.samples != VK_SAMPLE_COUNT_1_BIT) {
    if (r.type != VK_IMAGE_TYPE_2D || d.cube || r.mips != 1 || d.tiling != VK_IMAGE_TILING_OPTIMAL) {
      throw Error(str("ImageDesc::samples is ", uint32_t(r.samples),
                      ": multisampled images must be 2D, not cube, with 1 mip level and optimal tiling"));
    }
  }
  return r;
}

std::string device_name(Context& ctx) { return ctx.properties().deviceName; }

void check_support(Context& ctx, const Resolved& r, const ImageDesc& d) {
  VkPhysicalDevice pd = ctx.physical_device();
  VkImageFormatProperties props{};
  VkResult result = vkGetPhysicalDeviceImageFormatProperties(pd, r.format, r.type, d.tiling, d.usage, r.flags, &props);
  const std::string where = str("for a ", detail::image_type_name(r.type), " image with ", detail::tiling_name(d.tiling),
                                " tiling", (r.flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) ? " (cube)" : "",
                                " on ", device_name(ctx));
  if (result == VK_ERROR_FORMAT_NOT_SUPPORTED) {
    VkImageUsageFlags failing = 0;
    for (uint32_t bit = 1; bit != 0 && bit <= d.usage; bit <<= 1) {
      if (!(d.usage & bit)) continue;
      VkImageFormatProperties one{};
      if (vkGetPhysicalDeviceImageFormatProperties(pd, r.format, r.type, d.tiling, bit, r.flags, &one) ==
          VK_ERROR_FORMAT_NOT_SUPPORTED) {
        failing |= bit;
      }
    }
    std::string hint = "; pick another format or drop that usage";
    if ((failing & VK_IMAGE_USAGE_STORAGE_BIT) && is_srgb(r.format)) {
      hint = str("; sRGB formats rarely allow storage: create the image as ", format_name(srgb_to_linear(r.format)),
                 ", or add VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT | VK_IMAGE_CREATE_EXTENDED_USAGE_BIT to ImageDesc::flags",
                 " and store through a ", format_name(srgb_to_linear(r.format)), " ImageView");
    }
    if (failing == d.usage) {
      throw Error(str(format_name(r.format), " does not support usage ", detail::image_usage_names(failing), " ",
                      where, hint));
    }
    if (failing) {
      throw Error(str(format_name(r.format), " does not support usage ", detail::image_usage_names(failing),
                      " (of ", detail::image_usage_names(d.usage), ") ", where, hint));
    }
    throw Error(str(format_name(r.format), " supports each of ", detail::image_usage_names(d.usage),
                    " alone but not all together ", where));
  }
  check(result, "vkGetPhysicalDeviceImageFormatProperties");
  const VkExtent3D& m = props.maxExtent;
  if (r.extent.width > m.width || r.extent.height > m.height || r.extent.depth > m.depth) {
    throw Error(str("ImageDesc::extent ", extent_text(r.extent), " is larger than the ", extent_text(m), " that ",
                    format_name(r.format), " allows ", where));
  }
  if (r.mips > props.maxMipLevels) {
    throw Error(str("ImageDesc::mip_levels ", r.mips, " is more than the ", props.maxMipLevels, " ",
                    format_name(r.format), " allows ", where));
  }
  if (r.layers > props.maxArrayLayers) {
    throw Error(str("ImageDesc::layers ", r.layers, " is more than the ", props.maxArrayLayers, " ",
                    format_name(r.format), " allows ", where));
  }
  if (!(props.sampleCounts & r.samples)) {
    std::string counts;
    for (uint32_t c = 1; c <= 64; c <<= 1) {
      if (props.sampleCounts & c) counts += str(counts.empty() ? "" : ", ", c);
    }
    throw Error(str("ImageDesc::samples ", uint32_t(r.samples), " is not supported by ", format_name(r.format),
                    " with usage ", detail::image_usage_names(d.usage), " ", where, "; supported: ", counts));
  }
}

}  // namespace

Image::Image(Context& ctx, const ImageDesc& desc) {
  std::string name = desc.name ? desc.name : "";
  with_context(str("creating ", detail::describe("image", name)), [&] {
    const Resolved r = resolve(desc);
    check_support(ctx, r, desc);

    const detail::QueueSharing sharing = detail::queue_sharing(ctx, desc.concurrent);
    VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    info.flags = r.flags;
    info.imageType = r.type;
    info.format = r.format;
    info.extent = r.extent;
    info.mipLevels = r.mips;
    info.arrayLayers = r.layers;
    info.samples = r.samples;
    info.tiling = desc.tiling;
    info.usage = desc.usage;
    info.sharingMode = sharing.mode;
    info.queueFamilyIndexCount = sharing.count;
    info.pQueueFamilyIndices = sharing.count ? sharing.families : nullptr;
    info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;

    VkImage image = VK_NULL_HANDLE;
    check(vkCreateImage(ctx.device(), &info, nullptr, &image), "vkCreateImage");
    Allocation allocation;
    VkImageView view = VK_NULL_HANDLE;
    try {
      allocation = ctx.allocator().allocate_and_bind(image, desc.memory, desc.name, info.tiling == VK_IMAGE_TILING_LINEAR);
      // The members the view setup reads; committed for good below.
      image_ = image;
      format_ = r.format;
      extent_ = r.extent;
      mip_levels_ = r.mips;
      layers_ = r.layers;
      cube_ = desc.cube;
      aspect_ = format_aspect(r.format) ? format_aspect(r.format) : VkImageAspectFlags(VK_IMAGE_ASPECT_COLOR_BIT);
      samples_ = r.samples;
      usage_ = desc.usage;
      type_ = r.type;
      tiling_ = desc.tiling;
      flags_ = r.flags;
      // Images used only for transfers cannot have views.
      if (desc.usage & detail::kViewUsages) {
        const detail::ViewSetup setup = with_context("creating its default view", [&] {
          return detail::resolve_view(ctx, *this, {});
        });
        view = with_context("creating its default view", [&] { return detail::create_view(ctx, image, setup); });
        view_type_ = setup.type;
      } else {
        view_type_ = detail::derive_view_type(r.type, desc.cube, r.layers, detail::image_cube_array_enabled(ctx));
      }
    } catch (...) {
      // Never submitted anywhere: destroy at once.
      if (view) vkDestroyImageView(ctx.device(), view, nullptr);
      vkDestroyImage(ctx.device(), image, nullptr);
      if (allocation) ctx.allocator().free(allocation);
      image_ = VK_NULL_HANDLE;
      throw;
    }
    if (!name.empty()) {
      ctx.set_name(image, name);
      if (view) ctx.set_name(view, name + ".view");
    }
    ctx_ = &ctx;
    view_ = view;
    allocation_ = allocation;
    memory_ = desc.memory;
    mapped_ = desc.memory == MemoryIntent::DeviceOnly ? nullptr : allocation.mapped;
    id_ = detail::next_resource_id();
    name_ = std::move(name);
  });
}

Image::~Image() { reset(); }

Image::Image(Image&& other) noexcept { take(other); }

Image& Image::operator=(Image&& other) noexcept {
  if (this != &other) {
    release();
    take(other);
  }
  return *this;
}

void Image::reset() {
  release();
  clear();
}

void Image::take(Image& other) noexcept {
  ctx_ = other.ctx_;
  image_ = other.image_;
  view_ = other.view_;
  allocation_ = other.allocation_;
  mapped_ = other.mapped_;
  memory_ = other.memory_;
  format_ = other.format_;
  extent_ = other.extent_;
  mip_levels_ = other.mip_levels_;
  layers_ = other.layers_;
  cube_ = other.cube_;
  aspect_ = other.aspect_;
  samples_ = other.samples_;
  usage_ = other.usage_;
  type_ = other.type_;
  tiling_ = other.tiling_;
  flags_ = other.flags_;
  view_type_ = other.view_type_;
  id_ = other.id_;
  state_ = other.state_;
  name_ = std::move(other.name_);
  // The moved-from image holds nothing: its destructor must not defer anything.
  other.ctx_ = nullptr;
  other.image_ = VK_NULL_HANDLE;
  other.view_ = VK_NULL_HANDLE;
  other.allocation_ = {};
  other.clear();
}

void Image::clear() noexcept {
  ctx_ = nullptr;
  image_ = VK_NULL_HANDLE;
  view_ = VK_NULL_HANDLE;
  allocation_ = {};
  mapped_ = nullptr;
  memory_ = MemoryIntent::DeviceOnly;
  format_ = VK_FORMAT_UNDEFINED;
  extent_ = {};
  mip_levels_ = 0;
  layers_ = 0;
  cube_ = false;
  aspect_ = 0;
  samples_ = VK_SAMPLE_COUNT_1_BIT;
  usage_ = 0;
  type_ = VK_IMAGE_TYPE_2D;
  tiling_ = VK_IMAGE_TILING_OPTIMAL;
  flags_ = 0;
  view_type_ = VK_IMAGE_VIEW_TYPE_2D;
  id_ = 0;
  state_ = {};
  name_.clear();
}

void Image::release() noexcept {
  if (image_ != VK_NULL_HANDLE) {
    Context* ctx = ctx_;
    VkImage image = image_;
    VkImageView view = view_;
    Allocation allocation = allocation_;
    // The GPU may still use it: destroy once the work submitted so far has finished.
    ctx->defer([ctx, image, view, allocation]() mutable {
      if (view) vkDestroyImageView(ctx->device(), view, nullptr);
      vkDestroyImage(ctx->device(), image, nullptr);
      ctx->allocator().free(allocation);
    });
  }
  ctx_ = nullptr;
  image_ = VK_NULL_HANDLE;
  view_ = VK_NULL_HANDLE;
  allocation_ = {};
}

}  // namespace kiln
