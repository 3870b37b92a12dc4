// Hot reload: a thread that watches a program's source files and rebuilds its core in the background.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kiln/program.h"
#include "kiln/shader.h"
#include "shader/program/program_internal.h"

namespace kiln::detail {

struct Reloader {
  Reloader(Context& ctx, ShaderCompiler& compiler, std::string name, ProgramDesc desc, std::vector<ShaderDependency> deps);
  ~Reloader();  // stops and joins the thread
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  std::unique_ptr<ProgramCore> take();  // a finished rebuild, or null
  std::string error() const;
  uint64_t attempts() const { return attempts_.load(); }

  // How often the files are looked at.
  static constexpr int kPollMs = 50;

 private:
  struct Watched {
    std::string path;
    uint64_t hash = 0;
    std::filesystem::file_time_type mtime{};
    uintmax_t size = 0;
  };
  void run();
  bool changed();
  void rebuild();
  void watch(std::vector<ShaderDependency> deps);

  Context* ctx_;
  ShaderCompiler* compiler_;
  std::string name_;
  ProgramDesc desc_;
  std::vector<Watched> watched_;  // the thread's own
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::unique_ptr<ProgramCore> ready_;
  std::string error_;
  std::atomic<uint64_t> attempts_{0};
  std::thread thread_;
};

}  // namespace kiln::detail
