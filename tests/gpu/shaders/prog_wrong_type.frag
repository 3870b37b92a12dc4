#version 450
// Program test: reads location 0 as a vec4 where the vertex shader writes a vec2.
layout(location = 0) in vec4 uv;
layout(location = 0) out vec4 color;

void main() { color = uv; }
