// kiln::Program on lavapipe: pipelines from reflection, binding by name, barriers by use, shared
// sets, errors that list what exists, and hot reload. Results are read back and compared.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kiln/buffer.h"
#include "kiln/commands.h"
#include "kiln/image.h"
#include "kiln/log.h"
#include "kiln/program.h"
#include "kiln/sampler.h"
#include "kiln/shader_cache.h"
#include "kiln/transfer.h"
#include "cmd_fill_comp.h"
#include "prog_binding_clash_vert.h"
#include "prog_fullscreen_vert.h"
#include "prog_mismatch_set_comp.h"
#include "prog_missing_input_frag.h"
#include "prog_params_comp.h"
#include "prog_share_a_comp.h"
#include "prog_share_b_comp.h"
#include "prog_textured_frag.h"
#include "prog_wrong_type_frag.h"
#include "support/gpu_test.h"

namespace kiln {
namespace {

template <size_t N>
std::vector<uint32_t> words(const uint32_t (&a)[N]) {
  return std::vector<uint32_t>(std::begin(a), std::end(a));
}

Buffer readback_storage(Context& ctx, VkDeviceSize size, const char* name) {
  return Buffer(ctx, {.size = size, .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                      .memory = MemoryIntent::Readback, .name = name});
}

template <class T>
std::vector<T> read(const Buffer& b, size_t count) {
  b.invalidate();
  std::vector<T> out(count);
  std::memcpy(out.data(), b.mapped(), count * sizeof(T));
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

class ProgramTest : public test::GpuTestSync2 {};
std::string sync2_name(const ::testing::TestParamInfo<bool>& p) { return p.param ? "sync2" : "fallback"; }
INSTANTIATE_TEST_SUITE_P(Sync2, ProgramTest, ::testing::Values(true, false), sync2_name);

TEST_P(ProgramTest, ComputeUniformByNameAndPushConstant) {
  Program p(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(prog_params_comp)}}, .name = "params"});
  EXPECT_EQ(p.bind_point(), VK_PIPELINE_BIND_POINT_COMPUTE);
  constexpr uint32_t kCount = 100;
  Buffer a = readback_storage(*ctx, 128 * sizeof(float), "out.a");
  Buffer b = readback_storage(*ctx, 128 * sizeof(float), "out.b");

  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    p.bind("out_buf", a);
    p.set("Params.scale", 2.0f);
    p.set("params.count", kCount);  // the instance name works too
    p.push("offset", 1.0f);
    p.record(cmd);
    cmd.dispatch(2);
    // New values in the same command buffer: the first dispatch must still see its own.
    p.bind("out_buf", b);
    p.set("Params.scale", 3.0f);
    p.push("Push.offset", -5.0f);
    p.record(cmd);
    cmd.dispatch(2);
    cmd.use(a, Use::HostRead);
    cmd.use(b, Use::HostRead);
  });
  p.update();
  const auto va = read<float>(a, kCount), vb = read<float>(b, kCount);
  for (uint32_t i = 0; i < kCount; ++i) {
    ASSERT_EQ(va[i], float(i) * 2.0f + 1.0f) << i;
    ASSERT_EQ(vb[i], float(i) * 3.0f - 5.0f) << i;
  }

  // Again after update(): retired sets and uniform memory come back and are reused correctly.
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    p.set("Params.scale", 0.5f);
    p.record(cmd);
    cmd.dispatch(2);
    cmd.use(b, Use::HostRead);
  });
  p.update();
  const auto vc = read<float>(b, kCount);
  for (uint32_t i = 0; i < kCount; ++i) ASSERT_EQ(vc[i], float(i) * 0.5f - 5.0f) << i;
}

