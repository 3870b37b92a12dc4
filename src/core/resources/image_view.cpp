#include <utility>

#include "core/resources/common.h"
#include "core/resources/view_setup.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/image.h"
#include "kiln/log.h"

namespace kiln {

ImageView::ImageView(Context& ctx, const Image& image, const ImageViewDesc& desc) {
  std::string name = desc.name ? desc.name : "";
  with_context(str("creating view ", name.empty() ? "(unnamed)" : str("'", name, "'"), " of ",
                   detail::describe("image", image.name())),
               [&] {
                 if (!image) throw Error("the image is empty (default-constructed or moved from)");
                 const detail::ViewSetup setup = detail::resolve_view(ctx, image, desc);
                 view_ = detail::create_view(ctx, image.handle(), setup);
                 type_ = setup.type;
                 format_ = setup.format;
                 range_ = setup.range;
               });
  if (!name.empty()) ctx.set_name(view_, name);
  ctx_ = &ctx;
  image_ = image.handle();
  name_ = std::move(name);
}

ImageView::~ImageView() { reset(); }

ImageView::ImageView(ImageView&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)),
      view_(std::exchange(other.view_, VK_NULL_HANDLE)),
      image_(std::exchange(other.image_, VK_NULL_HANDLE)),
      type_(other.type_),
      format_(other.format_),
      range_(other.range_),
      name_(std::move(other.name_)) {
  other.name_.clear();
}

ImageView& ImageView::operator=(ImageView&& other) noexcept {
  if (this != &other) {
    reset();
    ctx_ = std::exchange(other.ctx_, nullptr);
    view_ = std::exchange(other.view_, VK_NULL_HANDLE);
    image_ = std::exchange(other.image_, VK_NULL_HANDLE);
    type_ = other.type_;
    format_ = other.format_;
    range_ = other.range_;
    name_ = std::move(other.name_);
    other.name_.clear();
  }
  return *this;
}

void ImageView::reset() {
  if (view_ != VK_NULL_HANDLE) {
    Context* ctx = ctx_;
    VkImageView view = view_;
    ctx->defer([ctx, view] { vkDestroyImageView(ctx->device(), view, nullptr); });
  }
  ctx_ = nullptr;
  view_ = VK_NULL_HANDLE;
  image_ = VK_NULL_HANDLE;
  type_ = VK_IMAGE_VIEW_TYPE_2D;
  format_ = VK_FORMAT_UNDEFINED;
  range_ = {};
  name_.clear();
}

}  // namespace kiln
