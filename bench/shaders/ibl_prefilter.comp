#version 460
// ibl_prefilter.comp: pre-filters an environment cube map for one roughness level (split-sum, GGX
// importance sampling with PDF-based source mip selection to avoid fireflies), and the irradiance map
// when `mode` is 1 (cosine-weighted hemisphere).
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "math.glsl"
#include "brdf.glsl"
#include "sampling.glsl"

layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;

layout(set = 0, binding = 0) uniform samplerCube environment;
layout(set = 0, binding = 1, rgba16f) uniform writeonly imageCube destination;

layout(push_constant) uniform Push {
  float roughness;
  uint sample_count;
  uint mode;             // 0: specular prefilter, 1: irradiance
  float source_resolution;
} push;

vec3 cube_direction(ivec3 id, ivec2 size) {
  vec2 uv = (vec2(id.xy) + 0.5) / vec2(size) * 2.0 - 1.0;
  switch (id.z) {
    case 0: return normalize(vec3(1.0, -uv.y, -uv.x));
    case 1: return normalize(vec3(-1.0, -uv.y, uv.x));
    case 2: return normalize(vec3(uv.x, 1.0, uv.y));
    case 3: return normalize(vec3(uv.x, -1.0, -uv.y));
    case 4: return normalize(vec3(uv.x, -uv.y, 1.0));
    default: return normalize(vec3(-uv.x, -uv.y, -1.0));
  }
}

vec3 prefilter_specular(vec3 n) {
  vec3 v = n;
  vec3 sum = vec3(0.0);
  float weight = 0.0;
  float texel_solid_angle = 4.0 * PI / (6.0 * push.source_resolution * push.source_resolution);
  for (uint i = 0u; i < push.sample_count; ++i) {
    vec2 xi = hammersley(i, push.sample_count);
    vec3 h = importance_sample_ggx(xi, n, push.roughness);
    vec3 l = normalize(2.0 * dot(v, h) * h - v);
    float n_dot_l = dot(n, l);
    if (n_dot_l <= 0.0) continue;
    float n_dot_h = saturate(dot(n, h));
    float pdf = d_ggx(n_dot_h, push.roughness) * 0.25 + 1e-4;
    float sample_solid_angle = 1.0 / (float(push.sample_count) * pdf);
    float mip = push.roughness == 0.0 ? 0.0 : 0.5 * log2(sample_solid_angle / texel_solid_angle) + 1.0;
    sum += textureLod(environment, l, mip).rgb * n_dot_l;
    weight += n_dot_l;
  }
  return sum / max(weight, 1e-4);
}

vec3 integrate_irradiance(vec3 n) {
  mat3 basis = basis_from_normal(n);
  vec3 sum = vec3(0.0);
  for (uint i = 0u; i < push.sample_count; ++i) {
    vec3 local = cosine_sample_hemisphere(hammersley(i, push.sample_count));
    sum += textureLod(environment, basis * local, 2.0).rgb;
  }
  return sum / float(push.sample_count);
}

void main() {
  ivec3 id = ivec3(gl_GlobalInvocationID);
  ivec2 size = imageSize(destination);
  if (!in_bounds(id.xy, size) || id.z >= 6) return;
  vec3 n = cube_direction(id, size);
  vec3 color = push.mode == 1u ? integrate_irradiance(n) : prefilter_specular(n);
  imageStore(destination, id, vec4(color, 1.0));
}
