// The shader cache: entry file format and its checks, atomic writes, LRU eviction, the memory layer,
// the dependency re-check, and ShaderCompiler's parallel compiles. No Vulkan: compiles with glslang
// into a fresh temporary directory per test. (Processes sharing a cache: tests/cache/.)
#include <gtest/gtest.h>
#include <kiln/log.h>
#include <kiln/shader_cache.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "shader/cache/disk_store.h"
#include "shader/cache/entry_format.h"
#include "shader/cache/job_pool.h"

namespace fs = std::filesystem;
using namespace kiln;
using kiln::shader_cache::CacheEntry;

namespace {

fs::path data_dir() {
  if (const char* d = std::getenv("KILN_TEST_DATA")) return fs::path(d) / "cache_src";
  return fs::path(__FILE__).parent_path().parent_path() / "data" / "cache_src";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory with a copy of tests/data/cache_src (src/) and an empty cache (cache/); the
// log's warnings are collected.
class ShaderCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kiln-cache-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::copy(data_dir(), root_ / "src", fs::copy_options::recursive);
    set_log_callback([this](const LogMessage& m) {
      if (m.level < LogLevel::Warn) return;
      std::lock_guard lock(log_mutex_);
      warnings_.emplace_back(m.text);
    });
  }
  void TearDown() override {
    set_log_callback({});
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string cache_dir() const { return (root_ / "cache").string(); }
  CompileDesc desc(std::string name) const {
    return {.path = (root_ / "src" / name).string(), .include_dirs = {(root_ / "src" / "inc").string()}};
  }
  std::vector<fs::path> entry_files() const {
    std::vector<fs::path> out;
    if (!fs::exists(cache_dir())) return out;
    for (auto& e : fs::directory_iterator(cache_dir())) {
      if (shader_cache::is_entry_name(e.path().filename().string())) out.push_back(e.path());
    }
    return out;
  }
  std::vector<std::string> warnings() {
    std::lock_guard lock(log_mutex_);
    return warnings_;
  }

  fs::path root_;
  std::mutex log_mutex_;
  std::vector<std::string> warnings_;
};

CacheEntry sample_entry(uint64_t seed, size_t words = 100) {
  CacheEntry e;
  e.key = hash128(&seed, sizeof seed);
  e.stage = 5;
  e.entry = "main";
  e.dependencies = {{"/a/main.comp", 1}, {"/a/common.glsl", 2}};
  e.warnings = "w";
  for (size_t i = 0; i < words; ++i) e.spirv.push_back(static_cast<uint32_t>(i * seed));
  return e;
}

// --- file format, without the compiler -------------------------------------------------------

TEST(ShaderCacheFormat, RoundTrip) {
  CacheEntry e = sample_entry(3);
  std::string bytes = shader_cache::encode_entry(e);
  CacheEntry back;
  ASSERT_EQ(shader_cache::decode_entry(bytes, &e.key, &back), "");
  EXPECT_EQ(back.key, e.key);
  EXPECT_EQ(back.stage, e.stage);
  EXPECT_EQ(back.entry, e.entry);
  EXPECT_EQ(back.dependencies, e.dependencies);
  EXPECT_EQ(back.warnings, e.warnings);
  EXPECT_EQ(back.spirv, e.spirv);
}

TEST(ShaderCacheFormat, EveryDamageIsDetected) {
  CacheEntry e = sample_entry(4);
  const std::string good = shader_cache::encode_entry(e);
  CacheEntry out;
  auto check = [&](std::string bytes, std::string_view expect) {
    std::string problem = shader_cache::decode_entry(bytes, &e.key, &out);
    EXPECT_NE(problem.find(expect), std::string::npos) << "got '" << problem << "', expected '" << expect << "'";
  };
  std::string b = good;
  b[0] = 'X';
  check(b, "bad magic");
  b = good;
  b[8] = 2;
  check(b, "format version");
  check(good.substr(0, good.size() - 1), "payload size");
  check(good.substr(0, 20), "truncated header");
  check(good + "x", "payload size");
  // Every single-byte flip anywhere in the payload is caught by the checksum.
  for (size_t i = shader_cache::kHeaderSize; i < good.size(); ++i) {
    b = good;
    b[i] = static_cast<char>(b[i] ^ 0x10);
    ASSERT_NE(shader_cache::decode_entry(b, &e.key, &out), "") << "byte " << i;
  }
  Hash128 other{1, 2};
  EXPECT_EQ(shader_cache::decode_entry(good, &other, &out), "key does not match the file name");
}

TEST_F(ShaderCacheTest, DiskStoreWritesAtomicallyAndEvictsLeastRecentlyUsed) {
  shader_cache::DiskStore store(cache_dir());
  std::vector<CacheEntry> entries;
  for (uint64_t i = 0; i < 5; ++i) {
    entries.push_back(sample_entry(i + 10, 1000));
    ASSERT_TRUE(store.write(entries.back()));
  }
  auto usage = store.usage();
  EXPECT_EQ(usage.entries, 5u);
  EXPECT_EQ(usage.temp_files, 0u);
  uint64_t one = usage.bytes / 5;
  // Entry 0 used most recently: it survives, 1 and 2 (oldest) go.
  store.touch(entries[0].key);
  EXPECT_EQ(store.evict_to(one * 3, &entries[4].key), 2u);
  EXPECT_TRUE(store.read(entries[0].key));
  EXPECT_FALSE(store.read(entries[1].key));
  EXPECT_FALSE(store.read(entries[2].key));
  EXPECT_TRUE(store.read(entries[3].key));
  EXPECT_TRUE(store.read(entries[4].key));
  store.clear();
  EXPECT_EQ(store.usage().entries, 0u);
}

TEST(ShaderCacheJobPool, RunsEveryItemOnceFromManyCallers) {
  shader_cache::JobPool pool(4);
  std::vector<std::atomic<int>> counts(1000);
  std::vector<std::thread> callers;
  for (int c = 0; c < 3; ++c) {
    callers.emplace_back([&] { pool.run(counts.size(), [&](size_t i) { counts[i].fetch_add(1); }); });
  }
  for (auto& t : callers) t.join();
  for (auto& c : counts) EXPECT_EQ(c.load(), 3);
}

// --- with the compiler -------------------------------------------------------------------------

TEST_F(ShaderCacheTest, HitAfterMiss) {
  ShaderCompiler compiler({.directory = cache_dir()}, 2);
  CompiledShader first = compiler.compile(desc("blur.comp"));
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(first.dependencies.size(), 3u);  // blur.comp, common.glsl, inc/noise.glsl
  CompiledShader second = compiler.compile(desc("blur.comp"));
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.spirv, first.spirv);
  EXPECT_EQ(second.stage, ShaderStage::Compute);
  EXPECT_EQ(entry_files().size(), 1u);