// Binding back what a set was written with binds that set again; a new buffer, even one that may
// reuse a destroyed buffer's handle, always gets a set of its own (validation would flag a set that
// still points at the destroyed one).
TEST_P(ProgramTest, BindingBackReusesTheWrittenSetAndANewBufferNeverDoes) {
  Program p(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(prog_params_comp)}}, .name = "params"});
  constexpr uint32_t kCount = 64;
  Buffer a = readback_storage(*ctx, kCount * sizeof(float), "out.a");
  Buffer b = readback_storage(*ctx, kCount * sizeof(float), "out.b");
  p.set("Params.scale", 2.0f);
  p.set("Params.count", kCount);

  BindingState state;
  std::array<VkDescriptorSet, 3> bound{};
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    const float offsets[3] = {1.0f, 2.0f, 3.0f};
    Buffer* targets[3] = {&a, &b, &a};
    for (int i = 0; i < 3; ++i) {
      p.bind("out_buf", *targets[i]);
      p.push("offset", offsets[i]);
      p.record(cmd, &state);
      bound[size_t(i)] = state.points[1].sets[0];
      cmd.dispatch(1);
    }
    cmd.use(a, Use::HostRead);
    cmd.use(b, Use::HostRead);
  });
  p.update();
  EXPECT_EQ(bound[2], bound[0]);  // a again: the set written for a
  EXPECT_NE(bound[1], bound[0]);
  EXPECT_EQ(p.stats().sets_written, 2u);
  EXPECT_EQ(p.stats().sets_reused, 1u);
  const auto va = read<float>(a, kCount), vb = read<float>(b, kCount);
  for (uint32_t i = 0; i < kCount; ++i) {
    ASSERT_EQ(va[i], float(i) * 2.0f + 3.0f) << i;
    ASSERT_EQ(vb[i], float(i) * 2.0f + 2.0f) << i;
  }

  // a destroyed (and really gone: the context ran its deferred destructions), then new buffers:
  // whatever handles they get, each is written into a fresh set. (The validation layer hands out
  // handles it never reuses; drivers alone do reuse them, hence ids rather than handles as keys.)
  const uint64_t old_id = a.id();
  a = {};
  ctx->wait_idle();
  std::vector<Buffer> fresh;
  for (int i = 0; i < 4; ++i) fresh.push_back(readback_storage(*ctx, kCount * sizeof(float), "out.fresh"));
  for (const Buffer& f : fresh) EXPECT_NE(f.id(), old_id);
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    for (size_t i = 0; i < fresh.size(); ++i) {
      p.bind("out_buf", fresh[i]);
      p.push("offset", 10.0f + float(i));
      p.record(cmd);
      cmd.dispatch(1);
      cmd.use(fresh[i], Use::HostRead);
    }
  });
  p.update();
  EXPECT_EQ(p.stats().sets_written, 2u + fresh.size());
  EXPECT_EQ(p.stats().sets_reused, 1u);
  for (size_t k = 0; k < fresh.size(); ++k) {
    const auto v = read<float>(fresh[k], kCount);
    for (uint32_t i = 0; i < kCount; ++i) ASSERT_EQ(v[i], float(i) * 2.0f + 10.0f + float(k)) << k << " " << i;
  }
}

