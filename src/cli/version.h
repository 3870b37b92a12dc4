// The version `kiln --version` and `kiln info` print.
#pragma once

// The build should pass the project's version (src/CMakeLists.txt: KILN_VERSION="${PROJECT_VERSION}");
// the fallback keeps the command building without it.
#ifndef KILN_VERSION
#define KILN_VERSION "0.1.0"
#endif
