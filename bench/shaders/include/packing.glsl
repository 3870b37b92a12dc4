// packing.glsl: G-buffer encodings shared by the geometry and lighting passes.
#ifndef KILN_PACKING_GLSL
#define KILN_PACKING_GLSL

#include "common.glsl"
#include "math.glsl"

struct GBufferData {
  vec3 albedo;
  vec3 normal;
  float roughness;
  float metallic;
  float occlusion;
  vec3 emissive;
  uint material_id;
};

// RT0: albedo.rgb + occlusion; RT1: oct normal (16:16) ; RT2: roughness, metallic, material id; RT3: emissive.
void pack_gbuffer(GBufferData g, out vec4 rt0, out uvec2 rt1, out vec4 rt2, out vec4 rt3) {
  rt0 = vec4(g.albedo, g.occlusion);
  rt1 = uvec2(packUnorm2x16(oct_encode(g.normal)), g.material_id);
  rt2 = vec4(g.roughness, g.metallic, 0.0, 0.0);
  rt3 = vec4(g.emissive, 1.0);
}

GBufferData unpack_gbuffer(vec4 rt0, uvec2 rt1, vec4 rt2, vec4 rt3) {
  GBufferData g;
  g.albedo = rt0.rgb;
  g.occlusion = rt0.a;
  g.normal = oct_decode(unpackUnorm2x16(rt1.x));
  g.material_id = rt1.y;
  g.roughness = rt2.r;
  g.metallic = rt2.g;
  g.emissive = rt3.rgb;
  return g;
}

uint pack_rgb9e5(vec3 rgb) {
  const float max_value = 65408.0;
  rgb = clamp(rgb, vec3(0.0), vec3(max_value));
  float max_c = max3(rgb);
  int exp_shared = max(-16, int(floor(log2(max(max_c, 1e-9))))) + 1 + 15;
  float denom = exp2(float(exp_shared - 15 - 9));
  uvec3 m = uvec3(rgb / denom + 0.5);
  return (uint(exp_shared) << 27u) | (m.b << 18u) | (m.g << 9u) | m.r;
}

vec3 unpack_rgb9e5(uint v) {
  int e = int(v >> 27u) - 15 - 9;
  float scale = exp2(float(e));
  return vec3(float(v & 511u), float((v >> 9u) & 511u), float((v >> 18u) & 511u)) * scale;
}

#endif
