// reflect_spirv: entry points, descriptor bindings, push constants, spec constants and stage
// interfaces from the checked module (module.h), its types (types.h) and the access walk (access.h).
#include "access.h"
#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/spirv.h"
#include "module.h"
#include "spirv_enums.h"
#include "types.h"

#include <algorithm>

namespace kiln {
namespace {

using namespace spv;

std::optional<ShaderStage> stage_of(uint32_t model) {
  switch (model) {
    case ModelVertex: return ShaderStage::Vertex;
    case ModelTessControl: return ShaderStage::TessControl;
    case ModelTessEval: return ShaderStage::TessEval;
    case ModelGeometry: return ShaderStage::Geometry;
    case ModelFragment: return ShaderStage::Fragment;
    case ModelGLCompute: return ShaderStage::Compute;
    case ModelTaskNV: case ModelTaskEXT: return ShaderStage::Task;
    case ModelMeshNV: case ModelMeshEXT: return ShaderStage::Mesh;
    case ModelRayGen: return ShaderStage::RayGen;
    case ModelIntersection: return ShaderStage::Intersection;
    case ModelAnyHit: return ShaderStage::AnyHit;
    case ModelClosestHit: return ShaderStage::ClosestHit;
    case ModelMiss: return ShaderStage::Miss;
    case ModelCallable: return ShaderStage::Callable;
    default: return std::nullopt;
  }
}

VkFormat image_format(uint32_t f) {
  static constexpr VkFormat kFormats[] = {
      VK_FORMAT_UNDEFINED, VK_FORMAT_R32G32B32A32_SFLOAT, VK_FORMAT_R16G16B16A16_SFLOAT, VK_FORMAT_R32_SFLOAT,
      VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SNORM, VK_FORMAT_R32G32_SFLOAT, VK_FORMAT_R16G16_SFLOAT,
      VK_FORMAT_B10G11R11_UFLOAT_PACK32, VK_FORMAT_R16_SFLOAT, VK_FORMAT_R16G16B16A16_UNORM,
      VK_FORMAT_A2B10G10R10_UNORM_PACK32, VK_FORMAT_R16G16_UNORM, VK_FORMAT_R8G8_UNORM, VK_FORMAT_R16_UNORM,
      VK_FORMAT_R8_UNORM, VK_FORMAT_R16G16B16A16_SNORM, VK_FORMAT_R16G16_SNORM, VK_FORMAT_R8G8_SNORM,
      VK_FORMAT_R16_SNORM, VK_FORMAT_R8_SNORM, VK_FORMAT_R32G32B32A32_SINT, VK_FORMAT_R16G16B16A16_SINT,
      VK_FORMAT_R8G8B8A8_SINT, VK_FORMAT_R32_SINT, VK_FORMAT_R32G32_SINT, VK_FORMAT_R16G16_SINT,
      VK_FORMAT_R8G8_SINT, VK_FORMAT_R16_SINT, VK_FORMAT_R8_SINT, VK_FORMAT_R32G32B32A32_UINT,
      VK_FORMAT_R16G16B16A16_UINT, VK_FORMAT_R8G8B8A8_UINT, VK_FORMAT_R32_UINT, VK_FORMAT_A2B10G10R10_UINT_PACK32,
      VK_FORMAT_R32G32_UINT, VK_FORMAT_R16G16_UINT, VK_FORMAT_R8G8_UINT, VK_FORMAT_R16_UINT, VK_FORMAT_R8_UINT,
      VK_FORMAT_R64_UINT, VK_FORMAT_R64_SINT};
  return f < std::size(kFormats) ? kFormats[f] : VK_FORMAT_UNDEFINED;
}

struct RawEntry {
  const Inst* inst = nullptr;
  EntryPoint entry;
  uint32_t function = 0;
  std::vector<uint32_t> interface;
};

class Reflector {
 public:
  explicit Reflector(std::span<const uint32_t> words) : m_(words), a_(m_), t_(m_, a_) {}

