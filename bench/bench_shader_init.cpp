// A new process's first compiled shader: what a tool pays for kiln's lazy compiler initialisation,
// and what it pays when a compile worker (kiln/shader_worker.h) already runs.
//
// The bench starts itself (/proc/self/exe --child) `runs` times per case; the child takes the time at
// the start of main(), compiles a small compute shader with compile_shader() (no cache), and prints
// the nanoseconds until it returned. The parent also times each child from spawn to exit (process
// start, dynamic loading, exit included). Cases:
//   here:   KILN_SHADER_WORKER=off: glslang initialises in the child (first_compile_ms)
//   worker: a worker served from a thread of the bench (the same serve_shader_worker that
//           `kiln shader serve` runs), warmed by one compile first (worker_first_compile_ms); and
//           the first compile of a worker just started (worker_cold_ms: its own initialisation)
// Baseline in the same run: `glslangValidator -V` on the same file, spawn to exit. Medians; goal:
// first compile <= 20 ms after main().
//
//   bench_shader_init [runs]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "kiln/error.h"
#include "kiln/shader.h"
#include "kiln/shader_worker.h"
#include "bench_util.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using bench::Clock;
using bench::ms_since;

const char* kShader = R"(#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer Data { float values[]; };
layout(push_constant) uniform Push { float scale; uint count; };
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < count) values[i] = values[i] * scale + 1.0;
}
)";

// Runs argv, returns its stdout; `wall_ms` from spawn to exit.
std::string run(const std::vector<std::string>& args, double* wall_ms) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) throw kiln::Error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  const auto start = Clock::now();
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    throw kiln::Error(std::string("cannot start ") + args[0] + ": " + std::strerror(err));
  }
  std::string out;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) out.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  *wall_ms = ms_since(start);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw kiln::Error(args[0] + " failed");
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int child(const char* path) {
  const auto start = Clock::now();
  const kiln::CompiledShader s = kiln::compile_shader({.path = path, .source = kShader});
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  std::printf("%lld %zu\n", static_cast<long long>(ns), s.spirv.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--child") == 0) return child(argv[2]);
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  const fs::path file = fs::temp_directory_path() / ("kiln_bench_init_" + std::to_string(getpid()) + ".comp");
  const std::string spv = file.string() + ".spv";
  try {
    std::ofstream(file) << kShader;
    // Each child's first compile, and its wall time from spawn to exit.
    auto children = [&](const std::string& worker, std::vector<double>* first, std::vector<double>* wall) {
      setenv("KILN_SHADER_WORKER", worker.c_str(), 1);
      double ms = 0;
      const std::string out = run({"/proc/self/exe", "--child", file.string()}, &ms);
      first->push_back(std::strtod(out.c_str(), nullptr) / 1e6);
      wall->push_back(ms);
    };
    std::vector<double> first_compile, child_wall, command_wall;
    for (int i = 0; i < runs; ++i) {
      children("off", &first_compile, &child_wall);
      double wall = 0;
      run({"glslangValidator", "-V", file.string(), "-o", spv}, &wall);
      command_wall.push_back(wall);
    }

    const std::string socket = file.string() + ".sock";
    std::vector<double> worker_first, worker_wall, cold_first, cold_wall;
    {
      std::atomic<bool> stop{false}, listening{false};
      std::thread worker([&] {
        kiln::ShaderWorkerOptions o;
        o.socket = socket;
        o.idle_seconds = 0;
        o.stop = &stop;
        o.user = &listening;
        o.on_listening = [](const std::string&, int, void* user) { static_cast<std::atomic<bool>*>(user)->store(true); };
        kiln::serve_shader_worker(o);
      });
      while (!listening.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      children(socket, &cold_first, &cold_wall);  // the worker initialises on (or before) this one
      for (int i = 0; i < runs; ++i) children(socket, &worker_first, &worker_wall);
      stop.store(true);
      worker.join();
    }
    unsetenv("KILN_SHADER_WORKER");
    fs::remove(file);
    fs::remove(spv);
    const double first = median(first_compile), command = median(command_wall);
    std::printf(
        "{\"bench\":\"shader_init_first_compile\",\"first_compile_ms\":%.3f,\"min_ms\":%.3f,\"process_wall_ms\":%.3f,"
        "\"command_ms\":%.3f,\"ratio\":%.4f,\"worker_first_compile_ms\":%.3f,\"worker_min_ms\":%.3f,"
        "\"worker_process_wall_ms\":%.3f,\"worker_ratio\":%.4f,\"worker_cold_ms\":%.3f,\"goal_ms\":20,"
        "\"runs\":%d}\n",
        first, *std::min_element(first_compile.begin(), first_compile.end()), median(child_wall), command,
        median(child_wall) / command, median(worker_first), *std::min_element(worker_first.begin(), worker_first.end()),
        median(worker_wall), median(worker_wall) / command, cold_first[0], runs);
    return 0;
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(file, ec);
    fs::remove(spv, ec);
    std::fprintf(stderr, "bench_shader_init: %s\n", e.what());
    return 1;
  }
}