  // A new compiler (as a new process would) hits on disk.
  ShaderCompiler again({.directory = cache_dir()});
  CompiledShader third = again.compile(desc("blur.comp"));
  EXPECT_TRUE(third.from_cache);
  EXPECT_EQ(third.spirv, first.spirv);
  EXPECT_EQ(third.dependencies.size(), first.dependencies.size());
  auto s = again.cache().stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 0u);
  EXPECT_EQ(s.entries, 1u);
  EXPECT_GT(s.bytes, first.spirv.size() * 4);
  EXPECT_EQ(s.directory, cache_dir());

  // Options are part of the key.
  CompileDesc scaled = desc("blur.comp");
  scaled.defines = {{"SCALE", "2.0"}};
  EXPECT_FALSE(again.compile(scaled).from_cache);
  EXPECT_EQ(entry_files().size(), 2u);
  EXPECT_TRUE(warnings().empty());
}

TEST_F(ShaderCacheTest, ChangedOrMissingDependencyIsAMiss) {
  ShaderCompiler compiler({.directory = cache_dir()});
  CompiledShader a = compiler.compile(desc("shade.frag"));
  fs::path common = root_ / "src" / "common.glsl";  // included through lighting.glsl
  std::string original = read_file(common);
  write_file(common, original + "\nfloat extra_function() { return 2.0; }\n");
  CompiledShader b = compiler.compile(desc("shade.frag"));
  EXPECT_FALSE(b.from_cache);
  EXPECT_TRUE(compiler.compile(desc("shade.frag")).from_cache);

  // A fresh process sees the overwritten entry.
  ShaderCompiler fresh({.directory = cache_dir()});
  EXPECT_TRUE(fresh.compile(desc("shade.frag")).from_cache);

  // Back to the old contents: a miss again (the entry on disk records the new hash).
  write_file(common, original);
  EXPECT_FALSE(fresh.compile(desc("shade.frag")).from_cache);

  // A missing include is a miss, and then the compiler's error.
  fs::remove(root_ / "src" / "lighting.glsl");
  EXPECT_THROW(fresh.compile(desc("shade.frag")), Error);
}

