// Cold compiles of the shader corpus (bench/shaders/: 20 real-sized GLSL shaders sharing ~10 includes).
//
//   in_process_vs_command: compile_shader() on each file, one thread, no cache, against running the
//     `glslangValidator -V` command on each file one after another (same options; wall clock including
//     process start, as a build system would pay it). ratio = in_process_ms / command_ms (goal <= 1.0).
//   all_cores_vs_one: ShaderCompiler::compile_all with an empty memory-only cache on every hardware
//     thread against the same compiles on one thread. speedup = one_ms / all_ms.
// Each side runs `repetitions` times, alternating; the minimum is reported. The first in-process
// compile pays glslang's one-time initialisation inside the timed loop of the first repetition only.
//
//   bench_shader_compile [repetitions]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "kiln/error.h"
#include "kiln/shader.h"
#include "kiln/shader_cache.h"
#include "bench_util.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using bench::Clock;
using bench::ms_since;

// bench/shaders next to this source file: the corpus travels with the sources, not the build.
// The corpus beside this file; KILN_BENCH_SHADERS when the bench runs from another checkout.
fs::path corpus_dir() {
  if (const char* dir = std::getenv("KILN_BENCH_SHADERS")) return dir;
  return fs::path(__FILE__).parent_path() / "shaders";
}

std::vector<std::string> corpus() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(corpus_dir())) {
    if (e.is_regular_file() && kiln::stage_from_path(e.path().string())) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

int run_process(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

kiln::CompileDesc desc_for(const std::string& file) {
  kiln::CompileDesc d;
  d.path = file;
  d.include_dirs = {(corpus_dir() / "include").string()};
  d.target = kiln::ShaderTarget::Vulkan1_2;
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  try {
    const std::vector<std::string> files = corpus();
    std::vector<kiln::CompileDesc> descs;
    size_t source_bytes = 0;
    for (const std::string& f : files) {
      descs.push_back(desc_for(f));
      source_bytes += fs::file_size(f);
    }
    const std::string out_spv = (fs::temp_directory_path() / "kiln_bench_shader_compile.spv").string();
    const std::string include_flag = "-I" + (corpus_dir() / "include").string();

    double in_process = 1e300, command = 1e300;
    size_t spirv_bytes = 0;
    for (int r = 0; r < reps; ++r) {
      auto start = Clock::now();
      spirv_bytes = 0;
      for (const kiln::CompileDesc& d : descs) spirv_bytes += kiln::compile_shader(d).spirv.size() * 4;
      in_process = std::min(in_process, ms_since(start));

      start = Clock::now();
      for (const std::string& f : files) {
        if (run_process({"glslangValidator", "-V", "--target-env", "vulkan1.2", include_flag, f, "-o", out_spv}) != 0) {
          throw kiln::Error("glslangValidator failed on " + f);
        }
      }
      command = std::min(command, ms_since(start));
    }
    fs::remove(out_spv);
    std::printf(
        "{\"bench\":\"shader_compile_in_process_vs_command\",\"in_process_ms\":%.2f,\"command_ms\":%.2f,"
        "\"ratio\":%.4f,\"goal\":1.0,\"shaders\":%zu,\"source_bytes\":%zu,\"spirv_bytes\":%zu,\"repetitions\":%d}\n",
        in_process, command, in_process / command, files.size(), source_bytes, spirv_bytes, reps);
    std::fflush(stdout);

    const uint32_t cores = std::max(1u, std::thread::hardware_concurrency());
    double one = 1e300, all = 1e300;
    for (int r = 0; r < reps; ++r) {
      {
        kiln::ShaderCompiler compiler({.directory = "-"}, 1);
        const auto start = Clock::now();
        compiler.compile_all(descs);
        one = std::min(one, ms_since(start));
      }
      {
        kiln::ShaderCompiler compiler({.directory = "-"}, cores);
        const auto start = Clock::now();
        compiler.compile_all(descs);
        all = std::min(all, ms_since(start));
      }
    }
    std::printf(
        "{\"bench\":\"shader_compile_all_cores_vs_one\",\"all_cores_ms\":%.2f,\"one_core_ms\":%.2f,\"speedup\":%.3f,"
        "\"cores\":%u,\"shaders\":%zu,\"repetitions\":%d}\n",
        all, one, one / all, cores, files.size(), reps);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_shader_compile: %s\n", e.what());
    return 1;
  }
}
