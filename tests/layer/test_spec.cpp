// The spec grammar and what counts for a spec (src/layer/select/spec.h), without Vulkan.
#include <gtest/gtest.h>

#include "select/spec.h"

namespace kiln::layer {
namespace {

// A record of the given kind (what spec_counts reads), replaying and printing nothing.
struct FakeCmd : Cmd {
  CmdType fake{"vkCmdFake", Op::Generic, Kind::Other, uint32_t(sizeof(Cmd)), [](const Cmd&, VkCommandBuffer, const DeviceDispatch&) {},
               [](const Cmd&, std::ostream&) {}};
  explicit FakeCmd(Kind k) {
    fake.kind = k;
    type = &fake;
  }
};

TEST(LayerSpec, Parses) {
  Spec s;
  std::string error;
  ASSERT_TRUE(parse_spec("draw:12", &s, &error));
  EXPECT_EQ(s.kind, Kind::Draw);
  EXPECT_EQ(s.index, 12u);
  EXPECT_TRUE(s.label.empty());
  ASSERT_TRUE(parse_spec("dispatch", &s, &error));
  EXPECT_EQ(s.kind, Kind::Dispatch);
  EXPECT_EQ(s.index, 1u);
  ASSERT_TRUE(parse_spec("label:Frame/Shadows/copy:2", &s, &error));
  EXPECT_EQ(s.label, "Frame/Shadows");
  EXPECT_EQ(s.kind, Kind::Copy);
  EXPECT_EQ(s.index, 2u);
  ASSERT_TRUE(parse_spec("any:3", &s, &error));
  EXPECT_TRUE(s.any);
}

TEST(LayerSpec, Rejects) {
  Spec s;
  std::string error;
  for (const char* bad : {"draw:0", "draw:x", "drawx:1", "label:Shadows", "label:/draw:1", "", "draw:1x"}) {
    EXPECT_FALSE(parse_spec(bad, &s, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(LayerSpec, CountsByKindAndLabel) {
  Spec s;
  std::string error;
  FakeCmd draw(Kind::Draw), dispatch(Kind::Dispatch), other(Kind::Other), copy(Kind::Copy);
  ASSERT_TRUE(parse_spec("draw:1", &s, &error));
  EXPECT_TRUE(spec_counts(s, draw, {}));
  EXPECT_FALSE(spec_counts(s, dispatch, {}));
  EXPECT_FALSE(spec_counts(s, other, {}));
  ASSERT_TRUE(parse_spec("any", &s, &error));
  EXPECT_TRUE(spec_counts(s, copy, {}));
  EXPECT_FALSE(spec_counts(s, other, {}));
  ASSERT_TRUE(parse_spec("label:Shadows/draw", &s, &error));
  EXPECT_TRUE(spec_counts(s, draw, {"Frame", "Shadows"}));
  EXPECT_TRUE(spec_counts(s, draw, {"Frame", "Shadows", "Cascade0"}));  // nested deeper: still inside
  EXPECT_FALSE(spec_counts(s, draw, {"Frame", "Opaque"}));
  EXPECT_FALSE(spec_counts(s, draw, {"ShadowsX"}));
  ASSERT_TRUE(parse_spec("label:Frame/Shadows/draw", &s, &error));
  EXPECT_TRUE(spec_counts(s, draw, {"Frame", "Shadows"}));
  EXPECT_TRUE(spec_counts(s, draw, {"Outer", "Frame", "Shadows"}));
  EXPECT_FALSE(spec_counts(s, draw, {"Frame", "Opaque"}));
  EXPECT_EQ(label_path({"Frame", "Shadows"}), "Frame/Shadows");
}

TEST(LayerSpec, When) {
  KilnWhen w;
  EXPECT_TRUE(parse_when("before", &w));
  EXPECT_EQ(w, KilnWhen::Before);
  EXPECT_TRUE(parse_when("both", &w));
  EXPECT_EQ(w, KilnWhen::Both);
  EXPECT_FALSE(parse_when("during", &w));
  EXPECT_STREQ(when_name(KilnWhen::After), "after");
}

}  // namespace
}  // namespace kiln::layer
