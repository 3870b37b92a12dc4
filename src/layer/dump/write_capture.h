// Writing a capture to a folder: capture.json plus one file per resource and moment (PNG for 8-bit
// displayable images, .npy for the other images, .bin for buffers). The format is documented field by
// field in docs/capture.md. Not here: choosing what to capture (hook/) or handing it to programs (C API).
// resource_role_name (capture_data.h) is defined here too, in role_name.cpp: the JSON's names are its names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../capture_data.h"

namespace kiln::layer {

// Writes `capture` into `folder` (created, with its before/ and after/ subfolders, when missing; files of
// an earlier capture there are replaced). Throws kiln::Error naming the path when a file cannot be written.
void write_capture(const Capture& capture, const std::string& folder);

// A spec that matched nothing: `folder`/capture.json holds "error", the spec, the frame, and the commands
// that frame had (one line each, as the layer prints them), so a user can pick the right one.
void write_no_match(const std::string& folder, const std::string& spec, uint64_t frame,
                    const std::vector<std::string>& commands);

}  // namespace kiln::layer
