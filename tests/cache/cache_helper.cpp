// A process that shares a shader cache with others, for tests/cache/*.sh.
//   kiln_cache_helper compile CACHE_DIR SRC_DIR N   compiles N shaders (tests/data/cache_src, SCALE=0..N-1)
//                                                   with compile_all; prints a JSON line of what happened
//   kiln_cache_helper verify CACHE_DIR              checks every entry file (checksum, key = name);
//                                                   prints {"valid":…,"invalid":…,"temp_files":…}
// KILN_SHADER_CACHE_TEST_ABORT_MIDWRITE=1 makes the first entry write die halfway (exit code 9).
#include <kiln/log.h>
#include <kiln/shader_cache.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "shader/cache/disk_store.h"
#include "shader/cache/entry_format.h"

namespace fs = std::filesystem;

namespace {

int compile(const std::string& cache_dir, const std::string& src, int n) {
  const char* names[] = {"blur.comp", "shade.frag", "tri.vert"};
  std::vector<kiln::CompileDesc> descs;
  for (int i = 0; i < n; ++i) {
    descs.push_back({.path = src + "/" + names[i % 3],
                     .defines = {{"SCALE", kiln::str(i, ".0")}},
                     .include_dirs = {src + "/inc"}});
  }
  kiln::ShaderCompiler compiler({.directory = cache_dir}, 4);
  std::vector<kiln::CompiledShader> out = compiler.compile_all(descs);
  int from_cache = 0;
  for (const auto& s : out) {
    from_cache += s.from_cache;
    if (s.spirv.empty() || s.spirv[0] != 0x07230203) {
      std::fprintf(stderr, "bad SPIR-V\n");
      return 1;
    }
  }
  kiln::ShaderCacheStats s = compiler.cache().stats();
  std::printf("{\"shaders\":%d,\"from_cache\":%d,\"hits\":%llu,\"misses\":%llu,\"corrupt\":%llu,\"entries\":%llu,\"bytes\":%llu}\n",
              n, from_cache, (unsigned long long)s.hits, (unsigned long long)s.misses, (unsigned long long)s.corrupt,
              (unsigned long long)s.entries, (unsigned long long)s.bytes);
  return 0;
}

int verify(const std::string& cache_dir) {
  int valid = 0, invalid = 0, temp = 0;
  if (fs::exists(cache_dir)) {
    for (const auto& e : fs::directory_iterator(cache_dir)) {
      std::string name = e.path().filename().string();
      if (kiln::shader_cache::is_temp_name(name)) {
        ++temp;
        continue;
      }
      if (!kiln::shader_cache::is_entry_name(name)) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      kiln::shader_cache::CacheEntry entry;
      std::string problem = kiln::shader_cache::decode_entry(bytes, nullptr, &entry);
      if (problem.empty() && entry.key.hex() != name) problem = "key does not match the file name";
      if (problem.empty()) {
        ++valid;
      } else {
        ++invalid;
        std::fprintf(stderr, "%s: %s\n", name.c_str(), problem.c_str());
      }
    }
  }
  std::printf("{\"valid\":%d,\"invalid\":%d,\"temp_files\":%d}\n", valid, invalid, temp);
  return invalid == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "compile" && argc == 5) return compile(argv[2], argv[3], std::atoi(argv[4]));
    if (mode == "verify" && argc == 3) return verify(argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: kiln_cache_helper compile CACHE_DIR SRC_DIR N | verify CACHE_DIR\n");
  return 2;
}
