// Reading shader files and hashing their bytes for the dependency list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::shader_detail {

// The whole file, or nullopt when it cannot be opened as a regular file.
std::optional<std::string> read_text_file(const std::string& path);

// The content hash recorded in ShaderDependency (kiln/hash.h's hash64, seed 0).
uint64_t content_hash(std::string_view bytes);

// "a/b/../c.glsl" → "a/c.glsl"; keeps relative paths relative so diagnostics stay short.
std::string normalize_path(const std::string& path);

}  // namespace kiln::shader_detail
