// Names, decorations and types of a SPIR-V module, for reflection: type names as GLSL spells them,
// explicit-layout sizes (Offset/ArrayStride/MatrixStride/RowMajor) and block layouts. Recursion
// over nested types is capped, sizes are memoised and the number of members produced is bounded,
// so hostile modules cannot blow the stack, the time or the memory.
#pragma once

#include "kiln/spirv.h"
#include "module.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::spv {

struct Decorations {
  uint64_t has = 0;   // bit d set when decoration d (< 64) is present
  uint32_t spec_id = 0, array_stride = 0, matrix_stride = 0, builtin = 0, location = 0, component = 0,
           binding = 0, set = 0, offset = 0;
  bool is(uint32_t d) const { return d < 64 && ((has >> d) & 1u); }
  void merge(const Decorations& other);
};

struct Annotations {
  std::unordered_map<uint32_t, std::string_view> names;
  std::unordered_map<uint64_t, std::string_view> member_names;
  std::unordered_map<uint32_t, Decorations> decorations;
  std::unordered_map<uint64_t, Decorations> member_decorations;

  explicit Annotations(const Module& m);
  std::string_view name(uint32_t id) const;
  std::string_view member_name(uint32_t type, uint32_t member) const;
  const Decorations& of(uint32_t id) const;
  const Decorations& of(uint32_t type, uint32_t member) const;
};

class Types {
 public:
  static constexpr int kMaxDepth = 32;            // nested arrays/structs
  static constexpr uint32_t kMaxMembers = 1u << 16;   // block members produced per reflection

  Types(const Module& m, const Annotations& a) : m_(m), a_(a) {}

  // The defining instruction of a type id; an error when `id` is not a type.
  const Inst& type(uint32_t id, const Inst& user) const;
  // "vec3", "mat4", "struct Light", "float[4]", "sampler2D", ...
  std::string name(uint32_t type_id, const Inst& user, int depth = 0) const;
  // Bytes the type occupies in an explicitly laid out block. matrix_stride/row_major come from
  // the member that holds it (0: tightly packed columns).
  uint64_t size(uint32_t type_id, const Inst& user, uint32_t matrix_stride, bool row_major, int depth = 0);
  BlockLayout block(uint32_t struct_id, const Inst& user);
  // The value of an integer OpConstant/OpSpecConstant (its default), e.g. an array length.
  // nullopt for a spec constant operation (its value is only known at pipeline creation).
  std::optional<uint64_t> constant(uint32_t id, const Inst& user) const;
  // Array length (0 for a runtime array) when `type_id` is an array, else nullopt.
  std::optional<uint32_t> array_length(uint32_t type_id, const Inst& user) const;
  // VK_FORMAT_R32G32B32_SFLOAT etc. for scalar/vector ints and floats, else UNDEFINED.
  VkFormat attribute_format(uint32_t type_id, const Inst& user) const;
  // A type with its array levels removed.
  uint32_t strip_arrays(uint32_t type_id, const Inst& user) const;

 private:
  std::vector<BlockMember> members(uint32_t struct_id, const Inst& user, int depth);
  uint64_t checked_size(uint64_t v, const Inst& user) const;

  const Module& m_;
  const Annotations& a_;
  std::unordered_map<uint32_t, uint64_t> struct_sizes_;
  uint32_t members_made_ = 0;
};

}  // namespace kiln::spv
