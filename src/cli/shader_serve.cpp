// kiln shader serve: a compile worker (kiln/shader_worker.h) in the foreground or the background,
// and its status and stop.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/command.h"
#include "cli/shader_serve.h"
#include "kiln/error.h"
#include "kiln/shader_worker.h"

namespace kiln::cli {

namespace {

// Called once the socket listens: the parent returns (the socket is ready for the next command of a
// script), the child carries on as the worker, detached from the terminal and the caller's pipes
// (a test runner waits for its children's pipes to close).
void detach(const std::string& socket, int listener, void*) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw Error("fork failed: cannot run the worker in the background");
  if (pid > 0) {
    std::printf("kiln shader worker %d listening on %s\n", int(pid), socket.c_str());
    std::fflush(stdout);
    _exit(kExitOk);
  }
  setsid();
  // Nothing of the caller's stays open here but the socket: a test runner's log or pipe held by
  // the worker would keep it waiting.
  if (listener > 3) close_range(3, unsigned(listener) - 1, 0);
  close_range(unsigned(listener) + 1, ~0u, 0);
  const int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2) close(null);
  }
}

}  // namespace

void add_serve_options(CLI::App* app, ServeOptions& o) {
  app->add_option("--socket", o.socket, "Unix socket to listen on (default: KILN_SHADER_WORKER, else "
                                        "$XDG_RUNTIME_DIR/kiln-shader-worker.sock)")
      ->type_name("PATH");
  app->add_option("--idle", o.idle_seconds, "Exit after this many seconds without a request (default 600); 0: never")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber);
  app->add_flag("--detach", o.detach, "Run in the background; return once the socket listens");
  app->add_flag("--status", o.status, "Print the running worker's status; exit 1 when none answers");
  app->add_flag("--stop", o.stop, "Ask the running worker to exit; exit 1 when none answers");
}

int run_shader_serve(const ServeOptions& o) {
  const std::string socket = o.socket.empty() ? shader_worker_socket() : o.socket;
  if (socket.empty()) {
    std::fprintf(stderr, "kiln shader serve: KILN_SHADER_WORKER is 'off'; give --socket PATH\n");
    return kExitUsage;
  }
  if (o.status || o.stop) {
    const std::string status = shader_worker_status(socket);
    if (status.empty()) {
      std::fprintf(stderr, "kiln shader serve: no worker answers on %s\n", socket.c_str());
      return kExitFailure;
    }
    if (o.stop) {
      stop_shader_worker(socket);
      std::printf("stopping the worker on %s (%s)\n", socket.c_str(), status.c_str());
    } else {
      std::printf("%s: %s\n", socket.c_str(), status.c_str());
    }
    return kExitOk;
  }
  const std::string running = shader_worker_status(socket);
  if (!running.empty()) {
    std::printf("a kiln shader worker already runs on %s (%s)\n", socket.c_str(), running.c_str());
    return kExitOk;
  }
  ShaderWorkerOptions options;
  options.socket = socket;
  options.idle_seconds = o.idle_seconds;
  if (o.detach) {
    options.on_listening = detach;
  } else {
    std::fprintf(stderr, "kiln shader worker %d listening on %s (exits after %g s idle)\n", int(getpid()),
                 socket.c_str(), o.idle_seconds);
  }
  const ShaderWorkerStats stats = serve_shader_worker(options);
  if (!o.detach) {
    std::fprintf(stderr, "kiln shader worker: %llu compiles, %llu errors\n", (unsigned long long)stats.compiles,
                 (unsigned long long)stats.errors);
  }
  return kExitOk;
}

}  // namespace kiln::cli
