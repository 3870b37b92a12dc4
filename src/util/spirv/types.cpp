// Annotations (names, decorations) and type layouts for reflection (see types.h).
#include "types.h"

#include "kiln/log.h"
#include "spirv_enums.h"

#include <algorithm>

namespace kiln::spv {
namespace {

uint64_t member_key(uint32_t type, uint32_t member) { return (uint64_t{type} << 32) | member; }

// Decorations carrying one literal we keep; the others only need their presence recorded.
void set_value(Decorations& d, uint32_t decoration, uint32_t value) {
  switch (decoration) {
    case DecSpecId: d.spec_id = value; break;
    case DecArrayStride: d.array_stride = value; break;
    case DecMatrixStride: d.matrix_stride = value; break;
    case DecBuiltIn: d.builtin = value; break;
    case DecLocation: d.location = value; break;
    case DecComponent: d.component = value; break;
    case DecBinding: d.binding = value; break;
    case DecDescriptorSet: d.set = value; break;
    case DecOffset: d.offset = value; break;
    default: break;
  }
}

bool has_value(uint32_t decoration) {
  switch (decoration) {
    case DecSpecId: case DecArrayStride: case DecMatrixStride: case DecBuiltIn: case DecLocation:
    case DecComponent: case DecBinding: case DecDescriptorSet: case DecOffset:
      return true;
    default:
      return false;
  }
}

void add(const Module& m, const Inst& in, Decorations& d, uint32_t first) {
  uint32_t decoration = m.op(in, first);
  if (decoration < 64) d.has |= uint64_t{1} << decoration;
  if (has_value(decoration)) set_value(d, decoration, m.op(in, first + 1));
}

const char* dim_name(uint32_t dim) {
  switch (dim) {
    case Dim1D: return "1D";
    case Dim2D: return "2D";
    case Dim3D: return "3D";
    case DimCube: return "Cube";
    case DimRect: return "2DRect";
    case DimBuffer: return "Buffer";
    case DimSubpassData: return "subpassInput";
    default: return "?";
  }
}

}  // namespace

void Decorations::merge(const Decorations& o) {
  for (uint32_t d = 0; d < 64; ++d) {
    if (o.is(d)) {
      has |= uint64_t{1} << d;
      set_value(*this, d, d == DecSpecId ? o.spec_id : d == DecArrayStride ? o.array_stride
                          : d == DecMatrixStride ? o.matrix_stride : d == DecBuiltIn ? o.builtin
                          : d == DecLocation ? o.location : d == DecComponent ? o.component
                          : d == DecBinding ? o.binding : d == DecDescriptorSet ? o.set : o.offset);
    }
  }
}

Annotations::Annotations(const Module& m) {
  for (const Inst& in : m.insts()) {
    switch (in.op) {
      case OpName: names[m.id(in, 0)] = m.string(in, 1); break;
      case OpMemberName: member_names[member_key(m.id(in, 0), m.op(in, 1))] = m.string(in, 2); break;
      case OpDecorate: case OpDecorateId: case OpDecorateString:
        add(m, in, decorations[m.id(in, 0)], 1);
        break;
      case OpMemberDecorate: case OpMemberDecorateString:
        add(m, in, member_decorations[member_key(m.id(in, 0), m.op(in, 1))], 2);
        break;
      default: break;
    }
  }
  // Decoration groups (deprecated, but valid): copy each group's decorations to its targets.
  for (const Inst& in : m.insts()) {
    if (in.op == OpGroupDecorate) {
      Decorations group = of(m.id(in, 0));
      for (uint32_t i = 1; i < m.operands(in); ++i) decorations[m.id(in, i)].merge(group);
    } else if (in.op == OpGroupMemberDecorate) {
      Decorations group = of(m.id(in, 0));
      for (uint32_t i = 1; i + 1 < m.operands(in); i += 2) {
        member_decorations[member_key(m.id(in, i), m.op(in, i + 1))].merge(group);
      }
    }
  }
}

std::string_view Annotations::name(uint32_t id) const {
  auto it = names.find(id);
  return it == names.end() ? std::string_view{} : it->second;
}
std::string_view Annotations::member_name(uint32_t type, uint32_t member) const {
  auto it = member_names.find(member_key(type, member));
  return it == member_names.end() ? std::string_view{} : it->second;
}
const Decorations& Annotations::of(uint32_t id) const {
  static const Decorations none;
  auto it = decorations.find(id);
  return it == decorations.end() ? none : it->second;
}
const Decorations& Annotations::of(uint32_t type, uint32_t member) const {
  static const Decorations none;
  auto it = member_decorations.find(member_key(type, member));
  return it == member_decorations.end() ? none : it->second;
}

const Inst& Types::type(uint32_t id, const Inst& user) const {
  const Inst& d = m_.def_or_fail(id, user);
  bool is_type = (d.op >= OpTypeVoid && d.op <= OpTypeFunction) || d.op == OpTypeAccelerationStructureKHR ||
                 d.op == OpTypeRayQueryKHR;
  if (!is_type) m_.fail(user, str("%", id, " is used as a type but is not one"));
  return d;
}

std::optional<uint64_t> Types::constant(uint32_t id, const Inst& user) const {
  const Inst& c = m_.def_or_fail(id, user);
  switch (c.op) {
    case OpConstantTrue: case OpSpecConstantTrue: return 1;
    case OpConstantFalse: case OpSpecConstantFalse: case OpConstantNull: return 0;
    case OpConstant: case OpSpecConstant: {
      const Inst& t = type(m_.id(c, 0), c);
      if (t.op != OpTypeInt && t.op != OpTypeFloat) m_.fail(c, "scalar constant of a non-scalar type");
      uint64_t v = m_.op(c, 2);
      if (m_.op(t, 1) > 32) v |= uint64_t{m_.op(c, 3)} << 32;
      return v;
    }
    case OpSpecConstantOp: return std::nullopt;
    default: m_.fail(user, str("%", id, " is used as a scalar constant but is not one"));
  }
}

std::optional<uint32_t> Types::array_length(uint32_t type_id, const Inst& user) const {
  const Inst& t = type(type_id, user);
  if (t.op == OpTypeRuntimeArray) return 0u;
  if (t.op != OpTypeArray) return std::nullopt;
  // A length from a spec constant operation is only known when the pipeline is made: report 1.
  uint64_t n = constant(m_.id(t, 2), t).value_or(1);
  if (n == 0 || n > 0xFFFFFFFEu) m_.fail(t, str("array length ", n, " is out of range"));
  return static_cast<uint32_t>(n);
}

uint32_t Types::strip_arrays(uint32_t type_id, const Inst& user) const {
  for (int depth = 0; depth <= kMaxDepth; ++depth) {
    const Inst& t = type(type_id, user);
    if (t.op != OpTypeArray && t.op != OpTypeRuntimeArray) return type_id;
    type_id = m_.id(t, 1);
  }
  m_.fail(user, str("arrays nested deeper than ", kMaxDepth));
}

std::string Types::name(uint32_t type_id, const Inst& user, int depth) const {
  if (depth > kMaxDepth) m_.fail(user, str("types nested deeper than ", kMaxDepth));
  const Inst& t = type(type_id, user);
  auto scalar = [&](const Inst& s) -> std::string {
    uint32_t width = s.op == OpTypeBool ? 0 : m_.op(s, 1);
    if (s.op == OpTypeBool) return "bool";
    if (s.op == OpTypeFloat) return width == 32 ? "float" : width == 64 ? "double" : str("float", width, "_t");
    if (s.op != OpTypeInt) return "?";
    bool is_signed = m_.op(s, 2) != 0;
    if (width == 32) return is_signed ? "int" : "uint";
    return str(is_signed ? "int" : "uint", width, "_t");
  };
  auto vector_prefix = [&](const Inst& s) -> std::string {
    if (s.op == OpTypeBool) return "bvec";
    uint32_t width = m_.op(s, 1);
    if (s.op == OpTypeFloat) return width == 32 ? "vec" : width == 64 ? "dvec" : str("f", width, "vec");
    if (s.op != OpTypeInt) return "?vec";
    bool is_signed = m_.op(s, 2) != 0;
    if (width == 32) return is_signed ? "ivec" : "uvec";
    return str(is_signed ? "i" : "u", width, "vec");
  };
  switch (t.op) {
    case OpTypeVoid: return "void";
    case OpTypeBool: case OpTypeInt: case OpTypeFloat: return scalar(t);
    case OpTypeVector: return str(vector_prefix(type(m_.id(t, 1), t)), m_.op(t, 2));
    case OpTypeMatrix: {
      const Inst& column = type(m_.id(t, 1), t);
      if (column.op != OpTypeVector) m_.fail(t, "matrix column type is not a vector");
      const Inst& s = type(m_.id(column, 1), column);
      uint32_t cols = m_.op(t, 2), rows = m_.op(column, 2);
      std::string prefix = s.op == OpTypeFloat && m_.op(s, 1) == 64 ? "dmat" : s.op == OpTypeFloat && m_.op(s, 1) == 16 ? "f16mat" : "mat";
      return cols == rows ? str(prefix, cols) : str(prefix, cols, "x", rows);
    }
    case OpTypeArray: case OpTypeRuntimeArray: {
      uint32_t n = *array_length(type_id, user);
      return name(m_.id(t, 1), t, depth + 1) + (n ? str("[", n, "]") : std::string("[]"));
    }
    case OpTypeStruct: {
      std::string_view n = a_.name(type_id);
      return n.empty() ? str("struct _", type_id) : str("struct ", n);
    }
    case OpTypeImage: case OpTypeSampledImage: {
      const Inst& image = t.op == OpTypeImage ? t : type(m_.id(t, 1), t);
      if (image.op != OpTypeImage) m_.fail(t, "sampled image of a non-image type");
      const Inst& sampled = type(m_.id(image, 1), image);
      std::string prefix = sampled.op == OpTypeInt ? (m_.op(sampled, 2) ? "i" : "u") : "";
      uint32_t dim = m_.op(image, 2);
      if (dim == DimSubpassData) return prefix + (m_.op(image, 5) ? "subpassInputMS" : "subpassInput");
      std::string kind = t.op == OpTypeSampledImage ? "sampler" : m_.op(image, 6) == 2 ? "image" : "texture";
      return str(prefix, kind, dim_name(dim), m_.op(image, 5) ? "MS" : "", m_.op(image, 4) ? "Array" : "",
                 t.op == OpTypeSampledImage && m_.op(image, 3) == 1 ? "Shadow" : "");
    }
    case OpTypeSampler: return "sampler";
    case OpTypeAccelerationStructureKHR: return "accelerationStructureEXT";
    case OpTypeRayQueryKHR: return "rayQueryEXT";
    case OpTypePointer: return "pointer";
    default: return "opaque";
  }
}

uint64_t Types::checked_size(uint64_t v, const Inst& user) const {
  if (v > 0xFFFFFFFFu) m_.fail(user, str("type size ", v, " does not fit 32 bits"));
  return v;
}

uint64_t Types::size(uint32_t type_id, const Inst& user, uint32_t matrix_stride, bool row_major, int depth) {
  if (depth > kMaxDepth) m_.fail(user, str("types nested deeper than ", kMaxDepth));
  const Inst& t = type(type_id, user);
  switch (t.op) {
    case OpTypeBool: return 4;   // not allowed in explicit layouts; what a 32-bit bool would take
    case OpTypeInt: case OpTypeFloat: return m_.op(t, 1) / 8;
    case OpTypeVector: return checked_size(uint64_t{m_.op(t, 2)} * size(m_.id(t, 1), t, 0, false, depth + 1), t);
    case OpTypeMatrix: {
      uint32_t cols = m_.op(t, 2);
      const Inst& column = type(m_.id(t, 1), t);
      if (column.op != OpTypeVector) m_.fail(t, "matrix column type is not a vector");
      uint32_t rows = m_.op(column, 2);
      if (matrix_stride) return checked_size(uint64_t{row_major ? rows : cols} * matrix_stride, t);
      return checked_size(uint64_t{cols} * size(m_.id(t, 1), t, 0, false, depth + 1), t);
    }
    case OpTypeArray: case OpTypeRuntimeArray: {
      uint32_t n = *array_length(type_id, user);
      if (n == 0) return 0;
      uint64_t stride = a_.of(type_id).array_stride;
      if (!stride) stride = size(m_.id(t, 1), t, matrix_stride, row_major, depth + 1);
      return checked_size(stride * n, t);
    }
    case OpTypeStruct: {
      if (auto it = struct_sizes_.find(type_id); it != struct_sizes_.end()) return it->second;
      uint64_t end = 0, running = 0;
      for (uint32_t i = 0; i + 1 < m_.operands(t); ++i) {
        const Decorations& d = a_.of(type_id, i);
        uint64_t offset = d.is(DecOffset) ? d.offset : running;
        uint64_t s = size(m_.id(t, 1 + i), t, d.matrix_stride, d.is(DecRowMajor), depth + 1);
        running = checked_size(offset + s, t);
        end = std::max(end, running);
      }
      struct_sizes_[type_id] = end;
      return end;
    }
    case OpTypePointer: return 8;   // physical storage buffer addresses
    default: return 0;              // opaque types have no size in a block
  }
}

std::vector<BlockMember> Types::members(uint32_t struct_id, const Inst& user, int depth) {
  if (depth > kMaxDepth) m_.fail(user, str("structs nested deeper than ", kMaxDepth));
  const Inst& t = type(struct_id, user);
  if (t.op != OpTypeStruct) m_.fail(user, str("%", struct_id, " is not a struct"));
  std::vector<BlockMember> out;
  uint64_t running = 0;
  for (uint32_t i = 0; i + 1 < m_.operands(t); ++i) {
    if (++members_made_ > kMaxMembers) m_.fail(t, str("more than ", kMaxMembers, " block members"));
    uint32_t member_type = m_.id(t, 1 + i);
    const Decorations& d = a_.of(struct_id, i);
    BlockMember b;
    std::string_view n = a_.member_name(struct_id, i);
    b.name = n.empty() ? str("_m", i) : std::string(n);
    b.offset = static_cast<uint32_t>(d.is(DecOffset) ? d.offset : running);
    uint32_t element = member_type;
    if (auto length = array_length(member_type, t)) {
      b.array_size = *length == 0 ? UINT32_MAX : *length;
      b.array_stride = a_.of(member_type).array_stride;
      element = m_.id(type(member_type, t), 1);
    }
    uint32_t innermost = strip_arrays(element, t);
    if (type(innermost, t).op == OpTypeMatrix) {
      b.matrix_stride = d.matrix_stride;
      b.row_major = d.is(DecRowMajor);
    }
    b.type = name(element, t, depth);
    b.size = static_cast<uint32_t>(size(element, t, d.matrix_stride, d.is(DecRowMajor), depth));
    if (b.array_size && !b.array_stride) b.array_stride = b.size;
    if (type(innermost, t).op == OpTypeStruct) b.members = members(innermost, t, depth + 1);
    uint64_t total = b.array_size == UINT32_MAX ? 0 : uint64_t{b.array_size ? b.array_size : 1} * (b.array_size ? b.array_stride : b.size);
    running = checked_size(uint64_t{b.offset} + total, t);
    out.push_back(std::move(b));
  }
  return out;
}

BlockLayout Types::block(uint32_t struct_id, const Inst& user) {
  BlockLayout layout;
  const Inst& t = type(struct_id, user);
  if (t.op != OpTypeStruct) m_.fail(user, str("block type %", struct_id, " is not a struct"));
  std::string_view n = a_.name(struct_id);
  layout.type_name = n.empty() ? str("_", struct_id) : std::string(n);
  layout.members = members(struct_id, user, 0);
  layout.size = static_cast<uint32_t>(size(struct_id, user, 0, false));
  return layout;
}

VkFormat Types::attribute_format(uint32_t type_id, const Inst& user) const {
  const Inst& t = type(type_id, user);
  uint32_t n = 1;
  const Inst* s = &t;
  if (t.op == OpTypeVector) {
    n = m_.op(t, 2);
    s = &type(m_.id(t, 1), t);
  }
  if (n < 1 || n > 4 || (s->op != OpTypeInt && s->op != OpTypeFloat)) return VK_FORMAT_UNDEFINED;
  uint32_t width = m_.op(*s, 1);
  int kind = s->op == OpTypeFloat ? 2 : m_.op(*s, 2) ? 1 : 0;   // 0 uint, 1 sint, 2 sfloat
  // Rows: width; columns: components; [kind].
  static constexpr VkFormat k8[4][3] = {
      {VK_FORMAT_R8_UINT, VK_FORMAT_R8_SINT, VK_FORMAT_UNDEFINED},
      {VK_FORMAT_R8G8_UINT, VK_FORMAT_R8G8_SINT, VK_FORMAT_UNDEFINED},
      {VK_FORMAT_R8G8B8_UINT, VK_FORMAT_R8G8B8_SINT, VK_FORMAT_UNDEFINED},
      {VK_FORMAT_R8G8B8A8_UINT, VK_FORMAT_R8G8B8A8_SINT, VK_FORMAT_UNDEFINED}};
  static constexpr VkFormat k16[4][3] = {
      {VK_FORMAT_R16_UINT, VK_FORMAT_R16_SINT, VK_FORMAT_R16_SFLOAT},
      {VK_FORMAT_R16G16_UINT, VK_FORMAT_R16G16_SINT, VK_FORMAT_R16G16_SFLOAT},
      {VK_FORMAT_R16G16B16_UINT, VK_FORMAT_R16G16B16_SINT, VK_FORMAT_R16G16B16_SFLOAT},
      {VK_FORMAT_R16G16B16A16_UINT, VK_FORMAT_R16G16B16A16_SINT, VK_FORMAT_R16G16B16A16_SFLOAT}};
  static constexpr VkFormat k32[4][3] = {
      {VK_FORMAT_R32_UINT, VK_FORMAT_R32_SINT, VK_FORMAT_R32_SFLOAT},
      {VK_FORMAT_R32G32_UINT, VK_FORMAT_R32G32_SINT, VK_FORMAT_R32G32_SFLOAT},
      {VK_FORMAT_R32G32B32_UINT, VK_FORMAT_R32G32B32_SINT, VK_FORMAT_R32G32B32_SFLOAT},
      {VK_FORMAT_R32G32B32A32_UINT, VK_FORMAT_R32G32B32A32_SINT, VK_FORMAT_R32G32B32A32_SFLOAT}};
  static constexpr VkFormat k64[4][3] = {
      {VK_FORMAT_R64_UINT, VK_FORMAT_R64_SINT, VK_FORMAT_R64_SFLOAT},
      {VK_FORMAT_R64G64_UINT, VK_FORMAT_R64G64_SINT, VK_FORMAT_R64G64_SFLOAT},
      {VK_FORMAT_R64G64B64_UINT, VK_FORMAT_R64G64B64_SINT, VK_FORMAT_R64G64B64_SFLOAT},
      {VK_FORMAT_R64G64B64A64_UINT, VK_FORMAT_R64G64B64A64_SINT, VK_FORMAT_R64G64B64A64_SFLOAT}};
  switch (width) {
    case 8: return k8[n - 1][kind];
    case 16: return k16[n - 1][kind];
    case 32: return k32[n - 1][kind];
    case 64: return k64[n - 1][kind];
    default: return VK_FORMAT_UNDEFINED;
  }
}

}  // namespace kiln::spv
