// Reflection of the test shaders in tests/data/shaders, compiled by glslangValidator at build
// time: specific expected values for every kind of thing reflected.
#include "kiln/error.h"
#include "kiln/spirv.h"
#include "spirv_test_util.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

namespace {

using kiln::test::load_spirv;

const kiln::DescriptorBinding& get(const kiln::Reflection& r, std::string_view name) {
  const kiln::DescriptorBinding* b = r.find(name);
  if (!b) throw std::runtime_error("no binding " + std::string(name));
  return *b;
}

TEST(SpirvReflect, ComputeEntryPointAndWorkgroupSize) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_compute.comp"));
  ASSERT_EQ(r.entry_points.size(), 1u);
  EXPECT_EQ(r.entry_points[0].name, "main");
  EXPECT_EQ(r.entry_points[0].stage, kiln::ShaderStage::Compute);
  EXPECT_EQ(r.entry_points[0].workgroup_size, (std::array<uint32_t, 3>{8, 4, 1}));
  EXPECT_TRUE(r.inputs.empty());
  EXPECT_TRUE(r.outputs.empty());
}

TEST(SpirvReflect, ComputeBindingsSortedWithTypesAndAccess) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_compute.comp"));
  ASSERT_EQ(r.bindings.size(), 6u);
  std::vector<std::pair<uint32_t, uint32_t>> slots;
  for (const auto& b : r.bindings) slots.emplace_back(b.set, b.binding);
  EXPECT_EQ(slots, (std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 3}}));

  const auto& src = get(r, "src");
  EXPECT_EQ(src.type, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
  EXPECT_TRUE(src.non_writable);
  EXPECT_TRUE(src.read);
  EXPECT_FALSE(src.written);
  EXPECT_EQ(src.stages, VK_SHADER_STAGE_COMPUTE_BIT);

  // Written only inside store_pair(), reached through OpFunctionCall.
  const auto& dst = get(r, "dst");
  EXPECT_EQ(dst.type, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
  EXPECT_FALSE(dst.non_writable);
  EXPECT_TRUE(dst.written);
  EXPECT_FALSE(dst.read);
  ASSERT_TRUE(dst.block);
  EXPECT_EQ(dst.block->type_name, "Output");
  EXPECT_EQ(dst.block->size, 8u);   // the runtime array adds nothing
  ASSERT_EQ(dst.block->members.size(), 2u);
  EXPECT_EQ(dst.block->members[1].name, "pairs");
  EXPECT_EQ(dst.block->members[1].type, "vec2");
  EXPECT_EQ(dst.block->members[1].offset, 8u);
  EXPECT_EQ(dst.block->members[1].array_size, UINT32_MAX);
  EXPECT_EQ(dst.block->members[1].array_stride, 8u);
  EXPECT_EQ(r.find("Output"), &dst);   // blocks answer to their type name too

  const auto& result = get(r, "result");
  EXPECT_EQ(result.type, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE);
  EXPECT_EQ(result.format, VK_FORMAT_R8G8B8A8_UNORM);
  EXPECT_EQ(result.dim, 1u);
  EXPECT_FALSE(result.arrayed);
  EXPECT_TRUE(result.non_readable);
  EXPECT_TRUE(result.written);
  EXPECT_FALSE(result.read);

  const auto& history = get(r, "history");
  EXPECT_EQ(history.type, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE);
  EXPECT_EQ(history.format, VK_FORMAT_R32_SFLOAT);
  EXPECT_TRUE(history.arrayed);
  EXPECT_TRUE(history.non_writable);
  EXPECT_TRUE(history.read);
  EXPECT_FALSE(history.written);

  const auto& unused = get(r, "unused");
  EXPECT_EQ(unused.stages, 0u);
  EXPECT_FALSE(unused.read);
  EXPECT_FALSE(unused.written);
}

TEST(SpirvReflect, UniformBlockLayoutWithNestedStructArraysAndMatrices) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_compute.comp"));
  const auto& params = get(r, "params");
  EXPECT_EQ(params.type, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER);
  EXPECT_EQ(params.set, 0u);
  EXPECT_EQ(params.binding, 0u);
  EXPECT_EQ(params.count, 1u);
  EXPECT_TRUE(params.read);
  EXPECT_FALSE(params.written);
  ASSERT_TRUE(params.block);
  const auto& b = *params.block;
  EXPECT_EQ(b.type_name, "Params");
  EXPECT_EQ(b.size, 308u);
  ASSERT_EQ(b.members.size(), 6u);

  EXPECT_EQ(b.members[0].name, "transform");
  EXPECT_EQ(b.members[0].type, "mat4");
  EXPECT_EQ(b.members[0].size, 64u);
  EXPECT_EQ(b.members[0].matrix_stride, 16u);
  EXPECT_FALSE(b.members[0].row_major);

  const auto& lights = b.members[1];
  EXPECT_EQ(lights.type, "struct Light");
  EXPECT_EQ(lights.offset, 64u);
  EXPECT_EQ(lights.array_size, 2u);
  EXPECT_EQ(lights.array_stride, 64u);
  EXPECT_EQ(lights.size, 64u);
  ASSERT_EQ(lights.members.size(), 3u);
  EXPECT_EQ(lights.members[1].name, "intensity");
  EXPECT_EQ(lights.members[1].offset, 12u);
  EXPECT_EQ(lights.members[2].type, "mat3");
  EXPECT_EQ(lights.members[2].offset, 16u);
  EXPECT_EQ(lights.members[2].size, 48u);
  EXPECT_EQ(lights.members[2].matrix_stride, 16u);

  EXPECT_EQ(b.members[2].name, "tint");
  EXPECT_EQ(b.members[2].offset, 192u);
  const auto& skew = b.members[3];
  EXPECT_EQ(skew.type, "mat2x3");
  EXPECT_EQ(skew.offset, 208u);
  EXPECT_TRUE(skew.row_major);
  EXPECT_EQ(skew.matrix_stride, 16u);
  EXPECT_EQ(skew.size, 48u);   // row-major: 3 rows of 16 bytes
  const auto& weights = b.members[4];
  EXPECT_EQ(weights.offset, 256u);
  EXPECT_EQ(weights.array_size, 3u);
  EXPECT_EQ(weights.array_stride, 16u);   // std140
  EXPECT_EQ(weights.size, 4u);
  EXPECT_EQ(b.members[5].name, "count");
  EXPECT_EQ(b.members[5].offset, 304u);
}

