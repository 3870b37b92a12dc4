// Static read/write analysis of resource variables (see access.h).
#include "access.h"

#include "kiln/log.h"
#include "spirv_enums.h"

#include <algorithm>
#include <deque>
#include <unordered_set>

namespace kiln::spv {
namespace {

struct Function {
  uint32_t begin = 0, end = 0;          // instruction indices, [begin, end)
  std::vector<uint32_t> params;
};

class Analysis {
 public:
  Analysis(const Module& m, const std::vector<uint32_t>& variables) : m_(m) {
    for (uint32_t v : variables) {
      roots_[v] = {v};
      access_[v] = {};
    }
  }

  void run(uint32_t entry) {
    index_functions();
    reach(entry);
    // Propagation to a fixpoint: SSA uses may precede definitions in the instruction order (phis
    // on back edges, blocks out of order) and parameters depend on every call site.
    constexpr int kMaxPasses = 16;
    bool changed = true;
    int pass = 0;
    for (; changed && pass < kMaxPasses; ++pass) {
      changed = false;
      for (uint32_t f : reachable_) changed |= propagate(functions_.at(f));
    }
    for (uint32_t f : reachable_) record(functions_.at(f));
    if (changed) {
      // Did not settle: be conservative about everything the entry point touches.
      for (auto& [var, a] : access_) {
        if (a.used) a.read = a.written = true;
      }
    }
  }

  std::unordered_map<uint32_t, Access> access_;

 private:
  void index_functions() {
    const auto& insts = m_.insts();
    Function* open = nullptr;
    uint32_t open_id = 0;
    for (uint32_t i = 0; i < insts.size(); ++i) {
      const Inst& in = insts[i];
      if (in.op == OpFunction) {
        if (open) m_.fail(in, "OpFunction inside another function");
        open_id = m_.id(in, 1);
        open = &functions_[open_id];
        open->begin = i + 1;
      } else if (in.op == OpFunctionParameter) {
        if (!open) m_.fail(in, "OpFunctionParameter outside a function");
        open->params.push_back(m_.id(in, 1));
      } else if (in.op == OpFunctionEnd) {
        if (!open) m_.fail(in, "OpFunctionEnd outside a function");
        open->end = i;
        open = nullptr;
      }
    }
    if (open) m_.fail(static_cast<uint32_t>(m_.insts().back().pos), str("function %", open_id, " has no OpFunctionEnd"));
  }

  void reach(uint32_t entry) {
    std::deque<uint32_t> queue{entry};
    std::unordered_set<uint32_t> seen{entry};
    while (!queue.empty()) {
      uint32_t f = queue.front();
      queue.pop_front();
      auto it = functions_.find(f);
      if (it == functions_.end()) m_.fail(0, str("entry point or call target %", f, " is not a function"));
      reachable_.push_back(f);
      for (uint32_t i = it->second.begin; i < it->second.end; ++i) {
        const Inst& in = m_.insts()[i];
        if (in.op != OpFunctionCall) continue;
        uint32_t callee = m_.id(in, 2);
        if (!functions_.count(callee)) m_.fail(in, str("calls %", callee, ", which is not a function"));
        if (seen.insert(callee).second) queue.push_back(callee);
      }
    }
  }

  // Pointers and opaque handles carry their variables along; plain values (a loaded float) do not.
  bool carries(uint32_t type_id) const {
    const Inst* t = m_.def(type_id);
    for (int depth = 0; t && depth < 32 && (t->op == OpTypeArray || t->op == OpTypeRuntimeArray); ++depth) {
      t = m_.def(m_.op(*t, 1));   // an array of images carries them too
    }
    if (!t) return true;   // unknown: carry, to stay conservative
    return t->op == OpTypePointer || opaque_op(t->op);
  }
  static bool opaque_op(uint32_t op) {
    return op == OpTypeImage || op == OpTypeSampler || op == OpTypeSampledImage || op == OpTypeAccelerationStructureKHR;
  }
  bool opaque(uint32_t type_id) const {
    const Inst* t = m_.def(type_id);
    return t && opaque_op(t->op);
  }

  bool join(uint32_t dst, uint32_t src) {
    auto it = roots_.find(src);
    if (it == roots_.end() || dst == src) return false;
    std::vector<uint32_t> from = it->second;   // roots_[dst] may rehash; copy first
    std::vector<uint32_t>& to = roots_[dst];
    bool changed = false;
    for (uint32_t r : from) {
      if (std::find(to.begin(), to.end(), r) == to.end()) {
        to.push_back(r);
        changed = true;
      }
    }
    return changed;
  }

