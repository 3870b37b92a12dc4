#include "hook/config.h"

#include <cstdlib>

#include "state.h"

namespace kiln::layer {

Config read_config() {
  Config c;
  if (const char* out = std::getenv("KILN_CAPTURE_OUT")) c.out_dir = out;
  if (const char* v = std::getenv("KILN_CAPTURE_COW"); v && *v) {
    std::string s = v;
    if (s == "off" || s == "0" || s == "false") c.cow = false;
    else if (s != "on" && s != "1" && s != "true") report("KILN_CAPTURE_COW='" + s + "' is not on|off; using on");
  }
  if (const char* v = std::getenv("KILN_CAPTURE_RECORD"); v && *v) {
    std::string s = v;
    if (s == "always") c.record_always = true;
    else if (s != "requested") report("KILN_CAPTURE_RECORD='" + s + "' is not always|requested; using requested");
  }
  if (const char* w = std::getenv("KILN_CAPTURE_WHEN"); w && *w) {
    if (!parse_when(w, &c.when)) report(std::string("KILN_CAPTURE_WHEN='") + w + "' is not before|after|both; using both");
  }
  if (const char* f = std::getenv("KILN_CAPTURE_FRAME"); f && *f) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(f, &end, 10);
    if (*end || n == 0) report(std::string("KILN_CAPTURE_FRAME='") + f + "' is not a frame number from 1; using 1");
    else c.frame = n;
  }
  if (const char* s = std::getenv("KILN_CAPTURE_COMMAND"); s && *s) {
    std::string error;
    if (parse_spec(s, &c.spec, &error)) {
      c.has_spec = true;
      c.spec_text = s;
    } else {
      report(std::string("KILN_CAPTURE_COMMAND='") + s + "': " + error);
    }
  }
  return c;
}

}  // namespace kiln::layer
