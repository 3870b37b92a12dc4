// compare_png compute|triangle|points ACTUAL.png REFERENCE.png
//
// Checks an example's PNG two ways: against the reference image in tests/data (tolerances below), and
// against what the picture must be by construction (the compute formula at every pixel; for the
// triangle, the interpolated colour inside it and the clear colour outside; for the streamed point
// cloud, its last frame recomputed by the generator and projected as points.vert does). The second check is what
// makes the reference trustworthy, and what catches a reference regenerated from a wrong image.
// Exit 0 when both pass, 1 with the reasons otherwise.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kiln/png.h"
#include "kiln/sequence_gen.h"

namespace {

// Bytes from the GPU's float-to-UNORM8 conversion may differ from ours by one rounding step; the
// extra step covers transcendental precision (cos) on other drivers.
constexpr int kChannelTolerance = 2;

int failures = 0;

void fail(const std::string& what) {
  if (++failures <= 12) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
}

int to_unorm8(double v) { return int(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); }

void expect_pixel(const kiln::PngImage& img, uint32_t x, uint32_t y, const int (&want)[4], const char* what) {
  const uint8_t* got = img.pixel(x, y);
  for (int c = 0; c < 4; ++c) {
    if (std::abs(int(got[c]) - want[c]) > kChannelTolerance) {
      fail(std::string(what) + " at (" + std::to_string(x) + "," + std::to_string(y) + "): got " +
           std::to_string(got[0]) + "," + std::to_string(got[1]) + "," + std::to_string(got[2]) + "," +
           std::to_string(got[3]) + ", want " + std::to_string(want[0]) + "," + std::to_string(want[1]) + "," +
           std::to_string(want[2]) + "," + std::to_string(want[3]));
      return;
    }
  }
}

// examples/compute_headless/pattern.comp, in double precision.
void check_compute(const kiln::PngImage& img) {
  for (uint32_t y = 0; y < img.height; ++y) {
    for (uint32_t x = 0; x < img.width; ++x) {
      const double u = (x + 0.5) / img.width, v = (y + 0.5) / img.height;
      const double rings = 0.5 + 0.5 * std::cos(60.0 * std::hypot(u - 0.5, v - 0.5));
      const double shade = 0.6 + 0.4 * rings;
      const int want[4] = {to_unorm8(u * shade), to_unorm8(v * shade), to_unorm8((1.0 - u) * shade), 255};
      expect_pixel(img, x, y, want, "compute formula");
    }
  }
}

// examples/triangle_headless/main.cpp: the vertices (clip space) and colours, and the clear colour.
void check_triangle(const kiln::PngImage& img) {
  const double clip[3][2] = {{0.0, -0.7}, {0.7, 0.6}, {-0.7, 0.6}};
  double px[3][2];
  for (int i = 0; i < 3; ++i) {
    px[i][0] = (clip[i][0] + 1.0) * 0.5 * img.width;
    px[i][1] = (clip[i][1] + 1.0) * 0.5 * img.height;
  }
  const int clear[4] = {to_unorm8(0.08), to_unorm8(0.08), to_unorm8(0.12), 255};
  const uint32_t w = img.width - 1, h = img.height - 1;
  const uint32_t corners[4][2] = {{0, 0}, {w, 0}, {0, h}, {w, h}};
  for (const auto& c : corners) expect_pixel(img, c[0], c[1], clear, "clear colour");
  // Points inside at these barycentric weights (the centroid first, then near each vertex): the pixel
  // holding each must have the colour interpolated at that pixel's centre.
  const double weights[][3] = {{1 / 3.0, 1 / 3.0, 1 / 3.0}, {0.8, 0.1, 0.1}, {0.1, 0.8, 0.1},
                               {0.1, 0.1, 0.8}, {0.5, 0.25, 0.25}, {0.2, 0.4, 0.4}};
  const double area = (px[1][0] - px[0][0]) * (px[2][1] - px[0][1]) - (px[2][0] - px[0][0]) * (px[1][1] - px[0][1]);
  for (const auto& wt : weights) {
    const uint32_t x = uint32_t(wt[0] * px[0][0] + wt[1] * px[1][0] + wt[2] * px[2][0]);
    const uint32_t y = uint32_t(wt[0] * px[0][1] + wt[1] * px[1][1] + wt[2] * px[2][1]);
    const double cx = x + 0.5, cy = y + 0.5;
    // Barycentrics of the pixel centre; the vertex colours are red, green, blue.
    const double b1 = ((cx - px[0][0]) * (px[2][1] - px[0][1]) - (px[2][0] - px[0][0]) * (cy - px[0][1])) / area;
    const double b2 = ((px[1][0] - px[0][0]) * (cy - px[0][1]) - (cx - px[0][0]) * (px[1][1] - px[0][1])) / area;
    const int want[4] = {to_unorm8(1.0 - b1 - b2), to_unorm8(b1), to_unorm8(b2), 255};
    expect_pixel(img, x, y, want, "interpolated colour");
  }
}

// examples/sequence_stream_headless: the last frame (47) of a 48-frame, 20000-point cloud, each point
// one pixel where points.vert puts it. Every lit pixel must be next to a projected point, and almost
// every projected point must have lit its pixel (a point can be hidden behind another).
void check_points(const kiln::PngImage& img) {
  const kiln::GeneratorParams p{.kind = kiln::GeneratorKind::PointCloud, .frames = 48, .points = 20000};
  std::vector<uint8_t> bytes(kiln::generator_field_size(p, 0));
  kiln::generate_field(p, 47, 0, bytes);
  const float* xyzw = reinterpret_cast<const float*>(bytes.data());
  std::vector<uint8_t> expected(size_t(img.width) * img.height, 0);
  uint32_t inside = 0;
  std::vector<std::pair<uint32_t, uint32_t>> pixels;
  for (uint32_t i = 0; i < p.points; ++i) {
    const double x = xyzw[i * 4], y = xyzw[i * 4 + 1], z = xyzw[i * 4 + 2];
    const double cx = x * 0.8, cy = -(y * 0.85 + z * 0.35) * 0.8;
    const double fx = (cx + 1.0) * 0.5 * img.width, fy = (cy + 1.0) * 0.5 * img.height;
    if (fx < 0 || fy < 0 || fx >= img.width || fy >= img.height) continue;
    ++inside;
    pixels.push_back({uint32_t(fx), uint32_t(fy)});
    expected[size_t(uint32_t(fy)) * img.width + uint32_t(fx)] = 1;
  }
  const int clear[4] = {to_unorm8(0.02), to_unorm8(0.02), to_unorm8(0.05), 255};
  auto lit = [&](uint32_t x, uint32_t y) {
    const uint8_t* px = img.pixel(x, y);
    for (int c = 0; c < 3; ++c) {
      if (std::abs(int(px[c]) - clear[c]) > kChannelTolerance) return true;
    }
    return false;
  };
  auto near_expected = [&](uint32_t x, uint32_t y) {
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int64_t nx = int64_t(x) + dx, ny = int64_t(y) + dy;
        if (nx >= 0 && ny >= 0 && nx < img.width && ny < img.height && expected[size_t(ny) * img.width + size_t(nx)]) return true;
      }
    return false;
  };
  uint64_t stray = 0, lit_count = 0;
  for (uint32_t y = 0; y < img.height; ++y)
    for (uint32_t x = 0; x < img.width; ++x) {
      if (!lit(x, y)) continue;
      ++lit_count;
      if (!near_expected(x, y)) ++stray;
    }
  uint64_t dark = 0;
  for (const auto& [x, y] : pixels) dark += !lit(x, y);
  std::printf("points: %u points on screen, %llu pixels lit, %llu lit away from any point, %llu points not lit\n",
              inside, (unsigned long long)lit_count, (unsigned long long)stray, (unsigned long long)dark);
  if (inside < p.points / 2) fail("fewer than half the points project on screen: the projection here is wrong");
  if (stray > 0) fail(std::to_string(stray) + " lit pixels are not next to any point of frame 47");
  if (dark > pixels.size() / 100) fail(std::to_string(dark) + " projected points left their pixel dark");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[1]) != "compute" && std::string(argv[1]) != "triangle" &&
                    std::string(argv[1]) != "points")) {
    std::fprintf(stderr, "usage: %s compute|triangle|points ACTUAL.png REFERENCE.png\n", argv[0]);
    return 2;
  }
  const std::string kind = argv[1];
  try {
    const kiln::PngImage actual = kiln::read_png(argv[2]);
    const kiln::PngImage reference = kiln::read_png(argv[3]);
    if (actual.channels != 4) fail("expected RGBA, got " + std::to_string(actual.channels) + " channels");
    if (actual.width != 256 || actual.height != 256) fail("expected 256x256");
    if (failures) return 1;

    if (kind == "compute") check_compute(actual);
    else if (kind == "points") check_points(actual);
    else check_triangle(actual);

    // Rasterization rules leave drivers some freedom on the triangle's edges: 0.1% of the pixels may
    // differ by more than the tolerance there. The compute pattern has no such excuse.
    const kiln::ImageDiff diff = kiln::compare_images(actual, reference, kChannelTolerance);
    // Points: where two fall on one pixel, which one wins is the driver's draw order.
    const uint64_t allowed = kind == "compute" ? 0 : kind == "points" ? diff.pixels / 200 : diff.pixels / 1000;
    std::printf("%s: against %s: max channel difference %u, %llu of %llu pixels beyond %d (allowed %llu)\n",
                argv[2], argv[3], diff.max_diff, (unsigned long long)diff.mismatched_pixels,
                (unsigned long long)diff.pixels, kChannelTolerance, (unsigned long long)allowed);
    if (diff.mismatched_pixels > allowed) fail("differs from the reference image beyond the tolerance");
  } catch (const std::exception& e) {
    fail(e.what());
  }
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("%s: all %s checks passed\n", argv[2], kind.c_str());
  return 0;
}
