// brdf.glsl: the Cook-Torrance specular model and diffuse terms.
#ifndef KILN_BRDF_GLSL
#define KILN_BRDF_GLSL

#include "common.glsl"

float d_ggx(float n_dot_h, float roughness) {
  float a = roughness * roughness;
  float a2 = a * a;
  float f = (n_dot_h * a2 - n_dot_h) * n_dot_h + 1.0;
  return a2 / (PI * f * f + EPSILON);
}

float v_smith_ggx_correlated(float n_dot_v, float n_dot_l, float roughness) {
  float a2 = sq(roughness * roughness);
  float gv = n_dot_l * sqrt(n_dot_v * n_dot_v * (1.0 - a2) + a2);
  float gl = n_dot_v * sqrt(n_dot_l * n_dot_l * (1.0 - a2) + a2);
  return 0.5 / max(gv + gl, EPSILON);
}

float v_smith_ggx_fast(float n_dot_v, float n_dot_l, float roughness) {
  float a = roughness * roughness;
  float gv = n_dot_l * (n_dot_v * (1.0 - a) + a);
  float gl = n_dot_v * (n_dot_l * (1.0 - a) + a);
  return 0.5 / max(gv + gl, EPSILON);
}

vec3 f_schlick(vec3 f0, float v_dot_h) {
  return f0 + (vec3(1.0) - f0) * pow5(1.0 - v_dot_h);
}

vec3 f_schlick_roughness(vec3 f0, float n_dot_v, float roughness) {
  return f0 + (max(vec3(1.0 - roughness), f0) - f0) * pow5(1.0 - n_dot_v);
}

float fd_lambert() { return INV_PI; }

float fd_burley(float n_dot_v, float n_dot_l, float l_dot_h, float roughness) {
  float f90 = 0.5 + 2.0 * roughness * l_dot_h * l_dot_h;
  float light = 1.0 + (f90 - 1.0) * pow5(1.0 - n_dot_l);
  float view = 1.0 + (f90 - 1.0) * pow5(1.0 - n_dot_v);
  return light * view * INV_PI;
}

// Anisotropic GGX (Burley 2012).
float d_ggx_aniso(float n_dot_h, vec3 h, vec3 t, vec3 b, float at, float ab) {
  float t_dot_h = dot(t, h);
  float b_dot_h = dot(b, h);
  float a2 = at * ab;
  vec3 v = vec3(ab * t_dot_h, at * b_dot_h, a2 * n_dot_h);
  float v2 = dot(v, v);
  float w2 = a2 / v2;
  return a2 * w2 * w2 * INV_PI;
}

// Cloth (Charlie) sheen distribution.
float d_charlie(float roughness, float n_dot_h) {
  float inv_alpha = 1.0 / max(roughness, 1e-3);
  float cos2h = n_dot_h * n_dot_h;
  float sin2h = max(1.0 - cos2h, 0.0078125);
  return (2.0 + inv_alpha) * pow(sin2h, inv_alpha * 0.5) / (2.0 * PI);
}

struct BrdfInput {
  vec3 n, v, l;
  vec3 albedo;
  vec3 f0;
  float roughness;
  float metallic;
};

vec3 evaluate_brdf(BrdfInput b, out vec3 specular_out) {
  vec3 h = normalize(b.v + b.l);
  float n_dot_v = max(dot(b.n, b.v), 1e-4);
  float n_dot_l = saturate(dot(b.n, b.l));
  float n_dot_h = saturate(dot(b.n, h));
  float l_dot_h = saturate(dot(b.l, h));
  float d = d_ggx(n_dot_h, b.roughness);
  float vis = v_smith_ggx_correlated(n_dot_v, n_dot_l, b.roughness);
  vec3 f = f_schlick(b.f0, l_dot_h);
  specular_out = d * vis * f;
  vec3 kd = (vec3(1.0) - f) * (1.0 - b.metallic);
  vec3 diffuse = kd * b.albedo * fd_burley(n_dot_v, n_dot_l, l_dot_h, b.roughness);
  return (diffuse + specular_out) * n_dot_l;
}

#endif
