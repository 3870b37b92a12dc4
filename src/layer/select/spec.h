// Which command to capture: `draw:12`, `dispatch:3`, `copy:2`, `any:1`, `label:Shadows/draw:2`
// (counted from 1 within the frame, or from the C API call on). A label matches any enclosing
// debug-label region of that name; a label with '/' ("Frame/Shadows") matches the end of the path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "record/records.h"

namespace kiln::layer {

enum class KilnWhen : uint32_t { Before = 1, After = 2, Both = 3 };

struct Spec {
  std::string label;   // empty: anywhere
  Kind kind = Kind::Draw;
  bool any = false;    // draws, dispatches and copies alike
  uint32_t index = 1;  // the index-th match
};

// False (and `error` says why) when `text` is not a spec.
bool parse_spec(std::string_view text, Spec* out, std::string* error);
bool parse_when(std::string_view text, KilnWhen* out);
const char* when_name(KilnWhen w);

// Whether `cmd` inside the label regions `labels` (outermost first) counts for `spec`.
bool spec_counts(const Spec& spec, const Cmd& cmd, const std::vector<std::string>& labels);
std::string label_path(const std::vector<std::string>& labels);  // "Frame/Shadows"

}  // namespace kiln::layer
