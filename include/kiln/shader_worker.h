// kiln/shader_worker.h — a long-lived compile process that keeps glslang initialised, so that a new
// process's first compile does not pay glslang's start-up (it builds every stage's built-in symbol
// tables on the first compile: 80-120 ms) but only a round trip over a Unix socket.
//
//   $ kiln shader serve --detach        # once: a worker in the background, gone after 10 idle minutes
//   $ my_viewer                          # compile_shader() now compiles in the worker
//
// compile_shader() (kiln/shader.h) uses a worker when one answers on the socket, and compiles in
// its own process otherwise — also when the worker dies mid-compile, or is of another kiln version.
// The result is the same either way: the worker reads the files the caller names, relative to the
// caller's working directory, and sends back the SPIR-V, the dependencies, the warnings, or the error
// (ShaderError with the same diagnostics, kiln::Error with the same text).
//
// The socket: KILN_SHADER_WORKER names it; "off" turns workers off; unset, it is
// $XDG_RUNTIME_DIR/kiln-shader-worker.sock (else /tmp/kiln-shader-worker-UID.sock). Both sides check
// that the other runs as the same user (SO_PEERCRED): a worker reads files as its user and would show
// them to anyone it served.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace kiln {

// The socket compile_shader() tries: KILN_SHADER_WORKER's, or the default; "" when turned off.
std::string shader_worker_socket();

struct ShaderWorkerOptions {
  std::string socket;            // "": shader_worker_socket()
  double idle_seconds = 600;     // exits after this long with no request; 0: never
  double request_seconds = 60;   // a connection that sends no whole request in this long is dropped
  const std::atomic<bool>* stop = nullptr;  // exits when it becomes true (checked every 100 ms)
  // Called once the socket (file descriptor `listener`) listens, before any request is served and
  // before the worker starts threads: e.g. to fork into the background.
  void (*on_listening)(const std::string& socket, int listener, void* user) = nullptr;
  void* user = nullptr;
};

struct ShaderWorkerStats {
  uint64_t compiles = 0;  // requests served, failed compiles included
  uint64_t errors = 0;    // of them, the ones that ended in an error
};

// Serves compile requests until idle, stopped, or asked to stop (stop_shader_worker): a thread per
// connection. Throws kiln::Error when the socket cannot be made, or when a worker already answers
// on it (the message says so: starting twice is not an error for `kiln shader serve`, which checks).
ShaderWorkerStats serve_shader_worker(const ShaderWorkerOptions& options);

// Asks the worker on `socket` ("": the default) how it is: "" when none answers, else one line
// ("pid 1234, up 12.5 s, 40 compiles, 2 errors, kiln shader compiler ID").
std::string shader_worker_status(const std::string& socket = "");

// Asks the worker on `socket` to exit once its compiles in flight are done; false when none answered.
bool stop_shader_worker(const std::string& socket = "");

}  // namespace kiln
