// compile_shader: in a compile worker when one answers (shader/worker), else here: one glslang TShader + TProgram per call, so that compiles on many threads share
// nothing but glslang's process state (which it guards itself).
#include <kiln/log.h>
#include <kiln/shader.h>

#include "shader/compiler/compile_here.h"
#include "shader/compiler/diagnostics.h"
#include "shader/compiler/files.h"
#include "shader/compiler/glslang_process.h"
#include "shader/compiler/includer.h"

#include <glslang/MachineIndependent/localintermediate.h>
#include <glslang/Public/ResourceLimits.h>
#include <glslang/Public/ShaderLang.h>
#include <glslang/SPIRV/GlslangToSpv.h>
#include <spirv-tools/optimizer.hpp>

#include <memory>

namespace kiln {

namespace {

using shader_detail::FileIncluder;

EShLanguage glslang_stage(ShaderStage s) {
  switch (s) {
    case ShaderStage::Vertex: return EShLangVertex;
    case ShaderStage::TessControl: return EShLangTessControl;
    case ShaderStage::TessEval: return EShLangTessEvaluation;
    case ShaderStage::Geometry: return EShLangGeometry;
    case ShaderStage::Fragment: return EShLangFragment;
    case ShaderStage::Compute: return EShLangCompute;
    case ShaderStage::Task: return EShLangTask;
    case ShaderStage::Mesh: return EShLangMesh;
    case ShaderStage::RayGen: return EShLangRayGen;
    case ShaderStage::AnyHit: return EShLangAnyHit;
    case ShaderStage::ClosestHit: return EShLangClosestHit;
    case ShaderStage::Miss: return EShLangMiss;
    case ShaderStage::Intersection: return EShLangIntersect;
    case ShaderStage::Callable: return EShLangCallable;
    case ShaderStage::Count: break;
  }
  throw Error(str("invalid shader stage ", static_cast<uint32_t>(s)));
}

ShaderStage resolve_stage(const CompileDesc& desc) {
  if (desc.stage) {
    if (*desc.stage >= ShaderStage::Count) throw Error(str("invalid shader stage ", static_cast<uint32_t>(*desc.stage)));
    return *desc.stage;
  }
  if (auto s = stage_from_path(desc.path)) return *s;
  throw Error(str("cannot tell the shader stage of '", desc.path,
                  "': give it (CompileDesc::stage, --stage NAME) or use a stage extension. Extensions: "
                  ".vert .tesc .tese .geom .frag .comp .task .mesh .rgen .rahit .rchit .rmiss .rint .rcall "
                  "(optionally followed by .glsl or .hlsl); stage names: vertex tess_control tess_eval "
                  "geometry fragment compute task mesh raygen anyhit closesthit miss intersection callable "
                  "(or the extensions without the dot)"));
}

struct TargetVersions {
  glslang::EShTargetClientVersion client;
  glslang::EShTargetLanguageVersion spirv;
  spv_target_env tools_env;
};

TargetVersions target_versions(ShaderTarget t) {
  switch (t) {
    case ShaderTarget::Vulkan1_1: return {glslang::EShTargetVulkan_1_1, glslang::EShTargetSpv_1_3, SPV_ENV_VULKAN_1_1};
    case ShaderTarget::Vulkan1_2: return {glslang::EShTargetVulkan_1_2, glslang::EShTargetSpv_1_5, SPV_ENV_VULKAN_1_2};
    case ShaderTarget::Vulkan1_3: return {glslang::EShTargetVulkan_1_3, glslang::EShTargetSpv_1_6, SPV_ENV_VULKAN_1_3};
  }
  throw Error(str("invalid shader target ", static_cast<int>(t)));
}

std::string make_preamble(const CompileDesc& desc, bool hlsl) {
  std::string preamble;
  // Users write #include without the extension line, as in C and HLSL.
  if (!hlsl) preamble += "#extension GL_GOOGLE_include_directive : require\n";
  for (const ShaderDefine& d : desc.defines) {
    if (d.name.empty()) throw Error("a shader define has an empty name");
    if (d.name.find_first_of(" \t\n=()") != std::string::npos) {
      throw Error(str("invalid shader define name '", d.name, "'"));
    }
    if (d.value.find('\n') != std::string::npos) {
      throw Error(str("the value of shader define '", d.name, "' holds a line break"));
    }
    preamble += str("#define ", d.name, " ", d.value.empty() ? std::string("1") : d.value, "\n");
  }
  return preamble;
}

void add_chains(std::vector<ShaderDiagnostic>& diagnostics, const FileIncluder& includer) {
  shader_detail::refine_locations(diagnostics, [&](const std::string& name) { return includer.text_of(name); });
  for (ShaderDiagnostic& d : diagnostics) d.include_chain = includer.include_chain(d.file);
}

// The SpvBuildLogger's text: "error: ..." / "warning: ..." / "TBD functionality: ..." lines.
void split_logger(const std::string& text, const std::string& file, std::vector<ShaderDiagnostic>& errors,
                  std::vector<ShaderDiagnostic>& warnings) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    if (line.rfind("error: ", 0) == 0) {
      errors.push_back({.file = file, .severity = "error", .message = "SPIR-V generation: " + line.substr(7)});
    } else {
      std::string message = line.rfind("warning: ", 0) == 0 ? line.substr(9) : line;
      warnings.push_back({.file = file, .severity = "warning", .message = "SPIR-V generation: " + message});
    }
  }
}

