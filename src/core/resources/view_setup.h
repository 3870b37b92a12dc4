// Resolving an ImageViewDesc against its image: defaults filled in, mistakes reported. Shared by
// Image (its default view) and ImageView.
#pragma once

#include <vulkan/vulkan.h>

#include "kiln/image.h"

namespace kiln::detail {

// The usages that allow an image view (VUID-VkImageViewCreateInfo-image-04441).
constexpr VkImageUsageFlags kViewUsages =
    VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
    VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT |
    VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT;

struct ViewSetup {
  VkImageViewType type = VK_IMAGE_VIEW_TYPE_2D;
  VkFormat format = VK_FORMAT_UNDEFINED;
  VkImageSubresourceRange range{};
  VkComponentMapping swizzle{};
};

// The view type a range of `layer_count` layers of `image` naturally has; CUBE_ARRAY only where
// `cube_arrays` (the imageCubeArray feature is on), else 2D_ARRAY.
VkImageViewType derive_view_type(VkImageType type, bool cube, uint32_t layer_count, bool cube_arrays);
// The aspect a view gets when none is asked for (see Image::view()).
VkImageAspectFlags default_view_aspect(VkFormat format, VkImageUsageFlags usage);

// Throws kiln::Error saying what is wrong with `desc` for `image`.
ViewSetup resolve_view(const Context& ctx, const Image& image, const ImageViewDesc& desc);
VkImageView create_view(Context& ctx, VkImage image, const ViewSetup& setup);

}  // namespace kiln::detail
