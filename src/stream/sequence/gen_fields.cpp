// generate_field: one field of one frame, from (parameters, frame) alone. Work goes in blocks of
// structure-of-arrays, then interleaved into the output layout. The block loops always run the full
// kBlock (a tail block computes a few values it does not copy): a fixed trip count is what GCC's -O2
// cost model vectorises.
#include <algorithm>
#include <cstring>

#include "kiln/log.h"
#include "kiln/sequence_gen.h"
#include "stream/sequence/gen_math.h"

namespace kiln {
namespace {

using namespace gen;
constexpr uint32_t kBlock = 256;

// Animation time in turns: a loop of 120 frames looks the same at any frame count.
float time_of(uint32_t frame) { return float(frame % 1966080u) * (1.0f / 120.0f); }

struct PointBasis {
  float a[kBlock], b[kBlock], c[kBlock];
};

void point_basis(uint32_t seed, uint32_t first, PointBasis& pb) {
  for (uint32_t k = 0; k < kBlock; ++k) {
    const uint32_t h1 = hash32((first + k) ^ seed);
    const uint32_t h2 = hash32(h1 + 0x9e3779b9u);
    const uint32_t h3 = hash32(h2 + 0x7f4a7c15u);
    pb.a[k] = unit(h1);
    pb.b[k] = unit(h2);
    pb.c[k] = unit(h3);
  }
}

void point_positions(const GeneratorParams& p, uint32_t frame, uint8_t* out) {
  const uint32_t seed = hash32(uint32_t(p.seed) ^ hash32(uint32_t(p.seed >> 32) + 1));
  const float t = time_of(frame);
  PointBasis pb;
  float xyzw[kBlock * 4];
  for (uint32_t first = 0; first < p.points; first += kBlock) {
    const uint32_t n = std::min(kBlock, p.points - first);
    point_basis(seed, first, pb);
    for (uint32_t k = 0; k < kBlock; ++k) {
      const float a = pb.a[k], b = pb.b[k], c = pb.c[k];
      const float r0 = 0.2f + 0.8f * c;
      const float angle = a + t * (0.5f - 0.35f * c) + kPhase;  // inner rings swirl faster
      const float breath = 1.0f + 0.15f * sin_turns(t * 0.5f + 2.0f * b + kPhase);
      const float r = r0 * breath;
      xyzw[k * 4 + 0] = r * cos_turns(angle);
      xyzw[k * 4 + 1] = (2.0f * b - 1.0f) * 0.6f + 0.1f * sin_turns(3.0f * angle + t);
      xyzw[k * 4 + 2] = r * sin_turns(angle);
      xyzw[k * 4 + 3] = 1.0f;
    }
    std::memcpy(out + uint64_t(first) * 16, xyzw, uint64_t(n) * 16);
  }
}

uint8_t to_byte(float v) { return uint8_t(int32_t(v * 255.0f + 0.5f)); }  // v in [0, 1]

void point_colors(const GeneratorParams& p, uint32_t frame, uint8_t* out) {
  const uint32_t seed = hash32(uint32_t(p.seed) ^ hash32(uint32_t(p.seed >> 32) + 1));
  const float t = time_of(frame);
  PointBasis pb;
  uint8_t rgba[kBlock * 4];
  for (uint32_t first = 0; first < p.points; first += kBlock) {
    const uint32_t n = std::min(kBlock, p.points - first);
    point_basis(seed, first, pb);
    for (uint32_t k = 0; k < kBlock; ++k) {
      const float hue = pb.a[k] + 0.1f * t + kPhase;
      rgba[k * 4 + 0] = to_byte(0.5f + 0.5f * sin_turns(hue));
      rgba[k * 4 + 1] = to_byte(0.5f + 0.5f * sin_turns(hue + 1.0f / 3.0f));
      rgba[k * 4 + 2] = to_byte(0.5f + 0.5f * sin_turns(hue + 2.0f / 3.0f));
      rgba[k * 4 + 3] = to_byte(0.6f + 0.4f * pb.c[k]);
    }
    std::memcpy(out + uint64_t(first) * 4, rgba, uint64_t(n) * 4);
  }
}

struct Wave {
  float kx, kz, speed, amplitude;
};

void mesh_vertices(const GeneratorParams& p, uint32_t frame, uint8_t* out) {
  const uint32_t g = p.grid;
  const float t = time_of(frame);
  Wave waves[3];
  uint32_t h = hash32(uint32_t(p.seed) ^ 0x51ed270bu);
  for (Wave& w : waves) {
    h = hash32(h + 1);
    const float dir = unit(h);
    h = hash32(h + 1);
    const float freq = 0.5f + 1.5f * unit(h);
    w = {freq * cos_turns(dir), freq * sin_turns(dir), 0.5f + unit(h ^ 0xa5a5u), 0.08f / freq};
  }
  const float step = 2.0f / float(g - 1);
  float buffer[kBlock * 6];
  for (uint32_t iz = 0; iz < g; ++iz) {
    const float z = -1.0f + step * float(iz);
    for (uint32_t first = 0; first < g; first += kBlock) {
      const uint32_t n = std::min(kBlock, g - first);
      for (uint32_t k = 0; k < kBlock; ++k) {
        const float x = -1.0f + step * float(first + k);
        float y = 0, dx = 0, dz = 0;
        for (const Wave& w : waves) {
          const float phase = w.kx * x + w.kz * z - w.speed * t + kPhase;
          y += w.amplitude * sin_turns(phase);
          const float slope = w.amplitude * 6.2831853f * cos_turns(phase);
          dx += slope * w.kx;
          dz += slope * w.kz;
        }
        const float inv = rsqrt(dx * dx + 1.0f + dz * dz);
        float* v = buffer + k * 6;
        v[0] = x;
        v[1] = y;
        v[2] = z;
        v[3] = -dx * inv;
        v[4] = inv;
        v[5] = -dz * inv;
      }
      std::memcpy(out + (uint64_t(iz) * g + first) * 24, buffer, uint64_t(n) * 24);
    }
  }
}

void mesh_indices(const GeneratorParams& p, uint8_t* out) {
  const uint32_t g = p.grid;
  uint32_t row[6 * kBlock];
  for (uint32_t iz = 0; iz + 1 < g; ++iz) {
    for (uint32_t first = 0; first + 1 < g; first += kBlock) {
      const uint32_t n = std::min(kBlock, g - 1 - first);
      for (uint32_t k = 0; k < kBlock; ++k) {
        const uint32_t v0 = iz * g + first + k, v1 = v0 + 1, v2 = v0 + g, v3 = v2 + 1;
        uint32_t* tri = row + k * 6;
        tri[0] = v0, tri[1] = v2, tri[2] = v1;
        tri[3] = v1, tri[4] = v2, tri[5] = v3;
      }
      std::memcpy(out + (uint64_t(iz) * (g - 1) + first) * 24, row, uint64_t(n) * 24);
    }
  }
}

void albedo(const GeneratorParams& p, uint32_t frame, uint8_t* out) {
  const uint32_t size = p.texture_size;
  const uint32_t shift = frame * 2;
  const uint32_t tint = hash32(uint32_t(p.seed)) & 0x3f;
  uint32_t row[kBlock];
  for (uint32_t y = 0; y < size; ++y) {
    const uint32_t gch = y * 255 / size;
    for (uint32_t first = 0; first < size; first += kBlock) {
      const uint32_t n = std::min(kBlock, size - first);
      for (uint32_t k = 0; k < kBlock; ++k) {
        const uint32_t u = first + k + shift;
        const uint32_t checker = ((u >> 5) ^ (y >> 5)) & 1;
        const uint32_t r = ((u & 0xff) ^ tint) & 0xff;
        const uint32_t b = checker ? 220u : 40u;
        row[k] = r | (gch << 8) | (b << 16) | (0xffu << 24);
      }
      std::memcpy(out + (uint64_t(y) * size + first) * 4, row, uint64_t(n) * 4);
    }
  }
}

}  // namespace

void generate_field(const GeneratorParams& p, uint32_t frame, uint32_t field, std::span<uint8_t> out) {
  const uint64_t size = generator_field_size(p, field);
  if (out.size() != size) {
    throw Error(str("generate_field: field ", field, " needs ", size, " bytes, ", out.size(), " given"));
  }
  if (field == 2) return albedo(p, frame, out.data());
  if (p.kind == GeneratorKind::PointCloud) {
    if (field == 0) return point_positions(p, frame, out.data());
    return point_colors(p, frame, out.data());
  }
  if (field == 0) return mesh_vertices(p, frame, out.data());
  mesh_indices(p, out.data());
}

}  // namespace kiln
