// `kiln shader serve`: its options and runner (shader_serve.cpp), registered by shader.cpp.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace kiln::cli {

struct ServeOptions {
  std::string socket;
  double idle_seconds = 600;
  bool detach = false;
  bool status = false;
  bool stop = false;
};

void add_serve_options(CLI::App* app, ServeOptions& o);
int run_shader_serve(const ServeOptions& o);

}  // namespace kiln::cli
