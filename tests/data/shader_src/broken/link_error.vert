#version 450
// Declared but never defined: parses, fails to link.
vec4 position_of(int index);
void main() { gl_Position = position_of(gl_VertexIndex); }
