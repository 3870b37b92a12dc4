// kiln/log.h — the one log all of kiln writes to.
//
// Levels, a process-wide minimum level and one user callback (default: stderr). Validation-layer
// messages arrive here too (see context.h), with the debug names of the objects they mention.
// `log_once` is for things worth saying once per process ("preferred feature X is missing").
// Not a general-purpose logging framework: no sinks, no formatting language.
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace kiln {

enum class LogLevel { Trace, Debug, Info, Warn, Error, Off };

const char* log_level_name(LogLevel level);

// Where a message came from; validation messages carry the layer's message id.
enum class LogSource { Kiln, Validation, Driver };

struct LogMessage {
  LogLevel level = LogLevel::Info;
  LogSource source = LogSource::Kiln;
  std::string_view text;
  std::string_view id;  // validation message id name (e.g. "SYNC-HAZARD-WRITE-AFTER-READ"), else empty
};

using LogCallback = std::function<void(const LogMessage&)>;

// Replaces the sink; an empty callback restores the default (stderr). Thread-safe.
void set_log_callback(LogCallback callback);
void set_log_level(LogLevel minimum);
LogLevel log_level();

void log(LogLevel level, std::string_view text);
void log(const LogMessage& message);
// Logs `text` only the first time `key` is seen in this process.
void log_once(LogLevel level, std::string_view key, std::string_view text);

// str(a, b, c): concatenates anything that has operator<< (g++ 12 has no std::format).
template <class... Args>
std::string str(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

}  // namespace kiln
