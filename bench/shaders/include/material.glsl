// material.glsl: material records, texture sampling and normal mapping.
#ifndef KILN_MATERIAL_GLSL
#define KILN_MATERIAL_GLSL

#include "common.glsl"
#include "color.glsl"

#define MATERIAL_FLAG_ALPHA_TEST 1u
#define MATERIAL_FLAG_DOUBLE_SIDED 2u
#define MATERIAL_FLAG_UNLIT 4u
#define MATERIAL_FLAG_CLEARCOAT 8u

struct Material {
  vec4 base_color_factor;
  vec3 emissive_factor;
  float metallic_factor;
  float roughness_factor;
  float normal_scale;
  float occlusion_strength;
  float alpha_cutoff;
  uint base_color_texture;
  uint normal_texture;
  uint metallic_roughness_texture;
  uint emissive_texture;
  uint occlusion_texture;
  uint flags;
  float clearcoat;
  float clearcoat_roughness;
};

struct SurfaceSample {
  vec3 albedo;
  float alpha;
  vec3 normal;
  float metallic;
  vec3 emissive;
  float roughness;
  float occlusion;
  float clearcoat;
  float clearcoat_roughness;
};

vec3 perturb_normal(vec3 n, vec4 tangent, vec3 tangent_normal, float scale) {
  vec3 t = normalize(tangent.xyz - n * dot(n, tangent.xyz));
  vec3 b = cross(n, t) * tangent.w;
  tangent_normal.xy *= scale;
  return normalize(mat3(t, b, n) * tangent_normal);
}

vec3 decode_normal_rg(vec2 rg) {
  vec2 xy = rg * 2.0 - 1.0;
  return vec3(xy, sqrt(saturate(1.0 - dot(xy, xy))));
}

vec3 f0_from_material(vec3 albedo, float metallic, float ior) {
  float f = sq((ior - 1.0) / (ior + 1.0));
  return mix(vec3(f), albedo, metallic);
}

// Specular anti-aliasing (Kaplanyan 2016): widen roughness where the normal varies within a pixel.
float specular_aa_roughness(vec3 n, float roughness) {
  vec3 dndu = dFdx(n), dndv = dFdy(n);
  float variance = 0.25 * (dot(dndu, dndu) + dot(dndv, dndv));
  float kernel = min(2.0 * variance, 0.18);
  return sqrt(saturate(roughness * roughness + kernel));
}

#endif