TEST(SpirvReflect, PushConstantsAndSpecConstants) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_compute.comp"));
  ASSERT_TRUE(r.push_constants);
  EXPECT_EQ(r.push_constants->type_name, "Push");
  EXPECT_EQ(r.push_constants->size, 16u);
  ASSERT_EQ(r.push_constants->members.size(), 3u);
  EXPECT_EQ(r.push_constants->members[1].name, "gain");
  EXPECT_EQ(r.push_constants->members[1].offset, 4u);
  EXPECT_EQ(r.push_constants->members[2].type, "ivec2");
  EXPECT_EQ(r.push_constants->members[2].offset, 8u);

  ASSERT_EQ(r.spec_constants.size(), 3u);
  EXPECT_EQ(r.spec_constants[0].name, "kIterations");
  EXPECT_EQ(r.spec_constants[0].id, 0u);
  EXPECT_EQ(r.spec_constants[0].type, "int");
  EXPECT_EQ(r.spec_constants[0].default_bits, 3u);
  EXPECT_EQ(r.spec_constants[1].name, "kScale");
  EXPECT_EQ(r.spec_constants[1].type, "float");
  float scale = 0;
  uint32_t bits = static_cast<uint32_t>(r.spec_constants[1].default_bits);
  std::memcpy(&scale, &bits, 4);
  EXPECT_EQ(scale, 1.5f);
  EXPECT_EQ(r.spec_constants[2].id, 7u);
  EXPECT_EQ(r.spec_constants[2].type, "bool");
  EXPECT_EQ(r.spec_constants[2].default_bits, 1u);
}

