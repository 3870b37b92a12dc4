// The procedural generator: layouts and sizes, determinism per (parameters, frame, field), frames that
// move, sizing by bytes, parameters through metadata, and a written sequence read back byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "kiln/jobs.h"
#include "kiln/sequence_file.h"
#include "stream/stream_test_util.h"
#include "kiln/sequence_gen.h"

namespace {

using namespace kiln;

using kiln::test::scratch_path;

std::vector<uint8_t> field(const GeneratorParams& p, uint32_t frame, uint32_t f) {
  std::vector<uint8_t> out(generator_field_size(p, f));
  generate_field(p, frame, f, out);
  return out;
}

TEST(SequenceGen, PointCloudLayoutAndSizes) {
  const GeneratorParams p{.kind = GeneratorKind::PointCloud, .frames = 10, .points = 1000, .texture_size = 32};
  const SequenceLayout l = generator_layout(p);
  ASSERT_EQ(l.fields.size(), 3u);
  EXPECT_EQ(l.fields[0].name, "positions");
  EXPECT_EQ(l.fields[0].element_size, 16u);
  EXPECT_EQ(l.fields[1].name, "colors");
  EXPECT_EQ(l.fields[1].element_size, 4u);
  EXPECT_EQ(l.fields[2].name, "albedo");
  EXPECT_EQ(l.fields[2].kind, FieldKind::Image2D);
  EXPECT_EQ(l.fields[2].format, VK_FORMAT_R8G8B8A8_UNORM);
  EXPECT_EQ(generator_field_size(p, 0), 16000u);
  EXPECT_EQ(generator_field_size(p, 1), 4000u);
  EXPECT_EQ(generator_field_size(p, 2), 32u * 32u * 4u);
  EXPECT_EQ(generator_frame_size(p), 16000u + 4000u + 4096u);
  EXPECT_THROW(generator_field_size(p, 3), Error);
  GeneratorParams no_tex = p;
  no_tex.texture_size = 0;
  EXPECT_EQ(generator_layout(no_tex).fields.size(), 2u);
  EXPECT_THROW(generator_field_size(no_tex, 2), Error);
}

TEST(SequenceGen, MeshLayoutAndSizes) {
  const GeneratorParams p{.kind = GeneratorKind::Mesh, .frames = 4, .grid = 17};
  const SequenceLayout l = generator_layout(p);
  ASSERT_EQ(l.fields.size(), 2u);
  EXPECT_EQ(l.fields[0].name, "vertices");
  EXPECT_EQ(l.fields[0].element_size, 24u);
  EXPECT_EQ(l.fields[1].name, "indices");
  EXPECT_EQ(generator_field_size(p, 0), 17u * 17u * 24u);
  EXPECT_EQ(generator_field_size(p, 1), 16u * 16u * 6u * 4u);
  // Indices: every triangle's vertices exist, every cell has two triangles.
  const auto idx = field(p, 0, 1);
  std::vector<uint32_t> v(idx.size() / 4);
  std::memcpy(v.data(), idx.data(), idx.size());
  EXPECT_EQ(*std::max_element(v.begin(), v.end()), 17u * 17u - 1);
  EXPECT_EQ(v[0], 0u);
  EXPECT_EQ(v[1], 17u);
  EXPECT_EQ(v[2], 1u);
  // Vertices: a grid over [-1, 1]² with unit normals, and a surface that moves with the frame.
  const auto a = field(p, 0, 0), b = field(p, 1, 0);
  std::vector<float> fa(a.size() / 4);
  std::memcpy(fa.data(), a.data(), a.size());
  EXPECT_FLOAT_EQ(fa[0], -1.0f);
  EXPECT_FLOAT_EQ(fa[2], -1.0f);
  EXPECT_FLOAT_EQ(fa[(17 * 17 - 1) * 6], 1.0f);
  for (size_t k = 0; k < fa.size(); k += 6) {
    const float n = std::sqrt(fa[k + 3] * fa[k + 3] + fa[k + 4] * fa[k + 4] + fa[k + 5] * fa[k + 5]);
    ASSERT_NEAR(n, 1.0f, 1e-4f);
    ASSERT_LT(std::abs(fa[k + 1]), 0.5f);
  }
  EXPECT_NE(a, b);
  EXPECT_THROW(generator_layout({.kind = GeneratorKind::Mesh, .grid = 1}), Error);
}

TEST(SequenceGen, DeterministicAndAnimated) {
  const GeneratorParams p{.frames = 8, .points = 4099, .texture_size = 40, .seed = 5};
  for (uint32_t f = 0; f < 3; ++f) {
    EXPECT_EQ(field(p, 3, f), field(p, 3, f)) << "field " << f;
    EXPECT_NE(field(p, 3, f), field(p, 4, f)) << "field " << f;
  }
  GeneratorParams other = p;
  other.seed = 6;
  EXPECT_NE(field(p, 3, 0), field(other, 3, 0));
  // Positions are finite, w = 1, inside the unit-ish ball.
  const auto pos = field(p, 2, 0);
  std::vector<float> xyzw(pos.size() / 4);
  std::memcpy(xyzw.data(), pos.data(), pos.size());
  for (size_t k = 0; k < xyzw.size(); k += 4) {
    ASSERT_TRUE(std::isfinite(xyzw[k]) && std::isfinite(xyzw[k + 1]) && std::isfinite(xyzw[k + 2]));
    ASSERT_EQ(xyzw[k + 3], 1.0f);
    ASSERT_LT(std::abs(xyzw[k]), 1.3f);
    ASSERT_LT(std::abs(xyzw[k + 1]), 1.0f);
  }
  // A field depends on its own parameters only: the point count changes nothing about point 0.
  GeneratorParams more = p;
  more.points = 10000;
  const auto small = field(p, 1, 0), big = field(more, 1, 0);
  EXPECT_TRUE(std::equal(small.begin(), small.end(), big.begin()));
  std::vector<uint8_t> wrong(5);
  EXPECT_THROW(generate_field(p, 0, 0, wrong), Error);
}

TEST(SequenceGen, ParamsForSizeAndNames) {
  const GeneratorParams p = generator_params_for_size(GeneratorKind::PointCloud, uint64_t(1) << 30, 64);
  const double total = double(generator_frame_size(p)) * p.frames;
  EXPECT_NEAR(total / double(1 << 30), 1.0, 0.01);
  const GeneratorParams m = generator_params_for_size(GeneratorKind::Mesh, uint64_t(256) << 20, 16);
  EXPECT_NEAR(double(generator_frame_size(m)) * m.frames / double(256 << 20), 1.0, 0.05);
  EXPECT_EQ(parse_generator_kind("mesh"), GeneratorKind::Mesh);
  EXPECT_STREQ(generator_kind_name(GeneratorKind::PointCloud), "points");
  try {
    parse_generator_kind("cloud");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("points, mesh"), std::string::npos);
  }
  EXPECT_EQ(parse_compression("zstd"), Compression::Zstd);
  EXPECT_THROW(parse_compression("gzip"), Error);
}