  Reflection run(std::string_view entry_name) {
    read_entry_points();
    const RawEntry& chosen = choose(entry_name);
    VkShaderStageFlags bit = shader_stage_bit(chosen.entry.stage);

    std::vector<const Inst*> variables = global_variables();
    std::vector<uint32_t> tracked;
    for (const Inst* v : variables) tracked.push_back(m_.id(*v, 1));
    // "Used" comes from the code reachable from the entry point, not from its interface list:
    // glslang lists every global there (SPIR-V 1.4+), used or not.
    auto access = analyse_access(m_, chosen.function, tracked);

    for (const Inst* v : variables) {
      uint32_t var = m_.id(*v, 1);
      uint32_t storage = m_.op(*v, 2);
      const Access& use = access[var];
      if (storage == PushConstant) {
        if (!r_.push_constants || use.used) r_.push_constants = t_.block(t_.strip_arrays(pointee(*v), *v), *v);
      } else if (storage == Uniform || storage == StorageBuffer || storage == UniformConstant) {
        if (auto b = binding(*v, storage)) {
          b->stages = use.used ? bit : 0;
          b->read = use.read;
          b->written = use.written;
          r_.bindings.push_back(std::move(*b));
        }
      }
    }
    std::sort(r_.bindings.begin(), r_.bindings.end(), [](const DescriptorBinding& x, const DescriptorBinding& y) {
      return std::tie(x.set, x.binding, x.name) < std::tie(y.set, y.binding, y.name);
    });

    interface(chosen);
    spec_constants();
    return std::move(r_);
  }

 private:
  void read_entry_points() {
    for (const Inst& in : m_.insts()) {
      if (in.op != OpEntryPoint) continue;
      RawEntry e;
      e.inst = &in;
      uint32_t model = m_.op(in, 0);
      auto stage = stage_of(model);
      if (!stage) m_.fail(in, str("execution model ", model, " is not a Vulkan shader stage"));
      e.entry.stage = *stage;
      e.function = m_.id(in, 1);
      uint32_t next = 0;
      e.entry.name = std::string(m_.string(in, 2, &next));
      for (uint32_t i = next; i < m_.operands(in); ++i) e.interface.push_back(m_.id(in, i));
      entries_.push_back(std::move(e));
    }
    if (entries_.empty()) m_.fail(0, "the module has no OpEntryPoint");

    for (const Inst& in : m_.insts()) {
      if (in.op != OpExecutionMode && in.op != OpExecutionModeId) continue;
      uint32_t fn = m_.id(in, 0), mode = m_.op(in, 1);
      std::array<uint32_t, 3> size{};
      if (in.op == OpExecutionMode && mode == ModeLocalSize) {
        size = {m_.op(in, 2), m_.op(in, 3), m_.op(in, 4)};
      } else if (in.op == OpExecutionModeId && mode == ModeLocalSizeId) {
        for (uint32_t i = 0; i < 3; ++i) size[i] = static_cast<uint32_t>(t_.constant(m_.id(in, 2 + i), in).value_or(0));
      } else {
        continue;
      }
      for (RawEntry& e : entries_) {
        if (e.function == fn) e.entry.workgroup_size = size;
      }
    }
    // A constant decorated WorkgroupSize overrides every LocalSize.
    for (const auto& [id, d] : a_.decorations) {
      if (!d.is(DecBuiltIn) || d.builtin != kBuiltInWorkgroupSize) continue;
      const Inst* c = m_.def(id);
      if (!c || (c->op != OpConstantComposite && c->op != OpSpecConstantComposite)) continue;
      std::array<uint32_t, 3> size{};
      for (uint32_t i = 0; i < 3; ++i) size[i] = static_cast<uint32_t>(t_.constant(m_.id(*c, 2 + i), *c).value_or(0));
      for (RawEntry& e : entries_) {
        if (e.entry.stage == ShaderStage::Compute || e.entry.stage == ShaderStage::Task || e.entry.stage == ShaderStage::Mesh) {
          e.entry.workgroup_size = size;
        }
      }
    }
    for (const RawEntry& e : entries_) r_.entry_points.push_back(e.entry);
  }