  bool propagate(const Function& f) {
    bool changed = false;
    for (uint32_t i = f.begin; i < f.end; ++i) {
      const Inst& in = m_.insts()[i];
      switch (in.op) {
        case OpAccessChain: case OpInBoundsAccessChain: case OpPtrAccessChain: case OpInBoundsPtrAccessChain:
        case OpCopyObject: case OpCopyLogical: case OpImageTexelPointer: case OpImage:
          changed |= join(m_.op(in, 1), m_.op(in, 2));
          break;
        case OpLoad:
          if (carries(m_.op(in, 0))) changed |= join(m_.op(in, 1), m_.op(in, 2));
          break;
        case OpSampledImage:
          changed |= join(m_.op(in, 1), m_.op(in, 2));
          changed |= join(m_.op(in, 1), m_.op(in, 3));
          break;
        case OpSelect:
          changed |= join(m_.op(in, 1), m_.op(in, 3));
          changed |= join(m_.op(in, 1), m_.op(in, 4));
          break;
        case OpPhi:
          for (uint32_t k = 2; k < m_.operands(in); k += 2) changed |= join(m_.op(in, 1), m_.op(in, k));
          break;
        case OpFunctionCall: {
          const Function& callee = functions_.at(m_.op(in, 2));
          for (uint32_t k = 3; k < m_.operands(in); ++k) {
            if (k - 3 < callee.params.size()) changed |= join(callee.params[k - 3], m_.op(in, k));
            if (carries(m_.op(in, 0))) changed |= join(m_.op(in, 1), m_.op(in, k));
          }
          break;
        }
        default:
          break;
      }
    }
    return changed;
  }

  void mark(uint32_t id, bool read, bool written) {
    auto it = roots_.find(id);
    if (it == roots_.end()) return;
    for (uint32_t var : it->second) {
      Access& a = access_[var];
      a.used = true;
      a.read |= read;
      a.written |= written;
    }
  }
  void mark_from(const Inst& in, uint32_t first, bool read, bool written) {
    for (uint32_t k = first; k < m_.operands(in); ++k) mark(m_.op(in, k), read, written);
  }

  void record(const Function& f) {
    for (uint32_t i = f.begin; i < f.end; ++i) {
      const Inst& in = m_.insts()[i];
      uint32_t op = in.op;
      if (op >= OpImageSampleImplicitLod && op <= OpImageRead) {        // sample, fetch, gather, read
        mark(m_.op(in, 2), true, false);
        continue;
      }
      if ((op >= OpImageSparseSampleImplicitLod && op <= OpImageSparseDrefGather) || op == OpImageSparseRead) {
        mark(m_.op(in, 2), true, false);
        continue;
      }
      if (op >= OpAtomicExchange && op <= OpAtomicXor) {
        mark_from(in, 2, true, true);
        continue;
      }
      if (op >= OpImageQueryFormat && op <= OpImageQuerySamples) {
        mark(m_.op(in, 2), false, false);
        continue;
      }
      switch (op) {
        case OpLine: case OpNoLine: case OpLabel: case OpBranch: case OpBranchConditional: case OpSwitch:
        case OpLoopMerge: case OpSelectionMerge: case OpFunctionParameter:
          break;   // no pointers, or literals that could be mistaken for ids
        case OpLoad:
          mark(m_.op(in, 2), !opaque(m_.op(in, 0)), false);
          break;
        case OpStore:
          mark(m_.op(in, 0), false, true);
          mark(m_.op(in, 1), true, true);   // a pointer stored somewhere escapes the analysis
          break;
        case OpCopyMemory: case OpCopyMemorySized:
          mark(m_.op(in, 0), false, true);
          mark(m_.op(in, 1), true, false);
          break;
        case OpAtomicLoad:
          mark(m_.op(in, 2), true, false);
          break;
        case OpAtomicStore: case OpAtomicFlagClear:
          mark(m_.op(in, 0), false, true);
          break;
        case OpAtomicFlagTestAndSet: case OpAtomicFMinEXT: case OpAtomicFMaxEXT: case OpAtomicFAddEXT:
          mark_from(in, 2, true, true);
          break;
        case OpImageWrite:
          mark(m_.op(in, 0), false, true);
          break;
        case OpArrayLength:
          mark(m_.op(in, 2), false, false);
          break;
        case OpAccessChain: case OpInBoundsAccessChain: case OpPtrAccessChain: case OpInBoundsPtrAccessChain:
        case OpCopyObject: case OpCopyLogical: case OpImageTexelPointer: case OpImage: case OpSampledImage:
        case OpSelect: case OpPhi: case OpFunctionCall:
          mark_from(in, 2, false, false);   // derivations: what the results do decides
          break;
        case OpTraceRayKHR: case OpTraceNV:
          mark(m_.op(in, 0), true, false);
          break;
        case OpRayQueryInitializeKHR:
          mark(m_.op(in, 1), true, false);
          break;
        case OpExtInst:
          mark_from(in, 4, true, true);   // operand 3 is the instruction number, a literal
          break;
        case OpCompositeExtract:
          mark(m_.op(in, 2), true, true);   // the rest are literal indices
          break;
        case OpCompositeInsert: case OpVectorShuffle:
          mark(m_.op(in, 2), true, true);
          mark(m_.op(in, 3), true, true);
          break;
        default:
          mark_from(in, 0, true, true);     // not understood: every operand might be a pointer
          break;
      }
    }
  }

  const Module& m_;
  std::unordered_map<uint32_t, Function> functions_;
  std::vector<uint32_t> reachable_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> roots_;
};

}  // namespace

std::unordered_map<uint32_t, Access> analyse_access(const Module& m, uint32_t entry_function,
                                                    const std::vector<uint32_t>& variables) {
  Analysis a(m, variables);
  a.run(entry_function);
  return std::move(a.access_);
}

}  // namespace kiln::spv