// With a BindingState, unchanged push constants are not sent again; a changed value, or a program
// of another layout in between (with push constants of its own or none), sends them again. Each
// dispatch's output shows the values it saw.
TEST_P(ProgramTest, PushConstantsAreSentAgainOnlyWhenTheyChangeOrAnotherLayoutCameBetween) {
  Program p(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(prog_params_comp)}}, .name = "params"});
  Program q(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(cmd_fill_comp)}}, .name = "fill"});
  Program r(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(prog_share_a_comp)}}, .name = "no_push"});
  constexpr uint32_t kCount = 64;
  std::vector<Buffer> out;
  for (int i = 0; i < 7; ++i) out.push_back(readback_storage(*ctx, kCount * sizeof(float), "out"));
  p.set("Params.scale", 2.0f);
  p.set("Params.count", kCount);
  p.push("offset", 1.0f);
  q.push("count", kCount);
  q.push("mul", 3u);
  q.push("add", 0x7f7f7f7fu);  // read as p's float offset, a large number: shows a skipped push
  r.set("Globals.base", 100u);

  BindingState state;
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    auto step = [&](Program& prog, const char* binding, Buffer& b) {
      prog.bind(binding, b);
      prog.record(cmd, &state);
      cmd.dispatch(1);
    };
    step(p, "out_buf", out[0]);  // sent
    step(p, "out_buf", out[1]);  // unchanged: skipped
    step(q, "Out", out[2]);      // another layout, pushing its own
    step(p, "out_buf", out[3]);  // unchanged, but q's came between: sent again
    step(r, "out_a", out[4]);    // another layout, no push constants (may disturb p's)
    step(p, "out_buf", out[5]);  // unchanged: sent again all the same
    p.push("offset", 7.0f);
    step(p, "out_buf", out[6]);  // changed: sent
    for (Buffer& b : out) cmd.use(b, Use::HostRead);
  });
  p.update();
  q.update();
  r.update();
  EXPECT_EQ(p.stats().pushes_skipped, 1u);
  EXPECT_EQ(q.stats().pushes_skipped, 0u);
  const float offsets[7] = {1.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 7.0f};
  for (size_t k : {0, 1, 3, 5, 6}) {
    const auto v = read<float>(out[k], kCount);
    for (uint32_t i = 0; i < kCount; ++i) ASSERT_EQ(v[i], float(i) * 2.0f + offsets[k]) << k << " " << i;
  }
  const auto filled = read<uint32_t>(out[2], kCount);
  for (uint32_t i = 0; i < kCount; ++i) ASSERT_EQ(filled[i], i * 3u + 0x7f7f7f7fu) << i;
  const auto based = read<uint32_t>(out[4], 16);  // one workgroup of 16
  for (uint32_t i = 0; i < 16; ++i) ASSERT_EQ(based[i], 100u + i) << i;
}

// A set of one descriptor is found through a small memo in front of the content cache. Cycling through
// more buffers than the cache holds displaces sets, which go back to the pool and are written again
// for other buffers: the memo must forget them, or a later bind would reach the wrong buffer. Each
// dispatch fills its buffer with its own values; every buffer is checked.
TEST_P(ProgramTest, OneDescriptorSetsStayRightWhenTheCacheDisplacesThem) {
  Program p(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(cmd_fill_comp)}}, .name = "fill"});
  constexpr uint32_t kCount = 16, kBuffers = 300;  // the cache holds 256 sets of a set layout
  std::vector<Buffer> out;
  for (uint32_t i = 0; i < kBuffers; ++i) out.push_back(readback_storage(*ctx, kCount * 4, "out"));
  p.push("count", kCount);
  p.push("mul", 3u);
  auto round = [&](uint32_t buffers, uint32_t add) {
    BindingState state;
    run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
      for (uint32_t i = 0; i < buffers; ++i) {
        p.bind("Out", out[i]);
        p.push("add", add + i);
        p.record(cmd, &state);
        cmd.dispatch(1);
      }
      for (uint32_t i = 0; i < buffers; ++i) cmd.use(out[i], Use::HostRead);
    });
    p.update();
    ctx->collect();  // displaced sets come back to the pool, to be written again
    for (uint32_t i = 0; i < buffers; ++i) {
      const auto v = read<uint32_t>(out[i], kCount);
      for (uint32_t k = 0; k < kCount; ++k) ASSERT_EQ(v[k], k * 3u + add + i) << "buffer " << i << " value " << k;
    }
  };
  round(kBuffers, 0);
  const ProgramStats first = p.stats();
  EXPECT_EQ(first.sets_written, kBuffers);
  round(64, 1000);  // the oldest: most were displaced from the cache in the first round
  const ProgramStats second = p.stats();
  EXPECT_GT(second.sets_written, first.sets_written);
  round(64, 2000);  // each found now
  const ProgramStats third = p.stats();
  EXPECT_EQ(third.sets_written, second.sets_written);
  EXPECT_EQ(third.sets_reused - second.sets_reused, 64u);
}

