// The checked SPIR-V reader (see module.h).
#include "module.h"

#include "kiln/error.h"
#include "kiln/log.h"
#include "spirv_enums.h"

#include <algorithm>

namespace kiln::spv {
namespace {

uint32_t byteswap(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

// Where the result id of an instruction sits (operand index), for the instructions whose ids
// reflection looks up; -1 for the rest.
int result_operand(uint32_t op) {
  switch (op) {
    case OpTypeVoid: case OpTypeBool: case OpTypeInt: case OpTypeFloat: case OpTypeVector:
    case OpTypeMatrix: case OpTypeImage: case OpTypeSampler: case OpTypeSampledImage:
    case OpTypeArray: case OpTypeRuntimeArray: case OpTypeStruct: case OpTypeOpaque:
    case OpTypePointer: case OpTypeFunction: case OpTypeAccelerationStructureKHR:
    case OpTypeRayQueryKHR: case OpString: case OpExtInstImport: case OpDecorationGroup:
      return 0;
    case OpConstantTrue: case OpConstantFalse: case OpConstant: case OpConstantComposite:
    case OpConstantSampler: case OpConstantNull: case OpSpecConstantTrue: case OpSpecConstantFalse:
    case OpSpecConstant: case OpSpecConstantComposite: case OpSpecConstantOp: case OpFunction:
    case OpVariable:
      return 1;
    default:
      return -1;
  }
}

}  // namespace

Module::Module(std::span<const uint32_t> words) : words_(words) {
  if (words.size() < 5) fail(0, str("truncated: ", words.size(), " words, a module has at least a 5-word header"));
  if (words[0] != kMagic) {
    if (words[0] != byteswap(kMagic)) fail(0, str("bad magic number 0x", std::hex, words[0], " (not SPIR-V)"));
    swapped_.resize(words.size());
    std::transform(words.begin(), words.end(), swapped_.begin(), byteswap);
    words_ = swapped_;
  }
  version_ = words_[1];
  uint32_t major = (version_ >> 16) & 0xFF, minor = (version_ >> 8) & 0xFF;
  if ((version_ & 0xFF0000FFu) != 0 || major != 1 || minor > 6) {
    fail(1, str("unsupported version word 0x", std::hex, version_, " (kiln reads SPIR-V 1.0 to 1.6)"));
  }
  bound_ = words_[3];
  if (bound_ == 0 || bound_ > kMaxBound) fail(3, str("id bound ", bound_, " is outside 1..", kMaxBound));
  if (words_[4] != 0) fail(4, "reserved schema word is not 0");

  insts_.reserve(std::min<size_t>(words_.size() / 2, 1u << 20));
  for (size_t pos = 5; pos < words_.size();) {
    uint32_t first = words_[pos];
    uint32_t count = first >> 16;
    if (count == 0) fail(static_cast<uint32_t>(pos), "instruction with a word count of 0");
    if (pos + count > words_.size()) {
      fail(static_cast<uint32_t>(pos), str("instruction (opcode ", first & 0xFFFF, ") claims ", count, " words but only ",
                                           words_.size() - pos, " remain"));
    }
    insts_.push_back(Inst{static_cast<uint32_t>(pos), first & 0xFFFF, count});
    pos += count;
  }
  index_definitions();
}

void Module::index_definitions() {
  // Size the table by the largest id actually defined, not by the header's bound.
  uint32_t max_id = 0;
  for (const Inst& in : insts_) {
    int r = result_operand(in.op);
    if (r >= 0) max_id = std::max(max_id, id(in, static_cast<uint32_t>(r)));
  }
  defs_.assign(size_t{max_id} + 1, kNone);
  for (uint32_t i = 0; i < insts_.size(); ++i) {
    const Inst& in = insts_[i];
    int r = result_operand(in.op);
    if (r < 0) continue;
    uint32_t v = op(in, static_cast<uint32_t>(r));
    if (defs_[v] != kNone) fail(in, str("id %", v, " is defined twice"));
    defs_[v] = i;
  }
}

std::string_view Module::string(const Inst& in, uint32_t i, uint32_t* next) const {
  if (i + 1 >= in.count) fail_missing(in, i);
  const uint32_t* begin = words_.data() + in.pos + 1 + i;
  const uint32_t* end = words_.data() + in.pos + in.count;
  for (const uint32_t* w = begin; w < end; ++w) {
    for (int b = 0; b < 4; ++b) {
      if (((*w >> (8 * b)) & 0xFF) == 0) {
        // Strings are bytes packed little-endian into words; kiln's hosts are little-endian, so
        // the words' memory is the string.
        size_t length = static_cast<size_t>(w - begin) * 4 + static_cast<size_t>(b);
        if (next) *next = i + static_cast<uint32_t>(w - begin) + 1;
        return std::string_view(reinterpret_cast<const char*>(begin), length);
      }
    }
  }
  fail(in.pos + 1 + i, "literal string is not NUL-terminated within its instruction");
}

const Inst& Module::def_or_fail(uint32_t id, const Inst& user) const {
  const Inst* d = def(id);
  if (!d) fail(user, str("refers to %", id, ", which is not defined as a type, constant or variable"));
  return *d;
}

void Module::fail(uint32_t word, std::string_view what) const {
  throw Error(str("SPIR-V word ", word, ": ", what));
}

void Module::fail_missing(const Inst& in, uint32_t i) const {
  fail(in, str("instruction (opcode ", in.op, ", ", in.count, " words) is missing operand ", i + 1));
}

void Module::fail_id(const Inst& in, uint32_t i, uint32_t v) const {
  fail(in.pos + 1 + i, str("id %", v, " is outside 1..", bound_ - 1, " (opcode ", in.op, ")"));
}

}  // namespace kiln::spv
