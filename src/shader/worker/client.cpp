// compile_in_worker and the small requests (status, stop): one connection per request, so that a
// worker that died or was replaced costs one failed connect and nothing else.
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "kiln/shader_worker.h"
#include "shader/compiler/compile_here.h"
#include "shader/worker/protocol.h"
#include "shader/worker/socket.h"

namespace kiln {

namespace {

// Long enough for the largest shader with -O; a worker that stops answering is given up on then.
constexpr double kCompileTimeout = 300;
constexpr size_t kMaxReply = size_t(256) << 20;

std::string socket_or_default(const std::string& socket) { return socket.empty() ? shader_worker_socket() : socket; }

// The reply to `request` from the worker at `socket`, or false when none came.
bool ask(const std::string& socket, const shader_worker::Request& request, double timeout,
         shader_worker::Reply* reply) {
  if (socket.empty()) return false;
  const int fd = shader_worker::connect_socket(socket, timeout);
  if (fd < 0) return false;
  std::string bytes;
  const bool ok = shader_worker::send_message(fd, shader_worker::encode(request)) &&
                  shader_worker::recv_message(fd, &bytes, kMaxReply) && shader_worker::decode(bytes, reply);
  close(fd);
  return ok;
}

}  // namespace

std::string shader_worker_socket() {
  const char* env = std::getenv("KILN_SHADER_WORKER");
  if (!env || !*env) return shader_worker::default_socket();
  const std::string value = env;
  if (value == "off" || value == "0") return "";
  return value;
}

std::string shader_worker_status(const std::string& socket) {
  shader_worker::Request request;
  request.kind = shader_worker::RequestKind::Status;
  shader_worker::Reply reply;
  if (!ask(socket_or_default(socket), request, 5, &reply)) return "";
  return reply.text;
}

bool stop_shader_worker(const std::string& socket) {
  shader_worker::Request request;
  request.kind = shader_worker::RequestKind::Stop;
  shader_worker::Reply reply;
  return ask(socket_or_default(socket), request, 5, &reply);
}

bool shader_detail::worker_answers() {
  const std::string socket = shader_worker_socket();
  if (socket.empty()) return false;
  const int fd = shader_worker::connect_socket(socket, 1);
  if (fd < 0) return false;
  close(fd);
  return true;
}

std::optional<CompiledShader> shader_detail::compile_in_worker(const CompileDesc& desc) {
  const std::string socket = shader_worker_socket();
  if (socket.empty()) return std::nullopt;
  shader_worker::Request request;
  request.compiler_id = std::string(shader_compiler_id());
  char cwd[4096];
  if (!getcwd(cwd, sizeof(cwd))) return std::nullopt;
  request.cwd = cwd;
  request.desc = desc;
  shader_worker::Reply reply;
  if (!ask(socket, request, kCompileTimeout, &reply)) return std::nullopt;
  switch (reply.kind) {
    case shader_worker::ReplyKind::Compiled: return std::move(reply.shader);
    case shader_worker::ReplyKind::ShaderFailed: throw ShaderError(std::move(reply.diagnostics));
    case shader_worker::ReplyKind::Failed: throw Error(reply.text);
    default: return std::nullopt;  // refused (another version), or nonsense: compile here
  }
}

}  // namespace kiln
