#version 450
// The colour the vertex shader handed over, unchanged.
layout(location = 0) flat in vec4 colour;
layout(location = 0) out vec4 out_colour;
void main() { out_colour = colour; }
