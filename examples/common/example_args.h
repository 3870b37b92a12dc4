// examples/common/example_args.h — the command line every example takes:
//   EXAMPLE [--validation off|standard|sync|gpu|printf] [OUTPUT.png]
// Without --validation, the Context still honours the KILN_VALIDATION environment variable.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "kiln/context.h"

namespace example {

struct Args {
  std::string output;
  kiln::Validation validation = kiln::Validation::Off;
};

inline Args parse_args(int argc, char** argv, const char* default_output) {
  Args args{.output = default_output};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--validation" && i + 1 < argc && kiln::parse_validation(argv[i + 1], &args.validation)) {
      ++i;
    } else if (arg.rfind("-", 0) != 0 && args.output == default_output) {
      args.output = arg;
    } else {
      std::fprintf(stderr, "%s: unexpected argument '%s'\nusage: %s [--validation off|standard|sync|gpu|printf] "
                   "[OUTPUT.png]\n", argv[0], arg.c_str(), argv[0]);
      std::exit(2);
    }
  }
  return args;
}

}  // namespace example