TEST_P(ProgramTest, GraphicsTexturedFullScreenTriangle) {
  Program p(*ctx, {.modules = {{.stage = ShaderStage::Vertex, .spirv = words(prog_fullscreen_vert)},
                               {.stage = ShaderStage::Fragment, .spirv = words(prog_textured_frag)}},
                   .color_formats = {VK_FORMAT_R8G8B8A8_UNORM},
                   .name = "textured"});
  EXPECT_EQ(p.bind_point(), VK_PIPELINE_BIND_POINT_GRAPHICS);
  Image texture(*ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM, .extent = {2, 2, 1},
                       .usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT, .name = "texture"});
  const uint8_t texels[16] = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255};
  upload_image_now(*ctx, texture, texels, sizeof(texels), 0, 0, Use::TransferDst);  // record() does the rest
  Sampler nearest(*ctx, {.filter = VK_FILTER_NEAREST, .mip = VK_SAMPLER_MIPMAP_MODE_NEAREST,
                         .address = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE, .name = "nearest"});
  Image target(*ctx, {.format = VK_FORMAT_R8G8B8A8_UNORM, .extent = {4, 4, 1},
                      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, .name = "target"});

  p.bind("albedo", texture, &nearest);
  p.set("Tint.tint", std::array<float, 4>{1.0f, 0.5f, 1.0f, 1.0f});
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    p.use_resources(cmd);  // the texture's barrier goes before the pass
    cmd.begin_rendering({.colors = {{.image = &target, .load = VK_ATTACHMENT_LOAD_OP_CLEAR}}});
    p.record(cmd);
    cmd.set_viewport_scissor({4, 4});
    cmd.draw(3);
    cmd.end_rendering();
  });
  p.update();
  const std::vector<uint8_t> px = read_image_now(*ctx, target);
  ASSERT_EQ(px.size(), 64u);
  for (uint32_t y = 0; y < 4; ++y) {
    for (uint32_t x = 0; x < 4; ++x) {
      const uint8_t* want = texels + 4 * ((y / 2) * 2 + x / 2);
      const uint8_t* got = px.data() + 4 * (y * 4 + x);
      EXPECT_EQ(got[0], want[0]) << x << "," << y;
      EXPECT_NEAR(got[1], want[1] / 2.0, 1.0) << x << "," << y;
      EXPECT_EQ(got[2], want[2]) << x << "," << y;
      EXPECT_EQ(got[3], want[3]) << x << "," << y;
    }
  }
}

class ProgramErrors : public test::GpuTest {};

TEST_F(ProgramErrors, UnknownNameAndWrongKindListWhatExists) {
  Program p(*ctx, {.modules = {{.stage = ShaderStage::Vertex, .spirv = words(prog_fullscreen_vert)},
                               {.stage = ShaderStage::Fragment, .spirv = words(prog_textured_frag)}},
                   .name = "textured"});
  Buffer buffer(*ctx, {.size = 64, .usage = VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, .name = "ubo"});
  Image image(*ctx, {.extent = {4, 4, 1}, .usage = VK_IMAGE_USAGE_SAMPLED_BIT, .name = "img"});

  std::string e = error_of([&] { p.bind("albdo", image); });
  EXPECT_NE(e.find("program 'textured'"), std::string::npos) << e;
  EXPECT_NE(e.find("'albdo'"), std::string::npos) << e;
  EXPECT_NE(e.find("'albedo' combined image sampler"), std::string::npos) << e;
  EXPECT_NE(e.find("Tint.tint: vec4"), std::string::npos) << e;

  e = error_of([&] { p.bind("albedo", buffer); });
  EXPECT_NE(e.find("'albedo' is a combined image sampler"), std::string::npos) << e;
  e = error_of([&] { p.bind("albedo", image); });  // combined: the sampler is required
  EXPECT_NE(e.find("bind(\"albedo\", image, &sampler)"), std::string::npos) << e;
  e = error_of([&] { p.set("Tint.tint", 1.0f); });
  EXPECT_NE(e.find("'Tint.tint' is vec4, 16 bytes; the value given has 4"), std::string::npos) << e;
  e = error_of([&] { p.set("Tint.tnt", 1.0f); });
  EXPECT_NE(e.find("no uniform block member named 'Tint.tnt'"), std::string::npos) << e;
  e = error_of([&] { p.push("x", 1.0f); });
  EXPECT_NE(e.find("no push constants"), std::string::npos) << e;

  Program c(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(prog_params_comp)}}, .name = "params"});
  e = error_of([&] { c.set("Params.count", 1.5f); });  // same size, wrong type
  EXPECT_NE(e.find("'Params.count' is uint; the value given is float"), std::string::npos) << e;
  e = error_of([&] { c.bind("out_buf", buffer); });  // a uniform-only buffer for a storage buffer
  EXPECT_NE(e.find("lacks VK_BUFFER_USAGE_STORAGE_BUFFER_BIT"), std::string::npos) << e;
  e = error_of([&] { run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) { c.record(cmd); }); });
  EXPECT_NE(e.find("nothing bound to 'out_buf'"), std::string::npos) << e;
}

