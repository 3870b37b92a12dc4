// reflection_json: the stable JSON of `kiln shader reflect --json` (shape in docs/reflection.md).
#include "kiln/spirv.h"

#include <nlohmann/json.hpp>

namespace kiln {
namespace {

using Json = nlohmann::ordered_json;


// Names of the formats reflection produces (util cannot use core's format table).
const char* format_name(VkFormat f) {
  switch (f) {
#define KILN_FORMAT(x) case VK_FORMAT_##x: return "VK_FORMAT_" #x;
    KILN_FORMAT(UNDEFINED) KILN_FORMAT(R32G32B32A32_SFLOAT) KILN_FORMAT(R16G16B16A16_SFLOAT)
    KILN_FORMAT(R32_SFLOAT) KILN_FORMAT(R8G8B8A8_UNORM) KILN_FORMAT(R8G8B8A8_SNORM) KILN_FORMAT(R32G32_SFLOAT)
    KILN_FORMAT(R16G16_SFLOAT) KILN_FORMAT(B10G11R11_UFLOAT_PACK32) KILN_FORMAT(R16_SFLOAT)
    KILN_FORMAT(R16G16B16A16_UNORM) KILN_FORMAT(A2B10G10R10_UNORM_PACK32) KILN_FORMAT(R16G16_UNORM)
    KILN_FORMAT(R8G8_UNORM) KILN_FORMAT(R16_UNORM) KILN_FORMAT(R8_UNORM) KILN_FORMAT(R16G16B16A16_SNORM)
    KILN_FORMAT(R16G16_SNORM) KILN_FORMAT(R8G8_SNORM) KILN_FORMAT(R16_SNORM) KILN_FORMAT(R8_SNORM)
    KILN_FORMAT(R32G32B32A32_SINT) KILN_FORMAT(R16G16B16A16_SINT) KILN_FORMAT(R8G8B8A8_SINT)
    KILN_FORMAT(R32_SINT) KILN_FORMAT(R32G32_SINT) KILN_FORMAT(R16G16_SINT) KILN_FORMAT(R8G8_SINT)
    KILN_FORMAT(R16_SINT) KILN_FORMAT(R8_SINT) KILN_FORMAT(R32G32B32A32_UINT) KILN_FORMAT(R16G16B16A16_UINT)
    KILN_FORMAT(R8G8B8A8_UINT) KILN_FORMAT(R32_UINT) KILN_FORMAT(A2B10G10R10_UINT_PACK32)
    KILN_FORMAT(R32G32_UINT) KILN_FORMAT(R16G16_UINT) KILN_FORMAT(R8G8_UINT) KILN_FORMAT(R16_UINT)
    KILN_FORMAT(R8_UINT) KILN_FORMAT(R64_UINT) KILN_FORMAT(R64_SINT) KILN_FORMAT(R32G32B32_SFLOAT)
    KILN_FORMAT(R32G32B32_SINT) KILN_FORMAT(R32G32B32_UINT) KILN_FORMAT(R16G16B16_SFLOAT)
    KILN_FORMAT(R16G16B16_SINT) KILN_FORMAT(R16G16B16_UINT) KILN_FORMAT(R8G8B8_SINT) KILN_FORMAT(R8G8B8_UINT)
    KILN_FORMAT(R64_SFLOAT) KILN_FORMAT(R64G64_SFLOAT) KILN_FORMAT(R64G64B64_SFLOAT)
    KILN_FORMAT(R64G64B64A64_SFLOAT) KILN_FORMAT(R64G64_SINT) KILN_FORMAT(R64G64B64_SINT)
    KILN_FORMAT(R64G64B64A64_SINT) KILN_FORMAT(R64G64_UINT) KILN_FORMAT(R64G64B64_UINT)
    KILN_FORMAT(R64G64B64A64_UINT)
#undef KILN_FORMAT
    default: return "VK_FORMAT_UNKNOWN";
  }
}

const char* dim_name(uint32_t dim) {
  static constexpr const char* kNames[] = {"1D", "2D", "3D", "Cube", "Rect", "Buffer", "SubpassData"};
  return dim < std::size(kNames) ? kNames[dim] : "unknown";
}

Json stages_json(VkShaderStageFlags flags) {
  Json out = Json::array();
  for (uint32_t s = 0; s < static_cast<uint32_t>(ShaderStage::Count); ++s) {
    if (flags & shader_stage_bit(static_cast<ShaderStage>(s))) out.push_back(shader_stage_name(static_cast<ShaderStage>(s)));
  }
  return out;
}

Json members_json(const std::vector<BlockMember>& members) {
  Json out = Json::array();
  for (const BlockMember& m : members) {
    Json j{{"name", m.name}, {"type", m.type}, {"offset", m.offset}, {"size", m.size}};
    if (m.array_size) {
      j["array_size"] = m.array_size == UINT32_MAX ? 0u : m.array_size;
      j["array_stride"] = m.array_stride;
    }
    if (m.matrix_stride) {
      j["matrix_stride"] = m.matrix_stride;
      j["row_major"] = m.row_major;
    }
    if (!m.members.empty()) j["members"] = members_json(m.members);
    out.push_back(std::move(j));
  }
  return out;
}

Json block_json(const BlockLayout& b) {
  return Json{{"type_name", b.type_name}, {"size", b.size}, {"members", members_json(b.members)}};
}

Json interface_json(const std::vector<InterfaceVariable>& vars) {
  Json out = Json::array();
  for (const InterfaceVariable& v : vars) {
    out.push_back(Json{{"name", v.name}, {"location", v.location}, {"component", v.component},
                       {"type", v.type}, {"format", format_name(v.format)}});
  }
  return out;
}

}  // namespace

const char* descriptor_type_name(VkDescriptorType t) {
  switch (t) {
    case VK_DESCRIPTOR_TYPE_SAMPLER: return "sampler";
    case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER: return "combined_image_sampler";
    case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE: return "sampled_image";
    case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE: return "storage_image";
    case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER: return "uniform_texel_buffer";
    case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER: return "storage_texel_buffer";
    case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER: return "uniform_buffer";
    case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER: return "storage_buffer";
    case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT: return "input_attachment";
    case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC: return "uniform_buffer_dynamic";
    case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC: return "storage_buffer_dynamic";
    case VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK: return "inline_uniform_block";
    case VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR: return "acceleration_structure";
    default: return "unknown";
  }
}

std::string reflection_json(const Reflection& r) {
  Json doc;
  Json entries = Json::array();
  for (const EntryPoint& e : r.entry_points) {
    Json j{{"name", e.name}, {"stage", shader_stage_name(e.stage)}};
    if (e.stage == ShaderStage::Compute || e.stage == ShaderStage::Task || e.stage == ShaderStage::Mesh) {
      j["workgroup_size"] = e.workgroup_size;
    }
    entries.push_back(std::move(j));
  }
  doc["entry_points"] = std::move(entries);

  Json bindings = Json::array();
  for (const DescriptorBinding& b : r.bindings) {
    Json j{{"name", b.name}, {"set", b.set}, {"binding", b.binding}, {"type", descriptor_type_name(b.type)},
           {"count", b.count}, {"stages", stages_json(b.stages)}, {"non_writable", b.non_writable},
           {"non_readable", b.non_readable}, {"read", b.read}, {"written", b.written}};
    bool image = b.type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER || b.type == VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE ||
                 b.type == VK_DESCRIPTOR_TYPE_STORAGE_IMAGE || b.type == VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT ||
                 b.type == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER || b.type == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
    if (image) {
      j["image"] = Json{{"dim", dim_name(b.dim)}, {"arrayed", b.arrayed}, {"multisampled", b.multisampled},
                        {"depth", b.depth}, {"format", format_name(b.format)}};
    }
    if (b.block) j["block"] = block_json(*b.block);
    bindings.push_back(std::move(j));
  }
  doc["bindings"] = std::move(bindings);
  doc["push_constants"] = r.push_constants ? block_json(*r.push_constants) : Json(nullptr);

  Json specs = Json::array();
  for (const SpecConstant& s : r.spec_constants) {
    specs.push_back(Json{{"name", s.name}, {"id", s.id}, {"type", s.type}, {"default_bits", s.default_bits}});
  }
  doc["spec_constants"] = std::move(specs);
  doc["inputs"] = interface_json(r.inputs);
  doc["outputs"] = interface_json(r.outputs);
  // Names come from the module: invalid UTF-8 is replaced rather than failing the dump.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace kiln
