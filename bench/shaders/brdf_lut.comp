#version 460
// brdf_lut.comp: the split-sum environment BRDF table (scale, bias) over (N.V, roughness), plus a third
// channel with the cloth (Charlie) term, by importance sampling GGX with a Hammersley sequence.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "brdf.glsl"
#include "sampling.glsl"

layout(local_size_x = 16, local_size_y = 16) in;

layout(set = 0, binding = 0, rgba16f) uniform writeonly image2D lut;

layout(push_constant) uniform Push { uint sample_count; } push;

float g_schlick_ibl(float n_dot_v, float roughness) {
  float k = roughness * roughness / 2.0;
  return n_dot_v / (n_dot_v * (1.0 - k) + k);
}

vec2 integrate_ggx(float n_dot_v, float roughness) {
  vec3 v = vec3(sqrt(1.0 - n_dot_v * n_dot_v), 0.0, n_dot_v);
  vec3 n = vec3(0.0, 0.0, 1.0);
  float a = 0.0, b = 0.0;
  for (uint i = 0u; i < push.sample_count; ++i) {
    vec2 xi = hammersley(i, push.sample_count);
    vec3 h = importance_sample_ggx(xi, n, roughness);
    vec3 l = normalize(2.0 * dot(v, h) * h - v);
    float n_dot_l = saturate(l.z);
    float n_dot_h = saturate(h.z);
    float v_dot_h = saturate(dot(v, h));
    if (n_dot_l > 0.0) {
      float g = g_schlick_ibl(n_dot_v, roughness) * g_schlick_ibl(n_dot_l, roughness);
      float g_vis = g * v_dot_h / max(n_dot_h * n_dot_v, 1e-5);
      float fc = pow5(1.0 - v_dot_h);
      a += (1.0 - fc) * g_vis;
      b += fc * g_vis;
    }
  }
  return vec2(a, b) / float(push.sample_count);
}

float v_neubelt(float n_dot_v, float n_dot_l) {
  return saturate(1.0 / (4.0 * (n_dot_l + n_dot_v - n_dot_l * n_dot_v)));
}

float integrate_charlie(float n_dot_v, float roughness) {
  vec3 v = vec3(sqrt(1.0 - n_dot_v * n_dot_v), 0.0, n_dot_v);
  float sum = 0.0;
  for (uint i = 0u; i < push.sample_count; ++i) {
    vec2 xi = hammersley(i, push.sample_count);
    vec3 h = cosine_sample_hemisphere(xi);  // uniform-ish: sheen lobes are wide
    vec3 l = normalize(2.0 * dot(v, h) * h - v);
    float n_dot_l = saturate(l.z);
    float n_dot_h = saturate(h.z);
    float v_dot_h = saturate(dot(v, h));
    if (n_dot_l > 0.0) {
      float d = d_charlie(roughness, n_dot_h);
      float vis = v_neubelt(n_dot_v, n_dot_l);
      sum += vis * d * n_dot_l * v_dot_h / max(n_dot_h, 1e-4);
    }
  }
  return 4.0 * TWO_PI * sum / float(push.sample_count) * 0.25;
}

void main() {
  ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(lut);
  if (!in_bounds(pixel, size)) return;
  float n_dot_v = max((float(pixel.x) + 0.5) / float(size.x), 1e-3);
  float roughness = (float(pixel.y) + 0.5) / float(size.y);
  vec2 ggx = integrate_ggx(n_dot_v, roughness);
  float charlie = integrate_charlie(n_dot_v, roughness);
  imageStore(lut, pixel, vec4(ggx, charlie, 1.0));
}
