// lights.glsl: light records as the renderer uploads them, and their falloff.
#ifndef KILN_LIGHTS_GLSL
#define KILN_LIGHTS_GLSL

#include "common.glsl"

#define LIGHT_DIRECTIONAL 0u
#define LIGHT_POINT 1u
#define LIGHT_SPOT 2u
#define LIGHT_AREA_SPHERE 3u

struct Light {
  vec3 position;
  float range;
  vec3 direction;
  float intensity;
  vec3 color;
  uint type;
  float inner_cone_cos;
  float outer_cone_cos;
  float source_radius;
  int shadow_index;
};

struct DirectionalLight {
  vec3 direction;
  float intensity;
  vec3 color;
  float angular_radius;
};

float distance_falloff(float dist2, float range) {
  float factor = dist2 / max(range * range, EPSILON);
  float smooth_factor = saturate(1.0 - factor * factor);
  return smooth_factor * smooth_factor / max(dist2, 1e-4);
}

float spot_falloff(vec3 l, vec3 spot_dir, float inner_cos, float outer_cos) {
  float cd = dot(-l, spot_dir);
  float t = saturate((cd - outer_cos) / max(inner_cos - outer_cos, 1e-4));
  return t * t;
}

// Karis' representative-point approximation for a spherical light.
vec3 sphere_light_closest_point(vec3 to_light, vec3 r, float radius) {
  vec3 center_to_ray = dot(to_light, r) * r - to_light;
  return to_light + center_to_ray * saturate(radius / max(length(center_to_ray), EPSILON));
}

float sphere_light_normalization(float roughness, float radius, float dist) {
  float a = roughness * roughness;
  float a_prime = saturate(a + radius / (2.0 * max(dist, EPSILON)));
  return sq(a / a_prime);
}

vec3 light_vector(Light light, vec3 world_pos, out float attenuation) {
  if (light.type == LIGHT_DIRECTIONAL) {
    attenuation = 1.0;
    return -light.direction;
  }
  vec3 d = light.position - world_pos;
  float dist2 = dot(d, d);
  vec3 l = d * inversesqrt(max(dist2, 1e-8));
  attenuation = distance_falloff(dist2, light.range);
  if (light.type == LIGHT_SPOT) {
    attenuation *= spot_falloff(l, light.direction, light.inner_cone_cos, light.outer_cone_cos);
  }
  return l;
}

#endif
