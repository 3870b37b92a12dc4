// reflect_dump FILE.spv [ENTRY]: prints kiln's reflection JSON of a SPIR-V file (for the
// spirv-cross agreement test; users have `kiln shader reflect`).
#include "kiln/error.h"
#include "kiln/spirv.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s FILE.spv [ENTRY]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open\n", argv[1]);
    return 1;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<uint32_t> words(bytes.size() / 4);
  std::copy_n(bytes.data(), words.size() * 4, reinterpret_cast<char*>(words.data()));
  try {
    kiln::Reflection r = kiln::reflect_spirv(words, argc > 2 ? argv[2] : "");
    std::cout << kiln::reflection_json(r) << "\n";
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "%s: %s\n", argv[1], e.what());
    return 1;
  }
  return 0;
}
