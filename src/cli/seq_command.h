// `kiln seqgen` and `kiln seqinfo`: write a procedural sequence, inspect and verify a sequence file.
// The progress line both draw on stderr (only when it is a terminal) lives here.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

#include "cli/command.h"

namespace kiln::cli {

Command add_seqgen_command(CLI::App& root);   // seqgen.cpp
Command add_seqinfo_command(CLI::App& root);  // seqinfo.cpp

// `kiln seqinfo --verify` found damaged blobs (the file itself opened).
constexpr int kExitDamaged = 3;

// "\r[########............]  40%  48/120 frames  1.9 GB/s", redrawn at most ten times a second.
class ProgressLine {
 public:
  explicit ProgressLine(const char* unit) : unit_(unit), enabled_(::isatty(STDERR_FILENO) == 1) {}

  void update(uint64_t done, uint64_t total, uint64_t bytes) {
    if (!enabled_ || total == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    const int width = 30, filled = int(width * done / total);
    char bar[width + 1];
    for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '.';
    bar[width] = 0;
    std::fprintf(stderr, "\r[%s] %3d%%  %llu/%llu %s  %.2f GB/s ", bar, int(100 * done / total),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), unit_,
                 s > 0 ? double(bytes) / s / 1e9 : 0.0);
    drawn_ = true;
  }
  void end() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  const char* unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace kiln::cli
