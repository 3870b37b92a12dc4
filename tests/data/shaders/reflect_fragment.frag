#version 450
#extension GL_EXT_nonuniform_qualifier : require
// Reflection test: combined image samplers (array and runtime array), a separate sampler and
// texture, a uniform block, an input attachment-free fragment output.
layout(location = 0) in vec2 in_uv;
layout(location = 1) in vec4 in_color;
layout(location = 2) flat in uint in_index;

layout(location = 0) out vec4 out_color;
layout(location = 1) out uvec2 out_id;

layout(set = 0, binding = 0) uniform sampler2D albedo;
layout(set = 0, binding = 1) uniform sampler2DShadow shadow_maps[4];
layout(set = 0, binding = 2) uniform texture2D detail;
layout(set = 0, binding = 3) uniform sampler linear_sampler;
layout(set = 0, binding = 4) uniform samplerCube environment;
layout(set = 1, binding = 0) uniform Material {
  vec4 base_color;
  float roughness;
  float metallic;
} material;
layout(set = 2, binding = 0) uniform sampler2D bindless[];

void main() {
  vec4 c = texture(albedo, in_uv) * material.base_color * in_color;
  c *= texture(sampler2D(detail, linear_sampler), in_uv * 4.0);
  c.rgb *= texture(shadow_maps[in_index & 3u], vec3(in_uv, 0.5));
  c += texture(bindless[nonuniformEXT(in_index)], in_uv) * material.roughness;
  out_color = c;
  out_id = uvec2(in_index, 0u);
}