void optimize_spirv(std::vector<uint32_t>& spirv, spv_target_env env, const std::string& file) {
  spvtools::Optimizer optimizer(env);
  std::string messages;
  optimizer.SetMessageConsumer([&](spv_message_level_t level, const char*, const spv_position_t&, const char* m) {
    if (level <= SPV_MSG_ERROR) messages += str(m, "\n");
  });
  optimizer.RegisterPerformancePasses();
  std::vector<uint32_t> out;
  spvtools::OptimizerOptions options;
  options.set_run_validator(false);  // glslang's output is valid; validating costs as much as optimising
  if (!optimizer.Run(spirv.data(), spirv.size(), &out, options)) {
    throw ShaderError({{.file = file, .severity = "error", .message = "spirv-opt failed: " + messages}});
  }
  spirv = std::move(out);
}

}  // namespace

CompiledShader compile_shader(const CompileDesc& desc) {
  if (std::optional<CompiledShader> compiled = shader_detail::compile_in_worker(desc)) return std::move(*compiled);
  return shader_detail::compile_here(desc);
}

CompiledShader shader_detail::compile_here(const CompileDesc& desc) {
  shader_detail::ensure_glslang_initialized();
  const ShaderStage stage = resolve_stage(desc);
  const bool hlsl = resolve_shader_language(desc) == ShaderLanguage::Hlsl;
  const EShLanguage lang = glslang_stage(stage);
  const TargetVersions versions = target_versions(desc.target);
  const std::string name = desc.path.empty() ? std::string("<source>") : desc.path;

  CompiledShader result;
  result.stage = stage;
  result.entry = desc.entry;

  std::string source;
  if (!desc.source.empty()) {
    source = desc.source;
  } else {
    if (desc.path.empty()) throw Error("compile_shader: neither a path nor a source was given");
    auto text = shader_detail::read_text_file(desc.path);
    if (!text) throw Error(str("cannot read shader file '", desc.path, "'"));
    source = std::move(*text);
    result.dependencies.push_back({desc.path, shader_detail::content_hash(source)});
  }

  const std::string preamble = make_preamble(desc, hlsl);
  glslang::TShader shader(lang);
  const char* strings[] = {source.c_str()};
  const int lengths[] = {static_cast<int>(source.size())};
  const char* names[] = {name.c_str()};
  shader.setStringsWithLengthsAndNames(strings, lengths, names, 1);
  shader.setPreamble(preamble.c_str());
  shader.setEntryPoint(desc.entry.c_str());
  if (hlsl) {
    shader.setSourceEntryPoint(desc.entry.c_str());
    // HLSL registers without a binding still need one in Vulkan.
    shader.setAutoMapBindings(true);
  }
  shader.setEnvInput(hlsl ? glslang::EShSourceHlsl : glslang::EShSourceGlsl, lang, glslang::EShClientVulkan, 100);
  shader.setEnvClient(glslang::EShClientVulkan, versions.client);
  shader.setEnvTarget(glslang::EShTargetSpv, versions.spirv);
  if (desc.debug_info) shader.setDebugInfo(true);
  shader.setEnhancedMsgs();  // readable type names in messages (glslang 12 prints no columns: see diagnostics.h)

  int messages = EShMsgSpvRules | EShMsgVulkanRules | EShMsgEnhanced;
  if (hlsl) messages |= EShMsgReadHlsl | EShMsgHlslOffsets;
  if (desc.debug_info) messages |= EShMsgDebugInfo;
  const auto msg = static_cast<EShMessages>(messages);

  FileIncluder includer(name, source, !desc.path.empty(), desc.include_dirs);
  const bool parsed = shader.parse(GetDefaultResources(), 460, ENoProfile, false, false, msg, includer);
  for (const ShaderDependency& dep : includer.dependencies()) result.dependencies.push_back(dep);

  std::vector<ShaderDiagnostic> diagnostics = shader_detail::parse_info_log(shader.getInfoLog(), name);
  add_chains(diagnostics, includer);
  std::vector<ShaderDiagnostic> warnings;
  std::vector<ShaderDiagnostic> errors;
  for (ShaderDiagnostic& d : diagnostics) (d.severity == "error" ? errors : warnings).push_back(std::move(d));
  if (!parsed || !errors.empty()) {
    if (errors.empty()) errors.push_back({.file = name, .severity = "error", .message = "compilation failed"});
    throw ShaderError(std::move(errors));
  }

  glslang::TProgram program;
  program.addShader(&shader);
  if (!program.link(msg)) {
    std::vector<ShaderDiagnostic> link = shader_detail::parse_info_log(program.getInfoLog(), name);
    add_chains(link, includer);
    std::vector<ShaderDiagnostic> link_errors;
    for (ShaderDiagnostic& d : link) {
      if (d.severity == "error") link_errors.push_back(std::move(d));
    }
    if (link_errors.empty()) link_errors.push_back({.file = name, .severity = "error", .message = "linking failed"});
    throw ShaderError(std::move(link_errors));
  }
  for (ShaderDiagnostic& d : shader_detail::parse_info_log(program.getInfoLog(), name)) {
    // glslang only warns about a missing HLSL entry point, then produces an empty module.
    if (d.message.find("Entry point not found") != std::string::npos) {
      throw ShaderError({{.file = name, .severity = "error",
                          .message = str("entry point '", desc.entry, "' not found")}});
    }
    if (d.severity == "warning") warnings.push_back(std::move(d));
  }

  if (hlsl) {
    // glslang 12 decorates HLSL structured buffers as Uniform + BufferBlock, which SPIR-V 1.4+
    // forbids; every kiln target is SPIR-V 1.3 or newer, where the StorageBuffer class exists
    // (glslang already does this for GLSL).
    program.getIntermediate(lang)->setUseStorageBuffer();
  }
  if (hlsl && !program.mapIO()) {
    throw ShaderError({{.file = name, .severity = "error", .message = str("mapping HLSL resources failed: ", program.getInfoLog())}});
  }

  glslang::SpvOptions options;
  options.generateDebugInfo = desc.debug_info;
  options.emitNonSemanticShaderDebugInfo = desc.debug_info;
  options.emitNonSemanticShaderDebugSource = desc.debug_info;
  // glslang runs spirv-opt itself for HLSL (legalisation, which HLSL needs even without -O, as
  // with DXC); -O then runs the standard performance passes below, for GLSL and HLSL alike.
  options.disableOptimizer = !hlsl;
  options.optimizeSize = false;
  options.validate = false;
  spv::SpvBuildLogger logger;
  std::vector<unsigned int> words;
  glslang::GlslangToSpv(*program.getIntermediate(lang), words, &logger, &options);
  std::vector<ShaderDiagnostic> spv_errors;
  split_logger(logger.getAllMessages(), name, spv_errors, warnings);
  if (!spv_errors.empty()) throw ShaderError(std::move(spv_errors));
  result.spirv.assign(words.begin(), words.end());
  if (desc.optimize) optimize_spirv(result.spirv, versions.tools_env, name);

  result.warnings = format_diagnostics(warnings);
  return result;
}

}  // namespace kiln
