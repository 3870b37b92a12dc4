// The compile worker (kiln/shader_worker.h) served from a thread of this process on a socket of the
// test's own: what compile_shader() returns through it equals compiling here (SPIR-V, dependencies,
// warnings, errors with their diagnostics and text), many clients at once, no worker / a dead one /
// one that hangs up mid-compile /
// "off" fall back to compiling here, a second worker on the socket is refused, stop and idle end it,
// and the messages survive truncation and corruption. The CLI side (another process, another
// working directory): tests/cli_shader, "worker".
#include <kiln/shader.h>
#include <kiln/shader_worker.h>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "shader/compiler/compile_here.h"
#include "shader/worker/protocol.h"
#include "shader/worker/socket.h"

namespace kiln {
namespace {

std::string src(const std::string& name) {
  const char* dir = std::getenv("KILN_TEST_DATA");
  return std::string(dir ? dir : "tests/data") + "/shader_src/" + name;
}

// A socket path of this test's own (short: Unix socket paths have a 108-byte limit).
std::string test_socket() {
  return "/tmp/kiln-test-worker-" + std::to_string(getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sock";
}

// KILN_SHADER_WORKER set for the test's duration, and put back.
class ScopedWorkerEnv {
 public:
  explicit ScopedWorkerEnv(const std::string& value) {
    if (const char* old = std::getenv("KILN_SHADER_WORKER")) old_ = old, had_ = true;
    setenv("KILN_SHADER_WORKER", value.c_str(), 1);
  }
  ~ScopedWorkerEnv() {
    if (had_) setenv("KILN_SHADER_WORKER", old_.c_str(), 1);
    else unsetenv("KILN_SHADER_WORKER");
  }

 private:
  std::string old_;
  bool had_ = false;
};

// A worker on a thread; stopped and joined on destruction.
class WorkerThread {
 public:
  explicit WorkerThread(std::string socket, double idle = 0, double request = 60) : socket_(std::move(socket)) {
    thread_ = std::thread([this, idle, request] {
      ShaderWorkerOptions o;
      o.socket = socket_;
      o.idle_seconds = idle;
      o.request_seconds = request;
      o.stop = &stop_;
      o.user = &listening_;
      o.on_listening = [](const std::string&, int, void* user) { static_cast<std::atomic<bool>*>(user)->store(true); };
      try {
        stats_ = serve_shader_worker(o);
      } catch (const std::exception& e) {
        error_ = e.what();
      }
      listening_.store(true);  // also when it failed: the constructor stops waiting
      finished_.store(true);
    });
    while (!listening_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~WorkerThread() { join(); }
  bool finished() const { return finished_.load(); }
  const std::string& error() const { return error_; }
  ShaderWorkerStats join() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return stats_;
  }

 private:
  std::string socket_;
  std::atomic<bool> stop_{false}, finished_{false}, listening_{false};
  std::thread thread_;
  ShaderWorkerStats stats_;
  std::string error_;
};

void expect_same(const CompiledShader& a, const CompiledShader& b) {
  EXPECT_EQ(a.spirv, b.spirv);
  EXPECT_EQ(a.stage, b.stage);
  EXPECT_EQ(a.entry, b.entry);
  EXPECT_EQ(a.warnings, b.warnings);
  ASSERT_EQ(a.dependencies.size(), b.dependencies.size());
  for (size_t i = 0; i < a.dependencies.size(); ++i) {
    EXPECT_EQ(a.dependencies[i].path, b.dependencies[i].path);
    EXPECT_EQ(a.dependencies[i].hash, b.dependencies[i].hash);
  }
}

// The error compile_fn throws, as (kind, what, diagnostics).
struct Thrown {
  std::string kind, what;
  std::vector<ShaderDiagnostic> diagnostics;
};
template <class F>
Thrown thrown(F&& compile_fn) {
  try {
    compile_fn();
  } catch (const ShaderError& e) {
    return {"ShaderError", e.what(), e.diagnostics()};
  } catch (const Error& e) {
    return {"Error", e.what(), {}};
  }
  return {"none", "", {}};
}

TEST(ShaderWorker, CompilesWhatCompilingHereCompiles) {
  WorkerThread worker(test_socket());
  ScopedWorkerEnv env(test_socket());
  const std::vector<CompileDesc> descs = {
      {.path = src("lit.frag"), .include_dirs = {src("inc")}},
      {.path = src("stages/simple.mesh")},
      {.path = src("hlsl/blur.comp.hlsl"), .entry = "main"},
      {.path = src("defines.comp"), .defines = {{"SCALE", "3.0"}}, .target = ShaderTarget::Vulkan1_3,
       .optimize = true},
      {.path = "warn.comp",
       .source = "#version 450\n#extension GL_EXT_nonexistent_thing : warn\nlayout(local_size_x = 1) in;\nvoid main() {}\n"},
      {.path = src("stages/simple.vert"), .debug_info = true},
  };
  for (const CompileDesc& d : descs) {
    SCOPED_TRACE(d.path);
    expect_same(compile_shader(d), shader_detail::compile_here(d));
  }
  EXPECT_NE(shader_worker_status(test_socket()).find(std::to_string(descs.size()) + " compiles"), std::string::npos)
      << shader_worker_status(test_socket());
  EXPECT_EQ(worker.join().compiles, descs.size());
}

TEST(ShaderWorker, ErrorsComeBackAsTheyWouldBeThrownHere) {
  WorkerThread worker(test_socket());
  ScopedWorkerEnv env(test_socket());
  const std::vector<CompileDesc> descs = {
      {.path = src("broken/syntax_error.frag")},
      {.path = src("broken/nested_error.frag")},  // in an included file: the include chain
      {.path = src("broken/link_error.vert")},
      {.path = src("broken/missing_include.frag"), .include_dirs = {src("inc"), src("common")}},
      {.path = src("no_such_shader.frag")},  // kiln::Error, not ShaderError
      {.path = src("stages/simple.comp"), .entry = "not_main", .language = ShaderLanguage::Hlsl},
  };
  for (const CompileDesc& d : descs) {
    SCOPED_TRACE(d.path);
    const Thrown there = thrown([&] { compile_shader(d); });
    const Thrown here = thrown([&] { shader_detail::compile_here(d); });
    EXPECT_NE(there.kind, "none");
    EXPECT_EQ(there.kind, here.kind);
    EXPECT_EQ(there.what, here.what);
    ASSERT_EQ(there.diagnostics.size(), here.diagnostics.size());
    for (size_t i = 0; i < here.diagnostics.size(); ++i) {
      EXPECT_EQ(there.diagnostics[i].file, here.diagnostics[i].file);
      EXPECT_EQ(there.diagnostics[i].line, here.diagnostics[i].line);
      EXPECT_EQ(there.diagnostics[i].column, here.diagnostics[i].column);
      EXPECT_EQ(there.diagnostics[i].include_chain, here.diagnostics[i].include_chain);
    }
  }
  const ShaderWorkerStats stats = worker.join();
  EXPECT_EQ(stats.compiles, descs.size());
  EXPECT_EQ(stats.errors, descs.size());
}

TEST(ShaderWorker, ManyClientsAtOnce) {
  WorkerThread worker(test_socket());
  ScopedWorkerEnv env(test_socket());
  std::vector<CompiledShader> want;
  for (int i = 0; i < 8; ++i)
    want.push_back(shader_detail::compile_here({.path = src("defines.comp"), .defines = {{"SCALE", std::to_string(i) + ".5"}}}));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 4; ++k) {
        const int i = (t + k) % 8;
        const CompiledShader s =
            compile_shader({.path = src("defines.comp"), .defines = {{"SCALE", std::to_string(i) + ".5"}}});
        if (s.spirv != want[i].spirv) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(worker.join().compiles, 32u);
}

TEST(ShaderWorker, NoWorkerADeadOneOrOffCompileHere) {
  const CompileDesc d{.path = src("stages/simple.comp")};
  const CompiledShader want = shader_detail::compile_here(d);
  {
    ScopedWorkerEnv env(test_socket());  // nothing there
    expect_same(compile_shader(d), want);
  }
  {
    // A socket file whose worker died: bound once, never listening any more.
    const std::string path = test_socket();
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    close(fd);
    ScopedWorkerEnv env(path);
    expect_same(compile_shader(d), want);
    EXPECT_EQ(shader_worker_status(path), "");
    // ...and a worker replaces the stale file.
    WorkerThread worker(path);
    EXPECT_EQ(worker.error(), "");
    expect_same(compile_shader(d), want);
    EXPECT_EQ(worker.join().compiles, 1u);
  }
  {
    WorkerThread worker(test_socket());
    ScopedWorkerEnv env("off");
    EXPECT_EQ(shader_worker_socket(), "");
    expect_same(compile_shader(d), want);
    EXPECT_EQ(worker.join().compiles, 0u);
  }
}

// A "worker" that takes the request and hangs up without a reply, as one that crashed would.
TEST(ShaderWorker, AWorkerThatDiesMidCompileMeansCompilingHere) {
  const int listener = shader_worker::listen_socket(test_socket());
  std::thread dying([listener] {
    const int fd = accept(listener, nullptr, nullptr);
    std::string request;
    shader_worker::recv_message(fd, &request, 1 << 20);
    close(fd);
  });
  ScopedWorkerEnv env(test_socket());
  const CompileDesc d{.path = src("stages/simple.frag")};
  expect_same(compile_shader(d), shader_detail::compile_here(d));
  dying.join();
  close(listener);
  unlink(test_socket().c_str());
}

TEST(ShaderWorker, ASecondWorkerOnTheSocketIsRefused) {
  WorkerThread first(test_socket());
  WorkerThread second(test_socket());
  EXPECT_TRUE(second.finished());
  EXPECT_NE(second.error().find("already running"), std::string::npos) << second.error();
  EXPECT_NE(shader_worker_status(test_socket()), "");
}

TEST(ShaderWorker, StopAndIdleEndIt) {
  {
    WorkerThread worker(test_socket());
    EXPECT_TRUE(stop_shader_worker(test_socket()));
    const auto start = std::chrono::steady_clock::now();
    while (!worker.finished() && std::chrono::steady_clock::now() - start < std::chrono::seconds(10))
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(worker.finished());
    EXPECT_FALSE(std::filesystem::exists(test_socket())) << "the socket file stays behind";
    EXPECT_FALSE(stop_shader_worker(test_socket()));
  }
  {
    WorkerThread worker(test_socket(), 0.2);
    const auto start = std::chrono::steady_clock::now();
    while (!worker.finished() && std::chrono::steady_clock::now() - start < std::chrono::seconds(10))
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(worker.finished()) << "still running after 10 s with a 0.2 s idle limit";
  }
}

// A client that connects and sends nothing is dropped after request_seconds: it holds neither a
// thread nor the idle exit for longer.
TEST(ShaderWorker, ASilentClientIsDropped) {
  WorkerThread worker(test_socket(), 0.2, 0.3);
  const int silent = shader_worker::connect_socket(test_socket(), 10);
  ASSERT_GE(silent, 0);
  const auto start = std::chrono::steady_clock::now();
  while (!worker.finished() && std::chrono::steady_clock::now() - start < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(worker.finished()) << "a silent client kept the worker alive";
  close(silent);
}

TEST(ShaderWorker, AnotherCompilerIsRefusedAndTheClientCompilesHere) {
  WorkerThread worker(test_socket());
  shader_worker::Request request;
  request.compiler_id = "glslang 0.0.0; someone else's";
  request.desc = {.path = src("stages/simple.comp")};
  const int fd = shader_worker::connect_socket(test_socket(), 10);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(shader_worker::send_message(fd, shader_worker::encode(request)));
  std::string bytes;
  ASSERT_TRUE(shader_worker::recv_message(fd, &bytes, 1 << 20));
  close(fd);
  shader_worker::Reply reply;
  ASSERT_TRUE(shader_worker::decode(bytes, &reply));
  EXPECT_EQ(reply.kind, shader_worker::ReplyKind::Refused);
  // Garbage on the socket: the worker drops the connection and keeps serving.
  const int junk = shader_worker::connect_socket(test_socket(), 10);
  ASSERT_GE(junk, 0);
  ASSERT_TRUE(shader_worker::send_message(junk, "not a request"));
  EXPECT_FALSE(shader_worker::recv_message(junk, &bytes, 1 << 20));
  close(junk);
  ScopedWorkerEnv env(test_socket());
  EXPECT_FALSE(compile_shader({.path = src("stages/simple.comp")}).spirv.empty());
}

// Every prefix of a message decodes to false; random byte flips never crash the decoder.
TEST(ShaderWorker, TruncatedAndCorruptMessagesAreRejected) {
  shader_worker::Request request;
  request.compiler_id = std::string(shader_compiler_id());
  request.cwd = "/somewhere";
  request.desc = {.path = "a.frag", .source = "void main() {}", .stage = ShaderStage::Fragment,
                  .defines = {{"A", "1"}, {"B", ""}}, .include_dirs = {"x", "y"}, .optimize = true};
  shader_worker::Reply reply;
  reply.kind = shader_worker::ReplyKind::ShaderFailed;
  reply.shader.spirv = {0x07230203, 1, 2, 3};
  reply.shader.dependencies = {{"a.frag", 7}};
  reply.diagnostics = {{.file = "a.frag", .line = 3, .column = 4, .severity = "error", .message = "m",
                        .include_chain = {"b:1"}}};
  const std::string q = shader_worker::encode(request), a = shader_worker::encode(reply);
  shader_worker::Request q2;
  shader_worker::Reply a2;
  ASSERT_TRUE(shader_worker::decode(q, &q2));
  EXPECT_EQ(q2.desc.defines.size(), 2u);
  EXPECT_EQ(q2.desc.include_dirs, request.desc.include_dirs);
  EXPECT_TRUE(q2.desc.optimize);
  EXPECT_EQ(q2.desc.stage, ShaderStage::Fragment);
  ASSERT_TRUE(shader_worker::decode(a, &a2));
  EXPECT_EQ(a2.diagnostics.at(0).include_chain, reply.diagnostics[0].include_chain);
  EXPECT_EQ(a2.shader.spirv, reply.shader.spirv);
  for (size_t n = 0; n < q.size(); ++n) EXPECT_FALSE(shader_worker::decode(q.substr(0, n), &q2)) << n;
  for (size_t n = 0; n < a.size(); ++n) EXPECT_FALSE(shader_worker::decode(a.substr(0, n), &a2)) << n;
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i) {
    std::string m = i % 2 ? q : a;
    for (int k = 0; k < 3; ++k) m[rng() % m.size()] = char(rng());
    shader_worker::decode(m, &q2);
    shader_worker::decode(m, &a2);
  }
}

}  // namespace
}  // namespace kiln
