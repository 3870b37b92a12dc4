// serve_shader_worker: an accept loop polling every 100 ms (for the stop flag and the idle timeout)
// and a thread per connection, each serving one request.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "kiln/error.h"
#include "kiln/log.h"
#include "kiln/shader_worker.h"
#include "shader/compiler/compile_here.h"
#include "shader/compiler/files.h"
#include "shader/worker/protocol.h"
#include "shader/worker/socket.h"

namespace kiln {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxRequest = size_t(64) << 20;  // sources travel inline; 64 MiB is plenty

struct WorkerState {
  Clock::time_point started = Clock::now();
  std::mutex mutex;
  Clock::time_point last_request = Clock::now();
  uint32_t active = 0;
  bool stop_requested = false;
  ShaderWorkerStats stats;
};

shader_worker::Reply compile_reply(const shader_worker::Request& request) {
  shader_worker::Reply reply;
  if (request.compiler_id != shader_compiler_id()) {
    reply.kind = shader_worker::ReplyKind::Refused;
    reply.text = "another shader compiler";
    return reply;
  }
  try {
    shader_detail::ScopedBaseDirectory base(request.cwd);
    reply.shader = shader_detail::compile_here(request.desc);
    reply.kind = shader_worker::ReplyKind::Compiled;
  } catch (const ShaderError& e) {
    reply.kind = shader_worker::ReplyKind::ShaderFailed;
    reply.diagnostics = e.diagnostics();
  } catch (const std::exception& e) {
    reply.kind = shader_worker::ReplyKind::Failed;
    reply.text = e.what();
  }
  return reply;
}

void serve_connection(int fd, WorkerState& state) {
  std::string bytes;
  shader_worker::Request request;
  shader_worker::Reply reply;
  if (shader_worker::recv_message(fd, &bytes, kMaxRequest) && shader_worker::decode(bytes, &request)) {
    if (request.protocol != shader_worker::kProtocolVersion) {
      reply.kind = shader_worker::ReplyKind::Refused;
      reply.text = str("protocol ", request.protocol, ", this worker speaks ", shader_worker::kProtocolVersion);
    } else if (request.kind == shader_worker::RequestKind::Compile) {
      reply = compile_reply(request);
      std::lock_guard lock(state.mutex);
      ++state.stats.compiles;
      if (reply.kind != shader_worker::ReplyKind::Compiled) ++state.stats.errors;
    } else if (request.kind == shader_worker::RequestKind::Status) {
      std::lock_guard lock(state.mutex);
      reply.kind = shader_worker::ReplyKind::Text;
      char up[32];
      std::snprintf(up, sizeof(up), "%.1f", std::chrono::duration<double>(Clock::now() - state.started).count());
      reply.text = str("pid ", getpid(), ", up ", up, " s, ", state.stats.compiles, " compiles, ", state.stats.errors,
                       " errors, ", shader_compiler_id());
    } else if (request.kind == shader_worker::RequestKind::Stop) {
      std::lock_guard lock(state.mutex);
      state.stop_requested = true;
      reply.kind = shader_worker::ReplyKind::Text;
      reply.text = "stopping";
    } else {
      reply.kind = shader_worker::ReplyKind::Refused;
      reply.text = "unknown request";
    }
    shader_worker::send_message(fd, shader_worker::encode(reply));
  }
  close(fd);
  std::lock_guard lock(state.mutex);
  --state.active;
  state.last_request = Clock::now();
}

}  // namespace

ShaderWorkerStats serve_shader_worker(const ShaderWorkerOptions& options) {
  const std::string path = options.socket.empty() ? shader_worker_socket() : options.socket;
  if (path.empty()) throw Error("KILN_SHADER_WORKER is 'off' and no socket was given to serve on");
  const int listener = shader_worker::listen_socket(path);
  struct stat ours{};
  stat(path.c_str(), &ours);
  if (options.on_listening) options.on_listening(path, listener, options.user);
  shader_detail::start_warm_up_here();  // the tables are ready before the first request, most often

  WorkerState state;
  struct Connection {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Connection> connections;
  for (;;) {
    {
      std::lock_guard lock(state.mutex);
      const double idle = std::chrono::duration<double>(Clock::now() - state.last_request).count();
      if (state.stop_requested || (options.stop && options.stop->load()) ||
          (options.idle_seconds > 0 && state.active == 0 && idle > options.idle_seconds))
        break;
    }
    for (auto it = connections.begin(); it != connections.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
    pollfd p{listener, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0 || !(p.revents & POLLIN)) continue;
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (!shader_worker::peer_is_same_user(fd)) {
      close(fd);
      continue;
    }
    // A client that connects and then says nothing must not hold a thread, and the idle exit, forever.
    shader_worker::set_timeouts(fd, options.request_seconds);
    {
      std::lock_guard lock(state.mutex);
      ++state.active;
      state.last_request = Clock::now();
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    connections.push_back({std::thread([fd, &state, done] {
                             serve_connection(fd, state);
                             done->store(true);
                           }),
                           done});
  }
  close(listener);
  // Only our own socket file: a worker started after a stop may have bound the path again.
  struct stat now{};
  if (stat(path.c_str(), &now) == 0 && now.st_ino == ours.st_ino && now.st_dev == ours.st_dev) unlink(path.c_str());
  for (Connection& c : connections) c.thread.join();
  std::lock_guard lock(state.mutex);
  return state.stats;
}

}  // namespace kiln
