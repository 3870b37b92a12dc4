// Program creation: merging the stages' reflection, checking their interfaces, and making the set
// layouts, the pipeline layout and the pipeline.
#include <algorithm>
#include <map>

#include "kiln/context.h"
#include "kiln/format.h"
#include "kiln/hash.h"
#include "kiln/log.h"
#include "shader/program/program_internal.h"

namespace kiln::detail {
namespace {

const char* type_name(VkDescriptorType t) {
  switch (t) {
    case VK_DESCRIPTOR_TYPE_SAMPLER: return "sampler";
    case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER: return "combined image sampler";
    case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE: return "sampled image";
    case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE: return "storage image";
    case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER: return "uniform texel buffer";
    case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER: return "storage texel buffer";
    case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER: return "uniform buffer";
    case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER: return "storage buffer";
    case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT: return "input attachment";
    case VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR: return "acceleration structure";
    default: return "descriptor";
  }
}

std::string describe(const DescriptorBinding& b) {
  return str("'", b.name, "' (", type_name(b.type), b.count != 1 ? str("[", b.count, "]") : std::string(), ")");
}

bool is_graphics_pre_raster(ShaderStage s) {
  return s == ShaderStage::Vertex || s == ShaderStage::TessControl || s == ShaderStage::TessEval ||
         s == ShaderStage::Geometry || s == ShaderStage::Mesh;
}

// Numeric class of a format: 0 float/normalized, 1 signed int, 2 unsigned int.
int numeric_class(VkFormat f) {
  const std::string n = format_name(f);
  if (n.find("_SINT") != std::string::npos) return 1;
  if (n.find("_UINT") != std::string::npos) return 2;
  return 0;
}

bool compatible(const InterfaceVariable& out, const InterfaceVariable& in) {
  if (out.type == in.type) return true;
  if (out.format == VK_FORMAT_UNDEFINED || in.format == VK_FORMAT_UNDEFINED) return false;
  // An output may have more components than the input reads (Vulkan's interface matching rules).
  return numeric_class(out.format) == numeric_class(in.format) &&
         format_info(out.format).block_bytes / std::max(1u, format_info(out.format).components) ==
             format_info(in.format).block_bytes / std::max(1u, format_info(in.format).components) &&
         format_info(out.format).components >= format_info(in.format).components;
}

void check_interfaces(const std::vector<StageModule>& modules, const std::vector<Reflection>& refl) {
  int producer = -1, fragment = -1;
  for (size_t i = 0; i < modules.size(); ++i) {
    if (is_graphics_pre_raster(modules[i].stage)) {
      // The last pre-rasterization stage in pipeline order feeds the fragment shader.
      if (producer < 0 || uint32_t(modules[i].stage) > uint32_t(modules[size_t(producer)].stage)) producer = int(i);
    }
    if (modules[i].stage == ShaderStage::Fragment) fragment = int(i);
  }
  if (producer < 0 || fragment < 0) return;
  const auto& outs = refl[size_t(producer)].outputs;
  const char* pname = shader_stage_name(modules[size_t(producer)].stage);
  for (const InterfaceVariable& in : refl[size_t(fragment)].inputs) {
    if (in.name.rfind("gl_", 0) == 0) continue;
    const InterfaceVariable* match = nullptr;
    for (const auto& o : outs) {
      if (o.location == in.location && o.component == in.component) match = &o;
    }
    if (!match) {
      std::string written;
      for (const auto& o : outs) {
        if (o.name.rfind("gl_", 0) == 0) continue;
        written += str(written.empty() ? "" : ", ", "location ", o.location, " '", o.name, "' (", o.type, ")");
      }
      throw Error(str("fragment input location ", in.location, " '", in.name, "' (", in.type,
                      ") is not written by the ", pname, " stage (it writes: ",
                      written.empty() ? std::string("nothing") : written, ")"));
    }
    if (!compatible(*match, in)) {
      throw Error(str("fragment input location ", in.location, " '", in.name, "' is ", in.type, " but the ", pname,
                      " stage writes '", match->name, "' as ", match->type, " there"));
    }
  }
}

VkFormat vertex_format(const InterfaceVariable& v) {
  if (v.format != VK_FORMAT_UNDEFINED) return v.format;
  throw Error(str("vertex input location ", v.location, " '", v.name, "' has type ", v.type,
                  ", which has no vertex format: give ProgramDesc::vertex_attributes"));
}

VkShaderModule make_module(VkDevice device, const StageModule& m) {
  VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  info.codeSize = m.spirv.size() * sizeof(uint32_t);
  info.pCode = m.spirv.data();
  VkShaderModule module = VK_NULL_HANDLE;
  with_context(str("module ", m.name), [&] { check(vkCreateShaderModule(device, &info, nullptr, &module), "vkCreateShaderModule"); });
  return module;
}

}  // namespace

Reflection merge_reflections(const std::vector<StageModule>& modules, const std::vector<Reflection>& reflections) {
  Reflection merged;
  std::map<std::pair<uint32_t, uint32_t>, std::pair<DescriptorBinding, size_t>> bindings;  // + which module
  for (size_t i = 0; i < modules.size(); ++i) {
    const Reflection& r = reflections[i];
    for (const auto& e : r.entry_points) merged.entry_points.push_back(e);
    for (const DescriptorBinding& b : r.bindings) {
      auto [it, inserted] = bindings.try_emplace({b.set, b.binding}, b, i);
      if (inserted) continue;
      DescriptorBinding& m = it->second.first;
      if (m.type != b.type || m.count != b.count) {
        throw Error(str("set ", b.set, " binding ", b.binding, " is ", describe(m), " in ",
                        modules[it->second.second].name, " but ", describe(b), " in ", modules[i].name,
                        ": the stages must declare it alike"));
      }
      m.stages |= b.stages;
      m.written = m.written || b.written;
      m.read = m.read || b.read;
      m.non_writable = m.non_writable && b.non_writable;
      m.non_readable = m.non_readable && b.non_readable;
    }
    if (r.push_constants && (!merged.push_constants || r.push_constants->size > merged.push_constants->size)) {
      merged.push_constants = r.push_constants;
    }
    for (const auto& s : r.spec_constants) merged.spec_constants.push_back(s);
    if (modules[i].stage == ShaderStage::Vertex || modules[i].stage == ShaderStage::Compute) merged.inputs = r.inputs;
    if (modules[i].stage == ShaderStage::Fragment || modules[i].stage == ShaderStage::Compute) merged.outputs = r.outputs;
  }
  for (auto& [key, value] : bindings) merged.bindings.push_back(std::move(value.first));
  return merged;
}

uint64_t hash_set_layout(const std::vector<LayoutBinding>& bindings, VkShaderStageFlags stages) {
  Hasher h;
  h.update(&stages, sizeof(stages));
  for (const auto& b : bindings) {
    const uint32_t words[3] = {b.binding, uint32_t(b.type), b.count};
    h.update(words, sizeof(words));
  }
  return h.digest();
}

VkDescriptorSetLayout create_set_layout(Context& ctx, const std::vector<LayoutBinding>& bindings,
                                        VkShaderStageFlags stages) {
  std::vector<VkDescriptorSetLayoutBinding> vk;
  for (const auto& b : bindings) vk.push_back({b.binding, b.type, b.count, stages, nullptr});
  VkDescriptorSetLayoutCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  info.bindingCount = uint32_t(vk.size());
  info.pBindings = vk.data();
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;
  check(vkCreateDescriptorSetLayout(ctx.device(), &info, nullptr, &layout), "vkCreateDescriptorSetLayout");
  return layout;
}

ProgramCore::~ProgramCore() {
  if (!ctx) return;
  VkDevice device = ctx->device();
  ctx->defer([device, p = pipeline, l = layout, s = set_layouts] {
    vkDestroyPipeline(device, p, nullptr);
    vkDestroyPipelineLayout(device, l, nullptr);
    for (VkDescriptorSetLayout x : s) vkDestroyDescriptorSetLayout(device, x, nullptr);
  });
}

std::unique_ptr<ProgramCore> build_core(Context& ctx, const std::string& name, const std::vector<StageModule>& modules,
                                        const ProgramDesc& desc) {
  if (modules.empty()) throw Error("no shaders: give ProgramDesc::sources or ProgramDesc::modules");
  auto core = std::make_unique<ProgramCore>();
  core->ctx = &ctx;
  core->name = name;

  const bool compute = modules.size() == 1 && modules[0].stage == ShaderStage::Compute;
  for (const auto& m : modules) {
    if (m.stage == ShaderStage::Compute && !compute) {
      throw Error(str("a compute shader (", m.name, ") must be the program's only shader"));
    }
    if (uint32_t(m.stage) >= uint32_t(ShaderStage::RayGen)) {
      throw Error(str(m.name, ": ", shader_stage_name(m.stage), " shaders are not supported by Program"));
    }
  }
  std::vector<Reflection> reflections;
  for (const auto& m : modules) {
    reflections.push_back(with_context(str("reflecting ", m.name), [&] { return reflect_spirv(m.spirv, m.entry); }));
  }
  core->reflection = merge_reflections(modules, reflections);
  if (!compute) check_interfaces(modules, reflections);
  const Reflection& r = core->reflection;

  core->bind_point = compute ? VK_PIPELINE_BIND_POINT_COMPUTE : VK_PIPELINE_BIND_POINT_GRAPHICS;
  core->layout_stages = compute ? VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT) : VkShaderStageFlags(VK_SHADER_STAGE_ALL_GRAPHICS);
  for (const auto& m : modules) {
    if (m.stage == ShaderStage::Mesh || m.stage == ShaderStage::Task) core->layout_stages |= shader_stage_bit(m.stage);
  }

