// Randomised mutations of real modules: reflect_spirv must return or throw kiln::Error, never
// crash, hang or throw anything else (run this binary under ASan/UBSan too: -DKILN_SANITIZE=ON).
#include "kiln/error.h"
#include "kiln/spirv.h"
#include "spirv_test_util.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using kiln::test::load_spirv;
using kiln::test::test_shader_names;

std::vector<uint32_t> mutate(std::vector<uint32_t> w, std::mt19937& rng) {
  auto pick = [&](size_t n) { return n ? std::uniform_int_distribution<size_t>(0, n - 1)(rng) : 0; };
  uint32_t bound = w.size() > 3 ? w[3] : 100;
  int edits = 1 + static_cast<int>(pick(4));
  for (int e = 0; e < edits && !w.empty(); ++e) {
    size_t at = pick(w.size());
    switch (pick(9)) {
      case 0: w[at] ^= 1u << pick(32); break;                                           // bit flip
      case 1: w[at] = static_cast<uint32_t>(rng()); break;                              // random word
      case 2: w[at] = static_cast<uint32_t>(pick(bound + 4)); break;                    // random id
      case 3: w.insert(w.begin() + static_cast<long>(at), static_cast<uint32_t>(rng())); break;
      case 4: w.erase(w.begin() + static_cast<long>(at)); break;
      case 5: w.resize(pick(w.size())); break;                                          // truncate
      case 6: w[at] = (w[at] & 0xFFFFu) | static_cast<uint32_t>(pick(12)) << 16; break;  // word count
      case 7: w[at] = static_cast<uint32_t>(pick(16)); break;                           // small literal
      case 8: {                                                                         // duplicate a run
        size_t n = std::min<size_t>(pick(16) + 1, w.size() - at);
        std::vector<uint32_t> run(w.begin() + static_cast<long>(at), w.begin() + static_cast<long>(at + n));
        w.insert(w.begin() + static_cast<long>(pick(w.size())), run.begin(), run.end());
        break;
      }
    }
  }
  return w;
}

TEST(SpirvFuzz, MutatedModulesReturnOrThrowKilnError) {
  std::vector<std::vector<uint32_t>> modules;
  for (const std::string& name : test_shader_names()) modules.push_back(load_spirv(name));
  constexpr int kMutations = 20000;
  int returned = 0, thrown = 0;
  for (int i = 0; i < kMutations; ++i) {
    std::mt19937 rng(static_cast<uint32_t>(i) * 2654435761u + 7u);   // fixed seeds: reproducible
    const std::vector<uint32_t>& original = modules[static_cast<size_t>(i) % modules.size()];
    std::vector<uint32_t> words = mutate(original, rng);
    try {
      kiln::Reflection r = kiln::reflect_spirv(words);
      std::string json = kiln::reflection_json(r);
      ASSERT_FALSE(json.empty());
      ++returned;
    } catch (const kiln::Error& e) {
      ASSERT_NE(std::string(e.what()).find("SPIR-V"), std::string::npos) << "iteration " << i << ": " << e.what();
      ++thrown;
    } catch (const std::exception& e) {
      FAIL() << "iteration " << i << " threw a non-kiln exception: " << e.what();
    }
  }
  std::printf("%d mutations: %d reflected, %d rejected with kiln::Error\n", kMutations, returned, thrown);
  EXPECT_GT(returned, 0);
  EXPECT_GT(thrown, 0);
}

TEST(SpirvFuzz, EveryTruncationIsAnError) {
  std::vector<uint32_t> words = load_spirv("reflect_compute.comp");
  for (size_t n = 0; n < words.size(); ++n) {
    std::span<const uint32_t> prefix(words.data(), n);
    try {
      kiln::reflect_spirv(prefix);
      // A cut between instructions can still be a (smaller) valid module: only past the functions.
    } catch (const kiln::Error&) {
    }
  }
  EXPECT_THROW(kiln::reflect_spirv(std::span<const uint32_t>(words.data(), 4)), kiln::Error);
  EXPECT_THROW(kiln::reflect_spirv(std::span<const uint32_t>(words.data(), words.size() - 1)), kiln::Error);
}

}  // namespace
