// The compile worker's messages (kiln/shader_worker.h): a request (compile, status, stop) and its
// reply, as bytes. Each message travels as a u64 length and that many bytes (socket.h). Decoding
// checks every length against what is left: a truncated or corrupt message decodes to false.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/shader.h"

namespace kiln::shader_worker {

// Changes whenever a message's layout does; part of the check that both sides speak the same.
inline constexpr uint32_t kProtocolVersion = 1;

enum class RequestKind : uint32_t { Compile = 1, Status = 2, Stop = 3 };
enum class ReplyKind : uint32_t {
  Compiled = 1,      // shader
  ShaderFailed = 2,  // diagnostics: the client throws ShaderError with them
  Failed = 3,        // text: the client throws kiln::Error with it
  Text = 4,          // text: the status line, or "stopping"
  Refused = 5,       // text: why (another compiler or protocol): the client compiles itself
};

struct Request {
  RequestKind kind = RequestKind::Compile;
  uint32_t protocol = kProtocolVersion;
  std::string compiler_id;  // the client's shader_compiler_id(): a worker of another version refuses
  std::string cwd;          // relative paths in `desc` are relative to this
  CompileDesc desc;
};

struct Reply {
  ReplyKind kind = ReplyKind::Compiled;
  CompiledShader shader;
  std::vector<ShaderDiagnostic> diagnostics;
  std::string text;
};

std::string encode(const Request& request);
bool decode(std::string_view bytes, Request* out);
std::string encode(const Reply& reply);
bool decode(std::string_view bytes, Reply* out);

}  // namespace kiln::shader_worker
