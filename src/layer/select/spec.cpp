#include "select/spec.h"

#include <charconv>

namespace kiln::layer {

namespace {

bool parse_kind(std::string_view k, Spec* out) {
  if (k == "draw") out->kind = Kind::Draw;
  else if (k == "dispatch") out->kind = Kind::Dispatch;
  else if (k == "copy") out->kind = Kind::Copy;
  else if (k == "any") out->any = true;
  else return false;
  return true;
}

}  // namespace

bool parse_spec(std::string_view text, Spec* out, std::string* error) {
  Spec spec;
  std::string_view rest = text;
  if (rest.substr(0, 6) == "label:") {
    rest.remove_prefix(6);
    size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos || slash == 0) {
      *error = "a label spec is label:NAME/KIND[:N]";
      return false;
    }
    spec.label = std::string(rest.substr(0, slash));
    rest.remove_prefix(slash + 1);
  }
  size_t colon = rest.find(':');
  std::string_view kind = rest.substr(0, colon);
  if (!parse_kind(kind, &spec)) {
    *error = "unknown command kind '" + std::string(kind) + "' (draw, dispatch, copy, any)";
    return false;
  }
  if (colon != std::string_view::npos) {
    std::string_view n = rest.substr(colon + 1);
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), spec.index);
    if (ec != std::errc() || p != n.data() + n.size() || spec.index == 0) {
      *error = "the count after ':' is a number from 1";
      return false;
    }
  }
  *out = spec;
  return true;
}

bool parse_when(std::string_view text, KilnWhen* out) {
  if (text == "before") *out = KilnWhen::Before;
  else if (text == "after") *out = KilnWhen::After;
  else if (text == "both") *out = KilnWhen::Both;
  else return false;
  return true;
}

const char* when_name(KilnWhen w) {
  switch (w) {
    case KilnWhen::Before: return "before";
    case KilnWhen::After: return "after";
    default: return "both";
  }
}

std::string label_path(const std::vector<std::string>& labels) {
  std::string out;
  for (const std::string& l : labels) {
    if (!out.empty()) out += '/';
    out += l;
  }
  return out;
}

bool spec_counts(const Spec& spec, const Cmd& cmd, const std::vector<std::string>& labels) {
  if (cmd.kind() == Kind::Other) return false;
  if (!spec.any && cmd.kind() != spec.kind) return false;
  if (spec.label.empty()) return true;
  if (spec.label.find('/') == std::string::npos) {
    for (const std::string& l : labels)
      if (l == spec.label) return true;
    return false;
  }
  // A path: the end of the label path from some region on.
  std::string path = label_path(labels);
  return path == spec.label ||
         (path.size() > spec.label.size() && path.compare(0, spec.label.size(), spec.label) == 0 &&
          path[spec.label.size()] == '/') ||
         (path.size() > spec.label.size() &&
          path.compare(path.size() - spec.label.size(), spec.label.size(), spec.label) == 0 &&
          path[path.size() - spec.label.size() - 1] == '/');
}

}  // namespace kiln::layer
