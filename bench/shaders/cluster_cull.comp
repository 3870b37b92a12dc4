#version 460
// cluster_cull.comp: assigns lights to clusters. Each workgroup handles one cluster; lights are tested in
// batches staged through shared memory, and each cluster's list is appended to a global index list with
// one atomic per workgroup. Spot lights are tested as cones against the cluster's bounding sphere.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "lights.glsl"
#include "camera.glsl"
#include "cluster.glsl"

#define BATCH 64

layout(local_size_x = BATCH) in;

layout(set = 1, binding = 0, std430) readonly buffer Clusters { ClusterBounds clusters[]; };
layout(set = 1, binding = 1, std430) readonly buffer Lights { Light lights[]; };
layout(set = 1, binding = 2, std430) writeonly buffer ClusterRanges { ClusterRange cluster_ranges[]; };
layout(set = 1, binding = 3, std430) writeonly buffer ClusterLightIndices { uint cluster_light_indices[]; };
layout(set = 1, binding = 4, std430) buffer Counter { uint next_index; uint overflow_count; };

layout(push_constant) uniform Push {
  uint light_count;
  uint index_capacity;
} push;

shared vec4 batch_spheres[BATCH];   // view-space centre + radius
shared vec4 batch_cones[BATCH];     // view-space direction + cos(outer)
shared uint batch_types[BATCH];
shared uint visible[MAX_LIGHTS_PER_CLUSTER];
shared uint visible_count;
shared uint global_offset;

bool cone_intersects_sphere(vec3 origin, vec3 dir, float range, float cos_angle, vec3 center, float radius) {
  vec3 v = center - origin;
  float v_len_sq = dot(v, v);
  float v1_len = dot(v, dir);
  float sin_angle = sqrt(max(0.0, 1.0 - cos_angle * cos_angle));
  float distance_closest = cos_angle * sqrt(max(0.0, v_len_sq - v1_len * v1_len)) - v1_len * sin_angle;
  bool angle_cull = distance_closest > radius;
  bool front_cull = v1_len > radius + range;
  bool back_cull = v1_len < -radius;
  return !(angle_cull || front_cull || back_cull);
}

void main() {
  uint cluster = gl_WorkGroupID.x;
  if (gl_LocalInvocationIndex == 0u) visible_count = 0u;
  barrier();

  ClusterBounds bounds = clusters[cluster];
  vec3 lo = bounds.min_point.xyz, hi = bounds.max_point.xyz;
  vec3 cluster_center = (lo + hi) * 0.5;
  float cluster_radius = length(hi - lo) * 0.5;

  for (uint base = 0u; base < push.light_count; base += uint(BATCH)) {
    uint i = base + gl_LocalInvocationIndex;
    if (i < push.light_count) {
      Light light = lights[i];
      vec3 center = (camera.view * vec4(light.position, 1.0)).xyz;
      vec3 dir = normalize(mat3(camera.view) * light.direction);
      batch_spheres[gl_LocalInvocationIndex] = vec4(center, light.range);
      batch_cones[gl_LocalInvocationIndex] = vec4(dir, light.outer_cone_cos);
      batch_types[gl_LocalInvocationIndex] = light.type;
    }
    barrier();
    if (gl_LocalInvocationIndex == 0u) {
      uint batch_size = min(uint(BATCH), push.light_count - base);
      for (uint j = 0u; j < batch_size; ++j) {
        vec4 sphere = batch_spheres[j];
        uint type = batch_types[j];
        bool hit;
        if (type == LIGHT_DIRECTIONAL) {
          hit = true;
        } else {
          hit = sphere_intersects_aabb(sphere.xyz, sphere.w, lo, hi);
          if (hit && type == LIGHT_SPOT) {
            vec4 cone = batch_cones[j];
            hit = cone_intersects_sphere(sphere.xyz, cone.xyz, sphere.w, cone.w, cluster_center, cluster_radius);
          }
        }
        if (hit) {
          if (visible_count < uint(MAX_LIGHTS_PER_CLUSTER)) {
            visible[visible_count] = base + j;
            visible_count += 1u;
          } else {
            atomicAdd(overflow_count, 1u);
          }
        }
      }
    }
    barrier();
  }

  if (gl_LocalInvocationIndex == 0u) {
    uint offset = atomicAdd(next_index, visible_count);
    if (offset + visible_count > push.index_capacity) {
      atomicAdd(overflow_count, visible_count);
      visible_count = offset < push.index_capacity ? push.index_capacity - offset : 0u;
    }
    global_offset = offset;
    cluster_ranges[cluster] = ClusterRange(offset, visible_count);
  }
  barrier();
  for (uint i = gl_LocalInvocationIndex; i < visible_count; i += uint(BATCH)) {
    cluster_light_indices[global_offset + i] = visible[i];
  }
}
