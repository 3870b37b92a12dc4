// Block-compressed textures in a capture, judged against the driver's own decoding: four 8x8 textures
// (BC1 RGBA, BC3, BC4, BC5; random blocks from a fixed seed, so BC1's three-colour blocks with
// transparent black come up too) are read texel by texel by a dispatch (blocks.comp), which writes
// what the driver decoded. With the layer (KILN_CAPTURE_COMMAND=dispatch:1 KILN_CAPTURE_FRAME=2), the
// capture must hold each texture's blocks byte for byte, and the PNG the layer wrote for it must show
// the same texels as the driver: within one step on lavapipe (Mesa decodes in 8-bit steps, truncating
// where the layer rounds), within 8 (3% of the range, the tolerance Direct3D gives BC interpolants)
// elsewhere: NVIDIA's hardware interpolates BC1's colours at the endpoints' 5/6-bit precision and
// differs by up to 6 steps on the H100. The raw blocks lie beside the PNG.
#include <array>
#include <filesystem>
#include <random>
#include <string>

#include "blocks_comp.h"
#include "kiln/png.h"
#include "vk_program.h"

using namespace prog;

namespace {

constexpr uint32_t kSize = 8, kTextures = 4;
struct Texture {
  VkFormat format;
  const char* name;
  uint32_t block_bytes;
  uint32_t channels;  // compared: RGBA, R, RG
};
constexpr Texture kTex[kTextures] = {{VK_FORMAT_BC1_RGBA_UNORM_BLOCK, "bc1", 8, 4},
                                     {VK_FORMAT_BC3_UNORM_BLOCK, "bc3", 16, 4},
                                     {VK_FORMAT_BC4_UNORM_BLOCK, "bc4", 8, 1},
                                     {VK_FORMAT_BC5_UNORM_BLOCK, "bc5", 16, 2}};

size_t block_bytes(const Texture& t) { return size_t(kSize / 4) * (kSize / 4) * t.block_bytes; }

}  // namespace

