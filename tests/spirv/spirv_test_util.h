// Loading the build-time compiled test shaders (KILN_SPIRV_TEST_DIR) for the reflection tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kiln::test {

inline std::vector<uint32_t> load_spirv(const std::string& name) {
  std::string path = std::string(KILN_SPIRV_TEST_DIR) + "/" + name + ".spv";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<uint32_t> words(bytes.size() / 4);
  for (size_t i = 0; i < words.size(); ++i) {
    words[i] = static_cast<uint32_t>(static_cast<unsigned char>(bytes[4 * i])) |
               static_cast<uint32_t>(static_cast<unsigned char>(bytes[4 * i + 1])) << 8 |
               static_cast<uint32_t>(static_cast<unsigned char>(bytes[4 * i + 2])) << 16 |
               static_cast<uint32_t>(static_cast<unsigned char>(bytes[4 * i + 3])) << 24;
  }
  return words;
}

inline const std::vector<std::string>& test_shader_names() {
  static const std::vector<std::string> names = {
      "reflect_compute.comp", "reflect_vertex.vert",  "reflect_fragment.frag",
      "reflect_raygen.rgen",  "reflect_legacy.comp", "reflect_subpass.frag"};
  return names;
}

}  // namespace kiln::test
