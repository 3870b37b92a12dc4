#version 450
// One triangle, no vertex buffer: its edges cross pixels diagonally, so edge pixels are partly covered.
// layer_msaa.cpp tests the same corners on the CPU (kTriangle there).
const vec2 pos[3] = vec2[](vec2(-0.8, -0.8), vec2(0.9, -0.6), vec2(-0.5, 0.9));
void main() { gl_Position = vec4(pos[gl_VertexIndex], 0.5, 1.0); }
