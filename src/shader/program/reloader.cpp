// Hot reload: poll the dependencies' size and mtime; on a change confirmed by the content hash,
// recompile every source and build a new core on this thread; Program::update() takes it.
#include "shader/program/reloader.h"

#include <fstream>
#include <sstream>

#include "kiln/hash.h"
#include "kiln/log.h"
#include "kiln/shader_cache.h"

namespace kiln::detail {
namespace {

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

}  // namespace

Reloader::Reloader(Context& ctx, ShaderCompiler& compiler, std::string name, ProgramDesc desc,
                   std::vector<ShaderDependency> deps)
    : ctx_(&ctx), compiler_(&compiler), name_(std::move(name)), desc_(std::move(desc)) {
  watch(std::move(deps));
  thread_ = std::thread([this] { run(); });
}

Reloader::~Reloader() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Reloader::watch(std::vector<ShaderDependency> deps) {
  watched_.clear();
  // The sources themselves too, in case the compiler listed none (a source given as text).
  for (const auto& s : desc_.sources) {
    if (s.source.empty()) deps.push_back({s.path, 0});
  }
  for (auto& d : deps) {
    bool seen = false;
    for (const auto& w : watched_) seen = seen || w.path == d.path;
    if (seen) continue;
    Watched w{.path = std::move(d.path)};
    std::error_code ec;
    w.mtime = std::filesystem::last_write_time(w.path, ec);
    w.size = std::filesystem::file_size(w.path, ec);
    std::string bytes;
    w.hash = read_file(w.path, &bytes) ? hash64(bytes) : 0;
    watched_.push_back(std::move(w));
  }
}

bool Reloader::changed() {
  bool any = false;
  for (Watched& w : watched_) {
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(w.path, ec);
    if (ec) continue;  // mid-save (deleted and rewritten): look again next time
    const uintmax_t size = std::filesystem::file_size(w.path, ec);
    if (ec || (mtime == w.mtime && size == w.size)) continue;
    w.mtime = mtime;
    w.size = size;
    std::string bytes;
    if (!read_file(w.path, &bytes)) continue;
    const uint64_t h = hash64(bytes);
    if (h != w.hash) {
      w.hash = h;
      any = true;
    }
  }
  return any;
}

void Reloader::rebuild() {
  try {
    std::vector<StageModule> modules;
    std::vector<ShaderDependency> deps;
    std::vector<CompiledShader> compiled = compiler_->compile_all(desc_.sources);
    for (size_t i = 0; i < compiled.size(); ++i) {
      modules.push_back({compiled[i].stage, std::move(compiled[i].spirv),
                         compiled[i].entry.empty() ? desc_.sources[i].entry : compiled[i].entry, desc_.sources[i].path});
      for (auto& d : compiled[i].dependencies) deps.push_back(std::move(d));
    }
    std::unique_ptr<ProgramCore> core =
        with_context(str("reloading program '", name_, "'"), [&] { return build_core(*ctx_, name_, modules, desc_); });
    // Includes may have changed: watch what this compile read (the hashes of what it read).
    watch(std::move(deps));
    {
      std::lock_guard lock(mutex_);
      ready_ = std::move(core);
      error_.clear();
    }
  } catch (const std::exception& e) {
    log(LogLevel::Error, str("program '", name_, "': hot reload failed, keeping the previous pipeline:\n", e.what()));
    std::lock_guard lock(mutex_);
    error_ = e.what();
  }
  ++attempts_;
}

void Reloader::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(kPollMs), [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    if (changed()) rebuild();
    lock.lock();
  }
}

std::unique_ptr<ProgramCore> Reloader::take() {
  std::lock_guard lock(mutex_);
  return std::move(ready_);
}

std::string Reloader::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

}  // namespace kiln::detail