int main() {
  {
    Gpu gpu;
    std::mt19937 rng(7);
    std::vector<uint8_t> data[kTextures];
    Image images[kTextures];
    for (uint32_t t = 0; t < kTextures; ++t) {
      data[t].resize(block_bytes(kTex[t]));
      for (uint8_t& b : data[t]) b = uint8_t(rng());
      images[t] = gpu.image(kTex[t].format, {kSize, kSize}, VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT);
      gpu.name(VK_OBJECT_TYPE_IMAGE, (uint64_t)images[t].image, kTex[t].name);
    }
    Buffer uploads[kTextures];
    for (uint32_t t = 0; t < kTextures; ++t)
      uploads[t] = gpu.buffer(data[t].size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT, data[t].data());
    Buffer out = gpu.buffer(kTextures * kSize * kSize * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);

    // Submission 1: the blocks into the textures.
    gpu.run([&](VkCommandBuffer cb) {
      for (uint32_t t = 0; t < kTextures; ++t) {
        transition(cb, images[t].image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
        VkBufferImageCopy r{};
        r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        r.imageExtent = {kSize, kSize, 1};
        vkCmdCopyBufferToImage(cb, uploads[t].buffer, images[t].image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
        transition(cb, images[t].image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL);
      }
    });

    VkSamplerCreateInfo si{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
    si.magFilter = si.minFilter = VK_FILTER_NEAREST;
    si.addressModeU = si.addressModeV = si.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    VkSampler sampler;
    VKCHECK(vkCreateSampler(gpu.device, &si, nullptr, &sampler));
    VkDescriptorSetLayoutBinding bindings[2] = {
        {0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, kTextures, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
        {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}};
    VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    li.bindingCount = 2;
    li.pBindings = bindings;
    VkDescriptorSetLayout set_layout;
    VKCHECK(vkCreateDescriptorSetLayout(gpu.device, &li, nullptr, &set_layout));
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.setLayoutCount = 1;
    pli.pSetLayouts = &set_layout;
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(gpu.device, &pli, nullptr, &layout));
    VkShaderModule module = gpu.shader(blocks_comp, sizeof(blocks_comp));
    VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT, module,
                "main", nullptr};
    ci.layout = layout;
    VkPipeline pipeline;
    VKCHECK(vkCreateComputePipelines(gpu.device, VK_NULL_HANDLE, 1, &ci, nullptr, &pipeline));
    VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, kTextures},
                                     {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}};
    VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    dpi.maxSets = 1;
    dpi.poolSizeCount = 2;
    dpi.pPoolSizes = sizes;
    VkDescriptorPool pool;
    VKCHECK(vkCreateDescriptorPool(gpu.device, &dpi, nullptr, &pool));
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorPool = pool;
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &set_layout;
    VkDescriptorSet set;
    VKCHECK(vkAllocateDescriptorSets(gpu.device, &ai, &set));
    VkDescriptorImageInfo infos[kTextures];
    for (uint32_t t = 0; t < kTextures; ++t) infos[t] = {sampler, images[t].view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkDescriptorBufferInfo bi{out.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet w[2] = {{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET}, {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET}};
    w[0].dstSet = w[1].dstSet = set;
    w[0].dstBinding = 0;
    w[0].descriptorCount = kTextures;
    w[0].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    w[0].pImageInfo = infos;
    w[1].dstBinding = 1;
    w[1].descriptorCount = 1;
    w[1].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    w[1].pBufferInfo = &bi;
    vkUpdateDescriptorSets(gpu.device, 2, w, 0, nullptr);

    // Submission 2 (frame 2): the dispatch.
    gpu.run([&](VkCommandBuffer cb) {
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
      vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
      vkCmdDispatch(cb, 1, 1, 1);
      VkMemoryBarrier host{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host, 0, nullptr,
                           0, nullptr);
    });
    const auto* decoded = static_cast<const uint8_t*>(out.mapped);  // the driver's texels, RGBA8
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(gpu.physical, &props);
    const int tolerance = props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ? 1 : 8;

    if (gpu.has_api && std::getenv("KILN_CAPTURE_COMMAND")) {
      const KilnCapture* c = take_capture(gpu);
      if (c) {
        dump(c);
        EXPECT(*c->folder, "the capture was not written (KILN_CAPTURE_OUT unset?)");
        for (uint32_t t = 0; t < kTextures; ++t) {
          const KilnCaptureResource* r = nullptr;
          for (uint32_t i = 0; i < c->resource_count; ++i) {
            const KilnCaptureResource& x = c->resources[i];
            if (std::strcmp(x.role, "descriptor") == 0 && x.binding == 0 && x.array_element == t) r = &x;
          }
          EXPECT(r, "texture %s (tex[%u]) is not in the capture", kTex[t].name, t);
          if (!r) continue;
          EXPECT(r->format == kTex[t].format && r->before_size == data[t].size() &&
                     std::memcmp(r->before, data[t].data(), data[t].size()) == 0,
                 "%s: the captured blocks differ from the uploaded ones", kTex[t].name);
          if (!*c->folder) continue;
          const std::string stem = std::string(c->folder) + "/before/set0_binding0" +
                                   (t ? "_element" + std::to_string(t) : std::string()) + "_tex";
          EXPECT(std::filesystem::file_size(stem + ".blocks.bin") == data[t].size(), "%s.blocks.bin", stem.c_str());
          const kiln::PngImage png = kiln::read_png(stem + ".png");
          EXPECT(png.width == kSize && png.height == kSize, "%s.png is %ux%u", stem.c_str(), png.width, png.height);
          int worst = 0;
          for (uint32_t p = 0; p < kSize * kSize && png.width == kSize && png.height == kSize; ++p) {
            for (uint32_t ch = 0; ch < kTex[t].channels; ++ch) {
              const int driver = decoded[(t * kSize * kSize + p) * 4 + ch];
              const int file = png.pixels[p * png.channels + ch];
              worst = std::max(worst, std::abs(driver - file));
              if (std::abs(driver - file) > tolerance) {
                EXPECT(false, "%s texel (%u,%u) channel %u: the PNG says %d, the driver decoded %d", kTex[t].name,
                       p % kSize, p / kSize, ch, file, driver);
                break;
              }
            }
          }
          std::fprintf(stderr, "layer_blocks: %s: the PNG is within %d of the driver's texels (allowed %d)\n",
                       kTex[t].name, worst, tolerance);
        }
        gpu.api.free_capture(gpu.device, c);
      }
    }

    vkDestroyPipeline(gpu.device, pipeline, nullptr);
    vkDestroyShaderModule(gpu.device, module, nullptr);
    vkDestroyPipelineLayout(gpu.device, layout, nullptr);
    vkDestroyDescriptorPool(gpu.device, pool, nullptr);
    vkDestroyDescriptorSetLayout(gpu.device, set_layout, nullptr);
    vkDestroySampler(gpu.device, sampler, nullptr);
    for (uint32_t t = 0; t < kTextures; ++t) {
      gpu.destroy(uploads[t]);
      gpu.destroy(images[t]);
    }
    gpu.destroy(out);
  }
  return result();
}