  const RawEntry& choose(std::string_view name) {
    if (name.empty()) return entries_.front();
    std::string names;
    for (const RawEntry& e : entries_) {
      if (e.entry.name == name) return e;
      names += str(names.empty() ? "" : ", ", e.entry.name);
    }
    throw Error(str("SPIR-V module has no entry point '", name, "' (it has: ", names, ")"));
  }

  std::vector<const Inst*> global_variables() {
    std::vector<const Inst*> out;
    bool in_function = false;
    for (const Inst& in : m_.insts()) {
      if (in.op == OpFunction) in_function = true;
      if (in.op == OpFunctionEnd) in_function = false;
      if (in.op == OpVariable && !in_function) out.push_back(&in);
    }
    return out;
  }

  uint32_t pointee(const Inst& var) {
    const Inst& ptr = t_.type(m_.id(var, 0), var);
    if (ptr.op != OpTypePointer) m_.fail(var, "variable's type is not a pointer");
    return m_.id(ptr, 2);
  }

  std::optional<DescriptorBinding> binding(const Inst& v, uint32_t storage) {
    uint32_t var = m_.id(v, 1);
    uint32_t type = pointee(v);
    DescriptorBinding b;
    // Arrays of descriptors: the count is the product of the array lengths; runtime-sized: 0.
    uint64_t count = 1;
    for (int depth = 0;; ++depth) {
      if (depth > Types::kMaxDepth) m_.fail(v, "descriptor arrays nested too deep");
      auto length = t_.array_length(type, v);
      if (!length) break;
      count = *length == 0 ? 0 : std::min<uint64_t>(count * *length, 0xFFFFFFFFu);
      type = m_.id(t_.type(type, v), 1);
    }
    b.count = static_cast<uint32_t>(count);
    const Decorations& d = a_.of(var);
    b.set = d.set;
    b.binding = d.binding;
    b.non_writable = d.is(DecNonWritable);
    b.non_readable = d.is(DecNonReadable);
    const Inst& t = t_.type(type, v);
    std::string_view name = a_.name(var);

    if (storage == Uniform || storage == StorageBuffer) {
      if (t.op != OpTypeStruct) return std::nullopt;   // not a block: nothing Vulkan binds
      bool storage_buffer = storage == StorageBuffer || a_.of(type).is(DecBufferBlock);
      b.type = storage_buffer ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER : VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
      b.block = t_.block(type, v);
      // readonly/writeonly on a block are member decorations in glslang's output.
      uint32_t members = m_.operands(t) - 1;
      bool all_nw = members > 0, all_nr = members > 0;
      for (uint32_t i = 0; i < members; ++i) {
        all_nw &= a_.of(type, i).is(DecNonWritable);
        all_nr &= a_.of(type, i).is(DecNonReadable);
      }
      b.non_writable |= all_nw;
      b.non_readable |= all_nr;
      b.name = name.empty() ? b.block->type_name : std::string(name);
      return b;
    }

    b.name = name.empty() ? str("_", var) : std::string(name);
    switch (t.op) {
      case OpTypeSampler: b.type = VK_DESCRIPTOR_TYPE_SAMPLER; return b;
      case OpTypeAccelerationStructureKHR: b.type = VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR; return b;
      case OpTypeSampledImage: case OpTypeImage: {
        const Inst& image = t.op == OpTypeImage ? t : t_.type(m_.id(t, 1), t);
        if (image.op != OpTypeImage) m_.fail(t, "sampled image of a non-image type");
        b.dim = m_.op(image, 2);
        b.depth = m_.op(image, 3) == 1;
        b.arrayed = m_.op(image, 4) != 0;
        b.multisampled = m_.op(image, 5) != 0;
        bool storage_image = m_.op(image, 6) == 2;
        b.format = image_format(m_.op(image, 7));
        if (t.op == OpTypeSampledImage) {
          b.type = b.dim == DimBuffer ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
        } else if (b.dim == DimSubpassData) {
          b.type = VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT;
        } else if (b.dim == DimBuffer) {
          b.type = storage_image ? VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
        } else {
          b.type = storage_image ? VK_DESCRIPTOR_TYPE_STORAGE_IMAGE : VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE;
        }
        return b;
      }
      default:
        return std::nullopt;
    }
  }

