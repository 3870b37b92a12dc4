#version 460
// auto_exposure.comp: luminance histogram of the HDR image (256 log2 bins, shared-memory atomics, one
// global merge per workgroup), then in the last workgroup: a trimmed average and eye adaptation.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "color.glsl"

#define BINS 256

layout(local_size_x = 16, local_size_y = 16) in;

layout(set = 0, binding = 0) uniform sampler2D hdr_color;
layout(set = 0, binding = 1, std430) buffer Histogram { uint bins[BINS]; uint groups_done; } histogram;
layout(set = 0, binding = 2, std430) buffer Exposure { float exposure; float average_luminance; float ev100; float pad; } result;

layout(push_constant) uniform Push {
  float min_log_luminance;
  float log_luminance_range;
  float delta_time;
  float adaptation_speed_up;
  float adaptation_speed_down;
  float low_percent;
  float high_percent;
  float exposure_compensation;
  uint group_count;
} push;

shared uint local_bins[BINS];
shared uint is_last_group;
shared float weighted[BINS];

uint luminance_bin(vec3 c) {
  float l = luminance(c);
  if (l < 1e-5) return 0u;
  float t = saturate((log2(l) - push.min_log_luminance) / push.log_luminance_range);
  return uint(t * 254.0 + 1.0);
}

float bin_luminance(uint bin) {
  float t = (float(bin) - 1.0) / 254.0;
  return exp2(t * push.log_luminance_range + push.min_log_luminance);
}

void build_histogram() {
  local_bins[gl_LocalInvocationIndex] = 0u;
  barrier();
  ivec2 size = textureSize(hdr_color, 0);
  ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  if (in_bounds(pixel, size)) {
    vec3 c = texelFetch(hdr_color, pixel, 0).rgb;
    // Centre-weighted metering: pixels near the centre count more.
    vec2 uv = (vec2(pixel) + 0.5) / vec2(size);
    uint weight = uint(mix(1.0, 4.0, saturate(1.0 - length(uv - 0.5) * 2.0)));
    atomicAdd(local_bins[luminance_bin(c)], weight);
  }
  barrier();
  atomicAdd(histogram.bins[gl_LocalInvocationIndex], local_bins[gl_LocalInvocationIndex]);
}

float trimmed_average() {
  uint count = histogram.bins[gl_LocalInvocationIndex];
  local_bins[gl_LocalInvocationIndex] = count;
  barrier();
  if (gl_LocalInvocationIndex != 0u) return 0.0;
  uint total = 0u;
  for (uint i = 1u; i < uint(BINS); ++i) total += local_bins[i];
  float low = float(total) * push.low_percent;
  float high = float(total) * push.high_percent;
  float sum = 0.0, used = 0.0, seen = 0.0;
  for (uint i = 1u; i < uint(BINS); ++i) {
    float n = float(local_bins[i]);
    float lo = max(low - seen, 0.0);
    float take = clamp(n - lo, 0.0, max(high - seen - lo, 0.0));
    sum += take * log2(bin_luminance(i));
    used += take;
    seen += n;
  }
  return used > 0.0 ? exp2(sum / used) : 0.18;
}

void main() {
  build_histogram();
  memoryBarrierBuffer();
  barrier();
  if (gl_LocalInvocationIndex == 0u) {
    uint done = atomicAdd(histogram.groups_done, 1u);
    is_last_group = done + 1u == push.group_count ? 1u : 0u;
  }
  barrier();
  if (is_last_group == 0u) return;

  float average = trimmed_average();
  if (gl_LocalInvocationIndex == 0u) {
    float previous = result.average_luminance;
    float speed = average > previous ? push.adaptation_speed_up : push.adaptation_speed_down;
    float adapted = previous + (average - previous) * (1.0 - exp(-push.delta_time * speed));
    result.average_luminance = adapted;
    result.ev100 = ev100_from_luminance(adapted) - push.exposure_compensation;
    result.exposure = exposure_from_ev100(result.ev100);
    histogram.groups_done = 0u;
  }
  barrier();
  histogram.bins[gl_LocalInvocationIndex] = 0u;
}
