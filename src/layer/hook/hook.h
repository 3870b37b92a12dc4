// Selecting the command at submit time, and re-recording the command buffer that holds it.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "hook/pending.h"
#include "state.h"

namespace kiln::layer {

// Visits a primary's records in execution order, the records of each secondary it executes inlined
// after its vkCmdExecuteCommands record; `seq` numbers every visit. Secondaries the layer does not
// know (or that passed through) make `f` see nullptr for that secondary via `bad`.
template <class F, class Bad>
void traverse(const CommandBuffer& cb, uint32_t& seq, F&& f, Bad&& bad, int depth = 0) {
  for_each_cmd(cb.records, [&](const Cmd& c) {
    f(c, seq++);
    if (c.op() != Op::ExecuteCommands) return;
    const auto& args = static_cast<const ExecuteCommandsCmd&>(c).args;
    for (uint32_t i = 0; i < std::get<0>(args); ++i) {
      CommandBuffer* sec = command_buffer(std::get<1>(args)[i]);
      if (!sec || depth > 3) {
        bad(sec, "a secondary command buffer the layer does not know");
        continue;
      }
      if (!sec->recording) bad(sec, "a secondary command buffer recorded before any capture was asked for");
      if (!sec->passthrough.empty()) bad(sec, sec->passthrough);
      traverse(*sec, seq, f, bad, depth + 1);
    }
  });
}

struct Target {
  size_t batch = 0, index = 0;       // which command buffer of which batch
  CommandBuffer* cb = nullptr;
  uint32_t seq = 0;                  // the selected command's traversal index
  int64_t pass_begin_seq = -1;       // the render pass / rendering it is inside, if any
  const Cmd* cmd = nullptr;
  // A multi-draw of several draws: the one selected (from 0) and how many; -1 and 0 otherwise.
  int32_t sub_draw = -1;
  uint32_t sub_draws = 0;
  uint32_t command_index = 0;        // in the frame
  std::string label_path;
  std::string spec_text;
  KilnWhen when = KilnWhen::Both;
  bool from_api = false;
  uint64_t frame = 0;
};

// Re-records target.cb into a layer-owned command buffer with the copies. Throws HookError saying why
// it cannot (the submission then goes ahead with the program's command buffer, untouched).
struct HookError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// `later`: what the rest of its submission writes (resources it hits are copied now, never given a cow).
std::unique_ptr<PendingCapture> build_hook(Device& dev, const Queue& queue, const Target& target, const WriteSet& later);

}  // namespace kiln::layer
