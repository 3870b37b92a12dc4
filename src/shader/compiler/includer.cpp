#include "shader/compiler/includer.h"

#include "shader/compiler/files.h"

#include <kiln/log.h>

#include <filesystem>

namespace kiln::shader_detail {

namespace fs = std::filesystem;

namespace {

std::string join(const std::string& dir, const char* name) {
  if (dir.empty()) return normalize_path(name);
  return normalize_path((fs::path(dir) / name).string());
}

std::string dir_of(const std::string& file) {
  std::string dir = fs::path(file).parent_path().string();
  return dir;
}

// Whether `line` is an #include directive naming `header` (either delimiter).
bool is_include_of(std::string_view line, std::string_view header) {
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  skip_ws();
  if (i >= line.size() || line[i] != '#') return false;
  ++i;
  skip_ws();
  if (line.substr(i, 7) != "include") return false;
  i += 7;
  skip_ws();
  if (i >= line.size() || (line[i] != '"' && line[i] != '<')) return false;
  char close = line[i] == '"' ? '"' : '>';
  ++i;
  size_t end = line.find(close, i);
  return end != std::string_view::npos && line.substr(i, end - i) == header;
}

}  // namespace

FileIncluder::FileIncluder(std::string main_name, const std::string& main_source, bool main_has_dir,
                           std::vector<std::string> include_dirs)
    : main_name_(std::move(main_name)), main_has_dir_(main_has_dir), include_dirs_(std::move(include_dirs)) {
  texts_.emplace(main_name_, main_source);
}

uint32_t FileIncluder::directive_line(const std::string& includer, const char* header) {
  auto text_it = texts_.find(includer);
  if (text_it == texts_.end()) return 0;
  const std::string& text = text_it->second;
  // glslang asks in source order, so each search starts after the previous match in that file;
  // an #include skipped by #if is then passed over, not matched.
  uint32_t& from = scan_from_[includer];
  uint32_t line = 1;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (line > from && is_include_of(std::string_view(text).substr(pos, end - pos), header)) {
      from = line;
      return line;
    }
    pos = end + 1;
    ++line;
  }
  return 0;
}

FileIncluder::IncludeResult* FileIncluder::found(const std::string& resolved, const std::string& text,
                                                 const char* header, const char* includer) {
  auto [it, inserted] = texts_.emplace(resolved, text);
  if (inserted) dependencies_.push_back({resolved, content_hash(text)});
  uint32_t line = directive_line(includer, header);
  if (resolved != main_name_) origins_.try_emplace(resolved, Origin{includer, line});
  return new IncludeResult(resolved, it->second.data(), it->second.size(), nullptr);
}

FileIncluder::IncludeResult* FileIncluder::failure(std::string message) {
  // glslang reports headerData of a result with an empty name as the error text.
  messages_.push_back(std::move(message));
  return new IncludeResult(std::string(), messages_.back().data(), messages_.back().size(), nullptr);
}

FileIncluder::IncludeResult* FileIncluder::includeLocal(const char* header, const char* includer, size_t) {
  std::string inc = includer ? includer : "";
  bool has_dir = inc != main_name_ || main_has_dir_;
  std::string dir = has_dir ? dir_of(inc) : std::string();
  local_header_ = header;
  local_includer_ = inc;
  local_tried_ = has_dir ? (dir.empty() ? std::string(".") : dir) : std::string();
  if (!has_dir && !fs::path(header).is_absolute()) return nullptr;
  std::string candidate = join(dir, header);
  if (texts_.count(candidate)) return found(candidate, texts_[candidate], header, includer);
  if (auto text = read_text_file(candidate)) return found(candidate, *text, header, includer);
  return nullptr;
}

FileIncluder::IncludeResult* FileIncluder::includeSystem(const char* header, const char* includer, size_t) {
  std::string inc = includer ? includer : "";
  std::vector<std::string> tried;
  if (local_header_ == header && local_includer_ == inc && !local_tried_.empty()) {
    tried.push_back(local_tried_ + " (the including file's directory)");
  }
  local_header_.clear();
  if (fs::path(header).is_absolute()) {
    std::string candidate = normalize_path(header);
    if (auto text = read_text_file(candidate)) return found(candidate, *text, header, includer);
  } else {
    for (const std::string& dir : include_dirs_) {
      std::string candidate = join(dir, header);
      auto cached = texts_.find(candidate);
      if (cached != texts_.end()) return found(candidate, cached->second, header, includer);
      if (auto text = read_text_file(candidate)) return found(candidate, *text, header, includer);
      tried.push_back(dir);
    }
  }
  std::string message = str("cannot find include file '", header, "'; tried: ");
  if (tried.empty()) {
    message += "no directories (none given with -I)";
  } else {
    for (size_t i = 0; i < tried.size(); ++i) message += (i ? ", " : "") + tried[i];
  }
  return failure(std::move(message));
}

void FileIncluder::releaseInclude(IncludeResult* result) { delete result; }

std::vector<std::string> FileIncluder::include_chain(const std::string& file) const {
  std::vector<std::string> chain;
  std::string current = file;
  // The origins form a tree rooted at the main file; the guard stops a malformed cycle.
  for (size_t guard = 0; guard < 256; ++guard) {
    auto it = origins_.find(current);
    if (it == origins_.end()) break;
    chain.insert(chain.begin(), str(it->second.includer, ":", it->second.line));
    current = it->second.includer;
  }
  return chain;
}

}  // namespace kiln::shader_detail
