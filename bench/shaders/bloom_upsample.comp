#version 460
// bloom_upsample.comp: tent-filtered upsample of the smaller level added onto the larger one, with a
// per-level tint and radius (the last step of the bloom pyramid).
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "color.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 0) uniform sampler2D smaller_level;
layout(set = 0, binding = 1) uniform sampler2D current_level;
layout(set = 0, binding = 2, r11f_g11f_b10f) uniform writeonly image2D destination;
layout(set = 0, binding = 3, std140) uniform BloomLevels {
  vec4 tint[8];
  vec4 radius_weight[8];  // x: radius in texels, y: weight of the smaller level
} levels;

layout(push_constant) uniform Push {
  vec2 smaller_texel;
  uint level;
  float scatter;
} push;

vec3 tent9(vec2 uv, vec2 texel, float radius) {
  vec4 d = texel.xyxy * vec4(1.0, 1.0, -1.0, 0.0) * radius;
  vec3 s;
  s = textureLod(smaller_level, uv - d.xy, 0.0).rgb;
  s += textureLod(smaller_level, uv - d.wy, 0.0).rgb * 2.0;
  s += textureLod(smaller_level, uv - d.zy, 0.0).rgb;
  s += textureLod(smaller_level, uv + d.zw, 0.0).rgb * 2.0;
  s += textureLod(smaller_level, uv, 0.0).rgb * 4.0;
  s += textureLod(smaller_level, uv + d.xw, 0.0).rgb * 2.0;
  s += textureLod(smaller_level, uv + d.zy, 0.0).rgb;
  s += textureLod(smaller_level, uv + d.wy, 0.0).rgb * 2.0;
  s += textureLod(smaller_level, uv + d.xy, 0.0).rgb;
  return s * (1.0 / 16.0);
}

// A cheaper 4-tap bilinear box, used for the smallest levels where quality does not matter.
vec3 box4(vec2 uv, vec2 texel) {
  vec4 d = texel.xyxy * vec4(-0.5, -0.5, 0.5, 0.5);
  vec3 s = textureLod(smaller_level, uv + d.xy, 0.0).rgb;
  s += textureLod(smaller_level, uv + d.zy, 0.0).rgb;
  s += textureLod(smaller_level, uv + d.xw, 0.0).rgb;
  s += textureLod(smaller_level, uv + d.zw, 0.0).rgb;
  return s * 0.25;
}

vec3 clamp_fireflies(vec3 c) {
  float l = luminance(c);
  const float max_l = 64.0;
  return l > max_l ? c * (max_l / l) : c;
}

void main() {
  ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(destination);
  if (!in_bounds(pixel, size)) return;
  vec2 uv = (vec2(pixel) + 0.5) / vec2(size);

  uint level = min(push.level, 7u);
  float radius = levels.radius_weight[level].x;
  float weight = levels.radius_weight[level].y;
  vec3 upsampled = level >= 5u ? box4(uv, push.smaller_texel) : tent9(uv, push.smaller_texel, radius);
  upsampled = clamp_fireflies(upsampled) * levels.tint[level].rgb;
  vec3 current = textureLod(current_level, uv, 0.0).rgb;
  // Energy-conserving scatter: lerp rather than add so the result does not brighten with more levels.
  vec3 result = mix(current, upsampled, push.scatter) * (1.0 - weight) + upsampled * weight;
  imageStore(destination, pixel, vec4(max(result, vec3(0.0)), 1.0));
}
