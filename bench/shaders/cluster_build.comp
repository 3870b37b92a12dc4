#version 460
// cluster_build.comp: computes the view-space AABB of every froxel of the clustered-shading grid
// (exponential depth slices), once per projection change.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "camera.glsl"
#include "cluster.glsl"

layout(local_size_x = CLUSTER_X, local_size_y = 1, local_size_z = 1) in;

layout(set = 1, binding = 0, std430) writeonly buffer Clusters { ClusterBounds clusters[]; };

vec3 screen_to_view(vec2 screen) {
  vec2 uv = screen * camera.inv_viewport_size;
  vec4 clip = vec4(uv * 2.0 - 1.0, 1.0, 1.0);  // reverse Z: the near plane is depth 1
  vec4 view = camera.inv_projection * clip;
  return view.xyz / view.w;
}

// Where the ray from the eye through `p` crosses the plane z = -depth.
vec3 line_at_depth(vec3 p, float depth) {
  float t = -depth / p.z;
  return p * t;
}

void main() {
  uvec3 c = uvec3(gl_LocalInvocationID.x, gl_WorkGroupID.y, gl_WorkGroupID.z);
  if (c.x >= uint(CLUSTER_X) || c.y >= uint(CLUSTER_Y) || c.z >= uint(CLUSTER_Z)) return;
  vec2 tile_size = camera.viewport_size / vec2(CLUSTER_X, CLUSTER_Y);

  vec3 min_screen = screen_to_view(vec2(c.xy) * tile_size);
  vec3 max_screen = screen_to_view(vec2(c.xy + 1u) * tile_size);
  float near_depth = slice_depth(c.z, camera.near_plane, camera.far_plane);
  float far_depth = slice_depth(c.z + 1u, camera.near_plane, camera.far_plane);

  vec3 a = line_at_depth(min_screen, near_depth);
  vec3 b = line_at_depth(min_screen, far_depth);
  vec3 d = line_at_depth(max_screen, near_depth);
  vec3 e = line_at_depth(max_screen, far_depth);
  vec3 lo = min(min(a, b), min(d, e));
  vec3 hi = max(max(a, b), max(d, e));
  clusters[cluster_index(c)] = ClusterBounds(vec4(lo, 0.0), vec4(hi, 0.0));
}
