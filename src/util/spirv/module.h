// A checked view of a SPIR-V module: the header and instruction stream validated once, then every
// operand read through accessors that throw kiln::Error("SPIR-V word N: ...") instead of reading
// out of bounds. Reflection reads the module only through this class.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace kiln::spv {

struct Inst {
  uint32_t pos = 0;     // word index of the instruction's first word (opcode | count << 16)
  uint32_t op = 0;
  uint32_t count = 0;   // words, including the first
};

class Module {
 public:
  // Validates the header (magic, version, bound) and that instructions tile the words exactly.
  // Byte-swapped modules are accepted (copied and swapped).
  explicit Module(std::span<const uint32_t> words);
  Module(const Module&) = delete;   // words_ may point into swapped_
  Module& operator=(const Module&) = delete;

  uint32_t version() const { return version_; }     // 0x00010500 for 1.5
  uint32_t bound() const { return bound_; }
  const std::vector<Inst>& insts() const { return insts_; }

  [[noreturn]] void fail(uint32_t word, std::string_view what) const;
  [[noreturn]] void fail(const Inst& in, std::string_view what) const { fail(in.pos, what); }

  // Operand i (0 = the word after the opcode word).
  uint32_t operands(const Inst& in) const { return in.count - 1; }
  uint32_t op(const Inst& in, uint32_t i) const {
    if (i + 1 >= in.count) fail_missing(in, i);
    return words_[in.pos + 1 + i];
  }
  // Operand i as an id: checked against the bound.
  uint32_t id(const Inst& in, uint32_t i) const {
    uint32_t v = op(in, i);
    if (v == 0 || v >= bound_) fail_id(in, i, v);
    return v;
  }
  // A literal string starting at operand i; *next (optional) gets the operand after it.
  std::string_view string(const Inst& in, uint32_t i, uint32_t* next = nullptr) const;

  // The instruction defining a type, constant, variable or function id; null when there is none.
  const Inst* def(uint32_t id) const {
    return id < defs_.size() && defs_[id] != kNone ? &insts_[defs_[id]] : nullptr;
  }
  // As def(), but a missing definition is an error blamed on `user`.
  const Inst& def_or_fail(uint32_t id, const Inst& user) const;

 private:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  [[noreturn]] void fail_missing(const Inst& in, uint32_t i) const;
  [[noreturn]] void fail_id(const Inst& in, uint32_t i, uint32_t v) const;
  void index_definitions();

  std::vector<uint32_t> swapped_;
  std::span<const uint32_t> words_;
  uint32_t version_ = 0, bound_ = 0;
  std::vector<Inst> insts_;
  std::vector<uint32_t> defs_;   // id -> instruction index, for the ids def() answers
};

}  // namespace kiln::spv
