#include "kiln/sampler.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/resources/common.h"
#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/log.h"

namespace kiln {

namespace {

void validate(const SamplerDesc& d) {
  if (d.max_lod < d.min_lod) {
    throw Error(str("SamplerDesc::max_lod ", d.max_lod, " is below min_lod ", d.min_lod,
                    "; use VK_LOD_CLAMP_NONE for no upper clamp"));
  }
  if (d.unnormalized_coordinates) {
    const bool clamps =
        d.address == VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE || d.address == VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER;
    if (d.mip != VK_SAMPLER_MIPMAP_MODE_NEAREST || d.min_lod != 0.0f || d.max_lod != 0.0f || !clamps ||
        d.max_anisotropy > 1.0f || d.compare != VK_COMPARE_OP_NEVER) {
      throw Error(
          "SamplerDesc::unnormalized_coordinates needs mip = NEAREST, min_lod = max_lod = 0, address "
          "CLAMP_TO_EDGE or CLAMP_TO_BORDER, no anisotropy and no compare");
    }
  }
}

}  // namespace

Sampler::Sampler(Context& ctx, const SamplerDesc& desc) {
  std::string name = desc.name ? desc.name : "";
  with_context(str("creating ", detail::describe("sampler", name)), [&] {
    validate(desc);
    VkSamplerCreateInfo info{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
    info.magFilter = desc.filter;
    info.minFilter = desc.filter;
    info.mipmapMode = desc.mip;
    info.addressModeU = desc.address;
    info.addressModeV = desc.address;
    info.addressModeW = desc.address;
    const float max_bias = ctx.limits().maxSamplerLodBias;
    info.mipLodBias = std::clamp(desc.mip_lod_bias, -max_bias, max_bias);
    if (desc.max_anisotropy > 1.0f) {
      if (detail::sampler_anisotropy_enabled(ctx)) {
        info.anisotropyEnable = VK_TRUE;
        info.maxAnisotropy = std::min(desc.max_anisotropy, ctx.limits().maxSamplerAnisotropy);
      } else {
        log_once(LogLevel::Warn, "kiln.sampler.anisotropy",
                 "samplers: the device's samplerAnisotropy feature is not enabled; "
                 "SamplerDesc::max_anisotropy is ignored");
      }
    }
    info.compareEnable = desc.compare != VK_COMPARE_OP_NEVER;
    info.compareOp = desc.compare;
    info.minLod = desc.min_lod;
    info.maxLod = desc.max_lod;
    info.borderColor = desc.border;
    info.unnormalizedCoordinates = desc.unnormalized_coordinates;
    check(vkCreateSampler(ctx.device(), &info, nullptr, &sampler_), "vkCreateSampler");
  });
  if (!name.empty()) ctx.set_name(sampler_, name);
  ctx_ = &ctx;
  id_ = detail::next_resource_id();
  name_ = std::move(name);
}

Sampler::~Sampler() { reset(); }

Sampler::Sampler(Sampler&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)),
      sampler_(std::exchange(other.sampler_, VK_NULL_HANDLE)),
      id_(std::exchange(other.id_, 0)),
      name_(std::move(other.name_)) {
  other.name_.clear();
}

Sampler& Sampler::operator=(Sampler&& other) noexcept {
  if (this != &other) {
    reset();
    ctx_ = std::exchange(other.ctx_, nullptr);
    sampler_ = std::exchange(other.sampler_, VK_NULL_HANDLE);
    id_ = std::exchange(other.id_, 0);
    name_ = std::move(other.name_);
    other.name_.clear();
  }
  return *this;
}

void Sampler::reset() {
  if (sampler_ != VK_NULL_HANDLE) {
    Context* ctx = ctx_;
    VkSampler sampler = sampler_;
    ctx->defer([ctx, sampler] { vkDestroySampler(ctx->device(), sampler, nullptr); });
  }
  ctx_ = nullptr;
  sampler_ = VK_NULL_HANDLE;
  id_ = 0;
  name_.clear();
}

}  // namespace kiln