TEST(SequenceGen, ParamsRoundTripThroughMetadata) {
  const GeneratorParams p{.kind = GeneratorKind::Mesh, .frames = 9, .grid = 33, .texture_size = 8,
                          .seed = 0xfedcba9876543210ull};
  GeneratorParams back;
  ASSERT_TRUE(generator_params_from_metadata(generator_layout(p).metadata, back));
  EXPECT_EQ(back.kind, p.kind);
  EXPECT_EQ(back.frames, p.frames);
  EXPECT_EQ(back.grid, p.grid);
  EXPECT_EQ(back.texture_size, p.texture_size);
  EXPECT_EQ(back.seed, p.seed);
  EXPECT_FALSE(generator_params_from_metadata("", back));
  EXPECT_FALSE(generator_params_from_metadata("{\"test\": true}", back));
  EXPECT_FALSE(generator_params_from_metadata("{\"generator\": \"kiln\", \"kind\": 3}", back));
}

class SequenceGenWrite : public ::testing::TestWithParam<bool> {};

TEST_P(SequenceGenWrite, WrittenSequenceMatchesRecomputedFrames) {
  const bool use_pool = GetParam();
  const GeneratorParams p{.frames = 13, .points = 3000, .texture_size = 16, .seed = 3};
  const std::string path = scratch_path(use_pool ? "pool.kseq" : "inline.kseq");
  JobPool jobs({.threads = 3});
  std::vector<std::pair<uint32_t, uint32_t>> calls;
  write_generated_sequence(path, p, {.compression = Compression::Lz4}, use_pool ? &jobs : nullptr,
                           [&](uint32_t done, uint32_t total) { calls.emplace_back(done, total); });
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front(), std::make_pair(0u, 13u));
  EXPECT_EQ(calls.back(), std::make_pair(13u, 13u));
  for (size_t k = 1; k < calls.size(); ++k) EXPECT_LE(calls[k - 1].first, calls[k].first);

  SequenceReader r(path);
  GeneratorParams back;
  ASSERT_TRUE(generator_params_from_metadata(r.layout().metadata, back));
  EXPECT_EQ(back.points, p.points);
  ASSERT_EQ(r.frame_count(), p.frames);
  for (uint32_t i = 0; i < p.frames; ++i) {
    for (uint32_t f = 0; f < 3; ++f) {
      std::vector<uint8_t> got(r.blob(i, f).raw_size);
      r.read(i, f, got, true);
      ASSERT_EQ(got, field(p, i, f)) << "frame " << i << " field " << f;
    }
  }
  EXPECT_TRUE(r.verify().ok());
}

INSTANTIATE_TEST_SUITE_P(Threads, SequenceGenWrite, ::testing::Bool(),
                         [](const auto& param_info) { return param_info.param ? "JobPool" : "CallingThread"; });

TEST(SequenceGen, WriteFromInsideAJobRunsInline) {
  const GeneratorParams p{.kind = GeneratorKind::Mesh, .frames = 3, .grid = 9};
  const std::string path = scratch_path("kseq");
  JobPool jobs({.threads = 1});
  jobs.submit([&](const JobControl&) { write_generated_sequence(path, p, {}, &jobs); }).wait();
  SequenceReader r(path);
  EXPECT_EQ(r.frame_count(), 3u);
  EXPECT_TRUE(r.verify().ok());
}

}  // namespace
