#include "cli/capture_spec.h"

#include <cstdlib>
#include <vector>

#include "cli/suggest.h"
#include "kiln/log.h"

namespace kiln::cli {

const char* const kCaptureKinds[4] = {"draw", "dispatch", "copy", "any"};

namespace {

constexpr const char* kExpected =
    "expected draw:N, dispatch:N, copy:N, any:N or label:NAME/draw:N (N counts from 1; KIND alone is KIND:1)";

std::string check_kind_count(const std::string& spec, const std::string& whole) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  std::vector<std::string> kinds(std::begin(kCaptureKinds), std::end(kCaptureKinds));
  bool known = false;
  for (const std::string& k : kinds) known = known || k == kind;
  if (!known) {
    kinds.push_back("label");
    const std::string best = closest(kind, kinds);
    return str("'", whole, "': unknown command kind '", kind, "'", best.empty() ? "" : str(" (did you mean '", best, "'?)"),
               "; ", kExpected);
  }
  if (colon == std::string::npos) return {};  // the layer reads KIND alone as KIND:1
  if (colon + 1 == spec.size()) {
    return str("'", whole, "': '", kind, ":' needs a number: ", kind, ":N, the Nth ", kind, " of the frame counting from 1");
  }
  const std::string number = spec.substr(colon + 1);
  if (number.find_first_not_of("0123456789") != std::string::npos || number.size() > 9) {
    return str("'", whole, "': '", number, "' is not a count; ", kind, ":N takes a whole number from 1");
  }
  if (std::strtoul(number.c_str(), nullptr, 10) == 0) {
    return str("'", whole, "': counts start at 1 (", kind, ":1 is the first ", kind, " of the frame)");
  }
  return {};
}

}  // namespace

std::string check_capture_spec(const std::string& spec) {
  if (spec.empty()) return str("the spec is empty; ", kExpected);
  const std::string label = "label:";
  if (spec.rfind(label, 0) != 0) return check_kind_count(spec, spec);
  const std::string rest = spec.substr(label.size());
  const size_t slash = rest.rfind('/');
  if (slash == std::string::npos) {
    return str("'", spec, "': a label spec names the region and the command in it: label:", rest.empty() ? "NAME" : rest,
               "/draw:N (or dispatch:N, copy:N, any:N)");
  }
  if (slash == 0) return str("'", spec, "': the label name is empty; expected label:NAME/draw:N");
  return check_kind_count(rest.substr(slash + 1), spec);
}

}  // namespace kiln::cli
