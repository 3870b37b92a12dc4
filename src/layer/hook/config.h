// The layer's configuration, from the environment (read once per device):
//   KILN_CAPTURE_COMMAND  the spec to capture ("draw:12", "label:Shadows/draw:2"); unset: capture nothing
//   KILN_CAPTURE_FRAME    the frame to search, from 1 (default 1): counted by presents, or by
//                         submissions (vkQueueSubmit* calls) for programs without a swapchain
//   KILN_CAPTURE_WHEN     before | after | both (default both)
//   KILN_CAPTURE_OUT      the folder the capture is written to (capture.json + files)
//   KILN_CAPTURE_COW      on | off (default on): copy-on-write for resources the command only reads
//   KILN_CAPTURE_RECORD   always | requested (default requested): record every command buffer, so a
//                         C API request also finds commands recorded before it (costs recording time)
#pragma once

#include <string>

#include "select/spec.h"

namespace kiln::layer {

struct Config {
  bool has_spec = false;
  std::string spec_text;
  Spec spec;
  uint64_t frame = 1;
  KilnWhen when = KilnWhen::Both;
  std::string out_dir;
  bool cow = true;
  bool record_always = false;
};

// Reads the environment; reports (stderr) a malformed value and ignores it.
Config read_config();

}  // namespace kiln::layer