TEST_F(ProgramErrors, StageInterfaceMismatch) {
  std::string e = error_of([&] {
    Program p(*ctx, {.modules = {{.stage = ShaderStage::Vertex, .spirv = words(prog_fullscreen_vert)},
                                 {.stage = ShaderStage::Fragment, .spirv = words(prog_missing_input_frag)}},
                     .name = "missing"});
  });
  EXPECT_NE(e.find("creating program 'missing'"), std::string::npos) << e;
  EXPECT_NE(e.find("fragment input location 1 'normal' (vec3) is not written by the vertex stage"), std::string::npos) << e;
  EXPECT_NE(e.find("location 0 'uv' (vec2)"), std::string::npos) << e;

  e = error_of([&] {
    Program p(*ctx, {.modules = {{.stage = ShaderStage::Vertex, .spirv = words(prog_fullscreen_vert)},
                                 {.stage = ShaderStage::Fragment, .spirv = words(prog_wrong_type_frag)}},
                     .name = "wrong"});
  });
  EXPECT_NE(e.find("fragment input location 0 'uv' is vec4 but the vertex stage writes 'uv' as vec2"), std::string::npos) << e;

  e = error_of([&] {
    Program p(*ctx, {.modules = {{.stage = ShaderStage::Vertex, .spirv = words(prog_binding_clash_vert), .name = "clash.vert"},
                                 {.stage = ShaderStage::Fragment, .spirv = words(prog_textured_frag), .name = "textured.frag"}},
                     .name = "clash"});
  });
  EXPECT_NE(e.find("set 0 binding 0 is 'clash' (uniform buffer) in clash.vert but 'albedo' (combined image sampler) in "
                   "textured.frag"), std::string::npos) << e;
}

TEST_P(ProgramTest, ProgramsShareSetZero) {
  Program a(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(prog_share_a_comp)}}, .name = "a"});
  Program b(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(prog_share_b_comp)}}, .name = "b"});
  Program c(*ctx, {.modules = {{.stage = ShaderStage::Compute, .spirv = words(prog_mismatch_set_comp)}}, .name = "c"});
  const std::string e = error_of([&] { c.share_set(0, a); });
  EXPECT_NE(e.find("share_set(0): the layouts differ"), std::string::npos) << e;

  b.share_set(0, a);
  Buffer out_a = readback_storage(*ctx, 32 * 4, "out.a"), out_b = readback_storage(*ctx, 32 * 4, "out.b");
  a.bind("out_a", out_a);
  b.bind("out_b", out_b);
  b.set("Globals.base", 100u);  // through b, into the set both use

  BindingState state;
  run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
    a.record(cmd, &state);
    const VkDescriptorSet set0 = state.points[1].sets[0];
    const VkDescriptorSet a_set1 = state.points[1].sets[1];
    cmd.dispatch(2);
    b.record(cmd, &state);
    // Set 0 stayed bound (same set, compatible layouts); set 1 is b's own.
    EXPECT_EQ(state.points[1].sets[0], set0);
    EXPECT_NE(state.points[1].sets[1], a_set1);
    cmd.dispatch(2);
    cmd.use(out_a, Use::HostRead);
    cmd.use(out_b, Use::HostRead);
  });
  a.update();
  b.update();
  const auto va = read<uint32_t>(out_a, 32), vb = read<uint32_t>(out_b, 32);
  for (uint32_t i = 0; i < 32; ++i) {
    ASSERT_EQ(va[i], 100u + i) << i;
    ASSERT_EQ(vb[i], 200u + i) << i;
  }
}

