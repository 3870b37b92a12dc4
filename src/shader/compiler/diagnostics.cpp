#include "shader/compiler/diagnostics.h"

#include <kiln/log.h>

#include <cctype>

namespace kiln {

namespace shader_detail {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Reads "digits" at s[i...] into *out; false when there are none.
bool read_number(std::string_view s, size_t& i, uint32_t* out) {
  size_t start = i;
  uint64_t v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    if (v > 0xffffffffu) return false;
    ++i;
  }
  *out = static_cast<uint32_t>(v);
  return i > start;
}

// "file:line:col: rest" or "file:line: rest". File names may hold ':' (rare), so the split is the
// first ':' followed by digits and then ':' and a space (or another number).
bool split_location(std::string_view text, ShaderDiagnostic& d) {
  for (size_t colon = text.find(':'); colon != std::string_view::npos; colon = text.find(':', colon + 1)) {
    size_t i = colon + 1;
    uint32_t line = 0, column = 0;
    if (!read_number(text, i, &line)) continue;
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    size_t after_line = i;
    if (read_number(text, i, &column) && i < text.size() && text[i] == ':') {
      ++i;
    } else {
      column = 0;
      i = after_line;
    }
    if (i < text.size() && text[i] != ' ') continue;
    if (colon == 0) return false;
    d.file = std::string(text.substr(0, colon));
    d.line = line;
    d.column = column;
    while (i < text.size() && text[i] == ' ') ++i;
    d.message = std::string(text.substr(i));
    return true;
  }
  return false;
}

bool is_summary(std::string_view rest) {
  // "1 compilation errors.  No code generated." / "2 compilation warnings."
  return rest.find("compilation error") != std::string_view::npos ||
         rest.find("compilation warning") != std::string_view::npos;
}

}  // namespace

std::vector<ShaderDiagnostic> parse_info_log(std::string_view log, const std::string& unlocated_file) {
  static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
      {"ERROR: ", "error"},          {"WARNING: ", "warning"},     {"INTERNAL ERROR: ", "error"},
      {"UNIMPLEMENTED: ", "error"},  {"NOTE: ", "note"},
  };
  std::vector<ShaderDiagnostic> out;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t end = log.find('\n', pos);
    if (end == std::string_view::npos) end = log.size();
    std::string_view line = log.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;

    std::string_view severity, rest;
    for (const auto& [prefix, sev] : kPrefixes) {
      if (starts_with(line, prefix)) {
        severity = sev;
        rest = line.substr(prefix.size());
        break;
      }
    }
    if (severity.empty()) {
      // A continuation of the previous message (glslang rarely wraps), else text of its own.
      if (!out.empty()) {
        out.back().message += str("\n", line);
      } else {
        out.push_back({.file = unlocated_file, .severity = "error", .message = std::string(line)});
      }
      continue;
    }
    if (is_summary(rest)) continue;
    ShaderDiagnostic d;
    d.severity = std::string(severity);
    if (!split_location(rest, d)) {
      d.file = unlocated_file;
      d.message = std::string(rest);
    }
    out.push_back(std::move(d));
  }
  return out;
}

namespace {

bool is_ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_op(char c) { return std::string_view("=<>!+-*/&|^%~?:.").find(c) != std::string_view::npos; }

// Lines of `text`, without their line breaks; [0] is line 1.
std::vector<std::string_view> split_lines(const std::string& text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    lines.push_back(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
  }
  if (!text.empty() && text.back() == '\n') lines.pop_back();
  return lines;
}

// 1-based column of the single occurrence of `token` in `line` as a whole token, else 0.
uint32_t unique_token_column(std::string_view line, std::string_view token) {
  if (token.empty()) return 0;
  const bool ident = is_ident(token.front());
  uint32_t found = 0;
  for (size_t at = line.find(token); at != std::string_view::npos; at = line.find(token, at + 1)) {
    char before = at ? line[at - 1] : ' ';
    char after = at + token.size() < line.size() ? line[at + token.size()] : ' ';
    bool whole = ident ? !is_ident(before) && !is_ident(after)
                       : !(is_op(token.back()) && is_op(after)) && !(is_op(token.front()) && is_op(before));
    if (!whole) continue;
    if (found) return 0;  // ambiguous
    found = static_cast<uint32_t>(at + 1);
  }
  return found;
}

uint32_t first_non_blank(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') return static_cast<uint32_t>(i + 1);
  }
  return 1;
}

}  // namespace

void refine_locations(std::vector<ShaderDiagnostic>& diagnostics,
                      const std::function<const std::string*(const std::string&)>& text_of) {
  std::vector<ShaderDiagnostic> kept;
  for (ShaderDiagnostic& d : diagnostics) {
    const std::string* text = d.line ? text_of(d.file) : nullptr;
    if (!text) {
      kept.push_back(std::move(d));
      continue;
    }
    std::vector<std::string_view> lines = split_lines(*text);
    if (d.line > lines.size()) {
      // Past the end: only glslang's own #line epilogue is there. Kept only when it is all we have.
      if (diagnostics.size() > 1) continue;
      kept.push_back(std::move(d));
      continue;
    }
    std::string_view line = lines[d.line - 1];
    if (!d.column) {
      std::string_view token;
      if (d.message.size() > 2 && d.message[0] == '\'') {
        size_t close = d.message.find("' :", 1);
        if (close != std::string::npos) token = std::string_view(d.message).substr(1, close - 1);
      }
      d.column = unique_token_column(line, token);
      if (!d.column) d.column = first_non_blank(line);
    }
    kept.push_back(std::move(d));
  }
  diagnostics = std::move(kept);
}

}  // namespace shader_detail

std::string format_diagnostics(const std::vector<ShaderDiagnostic>& diagnostics) {
  std::string out;
  for (const ShaderDiagnostic& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += d.file.empty() ? std::string("<unknown>") : d.file;
    if (d.line) out += str(":", d.line);
    if (d.line && d.column) out += str(":", d.column);
    out += str(": ", d.severity.empty() ? "error" : d.severity, ": ", d.message);
    // Nearest includer first, as C compilers print it.
    for (auto it = d.include_chain.rbegin(); it != d.include_chain.rend(); ++it) {
      out += str("\n  included from ", *it);
    }
  }
  return out;
}

namespace {

std::string error_text(const std::vector<ShaderDiagnostic>& diagnostics, const std::string& summary) {
  std::string body = format_diagnostics(diagnostics);
  if (summary.empty()) return body.empty() ? std::string("shader compilation failed") : body;
  return body.empty() ? summary : str(summary, "\n", body);
}

}  // namespace

ShaderError::ShaderError(std::vector<ShaderDiagnostic> diagnostics, std::string summary)
    : Error(error_text(diagnostics, summary)), diagnostics_(std::move(diagnostics)) {}

}  // namespace kiln
