#include "stream/sequence_stream/prefetch.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace kiln::detail {

SequencePrefetch::SequencePrefetch(uint32_t frame_count, uint32_t ahead, bool loop)
    : count_(frame_count), ahead_(ahead), loop_(loop) {}

void SequencePrefetch::request(uint32_t frame) {
  if (have_last_ && frame != last_ && count_ > 0) {
    int64_t step = int64_t(frame) - int64_t(last_);
    // Across the wrap, 99 → 0 in 100 frames is one step forward when looping.
    if (loop_) {
      const int64_t n = count_;
      if (step > n / 2) step -= n;
      if (step < -n / 2) step += n;
    }
    const int64_t limit = std::max<int64_t>(ahead_, 1);
    if (std::llabs(step) <= limit) direction_ = step > 0 ? +1 : -1;
  }
  have_last_ = true;
  last_ = frame;
}

void SequencePrefetch::wanted(std::vector<uint32_t>& out) const {
  out.clear();
  if (!have_last_ || count_ == 0) return;
  out.push_back(last_);
  int64_t f = last_;
  for (uint32_t k = 0; k < ahead_ && out.size() < count_; ++k) {
    f += direction_;
    if (f < 0 || f >= int64_t(count_)) {
      if (!loop_) break;
      f = f < 0 ? int64_t(count_) - 1 : 0;
    }
    out.push_back(uint32_t(f));
  }
}

SpatialPrefetch::SpatialPrefetch(std::vector<std::array<float, 3>> positions, uint32_t nearest)
    : positions_(std::move(positions)), nearest_(nearest) {}

void SpatialPrefetch::request(uint32_t frame) {
  if (std::find(requested_.begin(), requested_.end(), frame) == requested_.end()) requested_.push_back(frame);
}

void SpatialPrefetch::wanted(std::vector<uint32_t>& out) const {
  out = requested_;
  const uint32_t n = uint32_t(positions_.size());
  const uint32_t k = std::min(nearest_, n);
  if (k == 0) return;
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  auto distance2 = [&](uint32_t i) {
    float d = 0;
    for (int c = 0; c < 3; ++c) d += (positions_[i][c] - point_[c]) * (positions_[i][c] - point_[c]);
    return d;
  };
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](uint32_t a, uint32_t b) {
    const float da = distance2(a), db = distance2(b);
    return da < db || (da == db && a < b);
  });
  for (uint32_t i = 0; i < k; ++i) {
    if (std::find(out.begin(), out.end(), order[i]) == out.end()) out.push_back(order[i]);
  }
}

}  // namespace kiln::detail
