#version 460
// gbuffer.frag: the deferred geometry pass: samples the material, applies parallax occlusion mapping
// and detail normals, writes the packed G-buffer and motion vectors.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_nonuniform_qualifier : require

#include "common.glsl"
#include "math.glsl"
#include "material.glsl"
#include "packing.glsl"
#include "camera.glsl"

layout(location = 0) in vec3 in_world_pos;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec4 in_tangent;
layout(location = 3) in vec2 in_uv;
layout(location = 4) in vec4 in_clip_current;
layout(location = 5) in vec4 in_clip_previous;
layout(location = 6) flat in uint in_material;

layout(location = 0) out vec4 out_rt0;
layout(location = 1) out uvec2 out_rt1;
layout(location = 2) out vec4 out_rt2;
layout(location = 3) out vec4 out_rt3;
layout(location = 4) out vec2 out_velocity;

layout(set = 1, binding = 0, std430) readonly buffer Materials { Material materials[]; };
layout(set = 1, binding = 1) uniform sampler2D height_maps[16];
layout(set = 3, binding = 0) uniform sampler2D textures[];

layout(push_constant) uniform Push {
  float parallax_scale;
  uint parallax_steps;
  uint height_map_index;
  float detail_scale;
  uint detail_normal_texture;
} push;

vec4 tex(uint index, vec2 uv) {
  return index == 0xFFFFFFFFu ? vec4(1.0) : texture(textures[nonuniformEXT(index)], uv);
}

vec2 parallax_occlusion(vec2 uv, vec3 view_ts) {
  if (push.parallax_steps == 0u || push.height_map_index >= 16u) return uv;
  float steps = mix(float(push.parallax_steps), 4.0, abs(view_ts.z));
  float layer_depth = 1.0 / steps;
  vec2 delta = view_ts.xy / max(view_ts.z, 0.1) * push.parallax_scale / steps;
  vec2 current_uv = uv;
  float current_depth = 0.0;
  float height = 1.0 - texture(height_maps[push.height_map_index], current_uv).r;
  for (int i = 0; i < 64 && current_depth < height; ++i) {
    current_uv -= delta;
    height = 1.0 - texture(height_maps[push.height_map_index], current_uv).r;
    current_depth += layer_depth;
  }
  vec2 prev_uv = current_uv + delta;
  float after = height - current_depth;
  float before = 1.0 - texture(height_maps[push.height_map_index], prev_uv).r - current_depth + layer_depth;
  float w = after / (after - before);
  return mix(current_uv, prev_uv, w);
}

void main() {
  Material m = materials[in_material];
  vec3 n = normalize(in_normal);
  if (!gl_FrontFacing && (m.flags & MATERIAL_FLAG_DOUBLE_SIDED) != 0u) n = -n;
  vec3 t = normalize(in_tangent.xyz - n * dot(n, in_tangent.xyz));
  vec3 b = cross(n, t) * in_tangent.w;
  mat3 tbn = mat3(t, b, n);
  vec3 view_ts = transpose(tbn) * view_direction(in_world_pos);
  vec2 uv = parallax_occlusion(in_uv, view_ts);

  vec4 base = m.base_color_factor * tex(m.base_color_texture, uv);
  if ((m.flags & MATERIAL_FLAG_ALPHA_TEST) != 0u && base.a < m.alpha_cutoff) discard;

  vec3 normal = n;
  if (m.normal_texture != 0xFFFFFFFFu) {
    vec3 tn = decode_normal_rg(tex(m.normal_texture, uv).rg);
    if (push.detail_normal_texture != 0xFFFFFFFFu) {
      vec3 dn = decode_normal_rg(tex(push.detail_normal_texture, uv * push.detail_scale).rg);
      tn = normalize(vec3(tn.xy + dn.xy, tn.z * dn.z));  // whiteout blend
    }
    normal = perturb_normal(n, in_tangent, tn, m.normal_scale);
  }
  vec4 mr = tex(m.metallic_roughness_texture, uv);

  GBufferData g;
  g.albedo = base.rgb;
  g.normal = normal;
  g.roughness = specular_aa_roughness(normal, clamp(m.roughness_factor * mr.g, 0.045, 1.0));
  g.metallic = saturate(m.metallic_factor * mr.b);
  g.occlusion = mix(1.0, tex(m.occlusion_texture, uv).r, m.occlusion_strength);
  g.emissive = m.emissive_factor * srgb_to_linear(tex(m.emissive_texture, uv).rgb);
  g.material_id = in_material;
  pack_gbuffer(g, out_rt0, out_rt1, out_rt2, out_rt3);

  vec2 current = in_clip_current.xy / in_clip_current.w - camera.jitter;
  vec2 previous = in_clip_previous.xy / in_clip_previous.w - camera.prev_jitter;
  out_velocity = (current - previous) * 0.5;
}
