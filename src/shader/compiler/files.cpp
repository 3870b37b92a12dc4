#include "shader/compiler/files.h"

#include <kiln/hash.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace kiln::shader_detail {

namespace {
thread_local std::string t_base_directory;
}

ScopedBaseDirectory::ScopedBaseDirectory(std::string dir) : previous_(std::move(t_base_directory)) {
  t_base_directory = std::move(dir);
}

ScopedBaseDirectory::~ScopedBaseDirectory() { t_base_directory = std::move(previous_); }

std::optional<std::string> read_text_file(const std::string& name) {
  const std::string path = t_base_directory.empty() || name.empty() || name[0] == '/'
                               ? name
                               : t_base_directory + "/" + name;
  std::error_code ec;
  // A directory opens fine as an ifstream on Linux and reads as empty; it is not a shader.
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return data;
}

uint64_t content_hash(std::string_view bytes) { return hash64(bytes.data(), bytes.size(), 0); }

std::string normalize_path(const std::string& path) {
  if (path.empty()) return path;
  std::string out = std::filesystem::path(path).lexically_normal().string();
  return out.empty() ? path : out;
}

}  // namespace kiln::shader_detail
