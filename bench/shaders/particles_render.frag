#version 460
// particles_render.frag: flip-book blended particle shading with soft depth fade, simple lighting from
// the sun and ambient, and weighted blended order-independent transparency outputs.
#extension GL_GOOGLE_include_directive : require

#include "common.glsl"
#include "color.glsl"
#include "camera.glsl"

layout(location = 0) in vec2 in_uv;
layout(location = 1) in vec2 in_uv_next;
layout(location = 2) in float in_frame_blend;
layout(location = 3) in vec4 in_color;
layout(location = 4) in float in_view_depth;

layout(location = 0) out vec4 out_accum;
layout(location = 1) out float out_revealage;

layout(set = 1, binding = 7) uniform sampler2D particle_atlas;
layout(set = 1, binding = 8) uniform sampler2D particle_normal_atlas;
layout(set = 1, binding = 9) uniform sampler2D scene_depth;

layout(set = 1, binding = 10, std140) uniform ParticleLighting {
  vec4 sun_direction;    // xyz, w: intensity
  vec4 sun_color;
  vec4 ambient;
  float softness;        // distance over which particles fade into geometry
  float emissive;
  float wrap;            // wrap lighting for thin translucent sprites
  float oit_weight_scale;
} lighting;

float soft_fade() {
  vec2 uv = gl_FragCoord.xy * camera.inv_viewport_size;
  float scene = linearize_depth(texture(scene_depth, uv).r);
  float diff = scene - in_view_depth;
  return saturate(diff / max(lighting.softness, 1e-3));
}

vec4 sample_flipbook() {
  vec4 a = texture(particle_atlas, in_uv);
  vec4 b = texture(particle_atlas, in_uv_next);
  return mix(a, b, in_frame_blend);
}

vec3 sample_normal() {
  vec3 a = texture(particle_normal_atlas, in_uv).xyz;
  vec3 b = texture(particle_normal_atlas, in_uv_next).xyz;
  vec3 n = mix(a, b, in_frame_blend) * 2.0 - 1.0;
  // The sprite faces the camera: bring the tangent-space normal into world space with the view basis.
  vec3 right = vec3(camera.view[0][0], camera.view[1][0], camera.view[2][0]);
  vec3 up = vec3(camera.view[0][1], camera.view[1][1], camera.view[2][1]);
  vec3 forward = vec3(camera.view[0][2], camera.view[1][2], camera.view[2][2]);
  return normalize(right * n.x + up * n.y + forward * n.z);
}

vec3 shade(vec3 albedo, vec3 n) {
  vec3 l = -normalize(lighting.sun_direction.xyz);
  float wrap = lighting.wrap;
  float diffuse = saturate((dot(n, l) + wrap) / ((1.0 + wrap) * (1.0 + wrap)));
  vec3 direct = lighting.sun_color.rgb * lighting.sun_direction.w * diffuse;
  return albedo * (direct + lighting.ambient.rgb) + albedo * lighting.emissive;
}

// McGuire & Bavoil 2013 weight function.
float oit_weight(float z, float alpha) {
  float w = alpha * max(1e-2, min(3e3, 10.0 / (1e-5 + pow(z / 5.0, 2.0) + pow(z / 200.0, 6.0))));
  return w * lighting.oit_weight_scale;
}

void main() {
  vec4 texel = sample_flipbook();
  vec4 color = texel * in_color;
  color.a *= soft_fade();
  if (color.a < 1.0 / 255.0) discard;
  vec3 n = sample_normal();
  vec3 lit = shade(srgb_to_linear(color.rgb), n);
  float w = oit_weight(in_view_depth, color.a);
  out_accum = vec4(lit * color.a, color.a) * w;
  out_revealage = color.a;
}
