#version 450
// Program test: reads a location the vertex shader does not write (stage interface mismatch).
layout(location = 0) in vec2 uv;
layout(location = 1) in vec3 normal;
layout(location = 0) out vec4 color;

void main() { color = vec4(uv, normal.x, 1.0); }
