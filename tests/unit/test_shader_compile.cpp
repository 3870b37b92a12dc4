// compile_shader: every stage, includes and dependencies, diagnostics, options, threads. No Vulkan.
#include <kiln/hash.h>
#include <kiln/shader.h>

#include <gtest/gtest.h>
#include <spirv-tools/libspirv.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

namespace kiln {
namespace {

std::string data_dir() {
  const char* dir = std::getenv("KILN_TEST_DATA");
  return std::string(dir ? dir : "tests/data") + "/shader_src";
}
std::string src(const std::string& name) { return data_dir() + "/" + name; }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Walks the module's instructions: (opcode, words) for each.
template <class F>
void for_each_instruction(const std::vector<uint32_t>& spirv, F&& f) {
  size_t i = 5;
  while (i < spirv.size()) {
    uint32_t count = spirv[i] >> 16;
    ASSERT_GT(count, 0u);
    ASSERT_LE(i + count, spirv.size());
    f(spirv[i] & 0xffffu, &spirv[i], count);
    i += count;
  }
}

std::vector<uint32_t> execution_models(const std::vector<uint32_t>& spirv) {
  std::vector<uint32_t> models;
  for_each_instruction(spirv, [&](uint32_t op, const uint32_t* w, uint32_t) {
    if (op == 15) models.push_back(w[1]);  // OpEntryPoint
  });
  return models;
}

size_t count_opcode(const std::vector<uint32_t>& spirv, uint32_t opcode) {
  size_t n = 0;
  for_each_instruction(spirv, [&](uint32_t op, const uint32_t*, uint32_t) { n += op == opcode; });
  return n;
}

std::string entry_name(const std::vector<uint32_t>& spirv) {
  std::string name;
  for_each_instruction(spirv, [&](uint32_t op, const uint32_t* w, uint32_t) {
    if (op == 15 && name.empty()) name = reinterpret_cast<const char*>(&w[3]);
  });
  return name;
}

// spirv-val's checks, for the environment the shader was compiled for.
void expect_module(const CompiledShader& s, ShaderTarget target = ShaderTarget::Vulkan1_2) {
  ASSERT_GE(s.spirv.size(), 5u);
  EXPECT_EQ(s.spirv[0], 0x07230203u);
  spv_target_env env = target == ShaderTarget::Vulkan1_1   ? SPV_ENV_VULKAN_1_1
                       : target == ShaderTarget::Vulkan1_2 ? SPV_ENV_VULKAN_1_2
                                                           : SPV_ENV_VULKAN_1_3;
  spvtools::SpirvTools tools(env);
  std::string messages;
  tools.SetMessageConsumer([&](spv_message_level_t, const char*, const spv_position_t&, const char* m) {
    messages += std::string(m) + "\n";
  });
  EXPECT_TRUE(tools.Validate(s.spirv)) << messages;
}

struct StageCase {
  const char* file;
  ShaderStage stage;
  uint32_t execution_model;
};

TEST(ShaderCompile, EveryStageFromItsExtension) {
  const StageCase cases[] = {
      {"simple.vert", ShaderStage::Vertex, 0},         {"simple.tesc", ShaderStage::TessControl, 1},
      {"simple.tese", ShaderStage::TessEval, 2},       {"simple.geom", ShaderStage::Geometry, 3},
      {"simple.frag", ShaderStage::Fragment, 4},       {"simple.comp", ShaderStage::Compute, 5},
      {"simple.task", ShaderStage::Task, 5364},        {"simple.mesh", ShaderStage::Mesh, 5365},
      {"simple.rgen", ShaderStage::RayGen, 5313},      {"simple.rint", ShaderStage::Intersection, 5314},
      {"simple.rahit", ShaderStage::AnyHit, 5315},     {"simple.rchit", ShaderStage::ClosestHit, 5316},
      {"simple.rmiss", ShaderStage::Miss, 5317},       {"simple.rcall", ShaderStage::Callable, 5318},
  };
  for (const StageCase& c : cases) {
    SCOPED_TRACE(c.file);
    CompiledShader s = compile_shader({.path = src(std::string("stages/") + c.file)});
    expect_module(s);
    EXPECT_EQ(s.stage, c.stage);
    EXPECT_EQ(s.entry, "main");
    EXPECT_EQ(execution_models(s.spirv), std::vector<uint32_t>{c.execution_model});
    ASSERT_EQ(s.dependencies.size(), 1u);
    EXPECT_EQ(s.dependencies[0].hash, hash64(read_bytes(s.dependencies[0].path)));
  }
}

TEST(ShaderCompile, StageGivenOverridesExtensionAndSourceInMemory) {
  CompiledShader s = compile_shader({
      .path = "generated/shader.glsl",
      .source = "#version 450\nlayout(local_size_x = 8) in;\nvoid main() {}\n",
      .stage = ShaderStage::Compute,
  });
  expect_module(s);
  EXPECT_EQ(execution_models(s.spirv), std::vector<uint32_t>{5});
  EXPECT_TRUE(s.dependencies.empty());  // nothing was read from disk
}

TEST(ShaderCompile, UnknownStageListsTheChoices) {
  try {
    compile_shader({.path = "x.glsl", .source = "#version 450\nvoid main() {}\n"});
    FAIL() << "no error";
  } catch (const ShaderError&) {
    FAIL() << "an unknown stage is a usage error, not a shader error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("x.glsl"), std::string::npos) << what;
    EXPECT_NE(what.find(".rchit"), std::string::npos) << what;
    EXPECT_NE(what.find("closesthit"), std::string::npos) << what;
  }
}

TEST(ShaderCompile, MissingFileNamesThePath) {
  try {
    compile_shader({.path = src("no_such_shader.frag")});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_shader.frag"), std::string::npos) << e.what();
  }
}

TEST(ShaderCompile, IncludesRelativeNestedAndThroughDirectories) {
  CompiledShader s = compile_shader({.path = src("lit.frag"), .include_dirs = {src("inc")}});
  expect_module(s);
  std::vector<std::string> names;
  for (const ShaderDependency& d : s.dependencies) {
    names.push_back(d.path);
    EXPECT_EQ(d.hash, hash64(read_bytes(d.path))) << d.path;
  }
  ASSERT_EQ(names.size(), 4u);
  EXPECT_TRUE(ends_with(names[0], "lit.frag"));
  EXPECT_TRUE(ends_with(names[1], "common/lighting.glsl"));
  EXPECT_TRUE(ends_with(names[2], "common/math.glsl"));  // relative to lighting.glsl, not lit.frag
  EXPECT_TRUE(ends_with(names[3], "inc/shared_constants.glsl"));
}

TEST(ShaderCompile, QuotedIncludeFallsBackToIncludeDirectories) {
  // "shared_constants.glsl" is not next to the file: found through the include directory.
  CompiledShader s = compile_shader({
      .path = src("quoted.frag"),
      .source = "#version 450\n#include \"shared_constants.glsl\"\nlayout(location = 0) out vec4 c;\n"
                "void main() { c = vec4(LIGHT_DIR, AMBIENT_BOOST); }\n",
      .include_dirs = {src("common"), src("inc")},
  });
  ASSERT_EQ(s.dependencies.size(), 1u);
  EXPECT_TRUE(ends_with(s.dependencies[0].path, "inc/shared_constants.glsl"));
}

TEST(ShaderCompile, MissingIncludeNamesEveryDirectoryTried) {
  try {
    compile_shader({.path = src("broken/missing_include.frag"), .include_dirs = {src("inc"), src("common")}});
    FAIL() << "no error";
  } catch (const ShaderError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    const ShaderDiagnostic& d = e.diagnostics()[0];
    EXPECT_TRUE(ends_with(d.file, "broken/missing_include.frag"));
    EXPECT_EQ(d.line, 3u);
    EXPECT_NE(d.message.find("does_not_exist.glsl"), std::string::npos);
    EXPECT_NE(d.message.find(src("broken")), std::string::npos) << d.message;
    EXPECT_NE(d.message.find(src("inc")), std::string::npos) << d.message;
    EXPECT_NE(d.message.find(src("common")), std::string::npos) << d.message;
  }
}

TEST(ShaderCompile, SyntaxErrorInMainFile) {
  try {
    compile_shader({.path = src("broken/syntax_error.frag")});
    FAIL() << "no error";
  } catch (const ShaderError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    const ShaderDiagnostic& d = e.diagnostics()[0];
    EXPECT_EQ(d.severity, "error");
    EXPECT_EQ(d.line, 5u);
    EXPECT_EQ(d.column, 23u);  // `undefined_thing` in "  out_color = vec4(x, undefined_thing, ..."
    EXPECT_NE(d.message.find("undeclared identifier"), std::string::npos);
    EXPECT_TRUE(d.include_chain.empty());
    std::string expected = src("broken/syntax_error.frag") + ":5:23: error: 'undefined_thing' : undeclared identifier";
    EXPECT_EQ(std::string(e.what()), expected);
  }
}

TEST(ShaderCompile, ErrorInIncludedFileCarriesTheIncludeChain) {
  try {
    compile_shader({.path = src("broken/nested_error.frag")});
    FAIL() << "no error";
  } catch (const ShaderError& e) {
    // Only the real error: glslang's follow-up error past the end of mid.glsl is dropped.
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    const ShaderDiagnostic& d = e.diagnostics()[0];
    EXPECT_TRUE(ends_with(d.file, "broken/bad_helper.glsl")) << d.file;
    EXPECT_EQ(d.line, 4u);
    EXPECT_EQ(d.column, 9u);  // the '=' of "  int b = a + vec2(1.0);"
    ASSERT_EQ(d.include_chain.size(), 2u);
    EXPECT_EQ(d.include_chain[0], src("broken/nested_error.frag") + ":2");
    EXPECT_EQ(d.include_chain[1], src("broken/mid.glsl") + ":3");
    std::string what = e.what();
    EXPECT_NE(what.find("bad_helper.glsl:4:9: error: "), std::string::npos) << what;
    EXPECT_NE(what.find("\n  included from " + src("broken/mid.glsl") + ":3\n  included from " +
                        src("broken/nested_error.frag") + ":2"),
              std::string::npos)
        << what;
  }
}

TEST(ShaderCompile, ErrorInIncludedFileOneLevel) {
  try {
    compile_shader({.path = src("broken/include_error.frag")});
    FAIL() << "no error";
  } catch (const ShaderError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    EXPECT_EQ(e.diagnostics()[0].line, 4u);
    EXPECT_EQ(e.diagnostics()[0].include_chain, std::vector<std::string>{src("broken/include_error.frag") + ":3"});
  }
}

TEST(ShaderCompile, LinkErrorIsAShaderError) {
  try {
    compile_shader({.path = src("broken/link_error.vert")});
    FAIL() << "no error";
  } catch (const ShaderError& e) {
    ASSERT_FALSE(e.diagnostics().empty());
    EXPECT_NE(std::string(e.what()).find("position_of"), std::string::npos) << e.what();
  }
}

TEST(ShaderCompile, DefinesChangeTheOutput) {
  CompiledShader plain = compile_shader({.path = src("defines.comp")});
  CompiledShader add = compile_shader({.path = src("defines.comp"), .defines = {{"ADD_ONE", ""}}});
  CompiledShader scaled = compile_shader({.path = src("defines.comp"), .defines = {{"SCALE", "3.0"}}});
  EXPECT_NE(plain.spirv, add.spirv);
  EXPECT_NE(plain.spirv, scaled.spirv);
  EXPECT_NE(add.spirv, scaled.spirv);
  EXPECT_EQ(plain.spirv, compile_shader({.path = src("defines.comp")}).spirv);  // deterministic
}

TEST(ShaderCompile, HlslComputeWithInclude) {
  CompiledShader s = compile_shader({.path = src("hlsl/blur.comp.hlsl")});
  expect_module(s);
  EXPECT_EQ(s.stage, ShaderStage::Compute);
  EXPECT_EQ(execution_models(s.spirv), std::vector<uint32_t>{5});
  ASSERT_EQ(s.dependencies.size(), 2u);
  EXPECT_TRUE(ends_with(s.dependencies[1].path, "hlsl/hlsl_common.hlsli"));
}

TEST(ShaderCompile, HlslVertexAndPixelWithEntryPoints) {
  CompiledShader vs = compile_shader({.path = src("hlsl/tri.vert.hlsl"), .entry = "vs_main"});
  CompiledShader ps = compile_shader({.path = src("hlsl/tri.frag.hlsl"), .entry = "ps_main"});
  EXPECT_EQ(execution_models(vs.spirv), std::vector<uint32_t>{0});
  EXPECT_EQ(execution_models(ps.spirv), std::vector<uint32_t>{4});
  EXPECT_EQ(entry_name(vs.spirv), "vs_main");
  EXPECT_EQ(entry_name(ps.spirv), "ps_main");
  expect_module(vs);
  expect_module(ps);
  expect_module(compile_shader({.path = src("hlsl/tri.frag.hlsl"), .entry = "ps_main", .optimize = true, .debug_info = true}));
  EXPECT_THROW(compile_shader({.path = src("hlsl/tri.frag.hlsl"), .entry = "nope"}), ShaderError);
}

TEST(ShaderCompile, TargetSetsTheSpirvVersion) {
  const std::pair<ShaderTarget, uint32_t> cases[] = {
      {ShaderTarget::Vulkan1_1, 0x00010300}, {ShaderTarget::Vulkan1_2, 0x00010500}, {ShaderTarget::Vulkan1_3, 0x00010600}};
  for (auto [target, version] : cases) {
    CompiledShader s = compile_shader({.path = src("stages/simple.comp"), .target = target});
    expect_module(s, target);
    CompiledShader h = compile_shader({.path = src("hlsl/blur.comp.hlsl"), .target = target});
    expect_module(h, target);  // structured buffers in the StorageBuffer class, not BufferBlock
    EXPECT_EQ(h.spirv[1], version);
    EXPECT_EQ(s.spirv[1], version) << shader_target_name(target);
  }
}

TEST(ShaderCompile, OptimizeShrinksDeadCode) {
  CompiledShader plain = compile_shader({.path = src("dead_code.comp")});
  CompiledShader opt = compile_shader({.path = src("dead_code.comp"), .optimize = true});
  expect_module(opt);
  EXPECT_NE(plain.spirv, opt.spirv);
  EXPECT_LT(opt.spirv.size(), plain.spirv.size());
  EXPECT_EQ(execution_models(opt.spirv), std::vector<uint32_t>{5});
  // unused_helper is gone: one function left.
  EXPECT_GT(count_opcode(plain.spirv, 54 /*OpFunction*/), 1u);
  EXPECT_EQ(count_opcode(opt.spirv, 54), 1u);
}

TEST(ShaderCompile, DebugInfoAddsSourceAndLines) {
  CompiledShader plain = compile_shader({.path = src("lit.frag"), .include_dirs = {src("inc")}});
  CompiledShader debug = compile_shader({.path = src("lit.frag"), .include_dirs = {src("inc")}, .debug_info = true});
  EXPECT_EQ(count_opcode(plain.spirv, 8 /*OpLine*/), 0u);
  EXPECT_GT(count_opcode(debug.spirv, 8), 0u);
  EXPECT_GT(count_opcode(debug.spirv, 7 /*OpString*/), count_opcode(plain.spirv, 7));
  EXPECT_GT(debug.spirv.size(), plain.spirv.size());
  expect_module(debug);
  expect_module(compile_shader({.path = src("lit.frag"), .include_dirs = {src("inc")}, .optimize = true, .debug_info = true}));
}

TEST(ShaderCompile, OptionsKeyIsDeterministicAndCoversOptions) {
  CompileDesc a{.path = "a.comp", .defines = {{"B", "2"}, {"A", "1"}}, .include_dirs = {"x"}};
  CompileDesc b{.path = "a.comp", .defines = {{"A", "1"}, {"B", "2"}}, .include_dirs = {"x"}};
  EXPECT_EQ(compile_options_key(a), compile_options_key(b));  // defines sorted
  std::string base = compile_options_key(a);
  auto differs = [&](auto change) {
    CompileDesc c = a;
    change(c);
    return compile_options_key(c) != base;
  };
  EXPECT_TRUE(differs([](CompileDesc& c) { c.entry = "other"; }));
  EXPECT_TRUE(differs([](CompileDesc& c) { c.stage = ShaderStage::Fragment; }));
  EXPECT_TRUE(differs([](CompileDesc& c) { c.defines[0].value = "3"; }));
  EXPECT_TRUE(differs([](CompileDesc& c) { c.include_dirs.push_back("y"); }));
  EXPECT_TRUE(differs([](CompileDesc& c) { c.target = ShaderTarget::Vulkan1_3; }));
  EXPECT_TRUE(differs([](CompileDesc& c) { c.optimize = true; }));
  EXPECT_TRUE(differs([](CompileDesc& c) { c.debug_info = true; }));
  EXPECT_TRUE(differs([](CompileDesc& c) { c.language = ShaderLanguage::Hlsl; }));
  // A value cannot forge another define.
  CompileDesc forged{.path = "a.comp", .defines = {{"A", "1,B=2"}}};
  EXPECT_NE(compile_options_key(forged), compile_options_key(CompileDesc{.path = "a.comp", .defines = {{"A", "1"}, {"B", "2"}}}));
  std::string_view id = shader_compiler_id();
  EXPECT_NE(id.find("glslang"), std::string_view::npos);
  EXPECT_NE(id.find("kiln"), std::string_view::npos);
}

TEST(ShaderCompile, ParallelCompilesMatchSequentialOnes) {
  std::vector<CompileDesc> descs;
  for (const char* f : {"stages/simple.vert", "stages/simple.frag", "stages/simple.comp", "stages/simple.mesh",
                        "stages/simple.rgen", "stages/simple.tesc", "defines.comp", "hlsl/blur.comp.hlsl"}) {
    descs.push_back({.path = src(f)});
  }
  descs.push_back({.path = src("lit.frag"), .include_dirs = {src("inc")}});
  descs.push_back({.path = src("dead_code.comp"), .optimize = true});
  std::vector<std::vector<uint32_t>> sequential;
  for (const CompileDesc& d : descs) sequential.push_back(compile_shader(d).spirv);

  constexpr int kThreads = 8;
  constexpr int kRounds = 3;
  std::vector<std::vector<std::vector<uint32_t>>> results(kThreads);
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int r = 0; r < kRounds; ++r) {
          for (size_t i = 0; i < descs.size(); ++i) {
            // Each thread starts at a different shader so that different stages overlap.
            size_t k = (i + static_cast<size_t>(t)) % descs.size();
            results[t].push_back(compile_shader(descs[k]).spirv);
            if (results[t].back() != sequential[k]) failures[t] += descs[k].path + " differs; ";
          }
        }
        // An error on one thread does not disturb the others.
        try {
          compile_shader({.path = src("broken/nested_error.frag")});
          failures[t] += "no error; ";
        } catch (const ShaderError& e) {
          if (e.diagnostics().size() != 1 || e.diagnostics()[0].include_chain.size() != 2) failures[t] += e.what();
        }
      } catch (const std::exception& e) {
        failures[t] += e.what();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], "") << "thread " << t;
    EXPECT_EQ(results[t].size(), descs.size() * kRounds);
  }
}