  // Set layouts, 0..max set (sets in between with no bindings get empty layouts).
  uint32_t set_count = 0;
  for (const auto& b : r.bindings) {
    if (b.count == 0) {
      throw Error(str(describe(b), " at set ", b.set, " binding ", b.binding,
                      " is a runtime-sized array, which Program does not support yet"));
    }
    set_count = std::max(set_count, b.set + 1);
  }
  if (set_count > BindingState::kMaxSets) {
    throw Error(str("the shaders use ", set_count, " descriptor sets; Program handles up to ", BindingState::kMaxSets));
  }
  core->sets.resize(set_count);
  for (const auto& b : r.bindings) core->sets[b.set].push_back({b.binding, b.type, b.count});

  if (r.push_constants) {
    core->push_size = r.push_constants->size;
    core->push_range = std::max<uint32_t>(128, (core->push_size + 3) & ~3u);
  }
  Hasher prefix;
  prefix.update(&core->push_range, sizeof(core->push_range));
  prefix.update(&core->layout_stages, sizeof(core->layout_stages));
  for (uint32_t s = 0; s < set_count; ++s) {
    core->set_hash.push_back(hash_set_layout(core->sets[s], core->layout_stages));
    prefix.update(&core->set_hash.back(), sizeof(uint64_t));
    Hasher copy = prefix;
    core->compat.push_back(copy.digest() | 1);  // never 0 (0 means "nothing known")
  }
  for (uint32_t s = 0; s < set_count; ++s) {
    core->set_layouts.push_back(create_set_layout(ctx, core->sets[s], core->layout_stages));
    ctx.set_name(core->set_layouts.back(), str(name, ".set", s, ".layout"));
  }

