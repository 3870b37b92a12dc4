#version 460
// taa_resolve.comp: temporal anti-aliasing resolve: reprojection with the velocity of the closest depth
// in a 3x3, Catmull-Rom history sampling, variance clipping in YCoCg, luminance-weighted blending and a
// sharpening pass folded in.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "color.glsl"
#include "camera.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 1, binding = 0) uniform sampler2D current_color;
layout(set = 1, binding = 1) uniform sampler2D history_color;
layout(set = 1, binding = 2) uniform sampler2D velocity_texture;
layout(set = 1, binding = 3) uniform sampler2D depth_texture;
layout(set = 1, binding = 4, rgba16f) uniform writeonly image2D resolved;

layout(push_constant) uniform Push {
  float feedback_min;
  float feedback_max;
  float sharpness;
  float variance_gamma;
  uint reset_history;
  uint use_catmull_rom;
  vec2 pad;
} push;

shared vec3 tile_color[10][10];

vec3 tonemap_in(vec3 c) { return c / (1.0 + max3(c)); }
vec3 tonemap_out(vec3 c) { return c / max(1.0 - max3(c), 1e-4); }

vec2 closest_velocity(ivec2 pixel, ivec2 size) {
  float closest = 0.0;
  ivec2 best = pixel;
  for (int y = -1; y <= 1; ++y) {
    for (int x = -1; x <= 1; ++x) {
      ivec2 p = clamp(pixel + ivec2(x, y), ivec2(0), size - 1);
      float d = texelFetch(depth_texture, p, 0).r;
      if (d > closest) {  // reverse Z: larger is closer
        closest = d;
        best = p;
      }
    }
  }
  return texelFetch(velocity_texture, best, 0).rg;
}

vec3 sample_catmull_rom(vec2 uv, vec2 size) {
  vec2 sample_pos = uv * size;
  vec2 tex_pos1 = floor(sample_pos - 0.5) + 0.5;
  vec2 f = sample_pos - tex_pos1;
  vec2 w0 = f * (-0.5 + f * (1.0 - 0.5 * f));
  vec2 w1 = 1.0 + f * f * (-2.5 + 1.5 * f);
  vec2 w2 = f * (0.5 + f * (2.0 - 1.5 * f));
  vec2 w3 = f * f * (-0.5 + 0.5 * f);
  vec2 w12 = w1 + w2;
  vec2 offset12 = w2 / w12;
  vec2 tex_pos0 = (tex_pos1 - 1.0) / size;
  vec2 tex_pos3 = (tex_pos1 + 2.0) / size;
  vec2 tex_pos12 = (tex_pos1 + offset12) / size;
  vec3 result = vec3(0.0);
  result += textureLod(history_color, vec2(tex_pos0.x, tex_pos0.y), 0.0).rgb * w0.x * w0.y;
  result += textureLod(history_color, vec2(tex_pos12.x, tex_pos0.y), 0.0).rgb * w12.x * w0.y;
  result += textureLod(history_color, vec2(tex_pos3.x, tex_pos0.y), 0.0).rgb * w3.x * w0.y;
  result += textureLod(history_color, vec2(tex_pos0.x, tex_pos12.y), 0.0).rgb * w0.x * w12.y;
  result += textureLod(history_color, vec2(tex_pos12.x, tex_pos12.y), 0.0).rgb * w12.x * w12.y;
  result += textureLod(history_color, vec2(tex_pos3.x, tex_pos12.y), 0.0).rgb * w3.x * w12.y;
  result += textureLod(history_color, vec2(tex_pos0.x, tex_pos3.y), 0.0).rgb * w0.x * w3.y;
  result += textureLod(history_color, vec2(tex_pos12.x, tex_pos3.y), 0.0).rgb * w12.x * w3.y;
  result += textureLod(history_color, vec2(tex_pos3.x, tex_pos3.y), 0.0).rgb * w3.x * w3.y;
  return max(result, vec3(0.0));
}

vec3 clip_aabb(vec3 aabb_min, vec3 aabb_max, vec3 history) {
  vec3 center = 0.5 * (aabb_max + aabb_min);
  vec3 extents = 0.5 * (aabb_max - aabb_min) + 1e-5;
  vec3 offset = history - center;
  vec3 ts = abs(extents / (offset + 1e-7));
  float t = saturate(min3(ts));
  return center + offset * t;
}

void load_tile(ivec2 group_origin, ivec2 size) {
  for (uint i = gl_LocalInvocationIndex; i < 100u; i += 64u) {
    ivec2 local = ivec2(i % 10u, i / 10u);
    ivec2 p = clamp(group_origin + local - 1, ivec2(0), size - 1);
    tile_color[local.y][local.x] = rgb_to_ycocg(tonemap_in(texelFetch(current_color, p, 0).rgb));
  }
  barrier();
}

void main() {
  ivec2 size = textureSize(current_color, 0);
  ivec2 group_origin = ivec2(gl_WorkGroupID.xy) * 8;
  load_tile(group_origin, size);
  ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  if (!in_bounds(pixel, size)) return;
  ivec2 local = ivec2(gl_LocalInvocationID.xy) + 1;

  vec3 m1 = vec3(0.0), m2 = vec3(0.0);
  vec3 center = tile_color[local.y][local.x];
  vec3 neighbours_sum = vec3(0.0);
  for (int y = -1; y <= 1; ++y) {
    for (int x = -1; x <= 1; ++x) {
      vec3 c = tile_color[local.y + y][local.x + x];
      m1 += c;
      m2 += c * c;
      if (abs(x) + abs(y) == 1) neighbours_sum += c;
    }
  }
  vec3 mean = m1 / 9.0;
  vec3 sigma = sqrt(max(m2 / 9.0 - mean * mean, vec3(0.0)));
  vec3 box_min = mean - push.variance_gamma * sigma;
  vec3 box_max = mean + push.variance_gamma * sigma;

  // Sharpen the current sample with its cross neighbours (unsharp mask in YCoCg luma).
  vec3 sharpened = center + (center - neighbours_sum * 0.25) * push.sharpness;

  vec2 uv = (vec2(pixel) + 0.5) / vec2(size);
  vec2 velocity = closest_velocity(pixel, size);
  vec2 history_uv = uv - velocity;
  bool offscreen = any(lessThan(history_uv, vec2(0.0))) || any(greaterThan(history_uv, vec2(1.0)));

  vec3 result;
  if (push.reset_history != 0u || offscreen) {
    result = sharpened;
  } else {
    vec3 history = push.use_catmull_rom != 0u ? sample_catmull_rom(history_uv, vec2(size))
                                               : textureLod(history_color, history_uv, 0.0).rgb;
    history = rgb_to_ycocg(tonemap_in(history));
    history = clip_aabb(box_min, box_max, history);
    float lum_current = sharpened.x, lum_history = history.x;
    float diff = abs(lum_current - lum_history) / max(lum_current, max(lum_history, 0.2));
    float feedback = mix(push.feedback_max, push.feedback_min, sq(1.0 - diff));
    float speed = length(velocity * vec2(size));
    feedback = mix(feedback, push.feedback_min, saturate(speed / 32.0));
    result = mix(sharpened, history, feedback);
  }
  vec3 rgb = tonemap_out(ycocg_to_rgb(result));
  imageStore(resolved, pixel, vec4(max(rgb, vec3(0.0)), 1.0));
}
