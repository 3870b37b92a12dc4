#include "kiln/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>

namespace kiln {
namespace {

struct LogState {
  std::mutex mutex;
  LogCallback callback;
  std::set<std::string, std::less<>> once_keys;
};

LogState& state() {
  // Leaked on purpose: objects destroyed during static teardown may still log.
  static LogState* s = new LogState;
  return *s;
}

std::atomic<LogLevel> g_minimum{LogLevel::Info};

}  // namespace

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Off: return "off";
  }
  return "?";
}

void set_log_callback(LogCallback callback) {
  std::lock_guard lock(state().mutex);
  state().callback = std::move(callback);
}

void set_log_level(LogLevel minimum) { g_minimum = minimum; }
LogLevel log_level() { return g_minimum; }

void log(const LogMessage& message) {
  if (message.level < g_minimum.load(std::memory_order_relaxed) || message.level == LogLevel::Off) return;
  LogState& s = state();
  std::lock_guard lock(s.mutex);
  if (s.callback) {
    s.callback(message);
    return;
  }
  const char* source = message.source == LogSource::Validation ? "validation " : "";
  std::fprintf(stderr, "kiln [%s%s] %.*s\n", source, log_level_name(message.level), int(message.text.size()),
               message.text.data());
}

void log(LogLevel level, std::string_view text) { log(LogMessage{.level = level, .text = text}); }

void log_once(LogLevel level, std::string_view key, std::string_view text) {
  {
    LogState& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.once_keys.emplace(key).second) return;
  }
  log(level, text);
}

}  // namespace kiln
