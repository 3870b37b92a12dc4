// examples/common/shader_dir.h — where an example finds its GLSL: next to the binary when the
// shaders were copied there (an installed example), else the source folder the build recorded.
#pragma once

#include <filesystem>
#include <string>

namespace example {

inline std::string shader_path(const char* argv0, const char* file) {
  std::error_code ec;
  const std::filesystem::path beside = std::filesystem::absolute(argv0, ec).parent_path() / file;
  if (!ec && std::filesystem::exists(beside)) return beside.string();
  return (std::filesystem::path(KILN_EXAMPLE_DIR) / file).string();
}

}  // namespace example
