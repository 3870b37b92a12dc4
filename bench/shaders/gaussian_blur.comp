#version 460
// gaussian_blur.comp: separable Gaussian blur with the row cached in shared memory and bilinear-tap
// weights computed at run time (radius up to 32), optionally depth-aware (bilateral).
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"

#define GROUP_SIZE 128
#define MAX_RADIUS 32

layout(local_size_x = GROUP_SIZE, local_size_y = 1) in;

layout(set = 0, binding = 0) uniform sampler2D source;
layout(set = 0, binding = 1) uniform sampler2D depth_texture;
layout(set = 0, binding = 2, rgba16f) uniform writeonly image2D destination;

layout(push_constant) uniform Push {
  ivec2 direction;   // (1,0) horizontal or (0,1) vertical
  int radius;
  float sigma;
  float depth_sharpness;
  uint bilateral;
  vec2 pad;
} push;

shared vec4 cache_color[GROUP_SIZE + 2 * MAX_RADIUS];
shared float cache_depth[GROUP_SIZE + 2 * MAX_RADIUS];

float gaussian(float x, float sigma) { return exp(-(x * x) / (2.0 * sigma * sigma)); }

ivec2 line_to_pixel(int line_pos, int line_index) {
  return push.direction.x != 0 ? ivec2(line_pos, line_index) : ivec2(line_index, line_pos);
}

void load_line(int group_start, int line_index, ivec2 size) {
  int line_length = push.direction.x != 0 ? size.x : size.y;
  int total = GROUP_SIZE + 2 * MAX_RADIUS;
  for (int i = int(gl_LocalInvocationID.x); i < total; i += GROUP_SIZE) {
    int p = clamp(group_start + i - MAX_RADIUS, 0, line_length - 1);
    ivec2 pixel = line_to_pixel(p, line_index);
    cache_color[i] = texelFetch(source, pixel, 0);
    cache_depth[i] = texelFetch(depth_texture, pixel, 0).r;
  }
  barrier();
}

vec4 blur(int center) {
  int radius = min(push.radius, MAX_RADIUS);
  float sigma = max(push.sigma, 0.5);
  vec4 sum = cache_color[center];
  float total = 1.0;
  float center_depth = cache_depth[center];
  for (int i = 1; i <= radius; ++i) {
    float w = gaussian(float(i), sigma);
    for (int s = -1; s <= 1; s += 2) {
      int idx = center + s * i;
      float wi = w;
      if (push.bilateral != 0u) {
        float dd = abs(cache_depth[idx] - center_depth) * push.depth_sharpness;
        wi *= exp(-dd * dd);
      }
      sum += cache_color[idx] * wi;
      total += wi;
    }
  }
  return sum / total;
}

void main() {
  ivec2 size = textureSize(source, 0);
  int line_index = int(gl_WorkGroupID.y);
  int group_start = int(gl_WorkGroupID.x) * GROUP_SIZE;
  load_line(group_start, line_index, size);

  int line_pos = group_start + int(gl_LocalInvocationID.x);
  int line_length = push.direction.x != 0 ? size.x : size.y;
  if (line_pos >= line_length) return;
  vec4 result = blur(int(gl_LocalInvocationID.x) + MAX_RADIUS);
  imageStore(destination, line_to_pixel(line_pos, line_index), result);
}
