// Which frames a SequenceStream wants next, most urgent first: pure logic, no Vulkan, unit-tested.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace kiln::detail {

// The Sequence policy: the requested frame, then the next `ahead` in the play direction. The
// direction comes from successive requests: a small step (at most `ahead` frames, across the wrap
// when looping) sets it; a larger jump is a seek and keeps it.
class SequencePrefetch {
 public:
  SequencePrefetch(uint32_t frame_count, uint32_t ahead, bool loop);
  void request(uint32_t frame);
  int direction() const { return direction_; }
  // Appends to `out` (cleared first).
  void wanted(std::vector<uint32_t>& out) const;

 private:
  uint32_t count_;
  uint32_t ahead_;
  bool loop_;
  bool have_last_ = false;
  uint32_t last_ = 0;
  int direction_ = +1;
};

// The Spatial policy: the frames asked for since the last update (in order), then the `nearest`
// frames closest to the point (ties by index). Frames without positions are all at the origin.
class SpatialPrefetch {
 public:
  SpatialPrefetch(std::vector<std::array<float, 3>> positions, uint32_t nearest);
  void request(uint32_t frame);
  void set_point(const std::array<float, 3>& point) { point_ = point; }
  void wanted(std::vector<uint32_t>& out) const;
  // The requests are forgotten once an update has scheduled them.
  void clear_requests() { requested_.clear(); }

 private:
  std::vector<std::array<float, 3>> positions_;
  uint32_t nearest_;
  std::array<float, 3> point_{};
  std::vector<uint32_t> requested_;
};

}  // namespace kiln::detail
