#include "core/resources/view_setup.h"

#include "core/resources/common.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/format.h"
#include "kiln/log.h"

namespace kiln::detail {

VkImageViewType derive_view_type(VkImageType type, bool cube, uint32_t layer_count, bool cube_arrays) {
  switch (type) {
    case VK_IMAGE_TYPE_1D:
      return layer_count == 1 ? VK_IMAGE_VIEW_TYPE_1D : VK_IMAGE_VIEW_TYPE_1D_ARRAY;
    case VK_IMAGE_TYPE_3D:
      return VK_IMAGE_VIEW_TYPE_3D;
    default:
      if (cube && layer_count == 6) return VK_IMAGE_VIEW_TYPE_CUBE;
      if (cube && layer_count % 6 == 0 && cube_arrays) return VK_IMAGE_VIEW_TYPE_CUBE_ARRAY;
      return layer_count == 1 ? VK_IMAGE_VIEW_TYPE_2D : VK_IMAGE_VIEW_TYPE_2D_ARRAY;
  }
}

VkImageAspectFlags default_view_aspect(VkFormat format, VkImageUsageFlags usage) {
  const VkImageAspectFlags aspect = format_aspect(format);
  constexpr VkImageAspectFlags kBoth = VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT;
  constexpr VkImageUsageFlags kShaderRead =
      VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT;
  // A view bound to a descriptor may have one aspect only; depth is what shaders usually read.
  if ((aspect & kBoth) == kBoth && (usage & kShaderRead)) return VK_IMAGE_ASPECT_DEPTH_BIT;
  return aspect ? aspect : VkImageAspectFlags(VK_IMAGE_ASPECT_COLOR_BIT);
}

ViewSetup resolve_view(const Context& ctx, const Image& image, const ImageViewDesc& desc) {
  ViewSetup s;
  if (!(image.usage() & kViewUsages)) {
    throw Error(str("the image's usage ", image_usage_names(image.usage()),
                    " allows no views; add SAMPLED, STORAGE or an attachment usage"));
  }
  const uint32_t mips = image.mip_levels();
  const uint32_t layers = image.layers();
  if (desc.base_mip >= mips) {
    throw Error(str("ImageViewDesc::base_mip ", desc.base_mip, " is past the image's ", mips,
                    " mip level(s); the last is ", mips - 1));
  }
  const uint32_t mip_count = desc.mip_count ? desc.mip_count : mips - desc.base_mip;
  if (desc.base_mip + mip_count > mips) {
    throw Error(str("ImageViewDesc mips ", desc.base_mip, "..", desc.base_mip + mip_count - 1,
                    " go past the image's ", mips, " mip level(s); mip_count at most ",
                    mips - desc.base_mip, " (0 means the rest)"));
  }
  if (desc.base_layer >= layers) {
    throw Error(str("ImageViewDesc::base_layer ", desc.base_layer, " is past the image's ", layers,
                    " layer(s); the last is ", layers - 1));
  }
  const uint32_t layer_count = desc.layer_count ? desc.layer_count : layers - desc.base_layer;
  if (desc.base_layer + layer_count > layers) {
    throw Error(str("ImageViewDesc layers ", desc.base_layer, "..", desc.base_layer + layer_count - 1,
                    " go past the image's ", layers, " layer(s); layer_count at most ",
                    layers - desc.base_layer, " (0 means the rest)"));
  }

  // VK_IMAGE_VIEW_TYPE_1D is 0, which means "derive"; for 1D images deriving gives 1D anyway.
  const bool cube_arrays = image_cube_array_enabled(ctx);
  s.type = desc.type == VK_IMAGE_VIEW_TYPE_1D
               ? derive_view_type(image.type(), image.cube(), layer_count, cube_arrays)
               : desc.type;
  const char* tname = image_view_type_name(s.type);
  switch (s.type) {
    case VK_IMAGE_VIEW_TYPE_CUBE:
    case VK_IMAGE_VIEW_TYPE_CUBE_ARRAY:
      if (!image.cube()) {
        throw Error(str("a ", tname, " view needs an image created with ImageDesc::cube = true"));
      }
      if (s.type == VK_IMAGE_VIEW_TYPE_CUBE_ARRAY && !cube_arrays) {
        throw Error("a CUBE_ARRAY view needs the imageCubeArray device feature, which this context has not enabled");
      }
      if (s.type == VK_IMAGE_VIEW_TYPE_CUBE ? layer_count != 6 : layer_count % 6 != 0) {
        throw Error(str("a ", tname, " view covers ",
                        s.type == VK_IMAGE_VIEW_TYPE_CUBE ? "exactly 6 layers" : "a multiple of 6 layers",
                        ", not ", layer_count));
      }
      break;
    case VK_IMAGE_VIEW_TYPE_1D:
    case VK_IMAGE_VIEW_TYPE_2D:
    case VK_IMAGE_VIEW_TYPE_3D:
      if (layer_count != 1) {
        throw Error(str("a ", tname, " view covers 1 layer, not ", layer_count, "; use the _ARRAY view type"));
      }
      break;
    default:
      break;
  }
  const bool is3d = image.type() == VK_IMAGE_TYPE_3D;
  if ((s.type == VK_IMAGE_VIEW_TYPE_3D) != is3d &&
      !(is3d && (image.flags() & VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT) &&
        (s.type == VK_IMAGE_VIEW_TYPE_2D || s.type == VK_IMAGE_VIEW_TYPE_2D_ARRAY))) {
    throw Error(str("a ", tname, " view does not fit a ", image_type_name(image.type()), " image",
                    is3d ? " (2D views of 3D images need ImageDesc::flags VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT)"
                         : ""));
  }
  if ((image.type() == VK_IMAGE_TYPE_1D) !=
      (s.type == VK_IMAGE_VIEW_TYPE_1D || s.type == VK_IMAGE_VIEW_TYPE_1D_ARRAY)) {
    throw Error(str("a ", tname, " view does not fit a ", image_type_name(image.type()), " image"));
  }

  s.format = desc.format == VK_FORMAT_UNDEFINED ? image.format() : desc.format;
  if (s.format != image.format() && !(image.flags() & VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT)) {
    throw Error(str("a view in ", format_name(s.format), " of a ", format_name(image.format()),
                    " image needs ImageDesc::flags VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT"));
  }

  const VkImageAspectFlags aspect = desc.aspect ? desc.aspect : default_view_aspect(image.format(), image.usage());
  if ((aspect & image.aspect()) != aspect) {
    throw Error(str("ImageViewDesc::aspect 0x", std::hex, aspect, " is not part of the image's aspects 0x",
                    image.aspect(), " (", format_name(image.format()), ")"));
  }
  s.range = {aspect, desc.base_mip, mip_count, desc.base_layer, layer_count};
  s.swizzle = desc.swizzle;
  return s;
}

VkImageView create_view(Context& ctx, VkImage image, const ViewSetup& setup) {
  VkImageViewCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  info.image = image;
  info.viewType = setup.type;
  info.format = setup.format;
  info.components = setup.swizzle;
  info.subresourceRange = setup.range;
  VkImageView view = VK_NULL_HANDLE;
  check(vkCreateImageView(ctx.device(), &info, nullptr, &view), "vkCreateImageView");
  return view;
}

}  // namespace kiln::detail