TEST(SpirvReflect, VertexAttributesAndOutputs) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_vertex.vert"));
  EXPECT_EQ(r.entry_points[0].stage, kiln::ShaderStage::Vertex);
  ASSERT_EQ(r.inputs.size(), 6u);   // gl_VertexIndex & co. are not attributes
  struct Want { const char* name; uint32_t location; const char* type; VkFormat format; };
  const Want want[] = {{"in_position", 0, "vec3", VK_FORMAT_R32G32B32_SFLOAT},
                       {"in_uv", 1, "vec2", VK_FORMAT_R32G32_SFLOAT},
                       {"in_joints", 2, "uvec4", VK_FORMAT_R32G32B32A32_UINT},
                       {"in_offset", 3, "ivec2", VK_FORMAT_R32G32_SINT},
                       {"in_weight", 4, "float", VK_FORMAT_R32_SFLOAT},
                       {"in_color", 5, "vec4", VK_FORMAT_R32G32B32A32_SFLOAT}};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(r.inputs[i].name, want[i].name);
    EXPECT_EQ(r.inputs[i].location, want[i].location);
    EXPECT_EQ(r.inputs[i].type, want[i].type);
    EXPECT_EQ(r.inputs[i].format, want[i].format);
  }
  ASSERT_EQ(r.outputs.size(), 3u);   // gl_PerVertex is skipped
  EXPECT_EQ(r.outputs[2].name, "out_joint");
  EXPECT_EQ(r.outputs[2].format, VK_FORMAT_R32_UINT);
  // The anonymous uniform block is named by its type.
  const auto& camera = get(r, "Camera");
  EXPECT_EQ(camera.type, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER);
  EXPECT_EQ(camera.stages, VK_SHADER_STAGE_VERTEX_BIT);
  EXPECT_EQ(camera.block->size, 80u);
  EXPECT_EQ(camera.block->members[2].offset, 76u);
}

TEST(SpirvReflect, FragmentSamplersTexturesAndOutputs) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_fragment.frag"));
  const auto& albedo = get(r, "albedo");
  EXPECT_EQ(albedo.type, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
  EXPECT_EQ(albedo.count, 1u);
  EXPECT_TRUE(albedo.read);
  EXPECT_FALSE(albedo.written);
  EXPECT_EQ(albedo.stages, VK_SHADER_STAGE_FRAGMENT_BIT);
  const auto& shadows = get(r, "shadow_maps");
  EXPECT_EQ(shadows.count, 4u);
  EXPECT_TRUE(shadows.depth);
  const auto& bindless = get(r, "bindless");
  EXPECT_EQ(bindless.set, 2u);
  EXPECT_EQ(bindless.count, 0u);   // runtime-sized
  EXPECT_TRUE(bindless.read);
  const auto& detail = get(r, "detail");
  EXPECT_EQ(detail.type, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE);
  EXPECT_TRUE(detail.read);
  const auto& sampler = get(r, "linear_sampler");
  EXPECT_EQ(sampler.type, VK_DESCRIPTOR_TYPE_SAMPLER);
  EXPECT_TRUE(sampler.read);
  const auto& env = get(r, "environment");
  EXPECT_EQ(env.dim, 3u);   // Cube
  EXPECT_EQ(env.stages, 0u);   // declared, never sampled
  EXPECT_FALSE(env.read);
  const auto& material = get(r, "material");
  EXPECT_EQ(material.set, 1u);
  EXPECT_EQ(material.block->size, 24u);
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[0].name, "out_color");
  EXPECT_EQ(r.outputs[1].location, 1u);
  EXPECT_EQ(r.outputs[1].format, VK_FORMAT_R32G32_UINT);
  EXPECT_EQ(r.inputs.size(), 3u);
}

TEST(SpirvReflect, RayGenAccelerationStructure) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_raygen.rgen"));
  EXPECT_EQ(r.entry_points[0].stage, kiln::ShaderStage::RayGen);
  const auto& scene = get(r, "scene");
  EXPECT_EQ(scene.type, VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR);
  EXPECT_EQ(scene.stages, VK_SHADER_STAGE_RAYGEN_BIT_KHR);
  EXPECT_TRUE(scene.read);
  const auto& target = get(r, "target");
  EXPECT_EQ(target.format, VK_FORMAT_R16G16B16A16_SFLOAT);
  EXPECT_TRUE(target.written);
  EXPECT_TRUE(r.inputs.empty());   // ray payloads are not stage inputs
}