TEST(ShaderCompile, WarningsAreReturnedNotThrown) {
  CompiledShader s = compile_shader({
      .path = "warn.comp",
      .source = "#version 450\n#extension GL_EXT_nonexistent_thing : warn\nlayout(local_size_x = 1) in;\nvoid main() {}\n",
  });
  expect_module(s);
  EXPECT_NE(s.warnings.find("warn.comp:2:"), std::string::npos) << s.warnings;
  EXPECT_NE(s.warnings.find("warning"), std::string::npos) << s.warnings;
}

TEST(ShaderCompile, WarmUpThenCompile) {
  start_shader_compiler_warm_up();
  start_shader_compiler_warm_up();  // once per process
  expect_module(compile_shader({.path = src("stages/simple.frag")}));
}

TEST(ShaderCompile, FormatDiagnostics) {
  std::vector<ShaderDiagnostic> d = {
      {.file = "a.glsl", .line = 10, .column = 4, .severity = "error", .message = "bad", .include_chain = {"main.frag:3", "b.glsl:7"}},
      {.file = "main.frag", .severity = "error", .message = "link failed"},
  };
  EXPECT_EQ(format_diagnostics(d),
            "a.glsl:10:4: error: bad\n  included from b.glsl:7\n  included from main.frag:3\nmain.frag: error: link failed");
  ShaderError e(d, "2 errors");
  EXPECT_EQ(std::string(e.what()).rfind("2 errors\na.glsl:10:4", 0), 0u);
  EXPECT_EQ(e.diagnostics().size(), 2u);
}

}  // namespace
}  // namespace kiln
