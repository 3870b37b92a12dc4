#version 450
// Program test: set 0 binding 0 is a uniform block here but a sampler in prog_textured.frag.
layout(set = 0, binding = 0) uniform Clash { vec4 offset; } clash;
layout(location = 0) out vec2 uv;

void main() {
  vec2 p = vec2((gl_VertexIndex << 1) & 2, gl_VertexIndex & 2);
  uv = p;
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0) + clash.offset;
}
