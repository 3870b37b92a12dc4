// Helpers the stream layer's tests share: byte patterns, plain device buffers, scratch files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "kiln/buffer.h"

namespace kiln::test {

// n bytes that differ from any other seed's (an LCG), so a misplaced copy shows.
inline std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 7;
  for (uint8_t& b : v) {
    x = x * 1664525u + 1013904223u;
    b = uint8_t(x >> 24);
  }
  return v;
}

// A DeviceOnly buffer that can be uploaded to and read back.
inline Buffer device_buffer(Context& ctx, VkDeviceSize size, const char* name) {
  return Buffer(ctx, {.size = size,
                      .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                      .name = name});
}

// test-out/stream/<Suite>.<Test>.<suffix> (KILN_TEST_OUT, else the temp directory).
inline std::string scratch_path(const std::string& suffix) {
  const char* env = std::getenv("KILN_TEST_OUT");
  std::filesystem::path dir = env ? std::filesystem::path(env) : std::filesystem::temp_directory_path();
  dir /= "stream";
  std::filesystem::create_directories(dir);
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name() + "." + suffix;
  std::replace(name.begin(), name.end(), '/', '_');
  return (dir / name).string();
}

}  // namespace kiln::test
