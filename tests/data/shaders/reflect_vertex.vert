#version 450
// Reflection test: vertex attributes of several types, a uniform block, outputs.
layout(location = 0) in vec3 in_position;
layout(location = 1) in vec2 in_uv;
layout(location = 2) in uvec4 in_joints;
layout(location = 3) in ivec2 in_offset;
layout(location = 4) in float in_weight;
layout(location = 5) in vec4 in_color;

layout(location = 0) out vec2 out_uv;
layout(location = 1) out vec4 out_color;
layout(location = 2) flat out uint out_joint;

layout(set = 0, binding = 0) uniform Camera {
  mat4 view_proj;
  vec3 eye;
  float time;
};

void main() {
  out_uv = in_uv + vec2(in_offset) * in_weight;
  out_color = in_color;
  out_joint = in_joints.x;
  gl_Position = view_proj * vec4(in_position + eye * time, 1.0);
}
