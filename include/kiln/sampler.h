// kiln/sampler.h — a VkSampler from a short description, owned.
//
//   kiln::Sampler linear(ctx, {.name = "linear.repeat"});                      // trilinear, repeat
//   kiln::Sampler shadow(ctx, {.address = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
//                              .compare = VK_COMPARE_OP_LESS_OR_EQUAL, .name = "shadow"});
//
// One filter for min and mag, one address mode for u, v and w: the common cases. Anything else
// (separate filters, reduction modes, YCbCr conversion) is a raw vkCreateSampler away. Move-only;
// dropping defers destruction as Buffer does.
#pragma once

#include <vulkan/vulkan.h>

#include <string>

#include "kiln/error.h"  // what creation throws

namespace kiln {

class Context;

struct SamplerDesc {
  VkFilter filter = VK_FILTER_LINEAR;                        // min and mag (0 is NEAREST)
  VkSamplerMipmapMode mip = VK_SAMPLER_MIPMAP_MODE_LINEAR;   // (0 is NEAREST)
  VkSamplerAddressMode address = VK_SAMPLER_ADDRESS_MODE_REPEAT;
  // 0 or 1: off. Above 1 needs the samplerAnisotropy device feature enabled in the context (kiln
  // logs once and leaves anisotropy off otherwise); clamped to maxSamplerAnisotropy.
  float max_anisotropy = 0.0f;
  VkCompareOp compare = VK_COMPARE_OP_NEVER;  // NEVER: no depth compare; else a shadow sampler
  float min_lod = 0.0f;
  float max_lod = VK_LOD_CLAMP_NONE;
  float mip_lod_bias = 0.0f;
  VkBorderColor border = VK_BORDER_COLOR_FLOAT_TRANSPARENT_BLACK;  // for CLAMP_TO_BORDER
  bool unnormalized_coordinates = false;
  const char* name = nullptr;
};

class Sampler {
 public:
  Sampler() = default;
  Sampler(Context& ctx, const SamplerDesc& desc);
  ~Sampler();
  Sampler(Sampler&& other) noexcept;
  Sampler& operator=(Sampler&& other) noexcept;
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  VkSampler handle() const { return sampler_; }
  // Unique among every buffer, image and sampler this process creates, and never reused (Vulkan
  // handles can be, once destroyed): a key for caches of things made from the resource. 0 when empty.
  uint64_t id() const { return id_; }
  const std::string& name() const { return name_; }
  Context* context() const { return ctx_; }
  explicit operator bool() const { return sampler_ != VK_NULL_HANDLE; }
  void reset();

 private:
  Context* ctx_ = nullptr;
  VkSampler sampler_ = VK_NULL_HANDLE;
  uint64_t id_ = 0;
  std::string name_;
};

}  // namespace kiln
