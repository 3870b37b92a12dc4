// Checking a capture spec (`kiln capture --command SPEC`) before a program is started for it, so a typo
// is a usage error that says what would be right, not a run that captures nothing. The layer parses
// the spec again for itself (src/layer/); this is only the grammar of the command line.
#pragma once

#include <string>

namespace kiln::cli {

// The command kinds a spec may count: "draw", "dispatch", "copy", "any" (as src/layer/select/spec.cpp).
extern const char* const kCaptureKinds[4];

// Empty when `spec` is valid: KIND:N or label:NAME/KIND:N, N counting from 1, KIND alone meaning KIND:1
// (NAME may hold '/' for nested regions: label:Frame/Shadows/draw:2). Otherwise what is wrong and what would be right.
std::string check_capture_spec(const std::string& spec);

}  // namespace kiln::cli
