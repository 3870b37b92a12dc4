// Reading shader files and hashing their bytes for the dependency list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::shader_detail {

// The whole file, or nullopt when it cannot be opened as a regular file. A relative path is taken
// relative to the calling thread's base directory (ScopedBaseDirectory) when it has one.
std::optional<std::string> read_text_file(const std::string& path);

// While alive, relative paths that read_text_file opens on this thread are relative to `dir`: the
// compile worker reads a client's files as the client, in its own working directory, would. The
// names in diagnostics and dependencies stay as the client wrote them.
class ScopedBaseDirectory {
 public:
  explicit ScopedBaseDirectory(std::string dir);
  ~ScopedBaseDirectory();
  ScopedBaseDirectory(const ScopedBaseDirectory&) = delete;
  ScopedBaseDirectory& operator=(const ScopedBaseDirectory&) = delete;

 private:
  std::string previous_;
};

// The content hash recorded in ShaderDependency (kiln/hash.h's hash64, seed 0).
uint64_t content_hash(std::string_view bytes);

// "a/b/../c.glsl" → "a/c.glsl"; keeps relative paths relative so diagnostics stay short.
std::string normalize_path(const std::string& path);

}  // namespace kiln::shader_detail
