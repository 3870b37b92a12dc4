// Names of targets, the compiler's identity and the options key: what a cache key needs besides
// the bytes of the files.
#include <kiln/log.h>
#include <kiln/shader.h>

#include <glslang/build_info.h>
#include <spirv-tools/libspirv.h>

#include <algorithm>
#include <filesystem>

namespace kiln {

namespace {

// Bumped whenever what compile_shader produces for the same inputs changes in kiln's own code
// (options passed to glslang, passes run, dependency recording), so old cache entries miss.
constexpr int kShaderCacheFormat = 1;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Values are escaped so that no value can forge a field boundary.
void field(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  out += '=';
  for (char c : value) {
    if (c == '\\' || c == ';' || c == '\n' || c == ',') out += '\\';
    out += c == '\n' ? 'n' : c;
  }
  out += ';';
}

}  // namespace

const char* shader_target_name(ShaderTarget t) {
  switch (t) {
    case ShaderTarget::Vulkan1_1: return "vulkan1.1";
    case ShaderTarget::Vulkan1_2: return "vulkan1.2";
    case ShaderTarget::Vulkan1_3: return "vulkan1.3";
  }
  return "unknown";
}

bool parse_shader_target(std::string_view name, ShaderTarget* out) {
  for (ShaderTarget t : {ShaderTarget::Vulkan1_1, ShaderTarget::Vulkan1_2, ShaderTarget::Vulkan1_3}) {
    if (name == shader_target_name(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

ShaderLanguage resolve_shader_language(const CompileDesc& desc) {
  if (desc.language != ShaderLanguage::Auto) return desc.language;
  return ends_with(desc.path, ".hlsl") || ends_with(desc.path, ".HLSL") ? ShaderLanguage::Hlsl
                                                                       : ShaderLanguage::Glsl;
}

std::string_view shader_compiler_id() {
  // The optimiser's version matters as much as glslang's: -O output comes from SPIRV-Tools.
  static const std::string id =
      str("glslang ", GLSLANG_VERSION_MAJOR, ".", GLSLANG_VERSION_MINOR, ".", GLSLANG_VERSION_PATCH,
          GLSLANG_VERSION_FLAVOR, "; ", spvSoftwareVersionDetailsString(), "; kiln shader format ",
          kShaderCacheFormat);
  return id;
}

std::string compile_options_key(const CompileDesc& desc) {
  std::string key;
  std::optional<ShaderStage> stage = desc.stage ? desc.stage : stage_from_path(desc.path);
  // The path decides where "quoted" includes are found and the file name in debug info.
  field(key, "path", desc.path);
  field(key, "source", desc.source.empty() ? "file" : "given");
  field(key, "stage", stage ? shader_stage_name(*stage) : "unknown");
  field(key, "entry", desc.entry);
  field(key, "language", resolve_shader_language(desc) == ShaderLanguage::Hlsl ? "hlsl" : "glsl");
  field(key, "target", shader_target_name(desc.target));
  field(key, "O", desc.optimize ? "1" : "0");
  field(key, "g", desc.debug_info ? "1" : "0");
  std::vector<ShaderDefine> defines = desc.defines;
  // Stable: a name given twice keeps its order, which decides the preprocessor's outcome.
  std::stable_sort(defines.begin(), defines.end(),
                   [](const ShaderDefine& a, const ShaderDefine& b) { return a.name < b.name; });
  key += "D=";
  for (const ShaderDefine& d : defines) {
    std::string one = d.name + "=" + (d.value.empty() ? std::string("1") : d.value);
    std::string escaped;
    field(escaped, "", one);
    key += escaped.substr(1, escaped.size() - 2) + ",";
  }
  key += ';';
  key += "I=";
  for (const std::string& dir : desc.include_dirs) {
    std::string escaped;
    field(escaped, "", dir);
    key += escaped.substr(1, escaped.size() - 2) + ",";
  }
  key += ';';
  return key;
}

}  // namespace kiln
