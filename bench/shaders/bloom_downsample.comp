#version 460
// bloom_downsample.comp: one level of the bloom pyramid: 13-tap filter (Jimenez 2014), Karis average on
// the first level against fireflies, and a soft threshold with knee.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "color.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 0) uniform sampler2D source;
layout(set = 0, binding = 1, r11f_g11f_b10f) uniform writeonly image2D destination;

layout(push_constant) uniform Push {
  vec2 source_texel;
  float threshold;
  float knee;
  uint first_level;
  uint use_karis;
  float clamp_value;
  float pad;
} push;

vec3 prefilter(vec3 c) {
  float brightness = max3(c);
  float soft = brightness - push.threshold + push.knee;
  soft = clamp(soft, 0.0, 2.0 * push.knee);
  soft = soft * soft / (4.0 * push.knee + 1e-5);
  float contribution = max(soft, brightness - push.threshold) / max(brightness, 1e-5);
  return min(c * contribution, vec3(push.clamp_value));
}

float karis_weight(vec3 c) { return 1.0 / (1.0 + luminance(c)); }

vec3 sample_tap(vec2 uv) { return textureLod(source, uv, 0.0).rgb; }

vec3 downsample13(vec2 uv) {
  vec2 t = push.source_texel;
  vec3 a = sample_tap(uv + t * vec2(-2.0, -2.0));
  vec3 b = sample_tap(uv + t * vec2(0.0, -2.0));
  vec3 c = sample_tap(uv + t * vec2(2.0, -2.0));
  vec3 d = sample_tap(uv + t * vec2(-2.0, 0.0));
  vec3 e = sample_tap(uv);
  vec3 f = sample_tap(uv + t * vec2(2.0, 0.0));
  vec3 g = sample_tap(uv + t * vec2(-2.0, 2.0));
  vec3 h = sample_tap(uv + t * vec2(0.0, 2.0));
  vec3 i = sample_tap(uv + t * vec2(2.0, 2.0));
  vec3 j = sample_tap(uv + t * vec2(-1.0, -1.0));
  vec3 k = sample_tap(uv + t * vec2(1.0, -1.0));
  vec3 l = sample_tap(uv + t * vec2(-1.0, 1.0));
  vec3 m = sample_tap(uv + t * vec2(1.0, 1.0));

  if (push.first_level != 0u && push.use_karis != 0u) {
    // Five 2x2 groups, each weighted by its Karis average.
    vec3 g0 = (a + b + d + e) * 0.25;
    vec3 g1 = (b + c + e + f) * 0.25;
    vec3 g2 = (d + e + g + h) * 0.25;
    vec3 g3 = (e + f + h + i) * 0.25;
    vec3 g4 = (j + k + l + m) * 0.25;
    float w0 = karis_weight(g0) * 0.125;
    float w1 = karis_weight(g1) * 0.125;
    float w2 = karis_weight(g2) * 0.125;
    float w3 = karis_weight(g3) * 0.125;
    float w4 = karis_weight(g4) * 0.5;
    return (g0 * w0 + g1 * w1 + g2 * w2 + g3 * w3 + g4 * w4) / (w0 + w1 + w2 + w3 + w4);
  }

  vec3 result = e * 0.125;
  result += (a + c + g + i) * 0.03125;
  result += (b + d + f + h) * 0.0625;
  result += (j + k + l + m) * 0.125;
  return result;
}

void main() {
  ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(destination);
  if (!in_bounds(pixel, size)) return;
  vec2 uv = (vec2(pixel) + 0.5) / vec2(size);
  vec3 color = downsample13(uv);
  if (push.first_level != 0u) color = prefilter(color);
  color = max(color, vec3(0.0));
  imageStore(destination, pixel, vec4(color, 1.0));
}