TEST_F(ShaderCacheTest, CorruptEntriesAreLoggedRemovedAndRecompiled) {
  const CompiledShader good = ShaderCompiler({.directory = cache_dir()}).compile(desc("tri.vert"));
  ASSERT_EQ(entry_files().size(), 1u);
  fs::path file = entry_files()[0];
  const std::string bytes = read_file(file);

  struct Damage {
    const char* name;
    std::string bytes;
    const char* logged;
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2 + 16] ^= 0x01;
  std::vector<Damage> damages = {
      {"flipped payload byte", flipped, "checksum"},
      {"truncated", bytes.substr(0, bytes.size() / 2), "payload size"},
      {"garbage", std::string(100, 'g'), "bad magic"},
      {"empty", std::string(), "truncated header"},
  };
  uint64_t corrupt = 0;
  for (const Damage& d : damages) {
    SCOPED_TRACE(d.name);
    write_file(file, d.bytes);
    warnings_.clear();
    ShaderCompiler compiler({.directory = cache_dir()});  // fresh: no memory layer in front
    CompiledShader again = compiler.compile(desc("tri.vert"));
    EXPECT_FALSE(again.from_cache);
    EXPECT_EQ(again.spirv, good.spirv);
    auto w = warnings();
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find(file.filename().string()), std::string::npos) << w[0];
    EXPECT_NE(w[0].find(d.logged), std::string::npos) << w[0];
    EXPECT_EQ(compiler.cache().stats().corrupt, 1u);
    ++corrupt;
    // Rewritten whole: the next one hits.
    EXPECT_EQ(read_file(file), bytes);
    EXPECT_TRUE(ShaderCompiler({.directory = cache_dir()}).compile(desc("tri.vert")).from_cache);
  }
  EXPECT_EQ(corrupt, damages.size());
}

TEST_F(ShaderCacheTest, LeastRecentlyUsedEvictionKeepsTheRecentOnes) {
  // Measure one entry, then cap the cache at a bit over three.
  uint64_t one = 0;
  {
    ShaderCompiler probe({.directory = cache_dir()});
    probe.compile(desc("blur.comp"));
    one = probe.cache().stats().bytes;
    probe.cache().clear();
  }
  ShaderCompiler compiler({.directory = cache_dir(), .max_bytes = one * 3 + one / 2});
  auto variant = [&](int i) {
    CompileDesc d = desc("blur.comp");
    d.defines = {{"SCALE", str(i, ".0")}};
    return d;
  };
  for (int i = 0; i < 3; ++i) compiler.compile(variant(i));
  EXPECT_EQ(compiler.cache().stats().entries, 3u);
  EXPECT_TRUE(compiler.compile(variant(0)).from_cache);  // 0 is now the most recently used
  compiler.compile(variant(3));                          // evicts 1, the least recently used
  auto s = compiler.cache().stats();
  EXPECT_EQ(s.entries, 3u);
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_LE(s.bytes, one * 3 + one / 2);

  ShaderCompiler fresh({.directory = cache_dir(), .max_bytes = one * 3 + one / 2});
  EXPECT_TRUE(fresh.compile(variant(0)).from_cache);
  EXPECT_TRUE(fresh.compile(variant(2)).from_cache);
  EXPECT_TRUE(fresh.compile(variant(3)).from_cache);
  EXPECT_FALSE(fresh.compile(variant(1)).from_cache);
}

