#version 450
// One point per vertex: positions (xyzw floats) and colours (RGBA8) come from two buffers of the
// sequence frame, bound as vertex bindings 0 and 1.
layout(location = 0) in vec4 position;
layout(location = 1) in vec4 color;
layout(location = 0) out vec4 v_color;

void main() {
  // A tilted view of the cloud: y up on screen (Vulkan's clip y points down), depth from z.
  vec3 p = position.xyz;
  gl_Position = vec4(p.x * 0.8, -(p.y * 0.85 + p.z * 0.35) * 0.8, 0.5 + p.z * 0.25, 1.0);
  gl_PointSize = 1.0;
  v_color = color;
}
