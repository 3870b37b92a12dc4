// The kiln command's subcommands. Each lives in its own file and adds itself to the root app through
// one add_*_command function listed here; main.cpp parses, reports usage errors, and runs the one chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace kiln::cli {

// Exit codes of the kiln command.
enum Exit : int {
  kExitOk = 0,
  kExitFailure = 1,  // the command ran and failed (no Vulkan, no such device, ...)
  kExitUsage = 2,    // the command line was wrong
};

// A subcommand's CLI11 app (options attached, values bound to state the `run` closure owns) and what
// to run once the command line parsed. `run` returns an Exit code; errors escape as exceptions.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_info_command(CLI::App& root);
Command add_shader_command(CLI::App& root);  // shader.cpp
Command add_capture_command(CLI::App& root);  // capture.cpp

}  // namespace kiln::cli
