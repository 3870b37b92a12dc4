// camera.glsl: the per-view uniform block (set 0) and depth/position reconstruction.
#ifndef KILN_CAMERA_GLSL
#define KILN_CAMERA_GLSL

#include "common.glsl"

struct CameraData {
  mat4 view;
  mat4 projection;
  mat4 view_projection;
  mat4 inv_view;
  mat4 inv_projection;
  mat4 inv_view_projection;
  mat4 prev_view_projection;
  vec4 position;        // xyz world position, w unused
  vec2 viewport_size;
  vec2 inv_viewport_size;
  vec2 jitter;
  vec2 prev_jitter;
  float near_plane;
  float far_plane;
  float time;
  uint frame_index;
};

#ifndef CAMERA_SET
#define CAMERA_SET 0
#endif

layout(set = CAMERA_SET, binding = 0, std140) uniform Camera { CameraData camera; };

// Reverse-Z perspective: depth 1 at the near plane, 0 at infinity.
float linearize_depth(float depth) {
  return camera.near_plane / max(depth, 1e-7);
}

vec3 view_position_from_depth(vec2 uv, float depth) {
  vec4 clip = vec4(uv * 2.0 - 1.0, depth, 1.0);
  vec4 view = camera.inv_projection * clip;
  return view.xyz / view.w;
}

vec3 world_position_from_depth(vec2 uv, float depth) {
  vec4 clip = vec4(uv * 2.0 - 1.0, depth, 1.0);
  vec4 world = camera.inv_view_projection * clip;
  return world.xyz / world.w;
}

vec2 reproject(vec3 world_pos) {
  vec4 prev = camera.prev_view_projection * vec4(world_pos, 1.0);
  return prev.xy / prev.w * 0.5 + 0.5;
}

vec3 view_direction(vec3 world_pos) { return normalize(camera.position.xyz - world_pos); }

#endif
