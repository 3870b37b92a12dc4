// cluster.glsl: the clustered-shading grid (froxels) and the light index lists built per cluster.
#ifndef KILN_CLUSTER_GLSL
#define KILN_CLUSTER_GLSL

#include "common.glsl"

#ifndef CLUSTER_X
#define CLUSTER_X 16
#endif
#ifndef CLUSTER_Y
#define CLUSTER_Y 9
#endif
#ifndef CLUSTER_Z
#define CLUSTER_Z 24
#endif
#define CLUSTER_COUNT (CLUSTER_X * CLUSTER_Y * CLUSTER_Z)
#define MAX_LIGHTS_PER_CLUSTER 128

struct ClusterBounds {
  vec4 min_point;  // view space
  vec4 max_point;
};

struct ClusterRange {
  uint offset;
  uint count;
};

uint cluster_slice(float view_depth, float near_plane, float far_plane) {
  float slice = log(view_depth / near_plane) * float(CLUSTER_Z) / log(far_plane / near_plane);
  return uint(clamp(slice, 0.0, float(CLUSTER_Z - 1)));
}

float slice_depth(uint slice, float near_plane, float far_plane) {
  return near_plane * pow(far_plane / near_plane, float(slice) / float(CLUSTER_Z));
}

uint cluster_index(uvec3 c) { return c.x + c.y * uint(CLUSTER_X) + c.z * uint(CLUSTER_X * CLUSTER_Y); }

uvec3 cluster_coord(uint index) {
  return uvec3(index % uint(CLUSTER_X), (index / uint(CLUSTER_X)) % uint(CLUSTER_Y),
               index / uint(CLUSTER_X * CLUSTER_Y));
}

uint cluster_from_pixel(vec2 pixel, vec2 viewport, float view_depth, float near_plane, float far_plane) {
  uvec2 xy = uvec2(pixel / viewport * vec2(CLUSTER_X, CLUSTER_Y));
  xy = min(xy, uvec2(CLUSTER_X - 1, CLUSTER_Y - 1));
  return cluster_index(uvec3(xy, cluster_slice(view_depth, near_plane, far_plane)));
}

bool sphere_intersects_aabb(vec3 center, float radius, vec3 lo, vec3 hi) {
  vec3 closest = clamp(center, lo, hi);
  vec3 d = closest - center;
  return dot(d, d) <= radius * radius;
}

#endif
