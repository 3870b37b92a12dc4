// color.glsl: transfer functions, tonemapping operators, colour spaces.
#ifndef KILN_COLOR_GLSL
#define KILN_COLOR_GLSL

#include "common.glsl"

vec3 srgb_to_linear(vec3 c) {
  bvec3 cutoff = lessThanEqual(c, vec3(0.04045));
  vec3 low = c / 12.92;
  vec3 high = pow((c + 0.055) / 1.055, vec3(2.4));
  return mix(high, low, cutoff);
}

vec3 linear_to_srgb(vec3 c) {
  bvec3 cutoff = lessThanEqual(c, vec3(0.0031308));
  vec3 low = c * 12.92;
  vec3 high = 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055;
  return mix(high, low, cutoff);
}

vec3 rgb_to_ycocg(vec3 c) {
  return vec3(dot(c, vec3(0.25, 0.5, 0.25)), dot(c, vec3(0.5, 0.0, -0.5)), dot(c, vec3(-0.25, 0.5, -0.25)));
}

vec3 ycocg_to_rgb(vec3 c) {
  return vec3(c.x + c.y - c.z, c.x + c.z, c.x - c.y - c.z);
}

vec3 tonemap_reinhard(vec3 c) { return c / (1.0 + luminance(c)); }

vec3 tonemap_reinhard_extended(vec3 c, float white) {
  float l = luminance(c);
  float mapped = l * (1.0 + l / (white * white)) / (1.0 + l);
  return c * (mapped / max(l, EPSILON));
}

vec3 uncharted2_partial(vec3 x) {
  const float A = 0.15, B = 0.50, C = 0.10, D = 0.20, E = 0.02, F = 0.30;
  return ((x * (A * x + C * B) + D * E) / (x * (A * x + B) + D * F)) - E / F;
}

vec3 tonemap_uncharted2(vec3 c) {
  const float exposure_bias = 2.0;
  vec3 curr = uncharted2_partial(c * exposure_bias);
  vec3 white_scale = vec3(1.0) / uncharted2_partial(vec3(11.2));
  return curr * white_scale;
}

// Narkowicz's fit of the ACES filmic curve.
vec3 tonemap_aces_fitted(vec3 x) {
  const float a = 2.51, b = 0.03, c = 2.43, d = 0.59, e = 0.14;
  return saturate((x * (a * x + b)) / (x * (c * x + d) + e));
}

// Hill's fit including the input/output matrices.
vec3 tonemap_aces_hill(vec3 color) {
  const mat3 input_m = mat3(0.59719, 0.07600, 0.02840, 0.35458, 0.90834, 0.13383, 0.04823, 0.01566, 0.83777);
  const mat3 output_m = mat3(1.60475, -0.10208, -0.00327, -0.53108, 1.10813, -0.07276, -0.07367, -0.00605, 1.07602);
  color = input_m * color;
  vec3 a = color * (color + 0.0245786) - 0.000090537;
  vec3 b = color * (0.983729 * color + 0.4329510) + 0.238081;
  return saturate(output_m * (a / b));
}

vec3 tonemap(vec3 c, uint op) {
  switch (op) {
    case 0u: return saturate(c);
    case 1u: return tonemap_reinhard(c);
    case 2u: return tonemap_uncharted2(c);
    case 3u: return tonemap_aces_fitted(c);
    default: return tonemap_aces_hill(c);
  }
}

float ev100_from_luminance(float avg_luminance) { return log2(avg_luminance * 100.0 / 12.5); }
float exposure_from_ev100(float ev100) { return 1.0 / (1.2 * exp2(ev100)); }

#endif
