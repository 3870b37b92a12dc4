#include "shader/worker/protocol.h"

#include "shader/bytes.h"

namespace kiln::shader_worker {

using shader_detail::put_str;
using shader_detail::put_u32;
using shader_detail::put_u64;
using shader_detail::Reader;

namespace {

constexpr uint32_t kRequestMagic = 0x5157534Bu;  // "KSWQ"
constexpr uint32_t kReplyMagic = 0x5257534Bu;    // "KSWR"
constexpr uint32_t kNoStage = 0xFFFFFFFFu;

void put_strings(std::string& out, const std::vector<std::string>& v) {
  put_u32(out, uint32_t(v.size()));
  for (const std::string& s : v) put_str(out, s);
}

// A count that cannot be right for the bytes left (each item takes at least `min_item` bytes) fails
// the reader rather than reserving memory for it.
uint32_t count(Reader& r, size_t min_item) {
  const uint32_t n = r.u32();
  if (r.ok && size_t(n) * min_item > r.left()) r.ok = false;
  return r.ok ? n : 0;
}

std::vector<std::string> get_strings(Reader& r) {
  std::vector<std::string> v(count(r, 4));
  for (std::string& s : v) s = r.str();
  return v;
}

void put_diagnostic(std::string& out, const ShaderDiagnostic& d) {
  put_str(out, d.file);
  put_u32(out, d.line);
  put_u32(out, d.column);
  put_str(out, d.severity);
  put_str(out, d.message);
  put_strings(out, d.include_chain);
}

ShaderDiagnostic get_diagnostic(Reader& r) {
  ShaderDiagnostic d;
  d.file = r.str();
  d.line = r.u32();
  d.column = r.u32();
  d.severity = r.str();
  d.message = r.str();
  d.include_chain = get_strings(r);
  return d;
}

}  // namespace

std::string encode(const Request& q) {
  std::string out;
  put_u32(out, kRequestMagic);
  put_u32(out, q.protocol);
  put_u32(out, uint32_t(q.kind));
  put_str(out, q.compiler_id);
  put_str(out, q.cwd);
  const CompileDesc& d = q.desc;
  put_str(out, d.path);
  put_str(out, d.source);
  put_u32(out, d.stage ? uint32_t(*d.stage) : kNoStage);
  put_str(out, d.entry);
  put_u32(out, uint32_t(d.defines.size()));
  for (const ShaderDefine& def : d.defines) {
    put_str(out, def.name);
    put_str(out, def.value);
  }
  put_strings(out, d.include_dirs);
  put_u32(out, uint32_t(d.target));
  put_u32(out, uint32_t(d.language));
  put_u32(out, (d.optimize ? 1u : 0u) | (d.debug_info ? 2u : 0u));
  return out;
}

bool decode(std::string_view bytes, Request* out) {
  Reader r{bytes};
  if (r.u32() != kRequestMagic || !r.ok) return false;
  Request q;
  q.protocol = r.u32();
  if (q.protocol != kProtocolVersion) {  // the rest may be laid out otherwise: the worker refuses
    out->protocol = q.protocol;
    return r.ok;
  }
  q.kind = RequestKind(r.u32());
  q.compiler_id = r.str();
  q.cwd = r.str();
  CompileDesc& d = q.desc;
  d.path = r.str();
  d.source = r.str();
  const uint32_t stage = r.u32();
  if (stage != kNoStage) {
    if (stage >= uint32_t(ShaderStage::Count)) return false;
    d.stage = ShaderStage(stage);
  }
  d.entry = r.str();
  d.defines.resize(count(r, 8));
  for (ShaderDefine& def : d.defines) {
    def.name = r.str();
    def.value = r.str();
  }
  d.include_dirs = get_strings(r);
  const uint32_t target = r.u32(), language = r.u32(), flags = r.u32();
  if (target > uint32_t(ShaderTarget::Vulkan1_3) || language > uint32_t(ShaderLanguage::Hlsl)) return false;
  d.target = ShaderTarget(target);
  d.language = ShaderLanguage(language);
  d.optimize = flags & 1u;
  d.debug_info = flags & 2u;
  if (!r.ok || r.left() != 0) return false;
  *out = std::move(q);
  return true;
}

std::string encode(const Reply& a) {
  std::string out;
  put_u32(out, kReplyMagic);
  put_u32(out, uint32_t(a.kind));
  const CompiledShader& s = a.shader;
  put_u32(out, uint32_t(s.stage));
  put_str(out, s.entry);
  put_u32(out, uint32_t(s.dependencies.size()));
  for (const ShaderDependency& dep : s.dependencies) {
    put_str(out, dep.path);
    put_u64(out, dep.hash);
  }
  put_str(out, s.warnings);
  put_u32(out, uint32_t(s.spirv.size()));
  out.append(reinterpret_cast<const char*>(s.spirv.data()), s.spirv.size() * 4);
  put_u32(out, uint32_t(a.diagnostics.size()));
  for (const ShaderDiagnostic& d : a.diagnostics) put_diagnostic(out, d);
  put_str(out, a.text);
  return out;
}

bool decode(std::string_view bytes, Reply* out) {
  Reader r{bytes};
  if (r.u32() != kReplyMagic || !r.ok) return false;
  Reply a;
  a.kind = ReplyKind(r.u32());
  if (a.kind < ReplyKind::Compiled || a.kind > ReplyKind::Refused) return false;
  CompiledShader& s = a.shader;
  const uint32_t stage = r.u32();
  if (stage >= uint32_t(ShaderStage::Count)) return false;
  s.stage = ShaderStage(stage);
  s.entry = r.str();
  s.dependencies.resize(count(r, 12));
  for (ShaderDependency& dep : s.dependencies) {
    dep.path = r.str();
    dep.hash = r.u64();
  }
  s.warnings = r.str();
  s.spirv.resize(count(r, 4));
  r.take(s.spirv.data(), s.spirv.size() * 4);
  a.diagnostics.resize(count(r, 24));
  for (ShaderDiagnostic& d : a.diagnostics) d = get_diagnostic(r);
  a.text = r.str();
  if (!r.ok || r.left() != 0) return false;
  *out = std::move(a);
  return true;
}

}  // namespace kiln::shader_worker
