#include <gtest/gtest.h>

#include <vector>

#include "kiln/context.h"
#include "kiln/error.h"
#include "kiln/features.h"
#include "kiln/log.h"
#include "kiln/slice.h"

namespace kiln {
namespace {

TEST(Error, ReadsOutermostContextFirst) {
  try {
    with_context("creating image 'gbuffer.albedo'", [] { check(VK_ERROR_OUT_OF_DEVICE_MEMORY, "vkCreateImage"); });
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "creating image 'gbuffer.albedo': vkCreateImage: VK_ERROR_OUT_OF_DEVICE_MEMORY");
    EXPECT_EQ(e.result(), VK_ERROR_OUT_OF_DEVICE_MEMORY);
    EXPECT_EQ(e.call(), "vkCreateImage");
    ASSERT_EQ(e.context().size(), 1u);
  }
}

TEST(Error, NestedContexts) {
  try {
    with_context("loading scene", [] {
      with_context("creating buffer 'vertices'", [] { throw Error("size is 0; give BufferDesc::size > 0"); });
    });
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "loading scene: creating buffer 'vertices': size is 0; give BufferDesc::size > 0");
    EXPECT_EQ(e.result(), VK_SUCCESS);
  }
}

TEST(Error, LazyContextIsBuiltOnlyOnError) {
  int built = 0;
  auto what = [&] {
    ++built;
    return std::string("uploading 12 bytes");
  };
  EXPECT_EQ(with_context(what, [] { return 7; }), 7);
  EXPECT_EQ(built, 0);
  try {
    with_context(what, [] { throw Error("no room"); });
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "uploading 12 bytes: no room");
  }
  EXPECT_EQ(built, 1);
}

TEST(Error, SuccessAndPositiveCodesDoNotThrow) {
  EXPECT_NO_THROW(check(VK_SUCCESS, "x"));
  EXPECT_NO_THROW(check(VK_INCOMPLETE, "x"));
  EXPECT_STREQ(result_name(VK_ERROR_DEVICE_LOST), "VK_ERROR_DEVICE_LOST");
}

TEST(Log, CallbackLevelsAndOnce) {
  std::vector<std::string> seen;
  set_log_callback([&](const LogMessage& m) { seen.emplace_back(m.text); });
  LogLevel before = log_level();
  set_log_level(LogLevel::Warn);
  log(LogLevel::Info, "hidden");
  log(LogLevel::Warn, "shown");
  log_once(LogLevel::Error, "key", "once");
  log_once(LogLevel::Error, "key", "once");
  set_log_level(before);
  set_log_callback({});
  EXPECT_EQ(seen, (std::vector<std::string>{"shown", "once"}));
}

TEST(Features, NamesRoundTrip) {
  for (uint32_t i = 0; i < uint32_t(Feature::Count); ++i) {
    Feature f;
    ASSERT_TRUE(parse_feature(feature_name(Feature(i)), &f));
    EXPECT_EQ(uint32_t(f), i);
  }
  Feature f;
  EXPECT_FALSE(parse_feature("warp_drive", &f));
  FeatureSet s{Feature::MeshShader, Feature::RayQuery};
  EXPECT_TRUE(s.has(Feature::MeshShader));
  EXPECT_FALSE(s.has(Feature::DynamicRendering));
  EXPECT_EQ(s.list().size(), 2u);
}

TEST(Validation, ParsesNames) {
  Validation v;
  EXPECT_TRUE(parse_validation("sync", &v));
  EXPECT_EQ(v, Validation::Synchronization);
  EXPECT_TRUE(parse_validation("off", &v));
  EXPECT_EQ(v, Validation::Off);
  EXPECT_FALSE(parse_validation("loud", &v));
}

TEST(Slice, FromListVectorAndOne) {
  auto sum = [](Slice<int> s) {
    int t = 0;
    for (int x : s) t += x;
    return t;
  };
  std::vector<int> v{4, 5};
  int one = 7;
  EXPECT_EQ(sum({1, 2, 3}), 6);
  EXPECT_EQ(sum(v), 9);
  EXPECT_EQ(sum(one), 7);
  EXPECT_EQ(sum({}), 0);
}

}  // namespace
}  // namespace kiln
