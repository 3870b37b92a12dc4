// shadow.glsl: cascaded shadow maps with PCF and PCSS filtering.
#ifndef KILN_SHADOW_GLSL
#define KILN_SHADOW_GLSL

#include "common.glsl"
#include "sampling.glsl"

#ifndef SHADOW_CASCADES
#define SHADOW_CASCADES 4
#endif

#ifndef SHADOW_SET
#define SHADOW_SET 1
#endif

struct ShadowCascade {
  mat4 view_projection;
  vec4 split_depth_and_texel;  // x: far split (view depth), y: world texel size, zw unused
};

layout(set = SHADOW_SET, binding = 0, std140) uniform ShadowData {
  ShadowCascade cascades[SHADOW_CASCADES];
  vec4 shadow_params;  // x: depth bias, y: normal bias, z: light size (uv), w: cascade blend width
} shadow_data;

layout(set = SHADOW_SET, binding = 1) uniform sampler2DArrayShadow shadow_map;
layout(set = SHADOW_SET, binding = 2) uniform sampler2DArray shadow_depth;

int select_cascade(float view_depth) {
  for (int i = 0; i < SHADOW_CASCADES; ++i) {
    if (view_depth < shadow_data.cascades[i].split_depth_and_texel.x) return i;
  }
  return SHADOW_CASCADES - 1;
}

vec3 shadow_coord(int cascade, vec3 world_pos, vec3 normal) {
  float texel = shadow_data.cascades[cascade].split_depth_and_texel.y;
  vec3 offset_pos = world_pos + normal * shadow_data.shadow_params.y * texel;
  vec4 clip = shadow_data.cascades[cascade].view_projection * vec4(offset_pos, 1.0);
  vec3 ndc = clip.xyz / clip.w;
  return vec3(ndc.xy * 0.5 + 0.5, ndc.z - shadow_data.shadow_params.x);
}

float sample_shadow_pcf(int cascade, vec3 coord, float rotation) {
  vec2 texel = 1.0 / vec2(textureSize(shadow_map, 0).xy);
  float s = sin(rotation), c = cos(rotation);
  mat2 rot = mat2(c, s, -s, c);
  float sum = 0.0;
  for (int i = 0; i < 16; ++i) {
    vec2 offset = rot * POISSON_DISK_16[i] * texel * 1.5;
    sum += texture(shadow_map, vec4(coord.xy + offset, float(cascade), coord.z));
  }
  return sum / 16.0;
}

float find_blocker_depth(int cascade, vec3 coord, float search_radius, out float blockers) {
  float sum = 0.0;
  blockers = 0.0;
  for (int i = 0; i < 16; ++i) {
    vec2 uv = coord.xy + POISSON_DISK_16[i] * search_radius;
    float d = texture(shadow_depth, vec3(uv, float(cascade))).r;
    if (d < coord.z) {
      sum += d;
      blockers += 1.0;
    }
  }
  return blockers > 0.0 ? sum / blockers : 0.0;
}

float sample_shadow_pcss(int cascade, vec3 coord, float rotation) {
  float light_size = shadow_data.shadow_params.z;
  float blockers;
  float blocker_depth = find_blocker_depth(cascade, coord, light_size, blockers);
  if (blockers < 1.0) return 1.0;
  float penumbra = (coord.z - blocker_depth) * light_size / max(blocker_depth, 1e-4);
  float s = sin(rotation), c = cos(rotation);
  mat2 rot = mat2(c, s, -s, c);
  float sum = 0.0;
  for (int i = 0; i < 16; ++i) {
    vec2 offset = rot * POISSON_DISK_16[i] * penumbra;
    sum += texture(shadow_map, vec4(coord.xy + offset, float(cascade), coord.z));
  }
  return sum / 16.0;
}

float cascaded_shadow(vec3 world_pos, vec3 normal, float view_depth, float rotation, bool soft) {
  int cascade = select_cascade(view_depth);
  vec3 coord = shadow_coord(cascade, world_pos, normal);
  if (any(lessThan(coord.xy, vec2(0.0))) || any(greaterThan(coord.xy, vec2(1.0)))) return 1.0;
  float visibility = soft ? sample_shadow_pcss(cascade, coord, rotation) : sample_shadow_pcf(cascade, coord, rotation);
  // Blend into the next cascade near the split so the seam does not show.
  float split = shadow_data.cascades[cascade].split_depth_and_texel.x;
  float blend = saturate((split - view_depth) / shadow_data.shadow_params.w);
  if (blend < 1.0 && cascade + 1 < SHADOW_CASCADES) {
    vec3 next = shadow_coord(cascade + 1, world_pos, normal);
    float next_visibility = sample_shadow_pcf(cascade + 1, next, rotation);
    visibility = mix(next_visibility, visibility, blend);
  }
  return visibility;
}

#endif