  bool is_builtin(uint32_t var, uint32_t type, const Inst& user) {
    if (a_.of(var).is(DecBuiltIn)) return true;
    uint32_t base = t_.strip_arrays(type, user);
    const Inst& t = t_.type(base, user);
    if (t.op != OpTypeStruct) return false;
    for (uint32_t i = 0; i + 1 < m_.operands(t); ++i) {
      if (a_.of(base, i).is(DecBuiltIn)) return true;
    }
    return false;
  }

  void interface(const RawEntry& e) {
    for (uint32_t id : e.interface) {
      const Inst* v = m_.def(id);
      if (!v || v->op != OpVariable) continue;
      uint32_t storage = m_.op(*v, 2);
      if (storage != Input && storage != Output) continue;
      uint32_t type = pointee(*v);
      if (is_builtin(id, type, *v)) continue;
      InterfaceVariable iv;
      std::string_view name = a_.name(id);
      iv.name = name.empty() ? str("_", id) : std::string(name);
      const Decorations& d = a_.of(id);
      iv.location = d.location;
      iv.component = d.component;
      iv.type = t_.name(type, *v);
      iv.format = t_.attribute_format(t_.strip_arrays(type, *v), *v);
      (storage == Input ? r_.inputs : r_.outputs).push_back(std::move(iv));
    }
    auto by_location = [](const InterfaceVariable& x, const InterfaceVariable& y) {
      return std::tie(x.location, x.component, x.name) < std::tie(y.location, y.component, y.name);
    };
    std::sort(r_.inputs.begin(), r_.inputs.end(), by_location);
    std::sort(r_.outputs.begin(), r_.outputs.end(), by_location);
  }

  void spec_constants() {
    for (const Inst& in : m_.insts()) {
      if (in.op != OpSpecConstant && in.op != OpSpecConstantTrue && in.op != OpSpecConstantFalse) continue;
      uint32_t id = m_.id(in, 1);
      const Decorations& d = a_.of(id);
      if (!d.is(DecSpecId)) continue;
      SpecConstant s;
      std::string_view name = a_.name(id);
      s.name = std::string(name);   // glslang leaves local_size_x_id constants unnamed
      s.id = d.spec_id;
      s.type = t_.name(m_.id(in, 0), in);
      s.default_bits = t_.constant(id, in).value_or(0);
      r_.spec_constants.push_back(std::move(s));
    }
    std::sort(r_.spec_constants.begin(), r_.spec_constants.end(),
              [](const SpecConstant& x, const SpecConstant& y) { return x.id < y.id; });
  }

  spv::Module m_;
  Annotations a_;
  Types t_;
  std::vector<RawEntry> entries_;
  Reflection r_;
};

}  // namespace

const DescriptorBinding* Reflection::find(std::string_view name) const {
  for (const DescriptorBinding& b : bindings) {
    if (b.name == name) return &b;
  }
  // Blocks also answer to their type name ("Params" for `uniform Params { ... } params;`).
  for (const DescriptorBinding& b : bindings) {
    if (b.block && b.block->type_name == name) return &b;
  }
  return nullptr;
}

Reflection reflect_spirv(std::span<const uint32_t> words, std::string_view entry_point) {
  return Reflector(words).run(entry_point);
}

}  // namespace kiln
