#version 450
#include "common.glsl"
layout(location = 0) out vec3 normal;
void main() {
  vec2 p = vec2((gl_VertexIndex << 1) & 2, gl_VertexIndex & 2);
  normal = vec3(0.0, 0.0, scaled(1.0));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
