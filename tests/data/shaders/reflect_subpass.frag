#version 450
// Reflection test: input attachments (one multisampled), an array of textures, fragment outputs.
layout(input_attachment_index = 0, set = 0, binding = 0) uniform subpassInput gbuffer_albedo;
layout(input_attachment_index = 1, set = 0, binding = 1) uniform subpassInputMS gbuffer_depth;
layout(set = 1, binding = 0) uniform texture2DArray layers[6];
layout(set = 1, binding = 1) uniform sampler nearest;

layout(location = 0) out vec4 out_color;
layout(location = 2) out float out_depth;

void main() {
  vec4 a = subpassLoad(gbuffer_albedo);
  float d = subpassLoad(gbuffer_depth, 0).r;
  a += texture(sampler2DArray(layers[5], nearest), vec3(0.5, 0.5, 1.0));
  out_color = a;
  out_depth = d;
}