TEST(SpirvReflect, LegacyBufferBlockTexelBuffersAtomicsAndParameters) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_legacy.comp"));
  // Spec-constant workgroup size: the defaults (local_size_x_id = 3 defaults to 1).
  EXPECT_EQ(r.entry_points[0].workgroup_size, (std::array<uint32_t, 3>{1, 2, 1}));
  ASSERT_EQ(r.spec_constants.size(), 1u);
  EXPECT_EQ(r.spec_constants[0].id, 3u);
  EXPECT_EQ(r.spec_constants[0].default_bits, 1u);

  const auto& counters = get(r, "counters");   // Uniform + BufferBlock in SPIR-V 1.0
  EXPECT_EQ(counters.type, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
  EXPECT_TRUE(counters.read);      // atomics read and write
  EXPECT_TRUE(counters.written);
  const auto& data = get(r, "data");
  EXPECT_TRUE(data.non_writable);
  EXPECT_TRUE(data.read);
  EXPECT_FALSE(data.written);
  EXPECT_EQ(data.block->members[0].type, "double");
  EXPECT_EQ(data.block->members[0].array_stride, 8u);
  const auto& lengths = get(r, "lengths");
  EXPECT_TRUE(lengths.written);
  EXPECT_FALSE(lengths.read);
  EXPECT_EQ(get(r, "lookup").type, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER);
  const auto& histogram = get(r, "histogram");
  EXPECT_EQ(histogram.type, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER);
  EXPECT_EQ(histogram.format, VK_FORMAT_R32_UINT);
  EXPECT_TRUE(histogram.read);
  EXPECT_TRUE(histogram.written);
  // Written only through put()'s image parameter.
  const auto& volume = get(r, "volume");
  EXPECT_EQ(volume.dim, 2u);
  EXPECT_TRUE(volume.written);
  EXPECT_FALSE(volume.read);
  // imageSize() only: used, neither read nor written.
  const auto& scratch = get(r, "scratch");
  EXPECT_EQ(scratch.stages, VK_SHADER_STAGE_COMPUTE_BIT);
  EXPECT_FALSE(scratch.read);
  EXPECT_FALSE(scratch.written);
}

TEST(SpirvReflect, InputAttachmentsAndTextureArrays) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_subpass.frag"));
  const auto& albedo = get(r, "gbuffer_albedo");
  EXPECT_EQ(albedo.type, VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT);
  EXPECT_EQ(albedo.dim, 6u);
  EXPECT_TRUE(get(r, "gbuffer_depth").multisampled);
  const auto& layers = get(r, "layers");
  EXPECT_EQ(layers.type, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE);
  EXPECT_EQ(layers.count, 6u);
  EXPECT_TRUE(layers.arrayed);
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[1].location, 2u);
}

TEST(SpirvReflect, EntryPointByNameAndErrors) {
  auto words = load_spirv("reflect_compute.comp");
  EXPECT_NO_THROW(kiln::reflect_spirv(words, "main"));
  try {
    kiln::reflect_spirv(words, "nope");
    FAIL() << "expected an error";
  } catch (const kiln::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("main"), std::string::npos) << e.what();
  }
  std::vector<uint32_t> bad = words;
  bad[0] = 0x12345678;
  try {
    kiln::reflect_spirv(bad);
    FAIL();
  } catch (const kiln::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("SPIR-V word 0: bad magic", 0), 0u) << e.what();
  }
  bad = words;
  bad[3] = 0xFFFFFFFF;   // hostile id bound: rejected, not allocated
  EXPECT_THROW(kiln::reflect_spirv(bad), kiln::Error);
}

TEST(SpirvReflect, ByteSwappedModulesAreRead) {
  auto words = load_spirv("reflect_vertex.vert");
  for (uint32_t& w : words) w = __builtin_bswap32(w);
  auto r = kiln::reflect_spirv(words);
  EXPECT_EQ(r.inputs.size(), 6u);
}

TEST(SpirvReflect, JsonIsStableAndComplete) {
  auto r = kiln::reflect_spirv(load_spirv("reflect_compute.comp"));
  std::string json = kiln::reflection_json(r);
  EXPECT_EQ(json, kiln::reflection_json(kiln::reflect_spirv(load_spirv("reflect_compute.comp"))));
  for (const char* needle : {"\"entry_points\"", "\"workgroup_size\"", "\"storage_image\"", "\"row_major\": true",
                             "\"VK_FORMAT_R8G8B8A8_UNORM\"", "\"push_constants\"", "\"kScale\"", "\"written\": true"}) {
    EXPECT_NE(json.find(needle), std::string::npos) << needle;
  }
}

}  // namespace