  VkPushConstantRange push{core->layout_stages, 0, core->push_range};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = set_count;
  layout_info.pSetLayouts = core->set_layouts.data();
  layout_info.pushConstantRangeCount = core->push_range ? 1 : 0;
  layout_info.pPushConstantRanges = &push;
  check(vkCreatePipelineLayout(ctx.device(), &layout_info, nullptr, &core->layout), "vkCreatePipelineLayout");
  ctx.set_name(core->layout, name + ".layout");

  VkDevice device = ctx.device();
  std::vector<VkShaderModule> vk_modules;
  struct ModuleGuard {
    VkDevice device;
    std::vector<VkShaderModule>* modules;
    ~ModuleGuard() {
      for (VkShaderModule m : *modules) vkDestroyShaderModule(device, m, nullptr);
    }
  } guard{device, &vk_modules};
  std::vector<VkPipelineShaderStageCreateInfo> stages;
  for (const auto& m : modules) {
    vk_modules.push_back(make_module(device, m));
    ctx.set_name(vk_modules.back(), str(name, ".", shader_stage_name(m.stage)));
    stages.push_back({VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, shader_stage_bit(m.stage),
                      vk_modules.back(), m.entry.c_str(), nullptr});
  }

  if (compute) {
    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.stage = stages[0];
    info.layout = core->layout;
    check(vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &core->pipeline),
          "vkCreateComputePipelines");
  } else {
    // Vertex input: derived from the vertex shader's inputs unless given.
    std::vector<VkVertexInputBindingDescription> vbindings = desc.vertex_bindings;
    std::vector<VkVertexInputAttributeDescription> vattributes = desc.vertex_attributes;
    const bool has_vertex = std::any_of(modules.begin(), modules.end(),
                                        [](const StageModule& m) { return m.stage == ShaderStage::Vertex; });
    if (vattributes.empty() && has_vertex) {
      std::vector<InterfaceVariable> inputs;
      for (const auto& v : r.inputs) {
        if (v.name.rfind("gl_", 0) != 0) inputs.push_back(v);
      }
      std::sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) { return a.location < b.location; });
      uint32_t offset = 0;
      for (const auto& v : inputs) {
        const VkFormat f = vertex_format(v);
        vattributes.push_back({v.location, 0, f, offset});
        offset += format_block_bytes(f);
      }
      if (!inputs.empty() && vbindings.empty()) vbindings.push_back({0, offset, VK_VERTEX_INPUT_RATE_VERTEX});
    }
    VkPipelineVertexInputStateCreateInfo vertex_input{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
    vertex_input.vertexBindingDescriptionCount = uint32_t(vbindings.size());
    vertex_input.pVertexBindingDescriptions = vbindings.data();
    vertex_input.vertexAttributeDescriptionCount = uint32_t(vattributes.size());
    vertex_input.pVertexAttributeDescriptions = vattributes.data();
    VkPipelineInputAssemblyStateCreateInfo assembly{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
    assembly.topology = desc.topology;
    VkPipelineViewportStateCreateInfo viewport{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
    viewport.viewportCount = 1;
    viewport.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo raster{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
    raster.polygonMode = VK_POLYGON_MODE_FILL;
    raster.cullMode = desc.cull;
    raster.frontFace = desc.front_face;
    raster.lineWidth = 1.0f;
    VkPipelineMultisampleStateCreateInfo multisample{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
    multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
    VkPipelineDepthStencilStateCreateInfo depth{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
    depth.depthTestEnable = desc.depth_test;
    depth.depthWriteEnable = desc.depth_write;
    depth.depthCompareOp = desc.depth_compare;
    depth.maxDepthBounds = 1.0f;
    const std::vector<VkFormat> colors =
        desc.color_formats.empty() ? std::vector<VkFormat>{VK_FORMAT_R8G8B8A8_UNORM} : desc.color_formats;
    VkPipelineColorBlendAttachmentState blend{};
    blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT |
                           VK_COLOR_COMPONENT_A_BIT;
    if (desc.alpha_blend) {
      blend.blendEnable = VK_TRUE;
      blend.srcColorBlendFactor = VK_BLEND_FACTOR_SRC_ALPHA;
      blend.dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
      blend.colorBlendOp = VK_BLEND_OP_ADD;
      blend.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE;
      blend.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
      blend.alphaBlendOp = VK_BLEND_OP_ADD;
    }
    const std::vector<VkPipelineColorBlendAttachmentState> blends(colors.size(), blend);
    VkPipelineColorBlendStateCreateInfo color_blend{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
    color_blend.attachmentCount = uint32_t(blends.size());
    color_blend.pAttachments = blends.data();
    const VkDynamicState dynamic_states[] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dynamic{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
    dynamic.dynamicStateCount = 2;
    dynamic.pDynamicStates = dynamic_states;
    VkPipelineRenderingCreateInfo rendering{VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO};
    rendering.colorAttachmentCount = uint32_t(colors.size());
    rendering.pColorAttachmentFormats = colors.data();
    rendering.depthAttachmentFormat = desc.depth_format;
    if (is_stencil(desc.depth_format)) rendering.stencilAttachmentFormat = desc.depth_format;

    VkGraphicsPipelineCreateInfo info{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
    info.pNext = &rendering;
    info.stageCount = uint32_t(stages.size());
    info.pStages = stages.data();
    info.pVertexInputState = has_vertex ? &vertex_input : nullptr;
    info.pInputAssemblyState = has_vertex ? &assembly : nullptr;
    info.pViewportState = &viewport;
    info.pRasterizationState = &raster;
    info.pMultisampleState = &multisample;
    info.pDepthStencilState = desc.depth_format != VK_FORMAT_UNDEFINED ? &depth : nullptr;
    info.pColorBlendState = &color_blend;
    info.pDynamicState = &dynamic;
    info.layout = core->layout;
    check(vkCreateGraphicsPipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &core->pipeline),
          "vkCreateGraphicsPipelines");
  }
  ctx.set_name(core->pipeline, name + ".pipeline");
  return core;
}

}  // namespace kiln::detail