TEST_F(ShaderCacheTest, ClearEmptiesMemoryAndDisk) {
  ShaderCompiler compiler({.directory = cache_dir()});
  compiler.compile(desc("blur.comp"));
  compiler.compile(desc("tri.vert"));
  EXPECT_EQ(compiler.cache().stats().entries, 2u);
  compiler.cache().clear();
  EXPECT_EQ(compiler.cache().stats().entries, 0u);
  EXPECT_TRUE(entry_files().empty());
  EXPECT_FALSE(compiler.compile(desc("blur.comp")).from_cache);
}

TEST_F(ShaderCacheTest, MemoryOnly) {
  ShaderCompiler compiler({.directory = "-"});
  EXPECT_EQ(compiler.cache().directory(), "");
  CompiledShader a = compiler.compile(desc("shade.frag"));
  CompiledShader b = compiler.compile(desc("shade.frag"));
  EXPECT_FALSE(a.from_cache);
  EXPECT_TRUE(b.from_cache);
  EXPECT_EQ(a.spirv, b.spirv);
  auto s = compiler.cache().stats();
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_FALSE(fs::exists(cache_dir()));
  // A second memory-only compiler shares nothing.
  EXPECT_FALSE(ShaderCompiler({.directory = "-"}).compile(desc("shade.frag")).from_cache);
}

TEST_F(ShaderCacheTest, SourceGivenInline) {
  ShaderCompiler compiler({.directory = cache_dir()});
  CompileDesc d = desc("inline.comp");  // no such file: the source is given
  d.source = "#version 450\n#include \"common.glsl\"\nlayout(local_size_x = 1) in;\nvoid main() {}\n";
  EXPECT_FALSE(compiler.compile(d).from_cache);
  EXPECT_TRUE(compiler.compile(d).from_cache);
  d.source += "// changed\n";
  EXPECT_FALSE(compiler.compile(d).from_cache);
}

TEST_F(ShaderCacheTest, DefaultDirectoryFollowsXdg) {
  EXPECT_EQ(shader_cache_directory("/x/y"), "/x/y");
  EXPECT_EQ(shader_cache_directory("-"), "");
  const char* old = std::getenv("XDG_CACHE_HOME");
  std::string saved = old ? old : "";
  setenv("XDG_CACHE_HOME", "/tmp/xdg-test", 1);
  EXPECT_EQ(shader_cache_directory(""), "/tmp/xdg-test/kiln/shaders");
  unsetenv("XDG_CACHE_HOME");
  if (const char* home = std::getenv("HOME")) {
    EXPECT_EQ(shader_cache_directory(""), str(home, "/.cache/kiln/shaders"));
  }
  if (old) setenv("XDG_CACHE_HOME", saved.c_str(), 1);
}

TEST_F(ShaderCacheTest, CompileAllInOrderFromManyThreads) {
  ShaderCompiler compiler({.directory = cache_dir()}, 4);
  std::vector<CompileDesc> descs;
  for (int i = 0; i < 12; ++i) {
    CompileDesc d = desc(i % 3 == 0 ? "blur.comp" : i % 3 == 1 ? "shade.frag" : "tri.vert");
    d.defines = {{"SCALE", str(i % 4, ".0")}};  // 12 distinct keys
    descs.push_back(d);
  }
  std::vector<CompileDesc> repeats(descs.begin(), descs.begin() + 6);
  descs.insert(descs.end(), repeats.begin(), repeats.end());  // the same shader twice at once

  // Several threads compile the same lists at once, each through compile_all.
  std::vector<std::vector<CompiledShader>> results(3);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] { results[t] = compiler.compile_all(descs); });
  }
  for (auto& t : threads) t.join();
  ShaderCompiler serial({.directory = "-"}, 1);
  for (size_t i = 0; i < descs.size(); ++i) {
    CompiledShader expect = serial.compile(descs[i]);
    for (auto& r : results) {
      ASSERT_EQ(r.size(), descs.size());
      EXPECT_EQ(r[i].spirv, expect.spirv) << i;
      EXPECT_EQ(r[i].stage, expect.stage) << i;
    }
  }
  EXPECT_EQ(entry_files().size(), 12u);
  for (auto& f : entry_files()) {
    CacheEntry e;
    EXPECT_EQ(shader_cache::decode_entry(read_file(f), nullptr, &e), "") << f;
  }
  EXPECT_TRUE(warnings().empty());
}

