// Shader stage names, parsing and file-extension mapping (kiln/spirv.h).
#include "kiln/spirv.h"

#include <gtest/gtest.h>

TEST(ShaderStage, NamesRoundTripAndShortNamesParse) {
  for (uint32_t i = 0; i < static_cast<uint32_t>(kiln::ShaderStage::Count); ++i) {
    auto s = static_cast<kiln::ShaderStage>(i);
    kiln::ShaderStage parsed = kiln::ShaderStage::Count;
    ASSERT_TRUE(kiln::parse_shader_stage(kiln::shader_stage_name(s), &parsed)) << kiln::shader_stage_name(s);
    EXPECT_EQ(parsed, s);
    EXPECT_NE(kiln::shader_stage_bit(s), 0u);
  }
  kiln::ShaderStage s{};
  EXPECT_TRUE(kiln::parse_shader_stage("rchit", &s));
  EXPECT_EQ(s, kiln::ShaderStage::ClosestHit);
  EXPECT_TRUE(kiln::parse_shader_stage("comp", &s));
  EXPECT_EQ(s, kiln::ShaderStage::Compute);
  EXPECT_FALSE(kiln::parse_shader_stage("compute2", &s));
  EXPECT_EQ(kiln::shader_stage_bit(kiln::ShaderStage::Fragment), VK_SHADER_STAGE_FRAGMENT_BIT);
  EXPECT_EQ(kiln::shader_stage_bit(kiln::ShaderStage::Mesh), VK_SHADER_STAGE_MESH_BIT_EXT);
}

TEST(ShaderStage, FromPath) {
  EXPECT_EQ(kiln::stage_from_path("shaders/blur.comp"), kiln::ShaderStage::Compute);
  EXPECT_EQ(kiln::stage_from_path("blur.comp.hlsl"), kiln::ShaderStage::Compute);
  EXPECT_EQ(kiln::stage_from_path("a/b.c/lit.frag.glsl"), kiln::ShaderStage::Fragment);
  EXPECT_EQ(kiln::stage_from_path("hit.rahit"), kiln::ShaderStage::AnyHit);
  EXPECT_EQ(kiln::stage_from_path("x.tese"), kiln::ShaderStage::TessEval);
  EXPECT_EQ(kiln::stage_from_path("common.glsl"), std::nullopt);
  EXPECT_EQ(kiln::stage_from_path("dir.vert/file"), std::nullopt);
  EXPECT_EQ(kiln::stage_from_path("noext"), std::nullopt);
}