// ---- hot reload ----

const char* kReloadSource = R"(#version 450
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) writeonly buffer Out { uint values[]; } result;
#include "value.glsl"
void main() { result.values[gl_GlobalInvocationID.x] = VALUE + gl_GlobalInvocationID.x; }
)";

void write_file(const std::filesystem::path& path, const std::string& text) {
  // Write and rename, as editors do: the watcher never sees half a file.
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
  }
  std::filesystem::rename(tmp, path);
}

class ProgramReload : public test::GpuTest {};

TEST_F(ProgramReload, RecompilesSwapsAndKeepsTheOldPipelineOnErrors) {
  const std::filesystem::path dir = std::filesystem::path(test::test_output_dir()) / "program_reload";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_file(dir / "reload.comp", kReloadSource);
  write_file(dir / "value.glsl", "#define VALUE 1000u\n");

  ShaderCompiler compiler({.directory = "-"});
  Program p(*ctx, compiler, {.sources = {{.path = (dir / "reload.comp").string()}}, .name = "reload", .hot_reload = true});
  Buffer out = readback_storage(*ctx, 16 * 4, "out");
  p.bind("result", out);
  auto run = [&] {
    run_now(*ctx, QueueKind::Graphics, [&](CommandBuffer& cmd) {
      p.record(cmd);
      cmd.dispatch(1);
      cmd.use(out, Use::HostRead);
    });
    return read<uint32_t>(out, 16);
  };
  auto wait_attempts = [&](uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (p.reload_attempts() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return p.reload_attempts() >= n;
  };
  EXPECT_EQ(run()[3], 1003u);
  EXPECT_FALSE(p.update());

  // A change in the included file: recompiled in the background, swapped by update().
  write_file(dir / "value.glsl", "#define VALUE 2000u\n");
  ASSERT_TRUE(wait_attempts(1)) << "no reload within 20 s";
  EXPECT_EQ(p.reload_error(), "");
  EXPECT_TRUE(p.update());
  EXPECT_EQ(run()[3], 2003u);

  // A broken version: the error is logged and the old pipeline stays.
  std::mutex mutex;
  std::vector<std::string> errors;
  set_log_callback([&](const LogMessage& m) {
    if (m.source == LogSource::Validation && m.level >= LogLevel::Warn) ADD_FAILURE() << "validation: " << m.text;
    if (m.level == LogLevel::Error && m.source == LogSource::Kiln) {
      std::lock_guard lock(mutex);
      errors.emplace_back(m.text);
    }
  });
  write_file(dir / "reload.comp", std::string(kReloadSource) + "this is not GLSL\n");
  const bool attempted = wait_attempts(2);
  test::ValidationSink::get().install();  // back to the fixture's sink
  ASSERT_TRUE(attempted) << "no reload attempt within 20 s";
  EXPECT_FALSE(p.update());
  EXPECT_NE(p.reload_error().find("reload.comp:6"), std::string::npos) << p.reload_error();
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("hot reload failed, keeping the previous pipeline"), std::string::npos) << errors[0];
  }
  EXPECT_EQ(run()[3], 2003u);

  // Fixed again: reloads.
  write_file(dir / "reload.comp", kReloadSource);
  write_file(dir / "value.glsl", "#define VALUE 3000u\n");
  ASSERT_TRUE(wait_attempts(3));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool swapped = false;
  while (!swapped && std::chrono::steady_clock::now() < deadline) {
    swapped = p.update();
    if (!swapped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(swapped);
  // Both files may have been picked up in one or two rebuilds; wait for the last one.
  for (int i = 0; i < 100 && run()[3] != 3003u; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    p.update();
  }
  EXPECT_EQ(run()[3], 3003u);
}

}  // namespace
}  // namespace kiln