TEST_F(ShaderCacheTest, CompileAllReportsEveryFailure) {
  ShaderCompiler compiler({.directory = cache_dir()}, 2);
  std::vector<CompileDesc> descs = {desc("blur.comp"), desc("bad.comp"), desc("tri.vert"), desc("missing.frag")};
  try {
    compiler.compile_all(descs);
    FAIL() << "expected a ShaderError";
  } catch (const ShaderError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("bad.comp"), std::string::npos) << what;
    EXPECT_NE(what.find("missing.frag"), std::string::npos) << what;
    bool bad = false, missing = false;
    for (const auto& d : e.diagnostics()) {
      bad |= d.file.find("bad.comp") != std::string::npos && d.line == 4;
      missing |= d.file.find("missing.frag") != std::string::npos || d.message.find("missing.frag") != std::string::npos;
    }
    EXPECT_TRUE(bad) << what;
    EXPECT_TRUE(missing) << what;
  }
  // The good ones were compiled and cached all the same.
  EXPECT_TRUE(compiler.compile(desc("blur.comp")).from_cache);
  EXPECT_TRUE(compiler.compile(desc("tri.vert")).from_cache);
}

// The warm hit with its dependency re-check, on a 500-line shader with 10 includes (goal: <= 0.5 ms).
TEST_F(ShaderCacheTest, WarmHitsOfALargeShaderWithTenIncludes) {
  fs::path dir = root_ / "big";
  fs::create_directories(dir);
  std::string main = "#version 450\nlayout(local_size_x = 64) in;\n";
  main += "layout(set = 0, binding = 0) buffer Data { float data[]; };\n";
  for (int i = 0; i < 10; ++i) {
    std::string inc;
    for (int f = 0; f < 9; ++f) {
      inc += str("float f", i, "_", f, "(float x) {\n  float y = x * ", i + 1, ".0 + ", f, ".0;\n");
      inc += str("  y = y * y - ", f, ".5;\n  return y * 0.5;\n}\n");
    }
    write_file(dir / str("inc", i, ".glsl"), inc);
    main += str("#include \"inc", i, ".glsl\"\n");
  }
  main += "void main() {\n  uint i = gl_GlobalInvocationID.x;\n  float acc = data[i];\n";
  int lines = 0;
  for (char c : main) lines += c == '\n';
  for (int n = 0; lines < 500 - 2; ++n, ++lines) main += str("  acc += f", n % 10, "_", n % 9, "(acc) * 0.001;\n");
  main += "  data[i] = acc;\n}\n";
  write_file(dir / "big.comp", main);

  ShaderCompiler compiler({.directory = cache_dir()});
  CompileDesc d{.path = (dir / "big.comp").string()};
  // How fast these hits are is bench_shader_cache's business; here: they are hits, and identical.
  CompiledShader cold = compiler.compile(d);
  ASSERT_EQ(cold.dependencies.size(), 11u);
  for (int i = 0; i < 20; ++i) {
    CompiledShader hit = compiler.compile(d);
    ASSERT_TRUE(hit.from_cache);
    ASSERT_EQ(hit.spirv, cold.spirv);
  }
  for (int i = 0; i < 5; ++i) {
    CompiledShader hit = ShaderCompiler({.directory = cache_dir()}).compile(d);
    ASSERT_TRUE(hit.from_cache);  // from disk: a new compiler has an empty memory layer
    ASSERT_EQ(hit.spirv, cold.spirv);
  }
}

}  // namespace
